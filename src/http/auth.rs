//! API-key checking for the vendor endpoints.
//!
//! The vendor rejects a request without a usable `apikey` header with 401. By default any non-empty
//! key works (integrators keep their real config); `--api-key` restricts the set; `--no-auth` drops
//! the check.

use axum::{extract::Request, http::HeaderMap};

use crate::{error::ApiError, state::AppState};

/// The `apikey` header the request carried (inserted as a request extension after the check).
#[derive(Debug, Clone)]
pub struct ApiKey(pub Option<String>);

/// The verdict on a request's `apikey` header: the key (None under `--no-auth` when absent), or
/// the vendor's 401 saying what is wrong. One rule for the middleware and for scripted REST
/// answers, which must refuse exactly the requests the real handlers would.
pub fn check_api_key<'h>(
    state: &AppState,
    headers: &'h HeaderMap,
) -> Result<Option<&'h str>, ApiError> {
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
    Ok(key)
}

/// Whether `path` is a vendor endpoint that needs an API key: init-liveness-session,
/// capabilities, everything under `/bioserver-app/v2/` and `/gips/v1/`. The browser-facing
/// video-server paths (scripts, network check, the capture channel) and the control plane do not.
/// The one list the front door checks keys by and the findings observer watches.
pub fn requires_key(path: &str) -> bool {
    path.starts_with("/video-server/init-liveness-session")
        || path.starts_with("/video-server/v2/capabilities")
        || path.starts_with("/bioserver-app/v2/")
        || path.starts_with("/gips/v1/")
}

/// The front door's key check for `req` (see [`requires_key`]): the 401 to answer instead, or
/// the request with its [`ApiKey`] for the handlers. A plain call rather than a route layer: a
/// `from_fn` layer costs a boxed future and a cloned service on every vendor request.
pub fn authorise(state: &AppState, mut req: Request) -> Result<Request, ApiError> {
    if !requires_key(req.uri().path()) {
        return Ok(req);
    }
    let key = check_api_key(state, req.headers())?.map(str::to_string);
    req.extensions_mut().insert(ApiKey(key));
    Ok(req)
}
