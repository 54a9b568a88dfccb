//! The emulated GIPS identity-proofing API under `/gips/v1`.

use axum::{extract::Path, routing::get, Router};

use crate::error::{ApiError, ApiResult};

use crate::state::AppState;

/// Routes under `/gips/v1` (all need an API key).
pub fn routes() -> Router<AppState> {
    Router::new().route("/identities/{id}", get(placeholder))
}

async fn placeholder(Path(id): Path<String>) -> ApiResult<()> {
    Err(ApiError::not_found(format!("unknown id {id}")))
}
