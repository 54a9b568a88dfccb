//! API-key checking for the vendor endpoints.
//!
//! The vendor rejects a request without a usable `apikey` header with 401. By default any non-empty
//! key works (integrators keep their real config); `--api-key` restricts the set; `--no-auth` drops
//! the check.

use axum::{
    extract::{Request, State},
    http::HeaderMap,
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{error::ApiError, state::AppState};

/// The `apikey` header the request carried (inserted as a request extension after the check).
#[derive(Debug, Clone)]
pub struct ApiKey(pub Option<String>);

/// The verdict on a request's `apikey` header: the key (None under `--no-auth` when absent), or
/// the vendor's 401 saying what is wrong. One rule for the middleware and for scripted REST
/// answers, which must refuse exactly the requests the real handlers would.
pub fn check_api_key(state: &AppState, headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let key = headers
        .get("apikey")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if !state.config.no_auth {
        match key {
            None => {
                return Err(ApiError::unauthorized(
                    "Authentication is required: send the API key in the 'apikey' header",
                ))
            }
            Some(k)
                if !state.config.api_keys.is_empty()
                    && !state.config.api_keys.iter().any(|a| a == k) =>
            {
                return Err(ApiError::unauthorized(
                    "The API key in the 'apikey' header is not accepted",
                ))
            }
            _ => {}
        }
    }
    Ok(key.map(str::to_string))
}

/// Middleware for the vendor routers: 401 without a usable key or with a key not in `--api-key`.
pub async fn require_api_key(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    match check_api_key(&state, req.headers()) {
        Ok(key) => {
            req.extensions_mut().insert(ApiKey(key));
            next.run(req).await
        }
        Err(refused) => refused.into_response(),
    }
}
