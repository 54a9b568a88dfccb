//! The public keys a client needs to trust the emulator: the result-signing certificate and JWKS
//! (to verify `signature` members, see [`crate::signing`]) and, when serving HTTPS, the TLS
//! certificate (to install on a phone or give to an HTTP client). Control-plane routes like the
//! rest of `/__emulator/**`; the crypto stays in `signing.rs`.

use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde_json::Value;

use crate::{error::ApiError, state::AppState};

/// `/certificate.pem`, `/jwks.json` and `/tls-certificate.pem` (nested under `/__emulator`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/certificate.pem", get(certificate))
        .route("/jwks.json", get(jwks))
        .route("/tls-certificate.pem", get(tls_certificate))
}

/// `GET /certificate.pem`: the self-signed X.509 certificate of the result-signing key.
async fn certificate(State(state): State<AppState>) -> Response {
    pem_response(state.signer.certificate_pem().to_string())
}

/// `GET /jwks.json`: the result-signing key as a JWK set (`kid` = RFC 7638 thumbprint).
async fn jwks(State(state): State<AppState>) -> Json<Value> {
    Json(state.signer.jwks())
}

/// `GET /tls-certificate.pem`: the HTTPS certificate; 404 when not serving `--tls`.
async fn tls_certificate(State(state): State<AppState>) -> Response {
    match state.tls_certificate.get() {
        Some(pem) => pem_response(pem.clone()),
        None => ApiError::not_found(
            "The emulator is not serving HTTPS: start it with --tls to get a certificate",
        )
        .into_response(),
    }
}

fn pem_response(pem: String) -> Response {
    ([(header::CONTENT_TYPE, "application/x-pem-file")], pem).into_response()
}
