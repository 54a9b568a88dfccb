// Shared helpers for the channel tests (included with `mod` by each channel_*.rs file).
#![allow(dead_code)]

use std::{sync::Arc, time::Duration};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    connect_async,
    tungstenite::{protocol::CloseFrame, Message},
    MaybeTlsStream, WebSocketStream,
};
use webcapture_emulator::{
    capture,
    scenarios::{
        library::{Entry, Source},
        model::{LivenessMode, Scenario},
        selection::SelectionInput,
    },
    server::{self, Running},
    sessions::{store::SharedSession, SessionParams},
    Config,
};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// An emulator with no waiting and a fixed seed.
pub async fn emulator() -> Running {
    server::start(Config::for_tests())
        .await
        .expect("server starts")
}

/// Adds a scenario to the running catalogue (as a scenario file would).
pub fn add_scenario(running: &Running, name: &str, scenario: Value) {
    let scenario: Scenario = serde_json::from_value(scenario).expect("valid scenario");
    running.state.scenarios.put(Entry {
        name: name.to_string(),
        source: Source::File,
        scenario: Some(Arc::new(scenario)),
        error: None,
        loaded_at: None,
    });
}

/// Creates a session the way init-liveness-session does.
pub fn session(
    running: &Running,
    mode: LivenessMode,
    scenario: Option<&str>,
) -> (String, SharedSession) {
    let params = SessionParams::new(mode);
    let input = SelectionInput {
        requested: scenario.map(str::to_string),
        ..Default::default()
    };
    let shared = capture::create_session(&running.state, params, input, None).expect("session");
    let id = shared.lock().id.clone();
    (id, shared)
}

/// Opens the channel at `path` (e.g. `/video-server/engine.io`).
pub async fn connect(running: &Running, path: &str) -> Ws {
    let url = format!("ws://{}{}", running.addr, path);
    let (ws, _) = connect_async(url).await.expect("websocket upgrade");
    ws
}

/// Sends a JSON message.
pub async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into()))
        .await
        .expect("send");
}

/// What the page observes next.
#[derive(Debug)]
pub enum Got {
    Msg(Value),
    Closed(Option<(u16, String)>),
    Dropped,
    Nothing,
}

/// The next message, close or drop (waits at most `ms`).
pub async fn next(ws: &mut Ws, ms: u64) -> Got {
    loop {
        match tokio::time::timeout(Duration::from_millis(ms), ws.next()).await {
            Err(_) => return Got::Nothing,
            Ok(None) => return Got::Dropped,
            Ok(Some(Err(_))) => return Got::Dropped,
            Ok(Some(Ok(Message::Text(t)))) => {
                return Got::Msg(serde_json::from_str(t.as_str()).expect("server sends JSON"))
            }
            Ok(Some(Ok(Message::Close(f)))) => {
                return Got::Closed(
                    f.map(|CloseFrame { code, reason }| (u16::from(code), reason.to_string())),
                )
            }
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// Messages until the channel closes or goes quiet; returns them and how it ended.
pub async fn drain(ws: &mut Ws) -> (Vec<Value>, Got) {
    let mut out = Vec::new();
    loop {
        match next(ws, 3000).await {
            Got::Msg(m) => out.push(m),
            end => return (out, end),
        }
    }
}

/// `hello` for a session.
pub fn hello(id: &str) -> Value {
    json!({"type": "hello", "sessionId": id, "scenario": null, "userAgent": "channel-test"})
}

/// Plays hello → init, returning the messages before init and the init message.
pub async fn open_until_init(ws: &mut Ws, id: &str) -> (Vec<Value>, Value) {
    send(ws, hello(id)).await;
    let mut before = Vec::new();
    loop {
        match next(ws, 3000).await {
            Got::Msg(m) if m["type"] == "init" => return (before, m),
            Got::Msg(m) => before.push(m),
            other => panic!("channel ended before init: {other:?} after {before:?}"),
        }
    }
}

/// The `type` of each message, with the instruction value for instructions.
pub fn kinds(msgs: &[Value]) -> Vec<String> {
    msgs.iter()
        .map(|m| match m["type"].as_str().unwrap_or("?") {
            "instruction" => format!("instruction:{}", m["data"].as_str().unwrap_or("")),
            t => t.to_string(),
        })
        .collect()
}

/// Waits until the session reaches `state` (the runner ends asynchronously).
pub async fn wait_state(session: &SharedSession, state: &str) -> Value {
    for _ in 0..100 {
        let summary = session.lock().summary();
        if summary["state"] == state {
            return summary;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "session never reached {state}: {}",
        session.lock().summary()
    );
}

/// The session's transcript as JSON.
pub fn transcript(session: &SharedSession) -> Vec<Value> {
    session
        .lock()
        .transcript
        .events()
        .iter()
        .map(|e| serde_json::to_value(e).unwrap_or(Value::Null))
        .collect()
}
