//! The emulated Biometric Services ("Bioserver core") API under `/bioserver-app/v2`.

use axum::{extract::Path, routing::get, Router};

use crate::error::{ApiError, ApiResult};

use crate::state::AppState;

/// Routes under `/bioserver-app/v2` (all need an API key).
pub fn routes() -> Router<AppState> {
    Router::new().route("/bio-sessions/{id}", get(placeholder))
}

async fn placeholder(Path(id): Path<String>) -> ApiResult<()> {
    Err(ApiError::not_found(format!("unknown id {id}")))
}
