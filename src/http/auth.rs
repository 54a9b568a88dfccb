//! API-key checking for the vendor endpoints.
//!
//! The vendor rejects a request without a usable `apikey` header with 401. By default any non-empty
//! key works (integrators keep their real config); `--api-key` restricts the set; `--no-auth` drops
//! the check. Which paths need a key is the front door's classification
//! (`crate::front::endpoint`); this module is the rule itself.

use axum::http::{HeaderMap, HeaderName};

use crate::{config::Config, error::ApiError};

/// The vendor's `apikey` header, as a ready name: a lookup by `&str` parses and lowercases the
/// name again on every call, and several steps of each vendor request look this one up.
pub static API_KEY_HEADER: HeaderName = HeaderName::from_static("apikey");

/// The key a request's `apikey` header carries: trimmed, blank is none. One reading for the key
/// check and for what a created session records, so they never disagree.
pub fn api_key_in(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(&API_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The verdict on a request's `apikey` header: the key (None under `--no-auth` when absent), or
/// the vendor's 401 saying what is wrong. One rule for the middleware and for scripted REST
/// answers, which must refuse exactly the requests the real handlers would.
pub fn check_api_key<'h>(
    config: &Config,
    headers: &'h HeaderMap,
) -> Result<Option<&'h str>, ApiError> {
    let key = api_key_in(headers);
    if !config.no_auth {
        match key {
            None => {
                return Err(ApiError::unauthorized(
                    "Authentication is required: send the API key in the 'apikey' header",
                ))
            }
            Some(k) if !config.api_keys.is_empty() && !config.api_keys.iter().any(|a| a == k) => {
                return Err(ApiError::unauthorized(
                    "The API key in the 'apikey' header is not accepted",
                ))
            }
            _ => {}
        }
    }
    Ok(key)
}
