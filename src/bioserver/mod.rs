//! The emulated Biometric Services ("Bioserver core") API under `/bioserver-app/v2`.
//!
//! | file | endpoints |
//! |---|---|
//! | [`bio_session`] | `GET /bio-sessions/{id}` |
//! | [`results`] | `GET /bio-sessions/{id}/liveness-challenge-result` |
//! | [`faces`] | `POST /bio-sessions/{id}/faces`, `GET .../faces/{faceId}`, `GET .../faces/{faceId}/image` |
//! | [`matches`](mod@matches) | `GET .../faces/{referenceFaceId}/matches` |
//! | [`face_json`] | the Face object every answer above embeds |
//!
//! Every session-scoped answer carries a [`SessionTag`] (with the session itself) so the front
//! door's scripted answers, watcher and journal know which session it belongs to.

pub mod bio_session;
pub mod device_info;
pub mod face_json;
pub mod faces;
pub mod matches;
pub mod results;

use axum::{
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use time::OffsetDateTime;

use crate::{
    error::{ApiError, ApiResult},
    front::handoff::SessionTag,
    sessions::store::SharedSession,
    state::AppState,
};

/// Routes under `/bioserver-app/v2` (all need an API key), with full paths: the app merges
/// them rather than nesting, which would rebuild every request's URI (~10% of a request's CPU).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/bioserver-app/v2/bio-sessions/{id}",
            get(bio_session::get_session),
        )
        .route(
            "/bioserver-app/v2/bio-sessions/{id}/liveness-challenge-result",
            get(results::get_result),
        )
        .route(
            "/bioserver-app/v2/bio-sessions/{id}/faces",
            post(faces::create_face),
        )
        .route(
            "/bioserver-app/v2/bio-sessions/{id}/faces/{face_id}",
            get(faces::get_face),
        )
        .route(
            "/bioserver-app/v2/bio-sessions/{id}/faces/{face_id}/image",
            get(faces::get_face_image),
        )
        .route(
            "/bioserver-app/v2/bio-sessions/{id}/faces/{face_id}/matches",
            get(matches::get_matches),
        )
}

/// The session `id`, or the vendor's 404.
pub(crate) fn find_session(state: &AppState, id: &str) -> ApiResult<SharedSession> {
    state
        .sessions
        .get(id)
        .ok_or_else(|| ApiError::no_bio_session(id))
}

/// The 404 for a face id the session does not hold.
pub(crate) fn face_not_found(session_id: &str, face_id: &str) -> ApiError {
    ApiError::not_found(format!(
        "Unable to find a face with id '{face_id}' in bio-session '{session_id}'"
    ))
}

/// Marks an answer (success or error) as belonging to `session` (whose id is `id`).
pub(crate) fn tagged(id: &str, session: &SharedSession, answer: ApiResult<Response>) -> Response {
    let mut response = answer.unwrap_or_else(IntoResponse::into_response);
    response
        .extensions_mut()
        .insert(SessionTag::held(id, session));
    response
}

/// Core's date format (RFC 3339, UTC, at most milliseconds), kept with the others.
pub(crate) use crate::time_format::rfc3339_millis as rfc3339;

/// When something created at `t` expires: `t` + `--session-ttl`.
pub(crate) fn expires(state: &AppState, t: OffsetDateTime) -> String {
    let ttl = i64::try_from(state.config.session_ttl).unwrap_or(i64::MAX / 2);
    rfc3339(t.saturating_add(time::Duration::seconds(ttl)))
}
