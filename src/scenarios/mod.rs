//! Scenarios: the file format ([`model`]), the catalogue with hot reload ([`library`]), the choice
//! of a scenario for a session ([`selection`]), what a scripted REST answer does to a vendor
//! answer ([`answer`]), the one [`plan`] a capture channel plays from it, the vendor's error
//! texts ([`vendor_errors`]) and the JSON merge patch files use to alter bodies ([`merge_patch`]).

pub mod answer;
pub mod library;
pub mod locate;
pub mod merge_patch;
pub mod model;
pub mod plan;
pub mod selection;
pub mod shape;
pub mod validate;
pub mod vendor_errors;
pub mod watch;

pub use library::ScenarioLibrary;

/// The JSON Schema of scenario files, pretty-printed (`webcapture-emulator schema`).
pub fn schema_json() -> String {
    serde_json::to_string_pretty(&schema_value())
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// The JSON Schema of scenario files as a value: generated from [`model`], plus the names
/// `rest` accepts as keys (schemars leaves map keys unconstrained), so editors complete them
/// and the shape check ([`shape`]) names a misspelt endpoint.
pub fn schema_value() -> serde_json::Value {
    let mut schema =
        serde_json::to_value(schemars::schema_for!(model::Scenario)).unwrap_or_default();
    let endpoints: Vec<serde_json::Value> = model::Endpoint::ALL
        .iter()
        .filter_map(|e| serde_json::to_value(e).ok())
        .collect();
    if let Some(rest) = schema.pointer_mut("/properties/rest") {
        rest["propertyNames"] = serde_json::json!({ "enum": endpoints });
    }
    schema
}

pub use validate::check_command;
