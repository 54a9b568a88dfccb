//! `GET /video-server/v2/capabilities`: the health check integrators call on page load.

use axum::{routing::get, Json, Router};
use serde_json::{json, Value};

use crate::state::AppState;

/// Routes of this part of the video-server.
pub fn routes() -> Router<AppState> {
    Router::new().route("/v2/capabilities", get(capabilities))
}

/// The documented shape (placeholder until the core issue lands).
async fn capabilities() -> Json<Value> {
    Json(
        json!({"version": "3.36.0", "bioserver-core": {"version": "3.36.0", "currentMode": ["F6_2_VID65"]}}),
    )
}
