//! The admin API (spec §5): scenarios, default scenario, queue, sessions, pins, reset.

use axum::Router;

use crate::state::AppState;

/// Admin routes under `/__emulator`.
pub fn routes() -> Router<AppState> {
    Router::new()
}
