//! Scenarios: the file format ([`model`]), the catalogue with hot reload ([`library`]), the choice
//! of a scenario for a session ([`selection`]) and the conversion of a scenario into timed channel
//! events ([`playback`]).

pub mod library;
pub mod model;
pub mod playback;
pub mod selection;

pub use library::ScenarioLibrary;
pub use model::Scenario;

/// The JSON Schema of scenario files, pretty-printed (`webcapture-emulator schema`).
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(model::Scenario);
    serde_json::to_string_pretty(&schema).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// `webcapture-emulator check [PATH]`: validates scenario files (stub until the validator lands).
pub fn check_command(path: Option<std::path::PathBuf>) -> std::process::ExitCode {
    let _ = path;
    std::process::ExitCode::SUCCESS
}
