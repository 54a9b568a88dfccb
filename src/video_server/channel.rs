//! Placeholder; see the module's issue.

use axum::Router;

use crate::state::AppState;

/// Routes of this part of the video-server.
pub fn routes() -> Router<AppState> {
    Router::new()
}
