//! `POST /identities/{id}/attributes/portrait/live-capture-session` and `.../live-capture-video-session`:
//! starts a portrait capture by creating a bio-session.
//!
//! Both routes do the same (the sample app uses the first, the documentation the second). The
//! body `{type, securityLevel, nbChallenge}` is the sample's; `type: "LIVENESS_HIGH"` means active
//! liveness, and a missing body or type means passive video. The scenario is selected like
//! init-liveness-session's: `X-Emulator-Scenario` header or `scenario` field, then queue and default.

use axum::{
    extract::{Path, State},
    http::{header, HeaderMap},
    response::{IntoResponse, Response},
    Extension, Json,
};
use bytes::Bytes;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::store::{Portrait, MAX_PORTRAITS};
use crate::{
    error::{ApiError, ApiResult},
    http::{auth::ApiKey, layers::SessionTag},
    scenarios::{model::LivenessMode, selection::SelectionInput},
    sessions::SessionParams,
    state::AppState,
};

/// Highest `nbChallenge` accepted (the join-the-dots challenge draws this many targets).
const MAX_CHALLENGES: u64 = 10;

/// Handler of both capture-session routes.
pub async fn create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    api_key: Option<Extension<ApiKey>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let identity = super::identity(&state, &id)?;
    let request = parse_request(&headers, &body)?;
    if identity.lock().portraits.len() >= MAX_PORTRAITS {
        return Err(ApiError::bad_request(format!(
            "Identity '{id}' already has {MAX_PORTRAITS} capture sessions: create a new identity"
        )));
    }
    let requested = crate::scenarios::selection::requested_in(&headers).or(request.scenario);
    let input = SelectionInput {
        requested,
        api_key: api_key.and_then(|Extension(ApiKey(k))| k),
    };
    let portrait_id = state.new_id();
    let params = SessionParams {
        liveness_mode: request.mode,
        security_level: request.security_level,
        number_of_challenge: request.nb_challenge,
        correlation_id: None,
        evidence_id: Some(portrait_id.clone()),
        callback_url: None,
        age_threshold: None,
    };
    let session = crate::capture::create_session(&state, params, input, None)?;
    let session_id = {
        let mut s = session.lock();
        s.identity_id = Some(id.clone());
        s.transcript.push(
            "note",
            json!({"gips": {"identityId": id, "portraitId": portrait_id, "requestedType": request.raw_type}}),
        );
        s.id.clone()
    };
    identity.lock().portraits.push(Portrait {
        id: portrait_id.clone(),
        session_id: session_id.clone(),
        submitted: OffsetDateTime::now_utc(),
        verdict: None,
    });
    let mut response = Json(json!({
        "status": "PROCESSING",
        "type": "PORTRAIT",
        "id": portrait_id,
        "sessionId": session_id,
    }))
    .into_response();
    response.extensions_mut().insert(SessionTag(session_id));
    Ok(response)
}

/// The capture-session request after validation.
#[derive(Debug)]
struct Request {
    mode: LivenessMode,
    raw_type: Option<String>,
    security_level: String,
    nb_challenge: u32,
    scenario: Option<String>,
}

/// Reads `{type, securityLevel, nbChallenge, scenario}`. An empty body, or a non-JSON body sent
/// with a non-JSON content type (the documentation's example posts `multipart/form-data` with no
/// body), means all defaults; malformed JSON sent as JSON is a 400.
fn parse_request(headers: &HeaderMap, body: &[u8]) -> ApiResult<Request> {
    let declared_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("json"));
    let is_blank = body.iter().all(|b| b.is_ascii_whitespace());
    let fields = if is_blank {
        Value::Null
    } else {
        match crate::http::body::known_members(body, &["type", "securityLevel", "nbChallenge", "scenario"]) {
            Ok(v) => v,
            Err(e) if declared_json => {
                return Err(ApiError::bad_request(format!(
                    "The capture-session body must be JSON like {{\"type\": \"LIVENESS_PASSIVE_VIDEO\", \"securityLevel\": \"HIGH\", \"nbChallenge\": 2}}: {e}"
                )))
            }
            Err(_) => Value::Null,
        }
    };
    let fields = match fields {
        Value::Object(obj) => obj,
        Value::Null => Default::default(),
        other => {
            return Err(ApiError::bad_request(format!(
                "The capture-session body must be a JSON object, got {other}"
            )))
        }
    };
    let raw_type = match fields.get("type") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => return Err(bad_type(&other.to_string())),
    };
    let mode = match &raw_type {
        None => LivenessMode::LivenessPassiveVideo,
        Some(t) => LivenessMode::parse(t).ok_or_else(|| bad_type(t))?,
    };
    let security_level = match fields.get("securityLevel") {
        None | Some(Value::Null) => "HIGH".to_string(),
        Some(Value::String(s)) if ["LOW", "MEDIUM", "HIGH"].contains(&s.as_str()) => s.clone(),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "'securityLevel' must be LOW, MEDIUM or HIGH, got {other}"
            )))
        }
    };
    let nb_challenge = match fields.get("nbChallenge") {
        None | Some(Value::Null) => 2,
        Some(v) => {
            let n = v
                .as_u64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                .filter(|n| (1..=MAX_CHALLENGES).contains(n));
            match n {
                Some(n) => n as u32,
                None => {
                    return Err(ApiError::bad_request(format!(
                        "'nbChallenge' must be a whole number from 1 to {MAX_CHALLENGES}, got {v}"
                    )))
                }
            }
        }
    };
    let scenario = fields
        .get("scenario")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(Request {
        mode,
        raw_type,
        security_level,
        nb_challenge,
        scenario,
    })
}

fn bad_type(got: &str) -> ApiError {
    ApiError::bad_request(format!(
        "'type' must be LIVENESS_PASSIVE, LIVENESS_PASSIVE_VIDEO, LIVENESS_ACTIVE or LIVENESS_HIGH (= active), got {got}"
    ))
}
