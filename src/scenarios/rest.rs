//! REST playback: the scenario's per-endpoint answers (`rest` in scenario files) applied to every
//! vendor endpoint, and the `rest` transcript event of each call.
//!
//! One middleware does it for all three services, so handlers stay ignorant of scenarios: it works
//! out the [`Endpoint`] from the path, finds the scenario (the session's, or for requests before a
//! session the one selection would use), and then either answers alone (an error status: the
//! handler is not run, as a real server refusing would have no side effect) or lets the handler
//! answer and alters the answer (status, body, merge patch, headers, delay).

use axum::{
    body::{Body, Bytes},
    extract::Request,
    http::{header, HeaderName, HeaderValue, Method, StatusCode},
    response::Response,
};
use serde_json::{json, Value};

use super::{
    merge_patch::merge,
    model::{Endpoint, LivenessMode, RestAnswer},
    selection::{self, Chosen, SelectionInput},
};
use crate::{
    http::{
        front::{route, Routes},
        layers::SessionTag,
    },
    sessions::{store::SharedSession, SessionParams},
    state::AppState,
};

/// Largest JSON answer that is buffered to be patched or summarised.
const MAX_JSON: usize = 4 * 1024 * 1024;

/// Largest body summary kept in a transcript, in characters of JSON.
const MAX_SUMMARY: usize = 2048;

/// What a request path refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// Nothing yet (capabilities, network check, identity creation...).
    None,
    /// A bio-session id.
    Session(String),
    /// A GIPS identity id.
    Identity(String),
}

/// The scripted endpoint a request addresses, and what its path names.
pub fn classify(method: &Method, path: &str) -> Option<(Endpoint, Subject)> {
    let is = |m: &Method| method == m;
    let get = is(&Method::GET) || is(&Method::HEAD);
    let post = is(&Method::POST);
    let path = path.trim_end_matches('/');
    if let Some(rest) = path.strip_prefix("/video-server/") {
        return match rest {
            "init-liveness-session" if post => Some((Endpoint::InitLivenessSession, Subject::None)),
            "v2/capabilities" if get => Some((Endpoint::Capabilities, Subject::None)),
            "network-latency" if get => Some((Endpoint::NetworkLatency, Subject::None)),
            "network-speed" if post => Some((Endpoint::NetworkSpeed, Subject::None)),
            _ => None,
        };
    }
    if let Some(rest) = path.strip_prefix("/bioserver-app/v2/bio-sessions/") {
        let parts: Vec<&str> = rest.split('/').collect();
        let id = Subject::Session(parts.first()?.to_string());
        let endpoint = match (parts.as_slice(), get, post) {
            ([_], true, _) => Endpoint::GetBioSession,
            ([_, "liveness-challenge-result"], true, _) => Endpoint::LivenessChallengeResult,
            ([_, "faces"], _, true) => Endpoint::CreateFace,
            ([_, "faces", _], true, _) => Endpoint::GetFace,
            ([_, "faces", _, "image"], true, _) => Endpoint::GetFaceImage,
            ([_, "faces", _, "matches"], true, _) | ([_, "faces", _, "matches", _], true, _) => {
                Endpoint::GetMatches
            }
            _ => return None,
        };
        return Some((endpoint, id));
    }
    let rest = path
        .strip_prefix("/gips/v1/identities")
        .or_else(|| path.strip_prefix("/gips/identities"))?;
    if rest.is_empty() {
        return post.then_some((Endpoint::GipsCreateIdentity, Subject::None));
    }
    let parts: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let id = Subject::Identity(parts.first()?.to_string());
    let endpoint = match (parts.as_slice(), get, post) {
        ([_], true, _) => Endpoint::GipsIdentity,
        ([_, "consents"], _, true) => Endpoint::GipsConsents,
        (
            [_, "attributes", "portrait", "live-capture-session" | "live-capture-video-session"],
            _,
            true,
        ) => Endpoint::GipsCaptureSession,
        ([_, "status", _], true, _) => Endpoint::GipsStatus,
        ([_, "attributes", "portrait", "capture"], true, _) => Endpoint::GipsPortrait,
        _ => return None,
    };
    Some((endpoint, id))
}

