//! The request observer: a middleware that watches every request for integration findings the
//! emulator can see from the wire alone (API key sent by a browser, retired liveness mode,
//! securityLevel below HIGH, 429 retried at once, result requested early or too often).
//!
//! Keeping this in one layer means the vendor handlers stay free of control-plane concerns, and
//! the findings work whichever engineer's handler serves the endpoint. It is layered on the whole
//! router in `lib.rs` with [`ObserverState::new`] and [`observe`].

use std::{
    collections::{HashMap, VecDeque},
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use parking_lot::Mutex;
use serde_json::Value;
use tokio::sync::broadcast;

use crate::{
    error::ApiError,
    findings::{self, Finding},
    http::layers::SessionTag,
    state::AppState,
};

/// A retry of init-liveness-session within this time after a 429 is "at once".
pub const RETRY_WINDOW: Duration = Duration::from_millis(1500);
/// The same finding without a session is logged at most once in this period.
const UNATTACHED_QUIET: Duration = Duration::from_secs(10);
/// How many findings without a session are kept for the dashboard.
const MAX_UNATTACHED: usize = 50;
/// Upper bound on remembered 429 fingerprints (a flood of distinct clients cannot grow memory).
const MAX_FINGERPRINTS: usize = 10_000;

/// The observer's memory; cheap to clone. Also inserted as a request extension so the findings
/// routes can list the findings that belong to no session.
#[derive(Clone)]
pub struct ObserverState {
    app: AppState,
    inner: Arc<Mutex<Memory>>,
    /// Live notifications, drained lazily to notice `{"type":"reset"}` from the admin API.
    live: Arc<Mutex<broadcast::Receiver<Value>>>,
}

#[derive(Default)]
struct Memory {
    last_429: HashMap<String, Instant>,
    unattached: VecDeque<Finding>,
    last_logged: HashMap<&'static str, Instant>,
}

impl ObserverState {
    /// The observer for `app`.
    pub fn new(app: AppState) -> Self {
        let live = Arc::new(Mutex::new(app.live.subscribe()));
        ObserverState {
            app,
            inner: Arc::new(Mutex::new(Memory::default())),
            live,
        }
    }

    /// Recent findings that belong to no session (newest last).
    pub fn unattached(&self) -> Vec<Finding> {
        self.forget_on_reset();
        self.inner.lock().unattached.iter().cloned().collect()
    }

    /// Clears the memory when the admin API announced a reset since the last look.
    fn forget_on_reset(&self) {
        let mut reset = false;
        {
            let mut rx = self.live.lock();
            loop {
                match rx.try_recv() {
                    Ok(event) => {
                        reset |= event.get("type").and_then(Value::as_str) == Some("reset")
                    }
                    Err(broadcast::error::TryRecvError::Lagged(_)) => continue,
                    Err(_) => break,
                }
            }
        }
        if reset {
            self.clear();
        }
    }

    /// Forgets everything (admin reset).
    pub fn clear(&self) {
        let mut m = self.inner.lock();
        m.last_429.clear();
        m.unattached.clear();
        m.last_logged.clear();
    }

    fn record_unattached(&self, rule: &'static str, detail: String) {
        let now = Instant::now();
        {
            let mut m = self.inner.lock();
            if m.last_logged
                .get(rule)
                .is_some_and(|t| now.duration_since(*t) < UNATTACHED_QUIET)
            {
                return;
            }
            m.last_logged.insert(rule, now);
        }
        if let Some(f) = findings::record_unattached(&self.app, rule, detail) {
            let mut m = self.inner.lock();
            if m.unattached.len() >= MAX_UNATTACHED {
                m.unattached.pop_front();
            }
            m.unattached.push_back(f);
        }
    }
}

/// What kind of vendor request this is, as far as findings care.
struct Seen {
    init: bool,
    key_protected: bool,
    result_of: Option<String>,
}

fn classify(method: &Method, path: &str) -> Seen {
    let init = *method == Method::POST
        && path.trim_end_matches('/') == "/video-server/init-liveness-session";
    let key_protected = path.starts_with("/video-server/init-liveness-session")
        || path.starts_with("/video-server/v2/capabilities")
        || path.starts_with("/bioserver-app/v2/")
        || path.starts_with("/gips/v1/");
    let result_of = (*method == Method::GET)
        .then(|| {
            let rest = path.strip_prefix("/bioserver-app/v2/bio-sessions/")?;
            let (id, tail) = rest.split_once('/')?;
            (tail.trim_end_matches('/') == "liveness-challenge-result").then(|| id.to_string())
        })
        .flatten();
    Seen {
        init,
        key_protected,
        result_of,
    }
}

/// The session a vendor answer concerns: the handler's [`SessionTag`], else the `Location` of a
/// created session, else the id in the request path.
fn session_of(response: &Response, path: &str) -> Option<String> {
    if let Some(tag) = response.extensions().get::<SessionTag>() {
        return Some(tag.0.clone());
    }
    let from_location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|l| l.split("/bio-sessions/").nth(1))
        .map(|id| id.trim_end_matches('/').to_string());
    from_location.or_else(|| {
        path.split("/bio-sessions/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .filter(|id| !id.is_empty())
            .map(str::to_string)
    })
}

/// The middleware: observes the request, lets the handler answer, then records what it saw on
/// the session the answer concerns (or unattached when there is none).
pub async fn observe(State(obs): State<ObserverState>, mut req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let uri = req.uri().clone();
    let path = uri.path();
    let seen = classify(&method, path);
    // Only the control plane's findings routes read it; inserting it into every request would
    // allocate an extension map per request.
    if path.starts_with("/__emulator") {
        req.extensions_mut().insert(obs.clone());
    }
    obs.forget_on_reset();
    if !(seen.init || seen.key_protected) {
        return next.run(req).await;
    }
    let app = obs.app.clone();
    let mut found: Vec<(&'static str, String)> = Vec::new();
    if seen.key_protected {
        if let Some(detail) =
            findings::on_key_protected_request(req.headers(), method.as_str(), path)
        {
            found.push((findings::API_KEY_IN_BROWSER, detail));
        }
    }
    let fp = if seen.init {
        crate::http::fingerprint::fingerprint(
            req.headers(),
            crate::http::fingerprint::peer_of(req.extensions()),
        )
    } else {
        String::new()
    };
    if seen.init {
        let (mut parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, app.config.max_body).await {
            Ok(b) => b,
            Err(_) => {
                return ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("Request body too large for {path}"),
                )
                .into_response()
            }
        };
        if let Ok(json) = serde_json::from_slice::<Value>(&bytes) {
            found.extend(findings::check_init_body(&json));
            parts
                .extensions
                .insert(crate::http::layers::ParsedJson(Arc::new(json)));
        }
        let retried_at_once = obs
            .inner
            .lock()
            .last_429
            .get(&fp)
            .map(|t| t.elapsed())
            .filter(|gap| *gap < RETRY_WINDOW);
        if let Some(gap) = retried_at_once {
            found.push((
                findings::RETRY_AFTER_429_AT_ONCE,
                format!(
                    "init-liveness-session was sent again {} ms after a 429 from the same client",
                    gap.as_millis()
                ),
            ));
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }
    if let Some(id) = &seen.result_of {
        if let Some(session) = app.sessions.peek(id) {
            findings::on_result_request(&app, &session);
        }
    }
    let response = next.run(req).await;
    if seen.init && response.status() == StatusCode::TOO_MANY_REQUESTS {
        let mut m = obs.inner.lock();
        if m.last_429.len() >= MAX_FINGERPRINTS {
            m.last_429.retain(|_, t| t.elapsed() < RETRY_WINDOW);
        }
        m.last_429.insert(fp, Instant::now());
    }
    if !found.is_empty() {
        let session = session_of(&response, path).and_then(|id| app.sessions.peek(&id));
        for (rule, detail) in found {
            match &session {
                Some(s) => {
                    findings::record(&app, s, rule, detail);
                }
                None => obs.record_unattached(rule, detail),
            }
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_result_path_names_its_session() {
        let seen = classify(
            &Method::GET,
            "/bioserver-app/v2/bio-sessions/abc/liveness-challenge-result",
        );
        assert_eq!(seen.result_of.as_deref(), Some("abc"));
        assert!(seen.key_protected);
        assert!(!seen.init);
    }

    #[test]
    fn scripts_and_the_channel_are_not_key_protected() {
        let seen = classify(&Method::GET, "/video-server/bioserver-video-api.js");
        assert!(!seen.key_protected && !seen.init && seen.result_of.is_none());
    }
}
