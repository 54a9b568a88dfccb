//! The front door: the one service every request passes through, and the steps it runs.
//!
//! It works out once what a request is ([`endpoint::classify`]: the vendor endpoint, the session
//! or identity the path names, whether it needs an API key), looks the named session up once,
//! and reads a session-creating body once ([`creation`]); every step below reads those facts
//! instead of looking at the request again. In order: refuse what the guard refuses (Host,
//! admin token); answer CORS preflights; bound the time a request body may stall
//! (`--body-timeout`; a creation's body only if it is not all at hand when read); let the
//! request [`watcher`] look at it ([`watcher::before`]); check the API key on the vendor paths;
//! run the scenario's [`scripted`] answers around the router (init-liveness-session's handler is
//! called directly, [`crate::video_server::init::answer_handoff`]), turning a handler panic into
//! a JSON 500; rewrap any non-JSON error as `{code, error}`; let the watcher
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
//! Why the steps before the routes run in `FrontDoor::call` and the ones after in a hand-polled
//! future ([`Served`]): an async block holds every future it awaits, and the box and each
//! `.await` copied it (with `Request`s moved by value, ~8% of an init request's instructions
//! were such copies); most answers need no waiting after the routes, so they are finished in the
//! poll that receives them, and only a step that waits (the transcript, a scripted answer, a
//! rewrapped error) gets a boxed future. Only a creation, whose body must be read first, is an
//! async function ([`creating`]). Measured in bench/PERF-NOTES.md ("Seventh pass").
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
    video_server::init,
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
    classified: Classified,
    session: Option<SharedSession>,
    /// The request's body may hold something (it is not known to be at its end: an HTTP/2
    /// request without `Content-Length` has a body too), so the routes must bound it.
    unread_body: bool,
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
        let mut req = req;
        let (exchange, admitted) = match admit(&self.front, &mut req) {
            Ok(admitted) => admitted,
            Err((exchange, response)) => {
                let response = self.front.close(exchange, response);
                return Box::pin(std::future::ready(Ok(response)));
            }
        };
        let Admitted {
            classified,
            session,
            unread_body,
        } = admitted;
        if classified.creates_session() {
            let front = self.front.clone();
            let routes = self.routes.plain.clone();
            let creation = Creation {
                exchange,
                classified,
                session,
            };
            return Box::pin(creating(front, routes, creation, req));
        }
        let front = &self.front;
        let watch = watcher::before(
            &front.watcher,
            &mut req,
            &classified,
            session.as_ref(),
            None,
        );
        let closing = Closing {
            exchange,
            watch,
            session: session.clone(),
            tag: None,
        };
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
                dispatch(front, req, facts, |req, _| {
                    Handler::Routes(routes.call(req, unread_body))
                })
            }
        };
        Box::pin(Served::new(self.front.clone(), routed, closing))
    }
}

/// The steps before any waiting, in the order the module documentation gives: the guard, the
/// early 413, the body's time bounds, CORS preflights; then the classification and the session
/// the path names. `Err` is the answer to give at once.
#[allow(clippy::result_large_err)]
fn admit(front: &Front, req: &mut Request) -> Result<(Exchange, Admitted), (Exchange, Response)> {
    let mut exchange = Exchange {
        started: Instant::now(),
        method: req.method().clone(),
        uri: req.uri().clone(),
        surface: guard::surface(req.uri().path()),
        cookie: None,
    };
    match front.guard.check(req, exchange.surface) {
        Err(refused) => return Err((exchange, refused.into_response())),
        Ok(cookie) => exchange.cookie = cookie,
    }
    if let Some(too_large) = layers::declared_too_large(req, front.app.config.max_body) {
        return Err((exchange, too_large));
    }
    if let Some(answer) = layers::preflight(req, exchange.surface) {
        if answer.status() == StatusCode::FORBIDDEN {
            watcher::on_refused_preflight(&front.watcher, req);
        }
        return Err((exchange, answer));
    }
    let classified = endpoint::classify(&exchange.method, exchange.uri.path());
    // A creation's body is read by the front door, which bounds it only if it has to wait for
    // it (`read_creation`): most came with their headers.
    if !classified.creates_session() && layers::has_body(req.headers()) {
        layers::bound_body(req, front.bounds());
    }
    // The session the path names, looked up once for every step below.
    let session = match &classified.subject {
        Subject::Session(id) if classified.endpoint.is_some() => front.app.sessions.peek(id),
        _ => None,
    };
    Ok((
        exchange,
        Admitted {
            classified,
            session,
            unread_body: !http_body::Body::is_end_stream(req.body()),
        },
    ))
}

/// What [`creating`] starts from: the admitted request's facts.
struct Creation {
    exchange: Exchange,
    classified: Classified,
    session: Option<SharedSession>,
}

