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

use axum::{
    extract::Request,
    http::{HeaderValue, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::future::RouteFuture,
    Router,
};
use futures_util::FutureExt;
use tower::{Layer, Service};

use self::{
    endpoint::{Classified, Subject},
    handoff::SessionTag,
    watcher::{Watch, Watcher},
};
use crate::{
    control::journal::JournalEntry,
    http::{auth, guard, layers},
    sessions::store::SharedSession,
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

/// The routes behind axum's default body limit (`--max-body`, read by the `Bytes`/`Json`
/// extractors): what a request whose body the front door did not read goes to.
pub type Limited = <axum::extract::DefaultBodyLimit as Layer<Router>>::Service;

/// Every route, twice: as they are, for a request with no body or one the front door already
/// read (within `--max-body`), and behind the body limit for the others. Why two: the limit is
/// a request extension axum inserts on every call; a request that has no body to bound need not
/// pay for it (the extension map of a `GET` then never grows past its first size).
#[derive(Clone)]
pub struct Routes {
    plain: Router,
    limited: Limited,
}

impl Routes {
    /// Starts `req` on the routes (`unread_body`: it has a body no one read yet). The router is
    /// always ready (axum's `poll_ready` is `Ready`), so it is called without a `oneshot`.
    fn call(&mut self, req: Request, unread_body: bool) -> RouteFuture<Infallible> {
        if unread_body {
            self.limited.call(req)
        } else {
            self.plain.call(req)
        }
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
            routes: Routes {
                limited: axum::extract::DefaultBodyLimit::max(max_body).layer(routes.clone()),
                plain: routes,
            },
        }
    }
}

/// What the steps after the routes read of the request, taken before it is handed on.
struct Exchange {
    started: Instant,
    method: Method,
    uri: Uri,
    surface: guard::Surface,
    /// The admin token cookie to set (after a valid `?token=`).
    cookie: Option<HeaderValue>,
}

/// A request past the guard, classified, with the session its path names.
struct Admitted {
    req: Request,
    classified: Classified,
    session: Option<SharedSession>,
    /// The request has a body (`Content-Length` or `Transfer-Encoding`).
    has_body: bool,
}

impl Service<Request> for FrontDoor {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // The routes are always ready (axum's router is).
        Poll::Ready(Ok(()))
    }

    /// Every step that needs no waiting runs here, before a future exists: the future holds only
    /// what the steps after the routes read (each `.await` of a large future, and each move of
    /// the request into one, was a copy of it). A creation, whose body must be read first, runs
    /// as one async function ([`creating`]).
    fn call(&mut self, req: Request) -> Self::Future {
        let (exchange, admitted) = match admit(&self.front, req) {
            Ok(admitted) => admitted,
            Err((exchange, response)) => {
                let response = self.front.close(exchange, response);
                return Box::pin(std::future::ready(Ok(response)));
            }
        };
        let Admitted {
            mut req,
            classified,
            session,
            has_body,
        } = admitted;
        if classified.creates_session() {
            let front = self.front.clone();
            let routes = self.routes.plain.clone();
            return Box::pin(async move {
                let response = creating(&front, routes, &exchange, classified, session, req).await;
                Ok(front.close(exchange, response))
            });
        }
        let front = &self.front;
        let watch = watcher::before(
            &front.watcher,
            &mut req,
            &classified,
            session.as_ref(),
            None,
        );
        let after_session = session.clone();
        let routed = match authorise(&front.app, &req, &classified) {
            Err(refused) => Routed::Answered(refused.into_response()),
            Ok(authorised) => {
                let routes = &mut self.routes;
                let facts = scripted::Facts {
                    classified: &classified,
                    session,
                    creation: None,
                    authorised,
                    fingerprint: None,
                };
                dispatch(front, req, facts, |req| routes.call(req, has_body))
            }
        };
        let front = self.front.clone();
        Box::pin(async move {
            let response = run(&front, routed, &exchange).await;
            let response = front
                .after(response, watch, after_session.as_ref(), &exchange)
                .await;
            Ok(front.close(exchange, response))
        })
    }
}

