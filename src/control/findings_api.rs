//! Findings over HTTP: `GET /__emulator/findings/rules` (the rule book),
//! `GET /__emulator/findings` (recent findings that belong to no session),
//! `GET /__emulator/sessions/{id}/findings`, and `POST /__emulator/sessions/{id}/findings`
//! `{"rule", "detail"}` — the stub SDK's way to report what only the page can see (public, like
//! everything under `/__emulator`, and CORS-enabled by the global layer).

use axum::{
    extract::{Path, State},
    routing::get,
    Extension, Json, Router,
};
use serde_json::{json, Value};

use crate::{
    error::{ApiError, ApiResult},
    findings,
    front::watcher::Watcher,
    state::AppState,
};

/// Routes under `/__emulator`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/findings/rules", get(rules))
        .route("/findings", get(unattached))
        .route("/sessions/{id}/findings", get(list).post(report))
}

/// The rule book.
async fn rules() -> Json<Value> {
    Json(json!(findings::RULES))
}

/// Findings without a session (e.g. a refused init-liveness-session with a retired mode).
async fn unattached(observer: Option<Extension<Watcher>>) -> Json<Value> {
    let list = observer.map(|o| o.unattached()).unwrap_or_default();
    Json(json!(list))
}

/// `GET /__emulator/sessions/{id}/findings`.
async fn list(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let session = state
        .sessions
        .peek(&id)
        .ok_or_else(|| ApiError::no_session(&id))?;
    Ok(Json(json!(findings::of(&session))))
}

/// `POST /__emulator/sessions/{id}/findings` `{"rule": ID, "detail": "..."}` from the stub SDK.
/// Answers 201 with the finding when it is new, 200 with `null` when already recorded.
async fn report(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<(axum::http::StatusCode, Json<Value>)> {
    // JSON only (the front door refuses other bodies on the control plane): a page reports over
    // its capture channel (`finding` frames), tools and tests here. Unknown members are skipped.
    let report = crate::http::body::known_members(&body, &["rule", "code", "detail", "message"])
        .map_err(|e| {
            ApiError::invalid_json_body(
                e,
                r#"{"rule": "missing-callback-option", "detail": "..."}"#,
            )
        })?;
    let session = state
        .sessions
        .peek(&id)
        .ok_or_else(|| ApiError::no_session(&id))?;
    let found = findings::on_page_report(&state, &session, &report)?;
    let status = if found.is_some() {
        axum::http::StatusCode::CREATED
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, Json(json!(found))))
}
