//! `POST /video-server/init-liveness-session`: creates a bio-session.
//!
//! The body is validated field by field (the [`InitRequest`] extractor) so that an integrator who
//! sends a wrong value learns which field and why, instead of a capture that fails later. Unknown
//! extra fields are ignored, as the vendor does. The answer is 201 with
//! `Location: /v2/bio-sessions/<id>` and nothing after the id: the sample app takes the id with
//! `location.split('/bio-sessions/')[1]`.

use axum::{
    body::{Body, Bytes},
    extract::{FromRequest, Request, State},
    http::{header, HeaderValue, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::post,
    Router,
};
use serde_json::{Map, Value};

use crate::{
    capture,
    error::{ApiError, ApiResult},
    front::handoff::{front_door_choice, Handoff, Selected, SessionTag},
    http::fingerprint::{fingerprint, peer_of},
    scenarios::model::LivenessMode,
    sessions::SessionParams,
    state::AppState,
};

/// The modes the video-server accepts, in the vendor's spelling (for error messages).
const MODES: &str = "LIVENESS_PASSIVE, LIVENESS_PASSIVE_VIDEO or LIVENESS_ACTIVE";

/// Modes older SDK versions used; the vendor answers them with 400 today.
const RETIRED_MODES: [&str; 2] = ["LIVENESS_MEDIUM", "LIVENESS_HIGH"];

/// Longest accepted `correlationId` / `evidenceId` / `callbackURL`, so one request cannot pin megabytes.
const MAX_TEXT: usize = 2048;

/// The members of a session-creating body the emulator reads (init's, and a GIPS capture
/// session's `type` and `nbChallenge`: the front door parses both with this one list, see
/// `crate::front::creation`); the others are skipped by the parser, never built.
pub const MEMBERS: &[&str] = &[
    "livenessMode",
    "securityLevel",
    "numberOfChallenge",
    "correlationId",
    "evidenceId",
    "callbackURL",
    "ageThreshold",
    "scenario",
    "type",
    "nbChallenge",
];

/// Join-the-dots targets the video-server accepts.
const CHALLENGES: std::ops::RangeInclusive<u64> = 1..=8;

/// The path of this endpoint (the route's, and the one the front door calls directly).
pub const PATH: &str = "/video-server/init-liveness-session";

/// Routes of this part of the video-server.
pub fn routes() -> Router<AppState> {
    Router::new().route(PATH, post(init_liveness_session))
}

/// Creates the session and answers 201 with its `Location` (the route: a bare router, or a path
/// the front door does not call directly, see [`answer_handoff`]).
async fn init_liveness_session(
    State(state): State<AppState>,
    handed: Handed,
) -> ApiResult<Response> {
    let (mut response, tag) = create(&state, handed)?;
    response.extensions_mut().insert(tag);
    Ok(response)
}

/// The front door's direct call for `POST /video-server/init-liveness-session`: it has classified
/// the request, read and validated its body and chosen the scenario ([`Handoff`] on `req`), so
/// asking the router to find this handler again (matching the path, boxing a clone of the route,
/// wrapping the handler's future) would only repeat what is known; the [`Handoff`] comes in, and
/// the session's [`SessionTag`] goes out, beside the request and the answer rather than in their
/// extensions (each extension map is three allocations). Same answer as the route.
pub fn answer_handoff(
    state: &AppState,
    handoff: Option<Handoff<InitRequest>>,
    req: &Request,
) -> (Response, Option<SessionTag>) {
    let handed = match handoff {
        Some(handoff) => Handed::from_handoff(handoff, req),
        None => {
            let missing = ApiError::internal("the front door handed this creation nothing");
            return (missing.into_response(), None);
        }
    };
    match create(state, handed) {
        Ok((response, tag)) => (response, Some(tag)),
        Err(refused) => (refused.into_response(), None),
    }
}

/// Creates the session the front door chose for a valid body and answers 201 with its
/// `Location`, with the session's [`SessionTag`] for the steps after it.
fn create(state: &AppState, handed: Handed) -> ApiResult<(Response, SessionTag)> {
    let request = handed.request?;
    let Selected { chosen, api_key } = front_door_choice(handed.selected)?;
    let session = capture::create_session_as(
        state,
        request.params,
        chosen?,
        api_key,
        Some(handed.fingerprint),
    );
    let id = session.lock().id.clone();
    // Written as text, each piece sized once: the id is a UUID (nothing to escape), and this is
    // the hottest creation path (no formatter, no growing buffers, each header set once).
    let location = HeaderValue::try_from(["/v2/bio-sessions/", &id].concat())
        .map_err(|_| ApiError::internal("a session id that is no header text"))?;
    let body = [r#"{"id":""#, &id, r#""}"#].concat();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::CREATED;
    // In the order the answer always had (`content-type` first), byte for byte.
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::LOCATION, location);
    Ok((response, SessionTag::held(id, &session)))
}

/// A validated init-liveness-session body: parsing is separate from the handler so every field
/// error gets the vendor's 400 with a message naming the field.
#[derive(Debug, Clone)]
pub struct InitRequest {
    /// What the session is created with.
    pub params: SessionParams,
    /// The `scenario` field, when the body selects one (the header wins over it).
    pub scenario: Option<String>,
}

/// What the handler is handed: the front door's [`Handoff`] (the body's verdict, the choice, the
/// fingerprint), taken whole. Without a front door (a bare router) the body is read and
/// validated here, the fingerprint computed here, and no choice was made (a JSON 500).
struct Handed {
    request: ApiResult<InitRequest>,
    selected: Option<Selected>,
    fingerprint: String,
}

impl Handed {
    /// What the front door handed `req` (the fingerprint computed here if the watcher did not).
    fn from_handoff(handoff: Handoff<InitRequest>, req: &Request) -> Self {
        let Handoff {
            request,
            selected,
            fingerprint: computed,
        } = handoff;
        Handed {
            request,
            selected,
            fingerprint: computed
                .unwrap_or_else(|| fingerprint(req.headers(), peer_of(req.extensions()))),
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for Handed {
    type Rejection = ApiError;

    async fn from_request(mut req: Request, state: &S) -> Result<Self, ApiError> {
        let handoff = Handoff::<InitRequest>::take(req.extensions_mut());
        if let Some(handoff) = handoff {
            return Ok(Handed::from_handoff(handoff, &req));
        }
        let fingerprint = fingerprint(req.headers(), peer_of(req.extensions()));
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::new(e.status(), e.body_text()))?;
        Ok(Handed {
            request: parse(&bytes),
            selected: None,
            fingerprint,
        })
    }
}

/// Validates a body; every error names the field and says what is accepted.
pub fn parse(bytes: &[u8]) -> ApiResult<InitRequest> {
    let blank = bytes.iter().all(u8::is_ascii_whitespace);
    let parsed = if blank {
        Ok(Value::Null)
    } else {
        crate::http::body::known_members(bytes, MEMBERS)
    };
    validate(blank, parsed.as_ref())
}

/// The common body — one of the three modes, `securityLevel` absent or LOW/MEDIUM/HIGH, and at
/// most short plain strings for `correlationId`, `evidenceId` and `scenario` — validated without
/// building a JSON tree (borrowed strings, no map): `Some` exactly when [`parse`] would accept
/// it, with the same result. `None` sends the body the long way ([`known_members`] then
/// [`validate`]), which gives every error text; so does anything unusual (escapes, `null`, a
/// repeated member, the other members).
///
/// [`known_members`]: crate::http::body::known_members
pub fn quick(bytes: &[u8]) -> Option<InitRequest> {
    #[derive(serde::Deserialize)]
    struct Common<'a> {
        #[serde(rename = "livenessMode")]
        liveness_mode: &'a str,
        #[serde(rename = "securityLevel", default)]
        security_level: Option<&'a str>,
        #[serde(rename = "correlationId", default)]
        correlation_id: Option<&'a str>,
        #[serde(rename = "evidenceId", default)]
        evidence_id: Option<&'a str>,
        #[serde(default)]
        scenario: Option<&'a str>,
        // Present at all (even `null`): the long way.
        #[serde(rename = "numberOfChallenge", default)]
        number_of_challenge: Option<serde::de::IgnoredAny>,
        #[serde(rename = "callbackURL", default)]
        callback_url: Option<serde::de::IgnoredAny>,
        #[serde(rename = "ageThreshold", default)]
        age_threshold: Option<serde::de::IgnoredAny>,
    }
    // An object only: serde would also read a struct from an array.
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return None;
    }
    let body: Common = serde_json::from_slice(bytes).ok()?;
    let short = |text: Option<&str>| match text {
        Some(t) if t.len() > MAX_TEXT => None,
        t => Some(t.map(str::to_string)),
    };
    if body.number_of_challenge.is_some()
        || body.callback_url.is_some()
        || body.age_threshold.is_some()
    {
        return None;
    }
    let security_level = match body.security_level {
        None => "HIGH",
        Some(level @ ("LOW" | "MEDIUM" | "HIGH")) => level,
        Some(_) => return None,
    };
    Some(InitRequest {
        params: SessionParams {
            liveness_mode: LivenessMode::exact(body.liveness_mode)?,
            security_level: security_level.to_string(),
            number_of_challenge: 2,
            correlation_id: short(body.correlation_id)?,
            evidence_id: short(body.evidence_id)?,
            callback_url: None,
            age_threshold: None,
        },
        scenario: short(body.scenario)?,
    })
}

/// Validates a body already parsed with [`MEMBERS`] (`blank`: it held only white space).
pub fn validate(blank: bool, parsed: Result<&Value, &serde_json::Error>) -> ApiResult<InitRequest> {
    if blank {
        return Err(ApiError::bad_request(format!(
            "The request body is empty: send a JSON object with at least \"livenessMode\" ({MODES})"
        )));
    }
    let value = parsed
        .map_err(|e| ApiError::bad_request(format!("The request body is not valid JSON: {e}")))?;
    parse_value(value)
}

/// Validates a body already parsed as JSON.
pub fn parse_value(value: &Value) -> ApiResult<InitRequest> {
    let Value::Object(body) = value else {
        return Err(ApiError::bad_request(
            "The request body must be a JSON object such as {\"livenessMode\": \"LIVENESS_PASSIVE\"}",
        ));
    };
    let params = SessionParams {
        liveness_mode: liveness_mode(body)?,
        security_level: security_level(body)?,
        number_of_challenge: number_of_challenge(body)?,
        correlation_id: text(body, "correlationId")?,
        evidence_id: text(body, "evidenceId")?,
        callback_url: callback_url(body)?,
        age_threshold: age_threshold(body)?,
    };
    Ok(InitRequest {
        params,
        scenario: text(body, "scenario")?,
    })
}

/// A member, with JSON `null` treated as absent.
fn field<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    body.get(name).filter(|v| !v.is_null())
}

