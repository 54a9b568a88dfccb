//! Shared harness for the fuzz targets: one emulator router built once per process, driven with
//! `tower::ServiceExt::oneshot` exactly as the server would drive it (including the peer address
//! the real server attaches), and the invariant every target checks on every answer.

use std::net::SocketAddr;
use std::sync::OnceLock;

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{Request, Response},
    Router,
};
use tower::ServiceExt;
use webcapture_emulator::{AppState, Config};

/// The router and a current-thread runtime, built on first use.
pub struct Harness {
    /// A single-threaded runtime: fuzzing is single-threaded and a runtime per input is too slow.
    pub runtime: tokio::runtime::Runtime,
    /// The emulator's whole HTTP surface with test configuration (no waiting, fixed seed).
    pub router: Router,
}

/// The process-wide harness.
pub fn harness() -> &'static Harness {
    static H: OnceLock<Harness> = OnceLock::new();
    H.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime (harness setup, not input)");
        let router = {
            let _guard = runtime.enter();
            webcapture_emulator::router(AppState::new(Config {
                lockout_attempts: 0,
                ..Config::for_tests()
            }))
        };
        Harness { runtime, router }
    })
}

/// Sends one request through the router and returns the response with its body collected.
pub fn send(mut req: Request<Body>) -> (Response<()>, Vec<u8>) {
    let h = harness();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    h.runtime.block_on(async {
        let res = h
            .router
            .clone()
            .oneshot(req)
            .await
            .unwrap_or_else(|e| match e {});
        let (parts, body) = res.into_parts();
        let bytes = axum::body::to_bytes(body, 64 * 1024 * 1024)
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default();
        (Response::from_parts(parts, ()), bytes)
    })
}

/// The project's invariant for bad input: never a 5xx, and every error answer is a JSON
/// `{code, error}` object. Panics (= a fuzzer finding) with the details otherwise.
pub fn check_answer(what: &str, res: &Response<()>, body: &[u8]) {
    let status = res.status();
    assert!(
        !status.is_server_error(),
        "{what}: answered {status} to bad input: {}",
        String::from_utf8_lossy(&body[..body.len().min(300)])
    );
    if status.is_client_error() {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_else(|e| {
            panic!(
                "{what}: {status} with a non-JSON body ({e}): {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            )
        });
        assert!(
            v.get("code").is_some() && v.get("error").is_some(),
            "{what}: {status} error body without code/error: {v}"
        );
    }
}
