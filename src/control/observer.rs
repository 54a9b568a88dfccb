//! The request observer: a middleware that watches every request for integration findings the
//! emulator can see from the wire alone (API key sent by a browser, retired liveness mode,
//! securityLevel below HIGH, 429 retried at once, result requested early or too often).
//!
//! Keeping this in one layer means the vendor handlers stay free of control-plane concerns, and
//! the findings work whichever engineer's handler serves the endpoint. The front door
//! (`http::front`) calls [`before`] and [`after`] around every request.

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
    response::Response,
};
use parking_lot::Mutex;

use crate::{
    findings::{self, Finding},
    http::layers::{ParsedJson, SessionTag},
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
}

#[derive(Default)]
struct Memory {
    /// `AppState::resets` when this memory was last cleared.
    resets_seen: u64,
    last_429: HashMap<String, Instant>,
    unattached: VecDeque<Finding>,
    last_logged: HashMap<&'static str, Instant>,
}

impl ObserverState {
    /// The observer for `app`.
    pub fn new(app: AppState) -> Self {
        let resets_seen = app.resets.load(std::sync::atomic::Ordering::SeqCst);
        ObserverState {
            app,
            inner: Arc::new(Mutex::new(Memory {
                resets_seen,
                ..Memory::default()
            })),
        }
    }

    /// Recent findings that belong to no session (newest last).
    pub fn unattached(&self) -> Vec<Finding> {
        self.forget_on_reset();
        self.inner.lock().unattached.iter().cloned().collect()
    }

    /// Clears the memory when the admin API reset the emulator since the last look.
    fn forget_on_reset(&self) {
        let resets = self.app.resets.load(std::sync::atomic::Ordering::SeqCst);
        let mut m = self.inner.lock();
        if m.resets_seen != resets {
            *m = Memory {
                resets_seen: resets,
                ..Memory::default()
            };
        }
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

/// A refused CORS preflight that asked to send an `apikey` header to a key-protected path: the
/// page holds the API key (the finding the actual request would have raised, had the browser
/// been allowed to send it). Recorded without a session: none is named yet.
pub fn on_refused_preflight(obs: &ObserverState, req: &Request) {
    let path = req.uri().path();
    let asks_for_key = req
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|h| {
            h.split(',')
                .any(|n| n.trim().eq_ignore_ascii_case("apikey"))
        });
    if !asks_for_key || !crate::http::auth::requires_key(path) {
        return;
    }
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("a page");
    obs.forget_on_reset();
    obs.record_unattached(
        findings::API_KEY_IN_BROWSER,
        format!("{origin} asked to send an apikey header to {path} (the preflight was refused): the key is in the front end"),
    );
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
    let key_protected = crate::http::auth::requires_key(path);
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

/// The observer as a standalone middleware (the app composes [`before`] and [`after`] in its
/// front door, `http::front`, instead; tests layer this on small routers).
pub async fn observe(State(obs): State<ObserverState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let (req, watch) = match before(&obs, req).await {
        Ok(pair) => pair,
        Err(refused) => return refused,
    };
    let response = next.run(req).await;
    after(&obs, watch, &path, &response);
    response
}

/// What [`before`] noticed, for [`after`] to record once the answer is known.
pub struct Watch {
    init: bool,
    fingerprint: String,
    found: Vec<(&'static str, String)>,
}

/// Looks at a request before the handler: findings visible in the request itself, and for
/// init-liveness-session the body (parsed once and handed on as [`ParsedJson`]).
///
/// `Err` is the answer to give instead (an init body over `--max-body`: once read, it cannot be
/// handed on intact).
pub async fn before(obs: &ObserverState, mut req: Request) -> Result<(Request, Watch), Response> {
    // Only the control plane's findings routes read it; inserting it into every request would
    // allocate an extension map per request.
    if req.uri().path().starts_with("/__emulator") {
        req.extensions_mut().insert(obs.clone());
    }
    let path = req.uri().path();
    let seen = classify(req.method(), path);
    let mut watch = Watch {
        init: seen.init,
        fingerprint: String::new(),
        found: Vec::new(),
    };
    if !(seen.init || seen.key_protected) {
        return Ok((req, watch));
    }
    if seen.key_protected {
        if let Some(detail) =
            findings::on_key_protected_request(req.headers(), req.method().as_str(), path)
        {
            watch.found.push((findings::API_KEY_IN_BROWSER, detail));
        }
    }
    if let Some(id) = &seen.result_of {
        if let Some(session) = obs.app.sessions.peek(id) {
            findings::on_result_request(&obs.app, &session);
        }
    }
    if !seen.init {
        return Ok((req, watch));
    }
    watch.fingerprint = crate::http::fingerprint::fingerprint(
        req.headers(),
        crate::http::fingerprint::peer_of(req.extensions()),
    );
    let (mut parts, body) = req.into_parts();
    let bytes = crate::http::layers::read_body(body, obs.app.config.max_body).await?;
    if let Ok(json) = crate::http::body::known_members(&bytes, crate::video_server::init::MEMBERS) {
        watch.found.extend(findings::check_init_body(&json));
        parts.extensions.insert(ParsedJson(Arc::new(json)));
    }
    obs.forget_on_reset();
    let retried_at_once = obs
        .inner
        .lock()
        .last_429
        .get(&watch.fingerprint)
        .map(|t| t.elapsed())
        .filter(|gap| *gap < RETRY_WINDOW);
    if let Some(gap) = retried_at_once {
        watch.found.push((
            findings::RETRY_AFTER_429_AT_ONCE,
            format!(
                "init-liveness-session was sent again {} ms after a 429 from the same client",
                gap.as_millis()
            ),
        ));
    }
    Ok((Request::from_parts(parts, Body::from(bytes)), watch))
}

/// Records what [`before`] found on the session the answer concerns (or unattached when there is
/// none), and remembers a 429 to init so an immediate retry can be flagged.
pub fn after(obs: &ObserverState, watch: Watch, path: &str, response: &Response) {
    if watch.init && response.status() == StatusCode::TOO_MANY_REQUESTS {
        obs.forget_on_reset();
        let mut m = obs.inner.lock();
        if m.last_429.len() >= MAX_FINGERPRINTS {
            m.last_429.retain(|_, t| t.elapsed() < RETRY_WINDOW);
        }
        m.last_429.insert(watch.fingerprint, Instant::now());
    }
    if watch.found.is_empty() {
        return;
    }
    let app = &obs.app;
    let session = session_of(response, path).and_then(|id| app.sessions.peek(&id));
    for (rule, detail) in watch.found {
        match &session {
            Some(s) => {
                findings::record(app, s, rule, detail);
            }
            None => {
                obs.forget_on_reset();
                obs.record_unattached(rule, detail);
            }
        }
    }
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
