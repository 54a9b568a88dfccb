//! `GET /video-server/v2/capabilities`: the health check integrators call on page load.
//!
//! The passive templates of the sample app show a failure screen when this does not answer 2xx
//! JSON, and read `.version` for their "?" overlay, so the documented shape is kept exactly and
//! only additive members are appended.

use axum::{
    http::header,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use serde_json::json;

use crate::state::AppState;

/// The video-server version the emulator speaks (the sample app's release).
pub const VIDEO_SERVER_VERSION: &str = "3.36.0";

/// The matching algorithm core reports as enabled.
pub const CORE_MODE: &str = "F6_2_VID65";

/// Routes of this part of the video-server.
pub fn routes() -> Router<AppState> {
    Router::new().route("/video-server/v2/capabilities", get(capabilities))
}

/// `{"version", "bioserver-core": {"version", "currentMode"}}` plus `emulator` markers so a person
/// reading the answer knows it is not the real service.
async fn capabilities() -> Response {
    // The answer never changes: serialized once, then served from shared bytes.
    static BODY: std::sync::OnceLock<bytes::Bytes> = std::sync::OnceLock::new();
    let body = BODY.get_or_init(|| {
        json!({
            "version": VIDEO_SERVER_VERSION,
            "bioserver-core": {
                "version": VIDEO_SERVER_VERSION,
                "currentMode": [CORE_MODE],
            },
            "emulator": true,
            "emulatorVersion": env!("CARGO_PKG_VERSION"),
        })
        .to_string()
        .into()
    });
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_TYPE, "application/json"),
        ],
        body.clone(),
    )
        .into_response()
}
