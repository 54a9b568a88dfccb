//! The control plane under `/__emulator/`: admin API (JSON) for tests and tools, dashboard and
//! demo pages for people.

pub mod admin;
pub mod dashboard;
pub mod export;
pub mod findings_api;
pub mod journal;
pub mod live;
pub mod observer;
pub mod playback;

use axum::{routing::get, Json, Router};
use serde_json::{json, Value};

use crate::state::AppState;

/// Routes under `/__emulator`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .merge(admin::routes())
        .merge(dashboard::routes())
        .merge(live::routes())
        .merge(export::routes())
        .merge(findings_api::routes())
        .merge(playback::routes())
        .merge(crate::signing::routes())
}

/// `GET /__emulator/health`: liveness probe for scripts waiting on start-up.
async fn health() -> Json<Value> {
    Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}
