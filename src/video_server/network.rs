//! The network check endpoints the stub SDK's `connectivityMeasure` calls from the browser:
//! `GET|HEAD /video-server/network-latency` (answered at once, never cached) and
//! `POST /video-server/network-speed` (reads and discards an upload, reports what it measured).
//!
//! They are public (no API key): the browser calls them, and the vendor's browser SDK never holds
//! a key.

use std::time::Instant;

use axum::{
    body::Body,
    http::header,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use futures_util::StreamExt;
use serde_json::json;

use crate::{
    error::{ApiError, ApiResult},
    state::AppState,
};

/// Largest upload `network-speed` measures; beyond it the answer is 413.
pub const MAX_SPEED_UPLOAD: usize = 4 * 1024 * 1024;

/// How much of an oversized upload is still drained (and dropped) so the client reads the 413
/// instead of a reset connection; past this the connection is simply closed.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// Routes of this part of the video-server (merged into the public routes).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/video-server/network-latency", get(latency))
        .route("/video-server/network-speed", post(speed))
}

/// A tiny body the browser can time a round trip with (HEAD gets the same headers, no body).
async fn latency() -> Response {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({ "ok": true })),
    )
        .into_response()
}

/// Streams the upload without keeping it and answers `{"bytes", "ms", "kbps"}`.
async fn speed(body: Body) -> ApiResult<Response> {
    let started = Instant::now();
    let mut stream = body.into_data_stream();
    let mut received = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request(format!("The upload to network-speed broke off: {e}"))
        })?;
        received += chunk.len();
        if received > MAX_SPEED_UPLOAD {
            drain(&mut stream, received).await;
            return Err(ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "network-speed measures uploads of at most {MAX_SPEED_UPLOAD} bytes (4 MiB); send a smaller probe"
                ),
            ));
        }
    }
    let seconds = started.elapsed().as_secs_f64().max(1e-6);
    let kbps = received as f64 * 8.0 / 1000.0 / seconds;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({
            "bytes": received,
            "ms": (seconds * 1e6).round() / 1e3,
            "kbps": (kbps * 10.0).round() / 10.0,
        })),
    )
        .into_response())
}

/// Reads and drops the rest of an oversized upload, up to [`DRAIN_LIMIT`].
async fn drain(stream: &mut axum::body::BodyDataStream, mut seen: usize) {
    while seen <= DRAIN_LIMIT {
        match stream.next().await {
            Some(Ok(chunk)) => seen += chunk.len(),
            _ => break,
        }
    }
}
