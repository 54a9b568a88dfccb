//! Signed results: a compact JWS over response bodies, and the published public key.

use axum::Router;
use serde_json::Value;

use crate::{scenarios::model::SignatureMode, state::AppState};

/// Adds the `signature` member to a result body (no-op until the signing issue lands).
pub fn attach(state: &AppState, body: &mut Value, mode: SignatureMode) {
    let _ = (state, body, mode);
}

/// `/__emulator/certificate.pem` and `/__emulator/jwks.json`.
pub fn routes() -> Router<AppState> {
    Router::new()
}
