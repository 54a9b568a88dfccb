//! Trainer controls for a live capture (the dashboard's buttons): `POST
//! /__emulator/sessions/{id}/pause`, `/resume`, `/step`, `/inject` `{"code": N}` and
//! `GET /__emulator/sessions/{id}/control`.
//!
//! The commands act on the session's [`SessionControl`](crate::sessions::gate::SessionControl),
//! which the channel runner consults before each action of the capture part of its plan (not
//! while `initFaceCaptureClient` is pending); each command is written into the transcript (kind
//! `control`) so the timeline shows where the trainer intervened, and announced live to the
//! dashboard.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::json_body::{AdminJson, Example};
use crate::{
    error::{ApiError, ApiResult},
    scenarios::{model::ChannelError, vendor_errors::DEFAULT_UNLOCK_SECONDS},
    sessions::{gate::ControlState, store::SharedSession},
    state::AppState,
};

/// Routes under `/__emulator`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sessions/{id}/control", get(show))
        .route("/sessions/{id}/pause", post(pause))
        .route("/sessions/{id}/resume", post(resume))
        .route("/sessions/{id}/step", post(step))
        .route("/sessions/{id}/inject", post(inject))
}

/// The body of `inject`: an error of the vendor's catalogue.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InjectRequest {
    /// Numeric code (1301, 1303, 1100, 1200, 1201, 2000, 503, 429...).
    pub code: u32,
    /// Message; the vendor's text for the code when absent.
    #[serde(default)]
    pub error: Option<String>,
    /// For 429: seconds until `unlockDateTime`.
    #[serde(default)]
    pub unlock_in_seconds: Option<i64>,
}

impl Example for InjectRequest {
    const EXAMPLE: &'static str = r#"{"code": 1301}"#;
}

fn live_session(state: &AppState, id: &str) -> ApiResult<SharedSession> {
    let session = state
        .sessions
        .peek(id)
        .ok_or_else(|| ApiError::no_session(id))?;
    Ok(session)
}

fn ensure_running(session: &SharedSession) -> ApiResult<()> {
    let s = session.lock();
    if s.state.is_terminal() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!(
                "Session '{}' has already ended ({:?}); controls apply to live sessions",
                s.id, s.state
            ),
        ));
    }
    Ok(())
}

/// Writes the command into the transcript and tells the dashboard.
fn announce(
    state: &AppState,
    session: &SharedSession,
    command: Value,
    control: ControlState,
) -> Json<Value> {
    let id = {
        let mut s = session.lock();
        let mut data = command;
        if let Some(obj) = data.as_object_mut() {
            obj.insert("state".into(), json!(control));
        }
        s.transcript.push("control", data);
        s.id.clone()
    };
    state.notify(json!({"type": "control", "sessionId": id, "control": control}));
    Json(json!({"sessionId": id, "control": control}))
}

/// `GET .../control`: whether the session is paused, and what is waiting.
async fn show(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let session = live_session(&state, &id)?;
    let control = session.lock().control.state();
    Ok(Json(json!({"sessionId": id, "control": control})))
}

/// `POST .../pause`: stop before the next event.
async fn pause(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let session = live_session(&state, &id)?;
    ensure_running(&session)?;
    let control = session.lock().control.pause();
    Ok(announce(
        &state,
        &session,
        json!({"command": "pause"}),
        control,
    ))
}

/// `POST .../resume`: play on.
async fn resume(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let session = live_session(&state, &id)?;
    let control = session.lock().control.resume();
    Ok(announce(
        &state,
        &session,
        json!({"command": "resume"}),
        control,
    ))
}

/// `POST .../step`: play exactly one more event, then stay paused.
async fn step(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let session = live_session(&state, &id)?;
    ensure_running(&session)?;
    let control = session.lock().control.step();
    Ok(announce(
        &state,
        &session,
        json!({"command": "step"}),
        control,
    ))
}

/// `POST .../inject` `{"code": N}`: deliver this error to the page instead of the next event.
async fn inject(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminJson(req): AdminJson<InjectRequest>,
) -> ApiResult<Json<Value>> {
    if !(100..=9999).contains(&req.code) {
        return Err(ApiError::bad_request(format!(
            "Error code {} is not a vendor error code (expected e.g. 1301, 1303, 1100, 503, 429)",
            req.code
        )));
    }
    let session = live_session(&state, &id)?;
    ensure_running(&session)?;
    let unlock = match req.code {
        429 => Some(req.unlock_in_seconds.unwrap_or(DEFAULT_UNLOCK_SECONDS)),
        _ => req.unlock_in_seconds,
    };
    let error = ChannelError {
        code: req.code,
        error: req.error,
        unlock_in_seconds: unlock,
    };
    let command = json!({"command": "inject", "error": error});
    let control = session.lock().control.inject(error);
    Ok(announce(&state, &session, command, control))
}