/// A session-creating request (init, a GIPS capture session): its body is read once, init's
/// before the watcher (which reads it), a GIPS capture session's after the key check (a refused
/// key is answered without reading the body); then as any other request.
async fn creating(
    front: Arc<Front>,
    mut routes: Router,
    creation: Creation,
    mut req: Request,
) -> Result<Response, Infallible> {
    let Creation {
        exchange,
        classified,
        session,
    } = creation;
    let app = &front.app;
    let mut creation = None;
    if classified.is_init() {
        match read_creation(&front, &mut req, &classified).await {
            Ok(body) => creation = Some(body),
            // Answered as it is (no watcher, no rewrap): the body never arrived whole.
            Err(refused) => return Ok(front.close(exchange, refused)),
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
    let closing = Closing {
        exchange,
        watch,
        session: session.clone(),
        tag: None,
    };
    let routed = match authorise(app, &req, &classified) {
        Err(refused) => Routed::Answered(refused.into_response()),
        Ok(authorised) => {
            let read = match creation {
                Some(body) => Ok(body),
                None => read_creation(&front, &mut req, &classified).await,
            };
            match read {
                Err(refused) => Routed::Answered(refused),
                Ok(creation) => {
                    let fingerprint = &closing.watch.fingerprint;
                    let facts = scripted::Facts {
                        classified: &classified,
                        session,
                        creation: Some(creation),
                        authorised,
                        fingerprint: (!fingerprint.is_empty()).then(|| fingerprint.clone()),
                    };
                    // The body is read (within `--max-body`): nothing left to bound. Init at
                    // its exact path is called directly (`init::answer_handoff`): the router
                    // would only find again what the classification knows.
                    if called_directly(req.method(), req.uri().path()) {
                        dispatch(&front, req, facts, |req, handing| {
                            let handoff = match handing {
                                Some(scripted::Handing::Init(handoff)) => Some(handoff),
                                _ => None,
                            };
                            let (response, tag) = init::answer_handoff(app, handoff, &req);
                            Handler::Given(Some(response), tag)
                        })
                    } else {
                        dispatch(&front, req, facts, |mut req, handing| {
                            if let Some(handing) = handing {
                                handing.put_on(&mut req);
                            }
                            Handler::Routes(routes.call(req))
                        })
                    }
                }
            }
        }
    };
    Served::new(front.clone(), routed, closing).await
}

/// Where a request goes once admitted and authorised: the routes (with the scenario's scripted
/// step to finish with, for a scriptable endpoint), or a scripted error alone.
#[allow(clippy::large_enum_variant)] // the large variant is the common one: boxing it would cost
                                     // an allocation per request
enum Routed {
    /// The handler's answer (to come), and the scripted step after it (`None`: not scriptable).
    Routes(Handler, Option<scripted::Pending>),
    /// The scenario answers instead of the handler (rare: boxed, so the common future stays
    /// small).
    Alone(Box<scripted::Alone>),
    /// The answer is known already (a refused key, a panic in the scenario step).
    Answered(Response),
}

/// Whether the front door calls the handler of `method path` itself, not through the router:
/// `POST /video-server/init-liveness-session` at its exact path (the hottest creation; any other
/// spelling goes to the router, which answers it as before).
fn called_directly(method: &Method, path: &str) -> bool {
    method == Method::POST && path == init::PATH
}

/// The handler's answer: the routes' future, or the answer of a handler the front door called
/// directly (init-liveness-session, [`init::answer_handoff`]).
enum Handler {
    /// The router's future.
    Routes(RouteFuture<Infallible>),
    /// Given already (taken once), with the session it concerns (handed beside the answer
    /// rather than in its extensions: no extension map to allocate).
    Given(Option<Response>, Option<SessionTag>),
}

/// The scripted answers' decision before the handler, then the handler started with `route` (a
/// panic in the scenario step or in a handler called directly is answered as a JSON 500).
fn dispatch(
    front: &Front,
    mut req: Request,
    facts: scripted::Facts<'_>,
    route: impl FnOnce(Request, Option<scripted::Handing>) -> Handler,
) -> Routed {
    let prepared = std::panic::catch_unwind(AssertUnwindSafe(|| {
        scripted::prepare(&front.app, &mut req, facts)
    }));
    let (pending, handing) = match prepared {
        Err(panic) => return Routed::Answered(layers::panic_to_json(panic)),
        Ok(None) => (None, None),
        Ok(Some(scripted::Prepared::Route(pending, handing))) => (Some(pending), handing),
        Ok(Some(scripted::Prepared::Alone(alone))) => return Routed::Alone(Box::new(alone)),
    };
    match std::panic::catch_unwind(AssertUnwindSafe(|| route(req, handing))) {
        Ok(handler) => Routed::Routes(handler, pending),
        Err(panic) => Routed::Routes(
            Handler::Given(Some(layers::panic_to_json(panic)), None),
            pending,
        ),
    }
}

/// What the steps after the answer read (the watcher's findings, the journal, CORS).
struct Closing {
    exchange: Exchange,
    watch: Watch,
    /// The session the path named, for the watcher.
    session: Option<SharedSession>,
    /// The session of the answer, when the handler handed it beside the answer
    /// ([`Handler::Given`]); otherwise the answer's [`SessionTag`] extension says it.
    tag: Option<SessionTag>,
}

/// What is left of a request once it is routed: the routes' answer to wait for, then the steps
/// after it (the scripted step, the JSON-error rewrap, the watcher, the closing steps).
///
/// Why a hand-polled future rather than an async block: most answers need no waiting once the
/// routes gave them (no transcript to write, nothing scripted, not an error to rewrap), so they
/// are finished inside the poll that receives them; an async block holds every awaited future
/// in its state, and each `.await` and the box copied that state (about 8% of an init request's
/// instructions went to such copies). A step that must wait continues in a boxed future of its
/// own ([`Stage::Waiting`]).
struct Served {
    front: Arc<Front>,
    stage: Stage,
    /// The answer is the emulator's own (a handler the front door called directly): its JSON
    /// goes into the transcript unchecked.
    own: bool,
    /// Taken by the step that closes the exchange (or by the boxed future that waits).
    closing: Option<Closing>,
}

/// Where a [`Served`] request is.
#[allow(clippy::large_enum_variant)] // the large variant is the common one (see `Routed`)
enum Stage {
    /// Waiting for the handler; then the scripted step (`None`: not scriptable).
    Routing(Handler, Option<scripted::Pending>),
    /// The answer is known (a refused key, a panic).
    Answered(Option<Response>),
    /// A step that waits: it hands the closing facts back with the answer.
    Waiting(Pin<Box<dyn Future<Output = (Response, Closing)> + Send>>),
    /// Answered (not polled again).
    Done,
}

/// The first step a [`Stage::Waiting`] future runs.
enum Wait {
    /// The scripted answer and the transcript ([`scripted::finish`]).
    Record(scripted::Recording),
    /// A scripted error alone ([`scripted::answer_alone`]).
    Alone(Box<scripted::Alone>),
    /// Only the rewrap of a non-JSON error.
    Rewrap(Response),
}

impl Served {
    fn new(front: Arc<Front>, routed: Routed, closing: Closing) -> Self {
        let (stage, closing) = match routed {
            Routed::Routes(routing, pending) => (Stage::Routing(routing, pending), Some(closing)),
            Routed::Answered(response) => (Stage::Answered(Some(response)), Some(closing)),
            Routed::Alone(alone) => (
                Stage::Waiting(waiting(front.clone(), closing, Wait::Alone(alone))),
                None,
            ),
        };
        Served {
            front,
            stage,
            own: false,
            closing,
        }
    }

    /// The boxed future of the steps that wait, taking the closing facts.
    fn wait(&mut self, first: Wait) {
        let closing = self.closing.take().expect("a served request closes once");
        self.stage = Stage::Waiting(waiting(self.front.clone(), closing, first));
    }
}

impl Future for Served {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            let response = match &mut this.stage {
                Stage::Routing(routing, pending) => {
                    // A handler panic becomes a JSON 500 (a last resort: handlers must not panic).
                    let polled = match routing {
                        Handler::Routes(future) => {
                            std::panic::catch_unwind(AssertUnwindSafe(|| {
                                Pin::new(&mut *future).poll(cx)
                            }))
                        }
                        Handler::Given(given, tag) => match given.take() {
                            Some(response) => {
                                if let Some(closing) = &mut this.closing {
                                    closing.tag = tag.take();
                                }
                                this.own = true;
                                Ok(Poll::Ready(Ok(response)))
                            }
                            None => unreachable!("a given answer is taken once"),
                        },
                    };
                    let response = match polled {
                        Ok(Poll::Pending) => return Poll::Pending,
                        Ok(Poll::Ready(Ok(response))) => response,
                        Ok(Poll::Ready(Err(never))) => match never {},
                        Err(panic) => layers::panic_to_json(panic),
                    };
                    let Some(pending) = pending.take() else {
                        this.stage = Stage::Answered(Some(response));
                        continue;
                    };
                    let app = &this.front.app;
                    let given = this.closing.as_ref().and_then(|c| c.tag.as_ref());
                    let settled = std::panic::catch_unwind(AssertUnwindSafe(|| {
                        scripted::settle(app, pending, response, given)
                    }));
                    match settled {
                        Ok(scripted::Settled::Done(response)) => response,
                        Ok(scripted::Settled::Record(recording)) => {
                            // Most often nothing to wait for: recorded here, in this poll.
                            let exchange = match &this.closing {
                                Some(closing) => &closing.exchange,
                                None => unreachable!("a routed request closes once"),
                            };
                            #[allow(clippy::result_large_err)]
                            let now = std::panic::catch_unwind(AssertUnwindSafe(|| {
                                scripted::finish_now(
                                    recording,
                                    &exchange.method,
                                    exchange.uri.path(),
                                    this.own,
                                    cx,
                                )
                            }));
                            match now {
                                Ok(Ok(response)) => response,
                                Ok(Err(recording)) => {
                                    this.wait(Wait::Record(recording));
                                    continue;
                                }
                                Err(panic) => layers::panic_to_json(panic),
                            }
                        }
                        Err(panic) => layers::panic_to_json(panic),
                    }
                }
                Stage::Answered(response) => match response.take() {
                    Some(response) => response,
                    None => unreachable!("an answered request is closed once"),
                },
                Stage::Waiting(waiting) => {
                    let Poll::Ready((response, closing)) = waiting.as_mut().poll(cx) else {
                        return Poll::Pending;
                    };
                    this.stage = Stage::Done;
                    return Poll::Ready(Ok(this.front.close_after(closing, response)));
                }
                Stage::Done => unreachable!("a served request is not polled after its answer"),
            };
            if layers::needs_json_rewrap(&response) {
                this.wait(Wait::Rewrap(response));
                continue;
            }
            this.stage = Stage::Done;
            let closing = this.closing.take().expect("a served request closes once");
            return Poll::Ready(Ok(this.front.close_after(closing, response)));
        }
    }
}

