//! The front door: the one service every request passes through, and the steps it runs.
//!
//! It works out once what a request is ([`endpoint::classify`]: the vendor endpoint, the session
//! or identity the path names, whether it needs an API key), looks the named session up once,
//! and reads a session-creating body once ([`creation`]); every step below reads those facts
//! instead of looking at the request again. In order: refuse what the guard refuses (Host,
//! admin token); bound the time a request body may stall (`--body-timeout`); answer CORS
//! preflights; let the request [`watcher`] look at it ([`watcher::before`]); check the API key
//! on the vendor paths; run the scenario's [`scripted`] answers around the router, turning a
//! handler panic into a JSON 500; rewrap any non-JSON error as `{code, error}`; let the watcher
//! record what it found ([`watcher::after`]); add CORS/CORP headers; write the journal line
//! (with the session of the answer's [`handoff::SessionTag`]).
//!
//! Why one service and plain calls: these steps were once six tower layers. Run as plain
//! function calls in one service (one boxed future instead of six, no per-layer service clone)
//! a capabilities request went from 17.1 to 13.0 µs of CPU in an A/B on the same machine
//! (bench/PERF-NOTES.md). The order above is the invariant ARCHITECTURE.md describes. The door
//! is a [`FrontDoor`] service wrapped around the whole router rather than a `Router::layer`,
//! which would wrap every route in it (and in the body limit) again.
//!
//! The pieces that know nothing of the emulator (CORS, JSON errors, body limits, the guard, API
//! key rule) are plain utilities in `crate::http`; this module is the orchestration.

pub mod creation;
pub mod endpoint;
pub mod handoff;
pub mod scripted;
pub mod watcher;

use std::{
    convert::Infallible,
    future::Future,
    panic::AssertUnwindSafe,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Instant,
};

use axum::{extract::Request, response::Response, Router};
use futures_util::FutureExt;
use tower::{Layer, Service, ServiceExt};

use self::{
    endpoint::{Classified, Subject},
    handoff::SessionTag,
    watcher::Watcher,
};
use crate::{
    control::journal::JournalEntry,
    http::{auth, guard, layers},
    state::AppState,
};

/// What the front door needs: the app and the request watcher's memory. Cheap to clone.
#[derive(Clone)]
pub struct Front {
    app: AppState,
    watcher: Watcher,
    guard: guard::Guard,
    body_timeout: std::time::Duration,
    body_deadline: std::time::Duration,
}

impl Front {
    /// The front door of `app`, with a fresh request watcher.
    pub fn new(app: AppState) -> Self {
        Front {
            watcher: Watcher::new(app.clone()),
            guard: guard::Guard::new(&app.config),
            body_timeout: std::time::Duration::from_secs(app.config.body_timeout.max(1)),
            body_deadline: std::time::Duration::from_secs(app.config.body_deadline.max(1)),
            app,
        }
    }
}

/// What the front door hands a request to: every route, behind axum's default body limit
/// (`--max-body`, read by the `Bytes`/`Json` extractors).
pub type Routes = <axum::extract::DefaultBodyLimit as Layer<Router>>::Service;

/// Runs `req` through the routes (they never fail: errors are answers).
pub async fn route(routes: Routes, req: Request) -> Response {
    match routes.oneshot(req).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// The application as a tower service: the front door around the routes (built by
/// `crate::router`, served by `crate::server`). Cheap to clone: both halves are shared.
#[derive(Clone)]
pub struct FrontDoor {
    front: Arc<Front>,
    routes: Routes,
}

impl FrontDoor {
    /// `routes` behind the front door of `app`, with `max_body` as the extractors' body limit.
    pub fn new(app: AppState, routes: Router, max_body: usize) -> Self {
        FrontDoor {
            front: Arc::new(Front::new(app)),
            routes: axum::extract::DefaultBodyLimit::max(max_body).layer(routes),
        }
    }
}

impl Service<Request> for FrontDoor {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // The routes are always ready (axum's router is).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let front = self.front.clone();
        let routes = self.routes.clone();
        Box::pin(async move { Ok(front_door(front, req, routes).await) })
    }
}

