//! Answers read the way an integrator reads them: ids from `Location`, the vendor's JSON errors,
//! plain JSON calls, and snapshot redactions.

use std::{net::SocketAddr, time::Duration};

use reqwest::{Method, Response};
use serde_json::Value;

use super::emulator::TestEmulator;

/// The API key the tests send (any non-empty key is accepted by default).
pub const KEY: &str = "test-key";

/// The bytes of an embedded fixture.
pub fn fixture(name: &str) -> Vec<u8> {
    webcapture_emulator::internals::fixtures::image(name)
        .expect("fixture exists")
        .bytes
        .to_vec()
}

/// The `Location` header.
pub fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .expect("Location header")
        .to_str()
        .expect("ascii")
        .to_string()
}

/// The session id as the sample app extracts it.
pub fn session_id(res: &Response) -> String {
    after(&location(res), "/bio-sessions/")
}

/// The face id as the sample app extracts it.
pub fn face_id(res: &Response) -> String {
    after(&location(res), "/faces/")
}

/// What follows `marker` in a `Location`.
fn after(location: &str, marker: &str) -> String {
    location
        .split(marker)
        .nth(1)
        .unwrap_or_else(|| panic!("Location {location:?} has {marker}"))
        .to_string()
}

/// Asserts a JSON error answer with this status whose message contains `words`.
pub async fn assert_error(res: Response, status: u16, words: &str) -> Value {
    assert_eq!(res.status(), status);
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(content_type.contains("json"), "content-type {content_type}");
    let body: Value = res.json().await.expect("json error body");
    assert_eq!(body["code"], status);
    let message = body["error"].as_str().expect("error message");
    assert!(
        message.contains(words),
        "error message {message:?} should contain {words:?}"
    );
    body
}

/// GET `url` as JSON (status, body; `null` when the body is not JSON).
pub async fn get_json(url: &str) -> (u16, Value) {
    request(Method::GET, url, None).await
}

/// Sends `method url` with a JSON (or raw) body; returns (status, body; `null` when not JSON).
pub async fn request(method: Method, url: &str, body: Option<&str>) -> (u16, Value) {
    let mut req = http().request(method, url);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Serves `app` on a free loopback port (a stand-in for the integrator's back end, e.g. the
/// receiver of result callbacks) until the test's runtime ends; returns where.
pub async fn serve_on_loopback(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// Polls `check` every 20 ms until it holds (gives up after 10 s, which only a broken emulator hits).
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..500 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("never happened: {what}");
}

/// Insta settings that redact ids, digests and dates wherever they occur.
pub fn redacted() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    for selector in [
        ".id",
        ".**.id",
        ".bestImageId",
        ".created",
        ".**.created",
        ".expires",
        ".**.expires",
        ".**.key",
        ".signature",
    ] {
        settings.add_redaction(
            selector,
            format!(
                "[{}]",
                selector.trim_start_matches(".**.").trim_start_matches('.')
            ),
        );
    }
    settings
}

/// A plain HTTP client (no API key), as a browser or a curl would call.
pub fn http() -> reqwest::Client {
    reqwest::Client::new()
}

/// The catalogue entry `name` from `GET /__emulator/scenarios`.
pub async fn listed(emu: &TestEmulator, name: &str) -> Option<Value> {
    let (_, list) = get_json(&emu.admin("/scenarios")).await;
    list.as_array()?.iter().find(|e| e["name"] == name).cloned()
}