fn liveness_mode(body: &Map<String, Value>) -> ApiResult<LivenessMode> {
    let value = field(body, "livenessMode").ok_or_else(|| {
        ApiError::bad_request(format!("\"livenessMode\" is required: one of {MODES}"))
    })?;
    let Some(mode) = value.as_str() else {
        return Err(ApiError::bad_request(format!(
            "\"livenessMode\" must be a string, one of {MODES} (got {value})"
        )));
    };
    if RETIRED_MODES.contains(&mode) {
        return Err(ApiError::bad_request(format!(
            "\"livenessMode\" {mode} is retired and not supported any more: use {MODES}"
        )));
    }
    LivenessMode::exact(mode).ok_or_else(|| {
        ApiError::bad_request(format!(
            "\"livenessMode\" '{mode}' is not supported: use {MODES}"
        ))
    })
}

fn security_level(body: &Map<String, Value>) -> ApiResult<String> {
    match field(body, "securityLevel") {
        None => Ok("HIGH".to_string()),
        Some(Value::String(s)) if matches!(s.as_str(), "LOW" | "MEDIUM" | "HIGH") => Ok(s.clone()),
        Some(other) => Err(ApiError::bad_request(format!(
            "\"securityLevel\" must be LOW, MEDIUM or HIGH (got {other})"
        ))),
    }
}

