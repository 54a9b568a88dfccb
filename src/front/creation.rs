//! The body of a session-creating request (init-liveness-session, a GIPS capture session), read
//! and interpreted once by the front door.
//!
//! Why: three steps need that body before the handler runs — the request watcher (findings on
//! `livenessMode`/`securityLevel`), the scripted answers (selection by `scenario`, match rules on
//! the mode and ids) and the handler (validation, field by field). The body used to be read
//! twice and interpreted three times; now [`read`] reads it once, parses it once (keeping only
//! the members some step reads) and validates it once with the handler's own rules
//! ([`crate::video_server::init::validate`], [`crate::gips::capture_session::validate`]). The
//! handler takes the validated request from the request extensions (in the front door's one
//! [`crate::front::handoff::Handoff`], with the choice and the fingerprint).

use axum::{body::Body, extract::Request, response::Response};
use serde_json::Value;

use crate::{
    error::ApiResult,
    gips::capture_session::CaptureRequest,
    http::{
        body::known_members,
        layers::{read_body, BodyBounds},
    },
    scenarios::{model::LivenessMode, selection::SelectionInput},
    sessions::SessionParams,
    video_server::init::{InitRequest, MEMBERS},
};

/// What the front door learnt from a creation body.
pub struct CreationBody {
    /// The members some step reads (`Null` for a blank or unparsable body), for the watcher.
    pub json: Value,
    /// What selection sees: the requested scenario (header, else body) and the parameters match
    /// rules compare.
    pub input: SelectionInput,
    /// The session parameters the request asks for, as selection sees them.
    pub params: SessionParams,
    /// Whether the body passed the handler's validation: only then will a session be created,
    /// so only then may the front door take the queue's head for it.
    pub valid: bool,
    /// The handler's verdict on the body, handed to it with the front door's choice.
    pub validated: Validated,
}

/// A creation body validated with its handler's rules: the request, or the 400 to answer.
pub enum Validated {
    /// init-liveness-session's.
    Init(ApiResult<InitRequest>),
    /// A GIPS capture session's.
    Capture(ApiResult<CaptureRequest>),
}

/// Reads the body of `req` (a creation request for `init` or a GIPS capture session) and
/// validates it for the handler; the body stays on `req`, read (as one chunk of bytes).
///
/// `Err` is the answer to give instead: a body over `--max-body` (413), stalled (408) or broken
/// (400); once read, it cannot be handed on intact.
pub async fn read(
    req: &mut Request,
    init: bool,
    max_body: usize,
    bounds: BodyBounds,
    requested: Option<String>,
) -> Result<CreationBody, Response> {
    let api_key = crate::http::auth::api_key_in(req.headers()).map(str::to_string);
    // Only a GIPS capture session's validation reads the declared type.
    let declared_json = !init && crate::gips::capture_session::declares_json(req.headers());
    let body = std::mem::take(req.body_mut());
    let bytes = read_body(body, max_body, Some(bounds)).await?;
    if init {
        if let Some(request) = crate::video_server::init::quick(&bytes) {
            *req.body_mut() = Body::from(bytes);
            return Ok(quick_init(request, requested, api_key));
        }
    }
    let blank = bytes.iter().all(u8::is_ascii_whitespace);
    let parsed = if blank {
        Ok(Value::Null)
    } else {
        known_members(&bytes, MEMBERS)
    };
    let ((params, scenario, valid), validated) = if init {
        let validated = crate::video_server::init::validate(blank, parsed.as_ref());
        let seen = match &validated {
            Ok(request) => (request.params.clone(), request.scenario.clone(), true),
            Err(_) => lenient(parsed.as_ref().ok(), LivenessMode::LivenessPassive),
        };
        (seen, Validated::Init(validated))
    } else {
        let validated =
            crate::gips::capture_session::validate(declared_json, blank, parsed.as_ref());
        let seen = match &validated {
            Ok(request) => (request.params(None), request.scenario.clone(), true),
            Err(_) => lenient(
                parsed.as_ref().ok(),
                crate::gips::capture_session::DEFAULT_MODE,
            ),
        };
        (seen, Validated::Capture(validated))
    };
    let json = parsed.unwrap_or(Value::Null);
    let input = SelectionInput {
        requested: requested.or(scenario),
        api_key,
    };
    *req.body_mut() = Body::from(bytes);
    Ok(CreationBody {
        json,
        input,
        params,
        valid,
        validated,
    })
}

/// The [`CreationBody`] of an init body [`crate::video_server::init::quick`] accepted. The
/// watcher reads only `securityLevel` of such a body (its mode is one of the three current
/// ones): the members are kept for it only when the level is below HIGH.
fn quick_init(
    request: InitRequest,
    requested: Option<String>,
    api_key: Option<String>,
) -> CreationBody {
    let level = &request.params.security_level;
    let json = if level == "HIGH" {
        Value::Null
    } else {
        serde_json::json!({
            "livenessMode": request.params.liveness_mode,
            "securityLevel": level,
        })
    };
    CreationBody {
        json,
        input: SelectionInput {
            requested: requested.or_else(|| request.scenario.clone()),
            api_key,
        },
        params: request.params.clone(),
        valid: true,
        validated: Validated::Init(Ok(request)),
    }
}

/// What selection sees of a body the handler will refuse (a scripted answer may still answer
/// it first): each member taken as it is, `default_mode` when the mode is missing or unknown.
fn lenient(
    json: Option<&Value>,
    default_mode: LivenessMode,
) -> (SessionParams, Option<String>, bool) {
    let text = |k: &str| {
        json.and_then(|j| j.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let mode = text("livenessMode")
        .or_else(|| text("type"))
        .and_then(|m| LivenessMode::parse(&m))
        .unwrap_or(default_mode);
    let params = SessionParams {
        liveness_mode: mode,
        security_level: text("securityLevel").unwrap_or_default(),
        number_of_challenge: 2,
        correlation_id: text("correlationId"),
        evidence_id: text("evidenceId"),
        callback_url: None,
        age_threshold: None,
    };
    (params, text("scenario"), false)
}
