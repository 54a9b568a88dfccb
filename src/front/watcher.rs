//! The request watcher: looks at every request for integration findings the emulator can see
//! from the wire alone (API key sent by a browser, retired liveness mode, securityLevel below
//! HIGH, 429 retried at once, result requested early or too often).
//!
//! Keeping this in one place means the vendor handlers stay free of control-plane concerns, and
//! the findings work whichever engineer's handler serves the endpoint. The front door
//! (`crate::front`) calls [`before`] and [`after`] around every request, with the facts it
//! worked out once: the classified path, the session the path names, the init body.
//! (Named "watcher", not "observer": each finding rule says who can detect it
//! (`findings::Detector`: the emulator, the page or both); this is the emulator's eye on the wire.)

use std::{
    collections::{HashMap, VecDeque},
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::Response,
};
use parking_lot::Mutex;
use serde_json::Value;

use super::{
    endpoint::{self, Classified},
    handoff::SessionTag,
};
use crate::{
    findings::{self, Finding},
    scenarios::model::Endpoint,
    sessions::store::SharedSession,
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

/// The watcher's memory; cheap to clone. Also inserted as a request extension so the findings
/// routes can list the findings that belong to no session.
#[derive(Clone)]
pub struct Watcher {
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

impl Watcher {
    /// The watcher for `app`.
    pub fn new(app: AppState) -> Self {
        let resets_seen = app.resets.load(std::sync::atomic::Ordering::SeqCst);
        Watcher {
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
pub fn on_refused_preflight(obs: &Watcher, req: &Request) {
    let path = req.uri().path();
    let asks_for_key = req
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|h| {
            h.split(',')
                .any(|n| n.trim().eq_ignore_ascii_case("apikey"))
        });
    if !asks_for_key || !endpoint::requires_key(path) {
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

/// The standalone middleware (the app composes [`before`] and [`after`] in its front door,
/// `crate::front`, instead; tests layer this on small routers). It reads an init body itself.
pub async fn observe(State(obs): State<Watcher>, req: Request, next: Next) -> Response {
    let classified = endpoint::classify(req.method(), req.uri().path());
    let path = req.uri().path().to_string();
    let (req, json) = if classified.is_init() {
        let (parts, body) = req.into_parts();
        let bytes = match crate::http::layers::read_body(body, obs.app.config.max_body, None).await
        {
            Ok(bytes) => bytes,
            Err(refused) => return refused,
        };
        let json = crate::http::body::known_members(&bytes, crate::video_server::init::MEMBERS)
            .unwrap_or(Value::Null);
        (
            Request::from_parts(parts, axum::body::Body::from(bytes)),
            Some(json),
        )
    } else {
        (req, None)
    };
    let mut req = req;
    let watch = before(&obs, &mut req, &classified, None, json.as_ref());
    let response = next.run(req).await;
    let tag = response.extensions().get::<SessionTag>();
    after(&obs, watch, None, &path, &response, tag);
    response
}

/// What [`before`] noticed, for [`after`] to record once the answer is known.
pub struct Watch {
    init: bool,
    /// The client fingerprint (init only; empty otherwise), which the front door also hands to
    /// the init handler.
    pub fingerprint: String,
    found: Vec<(&'static str, String)>,
}

/// Looks at a request before the handler: findings visible in the request itself, and for
/// init-liveness-session its body (`init_body`: the members the front door parsed, once).
/// `session`: the session the path names, looked up once by the front door.
pub fn before(
    obs: &Watcher,
    req: &mut Request,
    classified: &Classified,
    session: Option<&SharedSession>,
    init_body: Option<&Value>,
) -> Watch {
    // Only the control plane's findings routes read it; inserting it into every request would
    // allocate an extension map per request.
    if req.uri().path().starts_with("/__emulator") {
        req.extensions_mut().insert(obs.clone());
    }
    let init = classified.is_init();
    let mut watch = Watch {
        init,
        fingerprint: String::new(),
        found: Vec::new(),
    };
    if !(init || classified.needs_key) {
        return watch;
    }
    // Only a request with an `Origin` can raise it (a back end sends none): one lookup of a
    // standard header before the rule's own reading of `apikey` and `Origin`.
    if classified.needs_key && req.headers().contains_key(header::ORIGIN) {
        if let Some(detail) = findings::on_key_protected_request(
            req.headers(),
            req.method().as_str(),
            req.uri().path(),
        ) {
            watch.found.push((findings::API_KEY_IN_BROWSER, detail));
        }
    }
    // A result poll (GET; HEAD is no poll) of a session the emulator holds.
    let result_poll = classified.endpoint == Some(Endpoint::LivenessChallengeResult)
        && req.method() == Method::GET;
    if let (true, Some(session)) = (result_poll, session) {
        findings::on_result_request(&obs.app, session);
    }
    if !init {
        return watch;
    }
    watch.fingerprint = crate::http::fingerprint::fingerprint(
        req.headers(),
        crate::http::fingerprint::peer_of(req.extensions()),
    );
    if let Some(json) = init_body.filter(|j| !j.is_null()) {
        watch.found.extend(findings::check_init_body(json));
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
    watch
}

/// Records what [`before`] found on the session the answer concerns (the handler's
/// [`SessionTag`], else `session`: the one the path names; unattached when there is none), and
/// remembers a 429 to init so an immediate retry can be flagged.
pub fn after(
    obs: &Watcher,
    watch: Watch,
    session: Option<&SharedSession>,
    path: &str,
    response: &Response,
    tag: Option<&SessionTag>,
) {
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
    let session = match tag {
        Some(tag) => tag.session.clone().or_else(|| app.sessions.peek(&tag.id)),
        None => session.cloned().or_else(|| session_in_path(path, app)),
    };
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

/// The session a `/bio-sessions/{id}/...` path names when the front door did not look it up
/// (a path no endpoint matches, e.g. a wrong method).
fn session_in_path(path: &str, app: &AppState) -> Option<SharedSession> {
    let id = path
        .split("/bio-sessions/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .filter(|id| !id.is_empty())?;
    app.sessions.peek(id)
}
