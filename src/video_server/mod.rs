//! The emulated video-server under `/video-server`: session creation, capabilities, the network
//! check endpoints, the four stub SDK scripts and the capture channel.

use axum::{routing::get, Json, Router};
use serde_json::{json, Value};

use crate::state::AppState;

/// Routes under `/video-server` that need an API key.
pub fn protected_routes() -> Router<AppState> {
    Router::new().route("/v2/capabilities", get(capabilities))
}

/// `GET /video-server/v2/capabilities`: the health check integrators call (placeholder).
async fn capabilities() -> Json<Value> {
    Json(json!({"version": "3.36.0", "bioserver-core": {"version": "3.36.0", "currentMode": ["F6_2_VID65"]}}))
}

/// Routes under `/video-server` the browser reaches without a key (scripts, network check, channel).
pub fn public_routes() -> Router<AppState> {
    Router::new()
}
