//! `POST /identities/{id}/attributes/portrait/live-capture-session` and `.../live-capture-video-session`:
//! starts a portrait capture by creating a bio-session.
//!
//! Both routes do the same (the sample app uses the first, the documentation the second). The
//! body `{type, securityLevel, nbChallenge}` is the sample's; `type: "LIVENESS_HIGH"` means active
//! liveness, and a missing body or type means passive video ([`DEFAULT_MODE`]). The scenario is selected like
//! init-liveness-session's: `X-Emulator-Scenario` header or `scenario` field, then queue and default.

use axum::{
    extract::{FromRequest, Path, Request, State},
    http::{header, HeaderMap},
    response::{IntoResponse, Response},
    Json,
};
use bytes::Bytes;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::store::{Portrait, MAX_PORTRAITS};
use crate::{
    error::{ApiError, ApiResult, BodyRejection},
    front::handoff::{front_door_choice, Handoff, Selected, SessionTag},
    scenarios::model::LivenessMode,
    sessions::SessionParams,
    state::AppState,
};

/// Highest `nbChallenge` accepted (the join-the-dots challenge draws this many targets).
const MAX_CHALLENGES: u64 = 10;

/// Handler of both capture-session routes.
pub async fn create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    handed: Result<Handed, BodyRejection>,
) -> Result<Response, BodyRejection> {
    // The identity is checked first: an unknown one is a 404 whatever the body.
    let identity = super::identity(&state, &id)?;
    let Handed { request, selected } = handed?;
    let request = request?;
    if identity.lock().portraits.len() >= MAX_PORTRAITS {
        return Err(ApiError::bad_request(format!(
            "Identity '{id}' already has {MAX_PORTRAITS} capture sessions: create a new identity"
        ))
        .into());
    }
    let Selected { chosen, api_key } = front_door_choice(selected)?;
    let chosen = chosen.map_err(ApiError::from)?;
    let portrait_id = state.new_id();
    let params = request.params(Some(portrait_id.clone()));
    let session = crate::capture::create_session_as(&state, params, chosen, api_key, None);
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
    response
        .extensions_mut()
        .insert(SessionTag::held(session_id, &session));
    Ok(response)
}

/// The liveness mode of a capture session whose body names no `type`: passive video.
///
/// Why this one (the front door's selection once used passive, this handler passive video): the
/// vendor documents this call as `live-capture-video-session`, "a live capture video session",
/// posted with no body at all (`Content-Type: multipart/form-data`, vendor docs "Start a Live
/// Capture Session"), and recommends `LIVENESS_PASSIVE_VIDEO` wherever a mode is chosen. The
/// sample app always sends a `type`, so only the documented body-less call reaches this default.
pub const DEFAULT_MODE: LivenessMode = LivenessMode::LivenessPassiveVideo;

/// A validated capture-session body `{type, securityLevel, nbChallenge, scenario}`. Read once by
/// the front door (`front::creation`) and taken by the handler as an extractor.
#[derive(Debug, Clone)]
pub struct CaptureRequest {
    /// The liveness mode `type` asks for ([`DEFAULT_MODE`] when absent).
    pub mode: LivenessMode,
    /// `type` as sent (shown in the transcript).
    pub raw_type: Option<String>,
    /// `securityLevel` (HIGH when absent).
    pub security_level: String,
    /// `nbChallenge` (2 when absent).
    pub nb_challenge: u32,
    /// The `scenario` member, when the body selects one (the header wins over it).
    pub scenario: Option<String>,
}

impl CaptureRequest {
    /// The parameters of the session this request creates (`evidence_id`: the portrait's id).
    pub fn params(&self, evidence_id: Option<String>) -> SessionParams {
        SessionParams {
            liveness_mode: self.mode,
            security_level: self.security_level.clone(),
            number_of_challenge: self.nb_challenge,
            correlation_id: None,
            evidence_id,
            callback_url: None,
            age_threshold: None,
        }
    }
}

/// What the handler is handed: the body's verdict and the choice from the front door's
/// [`Handoff`], taken whole. Without a front door (a bare router) the body is read and validated
/// here, and no choice was made (a JSON 500).
pub struct Handed {
    request: ApiResult<CaptureRequest>,
    selected: Option<Selected>,
}

impl<S: Send + Sync> FromRequest<S> for Handed {
    type Rejection = BodyRejection;

    async fn from_request(mut req: Request, state: &S) -> Result<Self, BodyRejection> {
        // The front door read and validated the body once (`front::creation`): take its verdict.
        if let Some(handoff) = Handoff::<CaptureRequest>::take(req.extensions_mut()) {
            return Ok(Handed {
                request: handoff.request,
                selected: handoff.selected,
            });
        }
        let declared_json = declares_json(req.headers());
        let body = Bytes::from_request(req, state).await?;
        let blank = body.iter().all(u8::is_ascii_whitespace);
        let parsed = if blank {
            Ok(Value::Null)
        } else {
            crate::http::body::known_members(&body, crate::video_server::init::MEMBERS)
        };
        Ok(Handed {
            request: validate(declared_json, blank, parsed.as_ref()),
            selected: None,
        })
    }
}

/// Whether the request says its body is JSON (a malformed body is a 400 only then).
pub fn declares_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        // "json" in any ASCII case, without a lowercased copy of the header.
        .is_some_and(|v| {
            v.as_bytes()
                .windows(4)
                .any(|w| w.eq_ignore_ascii_case(b"json"))
        })
}

/// Validates a body parsed with the init members list (`blank`: only white space). An empty
/// body, or a non-JSON body sent with a non-JSON content type (the documentation's example posts
/// `multipart/form-data` with no body), means all defaults; malformed JSON sent as JSON is a 400.
pub fn validate(
    declared_json: bool,
    blank: bool,
    parsed: Result<&Value, &serde_json::Error>,
) -> ApiResult<CaptureRequest> {
    let fields = if blank {
        &Value::Null
    } else {
        match parsed {
            Ok(v) => v,
            Err(e) if declared_json => {
                return Err(ApiError::bad_request(format!(
                    "The capture-session body must be JSON like {{\"type\": \"LIVENESS_PASSIVE_VIDEO\", \"securityLevel\": \"HIGH\", \"nbChallenge\": 2}}: {e}"
                )))
            }
            Err(_) => &Value::Null,
        }
    };
    let empty = serde_json::Map::new();
    let fields = match fields {
        Value::Object(obj) => obj,
        Value::Null => &empty,
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
        None => DEFAULT_MODE,
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
    Ok(CaptureRequest {
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