/// An integer, or a string of digits (the sample app forwards an environment variable).
fn number_of_challenge(body: &Map<String, Value>) -> ApiResult<u32> {
    let Some(value) = field(body, "numberOfChallenge") else {
        return Ok(2);
    };
    let parsed = match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    match parsed {
        Some(n) if CHALLENGES.contains(&n) => Ok(n as u32),
        _ => Err(ApiError::bad_request(format!(
            "\"numberOfChallenge\" must be an integer from {} to {} (got {value})",
            CHALLENGES.start(),
            CHALLENGES.end()
        ))),
    }
}

fn text(body: &Map<String, Value>, name: &str) -> ApiResult<Option<String>> {
    match field(body, name) {
        None => Ok(None),
        Some(Value::String(s)) if s.len() <= MAX_TEXT => Ok(Some(s.clone())),
        Some(Value::String(_)) => Err(ApiError::bad_request(format!(
            "\"{name}\" is longer than {MAX_TEXT} characters"
        ))),
        Some(other) => Err(ApiError::bad_request(format!(
            "\"{name}\" must be a string (got {other})"
        ))),
    }
}

fn callback_url(body: &Map<String, Value>) -> ApiResult<Option<String>> {
    let Some(url) = text(body, "callbackURL")? else {
        return Ok(None);
    };
    let bad = || {
        ApiError::bad_request(format!(
            "\"callbackURL\" must be an absolute http:// or https:// URL (got '{url}')"
        ))
    };
    let uri: Uri = url.parse().map_err(|_| bad())?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    let host_ok = uri.host().is_some_and(|h| !h.is_empty());
    if scheme_ok && host_ok {
        Ok(Some(url))
    } else {
        Err(bad())
    }
}

