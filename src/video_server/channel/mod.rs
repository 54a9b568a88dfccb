//! The capture channel: a WebSocket at `/video-server/engine.io` (any subpath, any query) between
//! the stub SDK's `initFaceCaptureClient` and the scenario playback.
//!
//! It is public (browsers send no API key) and accepts any `Origin`, because integrator pages are
//! served from their own origin. The wire protocol is in [`protocol`]; [`runner`] plays one socket.

pub mod protocol;
pub mod runner;

use std::{collections::HashMap, net::SocketAddr};

use axum::{
    extract::{ws::WebSocketUpgrade, ConnectInfo, Query, State},
    http::HeaderMap,
    response::Response,
    routing::get,
    Extension, Router,
};

use crate::state::AppState;

/// Routes of the channel: the vendor's path, with or without a trailing slash or subpath.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/video-server/engine.io", get(upgrade))
        .route("/video-server/engine.io/", get(upgrade))
        .route("/video-server/engine.io/{*rest}", get(upgrade))
}

/// Accepts the WebSocket upgrade and hands the socket to its own task.
async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let peer = runner::Peer {
        fingerprint: crate::http::fingerprint::fingerprint(
            &headers,
            connect.map(|Extension(ConnectInfo(addr))| addr),
        ),
        query_hint: query
            .get("emulator-scenario")
            .filter(|s| !s.is_empty())
            .cloned(),
    };
    // Small buffers: the default 128 KiB read + 128 KiB write buffer per socket made 10,000
    // concurrent captures cost gigabytes; frames are small and the buffers still grow for a big
    // `bestImage`.
    ws.max_message_size(protocol::MAX_FRAME)
        .max_frame_size(protocol::MAX_FRAME)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .on_upgrade(move |socket| runner::run(state, socket, peer))
}
