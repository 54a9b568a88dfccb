//! The yardstick: the cheapest possible axum server answering the same JSON as the emulator's
//! capabilities endpoint. The benchmark compares the emulator's throughput and CPU per request
//! against it, so "as cheap as a bare axum handler" is a measured claim, not a slogan.
//!
//! Usage: `yardstick [PORT]` (default 18081). Serves `GET /video-server/v2/capabilities` and
//! `GET /__emulator/health` (so the start-up timer probes it exactly like the emulator).

use axum::{routing::get, Json, Router};
use serde_json::{json, Value};

/// The same body the emulator's capabilities placeholder answers, so response sizes match.
async fn capabilities() -> Json<Value> {
    Json(
        json!({"version": "3.36.0", "bioserver-core": {"version": "3.36.0", "currentMode": ["F6_2_VID65"]}}),
    )
}

/// Health probe, mirroring `/__emulator/health`.
async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(18081);
    let app = Router::new()
        .route("/video-server/v2/capabilities", get(capabilities))
        .route("/__emulator/health", get(health));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
