//! The emulated GIPS identity-proofing API under `/gips/v1`.
//!
//! Stateful per identity: an identity collects consents and portraits; each portrait is captured
//! by a bio-session created through `live-capture-session` (the sample app's route) or
//! `live-capture-video-session` (the documented one), and its status follows that session's
//! scenario. Status and global status answer 2xx for every id the emulator issued, because the
//! sample app crashes on anything else (integration contract §2.5).

pub mod capture_session;
pub mod consents;
pub mod identities;
pub mod portrait;
pub mod status;
pub mod store;

use axum::{
    routing::{get, post},
    Router,
};

use crate::{
    error::{ApiError, ApiResult},
    state::AppState,
};

use store::SharedIdentity;

/// Routes under `/gips/v1`, with full paths (merged, not nested; all need an API key; `Tenant-Role` and `X-Forwarded-For` are accepted
/// as sent, whatever their value).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/gips/v1/identities", post(identities::create))
        .route("/gips/v1/identities/{id}", get(identities::global_status))
        .route("/gips/v1/identities/{id}/consents", post(consents::create))
        .route(
            "/gips/v1/identities/{id}/attributes/portrait/live-capture-session",
            post(capture_session::create),
        )
        .route(
            "/gips/v1/identities/{id}/attributes/portrait/live-capture-video-session",
            post(capture_session::create),
        )
        .route(
            "/gips/v1/identities/{id}/status/{portrait_id}",
            get(status::portrait_status),
        )
        .route(
            "/gips/v1/identities/{id}/attributes/portrait/capture",
            get(portrait::capture).post(portrait::capture),
        )
}

/// The identity `id`, or the 404 an unknown (never issued or expired) id gets.
pub(crate) fn identity(state: &AppState, id: &str) -> ApiResult<SharedIdentity> {
    state.gips.get(id).ok_or_else(|| {
        ApiError::not_found(format!(
            "Unknown identity '{id}': create one with POST /gips/v1/identities"
        ))
    })
}

/// GIPS's date-time format (UTC, no zone designator), kept with the others.
pub(crate) use crate::time_format::gips as timestamp;
