//! The emulated video-server under `/video-server`: session creation, capabilities, the network
//! check endpoints, the four stub SDK scripts and the capture channel.

pub mod capabilities;
pub mod channel;
pub mod init;
pub mod network;
pub mod scripts;

use axum::Router;

use crate::state::AppState;

/// Routes under `/video-server` that need an API key (init-liveness-session, capabilities).
pub fn protected_routes() -> Router<AppState> {
    Router::new()
        .merge(init::routes())
        .merge(capabilities::routes())
}

/// Routes under `/video-server` the browser reaches without a key (scripts, network check, channel).
pub fn public_routes() -> Router<AppState> {
    Router::new()
        .merge(network::routes())
        .merge(scripts::routes())
        .merge(channel::routes())
}