/// The steps after the routes that wait, from `first`, then the rewrap of a non-JSON error
/// (`{code, error}`), in one boxed future.
fn waiting(
    front: Arc<Front>,
    closing: Closing,
    first: Wait,
) -> Pin<Box<dyn Future<Output = (Response, Closing)> + Send>> {
    Box::pin(async move {
        let exchange = &closing.exchange;
        let (method, path) = (&exchange.method, exchange.uri.path());
        let app = &front.app;
        let response = match first {
            Wait::Record(recording) => {
                AssertUnwindSafe(scripted::finish(app, recording, method, path))
                    .catch_unwind()
                    .await
            }
            Wait::Alone(alone) => {
                AssertUnwindSafe(scripted::answer_alone(app, *alone, method, path))
                    .catch_unwind()
                    .await
            }
            Wait::Rewrap(response) => Ok(response),
        };
        let response = response.unwrap_or_else(layers::panic_to_json);
        let response = if layers::needs_json_rewrap(&response) {
            layers::json_errors(method, path, response).await
        } else {
            response
        };
        (response, closing)
    })
}

impl Front {
    /// The watcher records what it found, then the exchange closes ([`Front::close`]).
    fn close_after(&self, closing: Closing, response: Response) -> Response {
        let Closing {
            exchange,
            watch,
            session,
            tag,
        } = closing;
        let found = tag
            .as_ref()
            .or_else(|| response.extensions().get::<SessionTag>());
        watcher::after(
            &self.watcher,
            watch,
            session.as_ref(),
            exchange.uri.path(),
            &response,
            found,
        );
        // A tag handed beside the answer gives its id to the journal; one in the answer's
        // extensions stays there.
        let id = match tag {
            Some(tag) => Some(tag.id),
            None => response
                .extensions()
                .get::<SessionTag>()
                .map(|t| t.id.clone()),
        };
        self.close_as(exchange, response, id)
    }

