//! Helpers shared by the scenario and admin integration tests.
#![allow(dead_code)]

use std::{path::Path, time::Duration};

use serde_json::Value;
use webcapture_emulator::{
    capture,
    scenarios::{model::LivenessMode, selection::SelectionInput},
    server::{self, Running},
    sessions::{store::SharedSession, SessionParams},
    Config,
};

/// A running emulator with default test flags.
pub async fn start() -> Running {
    server::start(Config::for_tests())
        .await
        .expect("server starts")
}

/// A running emulator layered over `dir`.
pub async fn start_with_dir(dir: &Path, watch_poll: Option<u64>) -> Running {
    server::start(Config {
        scenarios: Some(dir.to_path_buf()),
        watch_poll,
        ..Config::for_tests()
    })
    .await
    .expect("server starts")
}

/// Creation parameters of a plain passive session.
pub fn params(mode: LivenessMode) -> SessionParams {
    SessionParams::new(mode)
}

/// Creates a session the way init-liveness-session does, with an optional requested scenario.
pub fn session(running: &Running, requested: Option<&str>) -> SharedSession {
    capture::create_session(
        &running.state,
        params(LivenessMode::LivenessPassive),
        SelectionInput {
            requested: requested.map(str::to_string),
            api_key: Some("key".into()),
        },
        Some("127.0.0.1 test-agent".into()),
    )
    .expect("session created")
}

/// The scenario name a session plays.
pub fn scenario_of(s: &SharedSession) -> String {
    s.lock().scenario_name.clone()
}

/// An HTTP client.
pub fn http() -> reqwest::Client {
    reqwest::Client::new()
}

/// GET `url` as JSON (status, body).
pub async fn get_json(url: &str) -> (u16, Value) {
    let r = http().get(url).send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Sends `method url` with a JSON (or raw) body; returns (status, body).
pub async fn send(method: reqwest::Method, url: &str, body: Option<&str>) -> (u16, Value) {
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

/// The catalogue entry `name` from `GET /__emulator/scenarios`.
pub async fn listed(running: &Running, name: &str) -> Option<Value> {
    let (_, list) = get_json(&format!("{}/__emulator/scenarios", running.url())).await;
    list.as_array()?.iter().find(|e| e["name"] == name).cloned()
}

/// Polls `check` every 20 ms until it holds (gives up after 10 s, which only a broken reload hits).
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