/// Plays the scenario's REST answers around the routes (called by the front door,
/// `http::front`, for every request; requests to unscripted paths go straight through).
pub async fn playback(state: &AppState, req: Request, routes: Routes) -> Response {
    let method = req.method().clone();
    let uri = req.uri().clone();
    let path = uri.path();
    let Some((endpoint, subject)) = classify(&method, path) else {
        return route(routes, req).await;
    };
    let header = super::selection::requested_in(req.headers());
    // The API-key rule, so a scripted error never hides a 401 the real server would give (the
    // front door has already refused the key-protected paths; this also covers the legacy
    // `/gips/identities` spelling the scenarios may script).
    let authorised = endpoint_is_public(endpoint)
        || req
            .extensions()
            .get::<crate::http::auth::ApiKey>()
            .is_some()
        || crate::http::auth::check_api_key(state, req.headers()).is_ok();

    // Before the handler: the session, or what selection would choose without one.
    let mut session = match &subject {
        Subject::Session(id) => state.sessions.peek(id),
        Subject::Identity(id) => session_of_identity(state, id),
        Subject::None => None,
    };
    // A creation answered by the queue head must also be the one that takes it: peeking and
    // taking are one step under `selection.creation`, held until the handler has created the
    // session (or the scripted error has consumed the head), so parallel creations never share
    // or skip a queued name.
    let mut queue_turn = None;
    let (req, before) = if session.is_some() {
        (req, None)
    } else if matches!(
        endpoint,
        Endpoint::InitLivenessSession | Endpoint::GipsCaptureSession
    ) {
        let (req, input, params) = match creation_request(req, header.clone(), state).await {
            Ok(read) => read,
            Err(too_large) => return too_large,
        };
        let turn = match input.requested {
            None => Some(state.selection.creation.lock().await),
            Some(_) => None,
        };
        let preview = selection::select(
            &state.scenarios,
            &state.selection,
            &input.facts(&params),
            selection::Queue::Peek,
        )
        .ok()
        .map(|chosen| {
            let from_queue = chosen.selected_by == crate::sessions::SelectedBy::Queue;
            (chosen, from_queue)
        });
        if preview.as_ref().is_some_and(|(_, from_queue)| *from_queue) {
            queue_turn = turn;
        }
        (req, preview)
    } else {
        let chosen = selection::for_sessionless_request(
            &state.scenarios,
            &state.selection,
            header.as_deref(),
        );
        (req, Some((chosen, false)))
    };
    let pre_answer = match (&session, &before) {
        (Some(s), _) => s.lock().scenario.rest.get(&endpoint).cloned(),
        (None, Some((chosen, _))) => chosen.scenario.rest.get(&endpoint).cloned(),
        _ => None,
    };

    // An error answer is given instead of the handler's.
    if let Some(answer) = pre_answer.filter(|a| a.status.is_some_and(|s| s >= 400) && authorised) {
        if let Some((chosen, true)) = &before {
            state.selection.consume_head(&chosen.name);
        }
        drop(queue_turn);
        let name = match (&session, &before) {
            (Some(s), _) => s.lock().scenario_name.clone(),
            (None, Some((c, _))) => c.name.clone(),
            _ => String::new(),
        };
        tokio::time::sleep(state.scaled(answer.delay_ms)).await;
        let response = scripted_error(&answer, &name);
        return record(session.as_ref(), &method, path, response, true).await;
    }

    let response = route(routes, req).await;
    drop(queue_turn);

    if session.is_none() {
        session = response
            .extensions()
            .get::<SessionTag>()
            .and_then(|t| state.sessions.peek(&t.0));
    }
    let answer = match (&session, &before) {
        (Some(s), _) => s.lock().scenario.rest.get(&endpoint).cloned(),
        (None, Some((chosen, _))) => sessionless_answer(chosen, endpoint),
        _ => None,
    };
    let Some(answer) = answer.filter(|_| authorised && !response.status().is_client_error()) else {
        return record(session.as_ref(), &method, path, response, false).await;
    };
    tokio::time::sleep(state.scaled(answer.delay_ms)).await;
    let response = alter(response, &answer).await;
    record(session.as_ref(), &method, path, response, true).await
}

fn sessionless_answer(chosen: &Chosen, endpoint: Endpoint) -> Option<RestAnswer> {
    chosen.scenario.rest.get(&endpoint).cloned()
}

/// The network-check endpoints are public (no API key); the others need one.
fn endpoint_is_public(endpoint: Endpoint) -> bool {
    matches!(endpoint, Endpoint::NetworkLatency | Endpoint::NetworkSpeed)
}

fn session_of_identity(state: &AppState, identity: &str) -> Option<SharedSession> {
    state
        .sessions
        .all()
        .into_iter()
        .find(|s| s.lock().identity_id.as_deref() == Some(identity))
}