    /// The last steps of every answer: CORS/CORP on the browser surface, the token cookie, no
    /// reuse of a connection whose body was not read, and the journal line.
    fn close(&self, exchange: Exchange, response: Response) -> Response {
        let id = response
            .extensions()
            .get::<SessionTag>()
            .map(|t| t.id.clone());
        self.close_as(exchange, response, id)
    }

    /// [`Front::close`] of an answer about session `session_id`.
    fn close_as(
        &self,
        exchange: Exchange,
        mut response: Response,
        session_id: Option<String>,
    ) -> Response {
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
                session_id,
            });
        }
        response
    }
}

/// Reads a session-creating body once ([`creation::read`]); it stays on `req`, read. A plain
/// function returning the reading future (not one more future around it).
fn read_creation<'r>(
    front: &Front,
    req: &'r mut Request,
    classified: &Classified,
) -> impl Future<Output = Result<creation::CreationBody, Response>> + Send + 'r {
    let requested = crate::scenarios::selection::requested_in(req.headers());
    let limit = front.app.config.max_body;
    creation::read(req, classified.is_init(), limit, front.bounds(), requested)
}

impl Front {
    /// How long a request body may stall (`--body-timeout`) and take (`--body-deadline`).
    fn bounds(&self) -> layers::BodyBounds {
        layers::BodyBounds {
            gap: self.body_timeout,
            total: self.body_deadline,
        }
    }
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
