//! API-key checking for the vendor endpoints.
//!
//! The vendor rejects a request without a usable `apikey` header with 401. By default any non-empty
//! key works (integrators keep their real config); `--api-key` restricts the set; `--no-auth` drops
//! the check.

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{error::ApiError, state::AppState};

/// The `apikey` header the request carried (inserted as a request extension after the check).
#[derive(Debug, Clone)]
pub struct ApiKey(pub Option<String>);

/// Middleware for the vendor routers: 401 without a usable key, 403 for a key not in `--api-key`.
pub async fn require_api_key(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let key = req
        .headers()
        .get("apikey")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if !state.config.no_auth {
        match &key {
            None => {
                return ApiError::unauthorized(
                    "Authentication is required: send the API key in the 'apikey' header",
                )
                .into_response()
            }
            Some(k) if !state.config.api_keys.is_empty() && !state.config.api_keys.contains(k) => {
                return ApiError::unauthorized("The API key in the 'apikey' header is not accepted")
                    .into_response()
            }
            _ => {}
        }
    }
    req.extensions_mut().insert(ApiKey(key));
    next.run(req).await
}
