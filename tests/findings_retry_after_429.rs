//! "A 429 answered by retrying at once": the request observer remembers a 429 on
//! init-liveness-session per client and flags a new init from that client within the window.
//! Tested on a router whose init endpoint is scripted, so the 429 does not depend on scenarios.

mod support;

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use axum::{
    body::Body,
    http::{Request, StatusCode},
    middleware,
    routing::post,
    Router,
};
use support::internals::{findings, observe, AppState, Config, Watcher, RETRY_WINDOW};
use tower::ServiceExt;

/// A router whose init answers 429 the first `busy` times, then 404 (no session).
fn router(app: &AppState, obs: Watcher, busy: usize) -> Router {
    let calls = Arc::new(AtomicUsize::new(0));
    Router::new()
        .route(
            "/video-server/init-liveness-session",
            post(move || {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < busy {
                        StatusCode::TOO_MANY_REQUESTS
                    } else {
                        StatusCode::NOT_FOUND
                    }
                }
            }),
        )
        .layer(middleware::from_fn_with_state(obs, observe))
        .with_state(app.clone())
}

fn init() -> Request<Body> {
    Request::post("/video-server/init-liveness-session")
        .header("apikey", "k")
        .header("user-agent", "integrator-backend")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"livenessMode":"LIVENESS_PASSIVE"}"#))
        .expect("request")
}

fn retries(obs: &Watcher) -> usize {
    obs.unattached()
        .iter()
        .filter(|f| f.rule == findings::RETRY_AFTER_429_AT_ONCE)
        .count()
}

#[tokio::test]
async fn retrying_init_at_once_after_a_429_is_a_finding() {
    let app = AppState::new(Config::for_tests());
    let obs = Watcher::new(app.clone());
    let r = router(&app, obs.clone(), 1);
    r.clone().oneshot(init()).await.expect("first");
    r.oneshot(init()).await.expect("retry");
    assert_eq!(retries(&obs), 1);
}

#[tokio::test]
async fn waiting_before_retrying_after_a_429_raises_nothing() {
    let app = AppState::new(Config::for_tests());
    let obs = Watcher::new(app.clone());
    let r = router(&app, obs.clone(), 1);
    r.clone().oneshot(init()).await.expect("first");
    tokio::time::sleep(RETRY_WINDOW + std::time::Duration::from_millis(100)).await;
    r.oneshot(init()).await.expect("later");
    assert_eq!(retries(&obs), 0);
}

#[tokio::test]
async fn two_inits_without_a_429_raise_nothing() {
    let app = AppState::new(Config::for_tests());
    let obs = Watcher::new(app.clone());
    let r = router(&app, obs.clone(), 0);
    r.clone().oneshot(init()).await.expect("first");
    r.oneshot(init()).await.expect("second");
    assert_eq!(retries(&obs), 0);
}