/// Reads a session-creating request's body (and puts it back) for the selection inputs.
///
/// A body over `--max-body` is answered 413 here: once read, it cannot be handed on intact.
async fn creation_request(
    req: Request,
    header: Option<String>,
    state: &AppState,
) -> Result<(Request, SelectionInput, SessionParams), Response> {
    let api_key = req
        .headers()
        .get("apikey")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string());
    let (parts, body) = req.into_parts();
    let limit = state.config.max_body;
    let bytes = crate::http::layers::read_body(body, limit).await?;
    let json = match parts.extensions.get::<crate::http::layers::ParsedJson>() {
        Some(parsed) => parsed.0.clone(),
        None => std::sync::Arc::new(
            crate::http::body::known_members(&bytes, crate::video_server::init::MEMBERS)
                .unwrap_or(Value::Null),
        ),
    };
    let text = |k: &str| json.get(k).and_then(Value::as_str).map(str::to_string);
    let mode = text("livenessMode")
        .or_else(|| text("type"))
        .and_then(|m| LivenessMode::parse(&m))
        .unwrap_or(LivenessMode::LivenessPassive);
    let params = SessionParams {
        liveness_mode: mode,
        security_level: text("securityLevel").unwrap_or_default(),
        number_of_challenge: 2,
        correlation_id: text("correlationId"),
        evidence_id: text("evidenceId"),
        callback_url: None,
        age_threshold: None,
    };
    let input = SelectionInput {
        requested: header.or_else(|| text("scenario")),
        api_key,
    };
    Ok((Request::from_parts(parts, Body::from(bytes)), input, params))
}

/// The answer of a scripted error status: the file's body, else the vendor's `{code, error}`.
pub fn scripted_error(answer: &RestAnswer, scenario: &str) -> Response {
    let status = StatusCode::from_u16(answer.status.unwrap_or(500))
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut body = answer.body.clone().unwrap_or_else(|| {
        json!({
            "code": status.as_u16(),
            "error": format!("{} (scripted by scenario '{scenario}')", status.canonical_reason().unwrap_or("Error")),
        })
    });
    if let Some(patch) = &answer.patch {
        merge(&mut body, patch);
    }
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    add_headers(&mut response, answer);
    response
}

/// Applies status, body, patch and headers to the handler's answer.
pub async fn alter(response: Response, answer: &RestAnswer) -> Response {
    let (mut parts, body) = response.into_parts();
    if let Some(status) = answer.status.and_then(|s| StatusCode::from_u16(s).ok()) {
        parts.status = status;
    }
    let body = if let Some(replacement) = &answer.body {
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Body::from(replacement.to_string())
    } else if let Some(patch) = answer.patch.as_ref().filter(|_| is_json(&parts.headers)) {
        match axum::body::to_bytes(body, MAX_JSON).await {
            Ok(bytes) => {
                let mut value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                merge(&mut value, patch);
                parts.headers.remove(header::CONTENT_LENGTH);
                Body::from(value.to_string())
            }
            Err(_) => Body::empty(),
        }
    } else {
        body
    };
    let mut response = Response::from_parts(parts, body);
    add_headers(&mut response, answer);
    response
}

fn add_headers(response: &mut Response, answer: &RestAnswer) {
    for (name, value) in &answer.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().insert(n, v);
        }
    }
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"))
}

/// Appends the `rest` transcript event to the session (if any) and returns the response.
///
/// The same call answered the same way as the session's last event (a poll loop) is counted on
/// that event (`count`) instead of being recorded again.
async fn record(
    session: Option<&SharedSession>,
    method: &Method,
    path: &str,
    response: Response,
    scripted: bool,
) -> Response {
    let Some(session) = session else {
        return response;
    };
    let (parts, body) = response.into_parts();
    // JSON bodies are buffered (to be summarised); others pass through untouched.
    let (json, body) = if is_json(&parts.headers) {
        let bytes = axum::body::to_bytes(body, MAX_JSON).await.ok();
        (Some(bytes), None)
    } else {
        (None, Some(body))
    };
    let key = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (method.as_str(), path, parts.status.as_u16(), scripted).hash(&mut h);
        match &json {
            Some(bytes) => bytes.as_deref().hash(&mut h),
            None => (
                parts.headers.get(header::CONTENT_TYPE),
                parts.headers.get(header::CONTENT_LENGTH),
            )
                .hash(&mut h),
        }
        h.finish()
    };
    if !session.lock().transcript.repeat_last(key) {
        let body = match &json {
            Some(Some(bytes)) => summarise(bytes),
            Some(None) => "null".to_string(),
            None => json!({
                "contentType": parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()),
                "bytes": parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok()),
            })
            .to_string(),
        };
        // Written as text around the (already JSON) body: no value tree per call.
        let event = format!(
            r#"{{"method":{},"path":{},"status":{},"body":{body}{}}}"#,
            Value::from(method.as_str()),
            Value::from(path),
            parts.status.as_u16(),
            if scripted { r#","scripted":true"# } else { "" },
        );
        session
            .lock()
            .transcript
            .push_text_keyed("rest", &event, key);
    }
    let body = match (json, body) {
        (Some(Some(bytes)), _) => Body::from(bytes),
        (_, Some(body)) => body,
        _ => Body::empty(),
    };
    Response::from_parts(parts, body)
}

