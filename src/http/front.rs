//! The front door: the one middleware every request passes through.
//!
//! It does, in order: bound the time a request body may stall (`--body-timeout`); answer CORS
//! preflights; note the request for the journal; let the findings
//! observer look at it ([`observer::before`]); check the API key on the vendor paths
//! ([`auth::authorise`]); run the scenario's REST playback around the
//! router ([`rest::playback`]), turning a handler panic into a JSON 500; rewrap any non-JSON error
//! as `{code, error}`; let the observer record what it found ([`observer::after`]); add CORS/CORP
//! headers; write the journal line.
//!
//! These steps were once six tower layers. Run as plain function calls in one middleware (one
//! boxed future instead of six, no per-layer service clone) a capabilities request went from
//! 17.1 to 13.0 µs of CPU in an A/B on the same machine (bench/PERF-NOTES.md). The order above is
//! the invariant ARCHITECTURE.md describes. The door is a [`FrontDoor`] service wrapped around
//! the whole router rather than a `Router::layer`, which would wrap every route in it (and in the
//! body limit) again: one boxed future per request instead of four, and no per-request clone of
//! boxed services.

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

use super::{
    auth, guard,
    layers::{self, SessionTag},
};
use crate::{
    control::{
        journal::JournalEntry,
        observer::{self, ObserverState},
    },
    scenarios::rest,
    state::AppState,
};

/// What the front door needs: the app and the findings observer's memory. Cheap to clone.
#[derive(Clone)]
pub struct Front {
    app: AppState,
    observer: ObserverState,
    guard: super::guard::Guard,
    body_timeout: std::time::Duration,
    body_deadline: std::time::Duration,
}

impl Front {
    /// The front door of `app`, with a fresh findings observer.
    pub fn new(app: AppState) -> Self {
        Front {
            observer: ObserverState::new(app.clone()),
            guard: super::guard::Guard::new(&app.config),
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
                            observer::on_refused_preflight(&front.observer, &req);
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
                .map(|t| t.0.clone()),
        });
    }
    response
}

/// Observer, key check, REST playback around the routes (panic → JSON 500), JSON errors.
async fn serve(
    front: &Front,
    req: Request,
    routes: Routes,
    method: &axum::http::Method,
    uri: &axum::http::Uri,
) -> Response {
    match observer::before(&front.observer, req).await {
        Err(refused) => refused,
        Ok((req, watch)) => {
            let response = match auth::authorise(&front.app, req) {
                Err(refused) => axum::response::IntoResponse::into_response(refused),
                Ok(req) => {
                    let played = AssertUnwindSafe(rest::playback(&front.app, req, routes))
                        .catch_unwind()
                        .await;
                    match played {
                        Ok(response) => response,
                        Err(panic) => layers::panic_to_json(panic),
                    }
                }
            };
            let response = layers::json_errors(method, uri.path(), response).await;
            observer::after(&front.observer, watch, uri.path(), &response);
            response
        }
    }
}
