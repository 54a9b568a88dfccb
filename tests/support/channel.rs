//! The capture channel's WebSocket client, as the SDK page plays it: connect, send, read the
//! next message (or how the channel ended), and the session's view of what happened.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    connect_async,
    tungstenite::{client::IntoClientRequest, http::HeaderValue, protocol::CloseFrame, Message},
    MaybeTlsStream, WebSocketStream,
};

use super::{emulator::TestEmulator, internals::SharedSession};

/// The page's end of the capture channel.
pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Where the SDK opens the capture channel.
pub const CHANNEL_PATH: &str = "/video-server/engine.io";

impl TestEmulator {
    /// Opens the capture channel as the SDK page does.
    pub async fn channel(&self) -> Ws {
        self.channel_at(CHANNEL_PATH).await
    }

    /// Opens a WebSocket at `path` (e.g. a mount the page should not use).
    pub async fn channel_at(&self, path: &str) -> Ws {
        let url = format!("ws://{}{}", self.addr(), path);
        let (ws, _) = connect_async(url).await.expect("websocket upgrade");
        ws
    }

    /// Opens the capture channel as a device whose `User-Agent` is `device` (lockout counts per
    /// IP + User-Agent, so distinct devices never lock each other out).
    pub async fn channel_as(&self, device: &str) -> Ws {
        let url = format!("ws://{}{CHANNEL_PATH}", self.addr());
        let mut request = url.into_client_request().expect("channel URL");
        request.headers_mut().insert(
            "user-agent",
            HeaderValue::from_str(device).expect("ASCII user agent"),
        );
        let (ws, _) = connect_async(request).await.expect("websocket upgrade");
        ws
    }
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
    wait_state_for(session, state, Duration::from_secs(2)).await
}

/// Like [`wait_state`], for ends that take a timeout: polls the summary for up to `limit`.
pub async fn wait_state_for(session: &SharedSession, state: &str, limit: Duration) -> Value {
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
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

/// The scenario name a session plays.
pub fn scenario_of(session: &SharedSession) -> String {
    session.lock().scenario_name.clone()
}