/// A number or a string holding one (the sample app sends `"18"`).
fn age_threshold(body: &Map<String, Value>) -> ApiResult<Option<f64>> {
    let Some(value) = field(body, "ageThreshold") else {
        return Ok(None);
    };
    let parsed = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match parsed {
        Some(age) if age.is_finite() && (0.0..=150.0).contains(&age) => Ok(Some(age)),
        _ => Err(ApiError::bad_request(format!(
            "\"ageThreshold\" must be a number of years from 0 to 150, as a number or a string (got {value})"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quick_reading_accepts_only_what_parse_accepts_and_reads_it_the_same() {
        let long = format!(
            r#"{{"livenessMode": "LIVENESS_ACTIVE", "evidenceId": "{}"}}"#,
            "e".repeat(MAX_TEXT + 1)
        );
        let bodies = [
            r#"{"livenessMode":"LIVENESS_PASSIVE"}"#,
            r#" {"livenessMode": "LIVENESS_ACTIVE", "securityLevel": "LOW", "x": [1, {"y": 2}]} "#,
            r#"{"livenessMode":"LIVENESS_PASSIVE_VIDEO","correlationId":"c","evidenceId":"e","scenario":"spoof"}"#,
            r#"{"livenessMode":"LIVENESS_PASSIVE","securityLevel":null,"scenario":null}"#,
            r#"{"livenessMode":"LIVENESS_MEDIUM"}"#,
            r#"{"livenessMode":"LIVENESS_PASSIVE","securityLevel":"high"}"#,
            r#"{"livenessMode":"LIVENESS_PASSIVE","numberOfChallenge":3}"#,
            r#"{"livenessMode":"LIVENESS_PASSIVE","livenessMode":"LIVENESS_ACTIVE"}"#,
            r#"{"livenessMode":"LIVENESS_PASSIVE","scenario":"a\"b"}"#,
            r#"{"livenessMode":"LIVENESS_PASSIVE","correlationId":7}"#,
            r#"{"livenessMode":null}"#,
            r#"{"livenessMode":"LIVENESS_PASSIVE"} x"#,
            r#"["LIVENESS_PASSIVE"]"#,
            "",
            &long,
        ];
        for (i, body) in bodies.into_iter().enumerate() {
            let long_way = parse(body.as_bytes());
            match quick(body.as_bytes()) {
                Some(quick) => {
                    let parsed = long_way.expect("quick accepted what parse refuses");
                    assert_eq!(format!("{quick:?}"), format!("{parsed:?}"), "{body}");
                }
                // The long way decides (and words the errors).
                None => assert!(i >= 4, "the common body {body} went the long way"),
            }
        }
    }
}