/// The steps before any waiting, in the order the module documentation gives: the guard, the
/// early 413, the body's time bounds, CORS preflights; then the classification and the session
/// the path names. `Err` is the answer to give at once.
#[allow(clippy::result_large_err)]
fn admit(front: &Front, req: Request) -> Result<(Exchange, Admitted), (Exchange, Response)> {
    let mut exchange = Exchange {
        started: Instant::now(),
        method: req.method().clone(),
        uri: req.uri().clone(),
        surface: guard::surface(req.uri().path()),
        cookie: None,
    };
    match front.guard.check(&req, exchange.surface) {
        Err(refused) => return Err((exchange, refused.into_response())),
        Ok(cookie) => exchange.cookie = cookie,
    }
    if let Some(too_large) = layers::declared_too_large(&req, front.app.config.max_body) {
        return Err((exchange, too_large));
    }
    let has_body = layers::has_body(req.headers());
    let req = if has_body {
        layers::with_body_timeout(req, front.body_timeout, front.body_deadline)
    } else {
        req
    };
    if let Some(answer) = layers::preflight(&req, exchange.surface) {
        if answer.status() == StatusCode::FORBIDDEN {
            watcher::on_refused_preflight(&front.watcher, &req);
        }
        return Err((exchange, answer));
    }
    let classified = endpoint::classify(&exchange.method, exchange.uri.path());
    // The session the path names, looked up once for every step below.
    let session = match &classified.subject {
        Subject::Session(id) if classified.endpoint.is_some() => front.app.sessions.peek(id),
        _ => None,
    };
    Ok((
        exchange,
        Admitted {
            req,
            classified,
            session,
            has_body,
        },
    ))
}

/// A session-creating request (init, a GIPS capture session): its body is read once, init's
/// before the watcher (which reads it), a GIPS capture session's after the key check (a refused
/// key is answered without reading the body); then as any other request.
async fn creating(
    front: &Front,
    mut routes: Router,
    exchange: &Exchange,
    classified: Classified,
    session: Option<SharedSession>,
    mut req: Request,
) -> Response {
    let app = &front.app;
    let mut creation = None;
    if classified.is_init() {
        match read_creation(app, &mut req, &classified).await {
            Ok(body) => creation = Some(body),
            Err(refused) => return refused,
        }
    }
    let init_body = creation.as_ref().map(|c| &c.json);
    let watch = watcher::before(
        &front.watcher,
        &mut req,
        &classified,
        session.as_ref(),
        init_body,
    );
    let after_session = session.clone();
    let response = match authorise(app, &req, &classified) {
        Err(refused) => refused.into_response(),
        Ok(authorised) => {
            let read = match creation {
                None => read_creation(app, &mut req, &classified).await,
                Some(body) => Ok(body),
            };
            match read {
                Err(refused) => refused,
                Ok(creation) => {
                    let facts = scripted::Facts {
                        classified: &classified,
                        session,
                        creation: Some(creation),
                        authorised,
                        fingerprint: (!watch.fingerprint.is_empty())
                            .then(|| watch.fingerprint.clone()),
                    };
                    // The body is read (within `--max-body`): nothing left to bound.
                    let routed = dispatch(front, req, facts, |req| routes.call(req));
                    run(front, routed, exchange).await
                }
            }
        }
    };
    front
        .after(response, watch, after_session.as_ref(), exchange)
        .await
}

/// Where a request goes once admitted and authorised: the routes (with the scenario's scripted
/// step to finish with, for a scriptable endpoint), or a scripted error alone.
#[allow(clippy::large_enum_variant)] // the large variant is the common one: boxing it would cost
                                     // an allocation per request
enum Routed {
    /// The routes' answer to come, and the scripted step after it (`None`: not scriptable).
    Routes(RouteFuture<Infallible>, Option<scripted::Pending>),
    /// The scenario answers instead of the handler (rare: boxed, so the common future stays
    /// small).
    Alone(Box<scripted::Alone>),
    /// The answer is known already (a refused key, a panic in the scenario step).
    Answered(Response),
}

/// The scripted answers' decision before the handler, then the routes started with `route` (a
/// panic in the scenario step is answered as a JSON 500).
fn dispatch(
    front: &Front,
    mut req: Request,
    facts: scripted::Facts<'_>,
    route: impl FnOnce(Request) -> RouteFuture<Infallible>,
) -> Routed {
    let prepared = std::panic::catch_unwind(AssertUnwindSafe(|| {
        scripted::prepare(&front.app, &mut req, facts)
    }));
    match prepared {
        Err(panic) => Routed::Answered(layers::panic_to_json(panic)),
        Ok(None) => Routed::Routes(route(req), None),
        Ok(Some(scripted::Prepared::Route(pending))) => Routed::Routes(route(req), Some(pending)),
        Ok(Some(scripted::Prepared::Alone(alone))) => Routed::Alone(Box::new(alone)),
    }
}

