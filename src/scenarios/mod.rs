//! Scenarios: the file format ([`model`]), the catalogue with hot reload ([`library`]), the choice
//! of a scenario for a session ([`selection`]) and the conversion of a scenario into timed channel
//! events ([`playback`]).

pub mod library;
pub mod locate;
pub mod model;
pub mod playback;
pub mod rest;
pub mod selection;
pub mod shape;
pub mod validate;
pub mod watch;

pub use library::ScenarioLibrary;
pub use model::Scenario;

/// The JSON Schema of scenario files, pretty-printed (`webcapture-emulator schema`).
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(model::Scenario);
    serde_json::to_string_pretty(&schema).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

pub use validate::check_command;