/// The JSON text a `rest` event shows for a JSON answer: the body itself up to
/// [`MAX_SUMMARY`] bytes, else its size and top-level shape.
fn summarise(bytes: &Bytes) -> String {
    if bytes.len() <= MAX_SUMMARY {
        // Checked, not parsed into a tree: a small valid body is kept as it was sent.
        if let (Ok(_), Ok(text)) = (
            serde_json::from_slice::<&serde_json::value::RawValue>(bytes),
            std::str::from_utf8(bytes),
        ) {
            return text.trim().to_string();
        }
        return json!({"bytes": bytes.len()}).to_string();
    }
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
        return json!({"bytes": bytes.len()}).to_string();
    };
    match &value {
        Value::Object(map) => json!({"bytes": bytes.len(), "keys": map.keys().collect::<Vec<_>>()}),
        Value::Array(items) => json!({"bytes": bytes.len(), "items": items.len()}),
        _ => json!({"bytes": bytes.len()}),
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_paths_are_classified() {
        let cases = [
            (
                Method::POST,
                "/video-server/init-liveness-session",
                Some((Endpoint::InitLivenessSession, Subject::None)),
            ),
            (
                Method::GET,
                "/video-server/v2/capabilities",
                Some((Endpoint::Capabilities, Subject::None)),
            ),
            (
                Method::HEAD,
                "/video-server/network-latency",
                Some((Endpoint::NetworkLatency, Subject::None)),
            ),
            (
                Method::POST,
                "/video-server/network-speed",
                Some((Endpoint::NetworkSpeed, Subject::None)),
            ),
            (
                Method::GET,
                "/bioserver-app/v2/bio-sessions/s1",
                Some((Endpoint::GetBioSession, Subject::Session("s1".into()))),
            ),
            (
                Method::GET,
                "/bioserver-app/v2/bio-sessions/s1/liveness-challenge-result",
                Some((
                    Endpoint::LivenessChallengeResult,
                    Subject::Session("s1".into()),
                )),
            ),
            (
                Method::POST,
                "/bioserver-app/v2/bio-sessions/s1/faces",
                Some((Endpoint::CreateFace, Subject::Session("s1".into()))),
            ),
            (
                Method::GET,
                "/bioserver-app/v2/bio-sessions/s1/faces/f",
                Some((Endpoint::GetFace, Subject::Session("s1".into()))),
            ),
            (
                Method::GET,
                "/bioserver-app/v2/bio-sessions/s1/faces/f/image",
                Some((Endpoint::GetFaceImage, Subject::Session("s1".into()))),
            ),
            (
                Method::GET,
                "/bioserver-app/v2/bio-sessions/s1/faces/f/matches",
                Some((Endpoint::GetMatches, Subject::Session("s1".into()))),
            ),
            (
                Method::GET,
                "/bioserver-app/v2/bio-sessions/s1/faces/f/matches/g",
                Some((Endpoint::GetMatches, Subject::Session("s1".into()))),
            ),
            (
                Method::POST,
                "/gips/v1/identities",
                Some((Endpoint::GipsCreateIdentity, Subject::None)),
            ),
            (
                Method::POST,
                "/gips/v1/identities/i/consents",
                Some((Endpoint::GipsConsents, Subject::Identity("i".into()))),
            ),
            (
                Method::POST,
                "/gips/v1/identities/i/attributes/portrait/live-capture-session",
                Some((Endpoint::GipsCaptureSession, Subject::Identity("i".into()))),
            ),
            (
                Method::POST,
                "/gips/v1/identities/i/attributes/portrait/live-capture-video-session",
                Some((Endpoint::GipsCaptureSession, Subject::Identity("i".into()))),
            ),
            (
                Method::GET,
                "/gips/v1/identities/i/status/p",
                Some((Endpoint::GipsStatus, Subject::Identity("i".into()))),
            ),
            (
                Method::GET,
                "/gips/v1/identities/i",
                Some((Endpoint::GipsIdentity, Subject::Identity("i".into()))),
            ),
            (
                Method::GET,
                "/gips/v1/identities/i/attributes/portrait/capture",
                Some((Endpoint::GipsPortrait, Subject::Identity("i".into()))),
            ),
            (Method::GET, "/video-server/bioserver-video-api.js", None),
            (Method::GET, "/video-server/init-liveness-session", None),
            (Method::GET, "/__emulator/scenarios", None),
        ];
        for (method, path, want) in cases {
            assert_eq!(classify(&method, path), want, "{method} {path}");
        }
    }

    #[test]
    fn a_scripted_error_without_body_gets_the_vendor_shape() {
        let answer = RestAnswer {
            status: Some(429),
            ..Default::default()
        };
        let r = scripted_error(&answer, "x");
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    }
}