/// One request through the front door, in the order the module documentation gives.
async fn front_door(front: Arc<Front>, req: Request, routes: Routes) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let uri = req.uri().clone();
    let surface = guard::surface(uri.path());
    let mut cookie = None;
    let mut response = match front.guard.check(&req, surface) {
        Err(refused) => axum::response::IntoResponse::into_response(refused),
        Ok(set_cookie) => {
            cookie = set_cookie;
            if let Some(too_large) = layers::declared_too_large(&req, front.app.config.max_body) {
                too_large
            } else {
                let req = layers::with_body_timeout(req, front.body_timeout, front.body_deadline);
                match layers::preflight(&req, surface) {
                    Some(answer) => {
                        if answer.status() == axum::http::StatusCode::FORBIDDEN {
                            watcher::on_refused_preflight(&front.watcher, &req);
                        }
                        answer
                    }
                    None => serve(&front, req, routes, &method, &uri).await,
                }
            }
        }
    };
    if surface == guard::Surface::Browser {
        layers::add_cors_headers(response.headers_mut());
    }
    if let Some(cookie) = cookie {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, cookie);
    }
    if matches!(
        response.status(),
        axum::http::StatusCode::REQUEST_TIMEOUT | axum::http::StatusCode::PAYLOAD_TOO_LARGE
    ) {
        // The rest of the body may never come (or is not wanted): the connection cannot be
        // reused. The accept loop drains what the client still sends (lingering close), so a
        // client that writes its whole body before reading still sees this answer.
        response.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    if front.app.config.journal_size > 0 {
        front.app.journal.record(JournalEntry {
            seq: 0,
            time: std::time::SystemTime::now(),
            method,
            // Copied as it came (origin form): no formatting machinery per request.
            uri: Box::from(uri.path_and_query().map_or(uri.path(), |pq| pq.as_str())),
            status: response.status().as_u16(),
            micros: started.elapsed().as_micros() as u64,
            session_id: response
                .extensions()
                .get::<SessionTag>()
                .map(|t| t.id.clone()),
        });
    }
    response
}

/// Classification, watcher, key check, scripted answers around the routes (panic → JSON 500),
/// JSON errors.
async fn serve(
    front: &Front,
    req: Request,
    routes: Routes,
    method: &axum::http::Method,
    uri: &axum::http::Uri,
) -> Response {
    let app = &front.app;
    let classified = endpoint::classify(method, uri.path());
    // The session the path names, looked up once for every step below.
    let session = match &classified.subject {
        Subject::Session(id) if classified.endpoint.is_some() => app.sessions.peek(id),
        _ => None,
    };
    // A creating request's body, read and validated once: init's before the watcher (which
    // reads it), a GIPS capture session's after the key check (a refused key is answered
    // without reading the body).
    let (req, creation) = if classified.is_init() {
        match read_creation(app, req, &classified).await {
            Ok((req, body)) => (req, Some(body)),
            Err(refused) => return refused,
        }
    } else {
        (req, None)
    };
    let init_body = creation.as_ref().map(|c| &c.json);
    let (req, watch) = watcher::before(
        &front.watcher,
        req,
        &classified,
        session.as_ref(),
        init_body,
    );
    let after_session = session.clone();
    let response = match authorise(app, req, &classified) {
        Err(refused) => axum::response::IntoResponse::into_response(refused),
        Ok((req, authorised)) => {
            let read = match creation {
                None if classified.creates_session() => read_creation(app, req, &classified)
                    .await
                    .map(|(req, body)| (req, Some(body))),
                creation => Ok((req, creation)),
            };
            match read {
                Err(refused) => refused,
                Ok((req, creation)) => {
                    let facts = scripted::Facts {
                        classified: &classified,
                        session,
                        creation,
                        authorised,
                    };
                    let answered = AssertUnwindSafe(scripted::answer(app, req, routes, facts))
                        .catch_unwind()
                        .await;
                    match answered {
                        Ok(response) => response,
                        Err(panic) => layers::panic_to_json(panic),
                    }
                }
            }
        }
    };
    let response = layers::json_errors(method, uri.path(), response).await;
    watcher::after(
        &front.watcher,
        watch,
        after_session.as_ref(),
        uri.path(),
        &response,
    );
    response
}

/// Reads a session-creating body once ([`creation::read`]).
async fn read_creation(
    app: &AppState,
    req: Request,
    classified: &Classified,
) -> Result<(Request, creation::CreationBody), Response> {
    let requested = crate::scenarios::selection::requested_in(req.headers());
    creation::read(req, classified.is_init(), app.config.max_body, requested).await
}

/// The key check (see [`Classified::needs_key`]): the 401 to answer instead, or the request
/// and whether a scripted answer may be given (the
/// API-key rule, so a scripted error never hides a 401 the real server would give: this also
/// covers the legacy `/gips/identities` spelling the scenarios may script). A plain call
/// rather than a route layer: a `from_fn` layer costs a boxed future and a cloned service on
/// every vendor request.
fn authorise(
    app: &AppState,
    req: Request,
    classified: &Classified,
) -> Result<(Request, bool), crate::error::ApiError> {
    let config = &app.config;
    if classified.needs_key {
        // The creating handlers get the key with the front door's choice (`handoff::Selected`).
        auth::check_api_key(config, req.headers())?;
        return Ok((req, true));
    }
    let public = matches!(
        classified.endpoint,
        None | Some(
            crate::scenarios::model::Endpoint::NetworkLatency
                | crate::scenarios::model::Endpoint::NetworkSpeed
        )
    );
    let authorised = public || auth::check_api_key(config, req.headers()).is_ok();
    Ok((req, authorised))
}
