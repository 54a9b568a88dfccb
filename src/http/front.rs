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
//! the invariant ARCHITECTURE.md describes.

use std::{panic::AssertUnwindSafe, time::Instant};

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use futures_util::FutureExt;

use super::{
    auth,
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
    body_timeout: std::time::Duration,
}

impl Front {
    /// The front door of `app`, with a fresh findings observer.
    pub fn new(app: AppState) -> Self {
        Front {
            observer: ObserverState::new(app.clone()),
            body_timeout: std::time::Duration::from_secs(app.config.body_timeout.max(1)),
            app,
        }
    }
}

/// The middleware (layered on the whole router in `lib.rs`).
pub async fn front(State(front): State<Front>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let uri = req.uri().clone();
    let req = layers::with_body_timeout(req, front.body_timeout);
    let mut response = match layers::preflight(&req) {
        Some(answer) => answer,
        None => match observer::before(&front.observer, req).await {
            Err(refused) => refused,
            Ok((req, watch)) => {
                let response = match auth::authorise(&front.app, req) {
                    Err(refused) => axum::response::IntoResponse::into_response(refused),
                    Ok(req) => {
                        let played = AssertUnwindSafe(rest::playback(&front.app, req, next))
                            .catch_unwind()
                            .await;
                        match played {
                            Ok(response) => response,
                            Err(panic) => layers::panic_to_json(panic),
                        }
                    }
                };
                let response = layers::json_errors(&method, uri.path(), response).await;
                observer::after(&front.observer, watch, uri.path(), &response);
                response
            }
        },
    };
    layers::add_cors_headers(response.headers_mut());
    if response.status() == axum::http::StatusCode::REQUEST_TIMEOUT {
        // The rest of the body may never come: the connection cannot be reused.
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
            uri: uri.to_string().into_boxed_str(),
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