/// The routes' (or the scenario's) answer, with the scripted step applied and recorded; a
/// handler panic becomes a JSON 500.
async fn run(front: &Front, routed: Routed, exchange: &Exchange) -> Response {
    let (method, path) = (&exchange.method, exchange.uri.path());
    let answered = AssertUnwindSafe(async move {
        match routed {
            Routed::Routes(routing, pending) => {
                let response = match routing.await {
                    Ok(response) => response,
                    Err(never) => match never {},
                };
                match pending {
                    None => response,
                    Some(pending) => {
                        scripted::after(&front.app, pending, method, path, response).await
                    }
                }
            }
            Routed::Alone(alone) => {
                Box::pin(scripted::answer_alone(&front.app, *alone, method, path)).await
            }
            Routed::Answered(response) => response,
        }
    })
    .catch_unwind()
    .await;
    answered.unwrap_or_else(layers::panic_to_json)
}

impl Front {
    /// After the answer: non-JSON errors rewrapped as `{code, error}`, then the watcher records
    /// what it found.
    async fn after(
        &self,
        response: Response,
        watch: Watch,
        session: Option<&SharedSession>,
        exchange: &Exchange,
    ) -> Response {
        let path = exchange.uri.path();
        let response = if layers::needs_json_rewrap(&response) {
            Box::pin(layers::json_errors(&exchange.method, path, response)).await
        } else {
            response
        };
        watcher::after(&self.watcher, watch, session, path, &response);
        response
    }

    /// The last steps of every answer: CORS/CORP on the browser surface, the token cookie, no
    /// reuse of a connection whose body was not read, and the journal line.
    fn close(&self, exchange: Exchange, mut response: Response) -> Response {
        if exchange.surface == guard::Surface::Browser {
            layers::add_cors_headers(response.headers_mut());
        }
        if let Some(cookie) = exchange.cookie {
            response
                .headers_mut()
                .append(axum::http::header::SET_COOKIE, cookie);
        }
        if matches!(
            response.status(),
            StatusCode::REQUEST_TIMEOUT | StatusCode::PAYLOAD_TOO_LARGE
        ) {
            // The rest of the body may never come (or is not wanted): the connection cannot be
            // reused. The accept loop drains what the client still sends (lingering close), so a
            // client that writes its whole body before reading still sees this answer.
            response.headers_mut().insert(
                axum::http::header::CONNECTION,
                HeaderValue::from_static("close"),
            );
        }
        if self.app.config.journal_size > 0 {
            let uri = &exchange.uri;
            self.app.journal.record(JournalEntry {
                seq: 0,
                time: std::time::SystemTime::now(),
                method: exchange.method,
                // Copied as it came (origin form): no formatting machinery per request.
                uri: Box::from(uri.path_and_query().map_or(uri.path(), |pq| pq.as_str())),
                status: response.status().as_u16(),
                micros: exchange.started.elapsed().as_micros() as u64,
                session_id: response
                    .extensions()
                    .get::<SessionTag>()
                    .map(|t| t.id.clone()),
            });
        }
        response
    }
}

/// Reads a session-creating body once ([`creation::read`]); it stays on `req`, read.
async fn read_creation(
    app: &AppState,
    req: &mut Request,
    classified: &Classified,
) -> Result<creation::CreationBody, Response> {
    let requested = crate::scenarios::selection::requested_in(req.headers());
    creation::read(req, classified.is_init(), app.config.max_body, requested).await
}

/// The key check (see [`Classified::needs_key`]): the 401 to answer instead, or whether a
/// scripted answer may be given (the
/// API-key rule, so a scripted error never hides a 401 the real server would give: this also
/// covers the legacy `/gips/identities` spelling the scenarios may script). A plain call
/// rather than a route layer: a `from_fn` layer costs a boxed future and a cloned service on
/// every vendor request.
fn authorise(
    app: &AppState,
    req: &Request,
    classified: &Classified,
) -> Result<bool, crate::error::ApiError> {
    let config = &app.config;
    if classified.needs_key {
        // The creating handlers get the key with the front door's choice (`handoff::Selected`).
        auth::check_api_key(config, req.headers())?;
        return Ok(true);
    }
    let public = matches!(
        classified.endpoint,
        None | Some(
            crate::scenarios::model::Endpoint::NetworkLatency
                | crate::scenarios::model::Endpoint::NetworkSpeed
        )
    );
    Ok(public || auth::check_api_key(config, req.headers()).is_ok())
}
