//! The capture channel's wire protocol, as the load generator speaks it — isolated here because the
//! protocol is designed in parallel (branch `browser`, `src/video_server/channel*.rs` and the
//! section "Capture channel protocol" of ARCHITECTURE.md). Everything the rest of the load
//! generator knows about the channel goes through these functions, so following a protocol change
//! means editing this file only.
//!
//! Current assumptions (adjust when the channel lands):
//! - URL: `ws://HOST:PORT/video-server/engine.io?sessionId=ID` (the SDK's default `wspath`).
//! - Text frames carrying one JSON object each, with the message kind in `type` (also accepted:
//!   `event`, `kind`, `name`). Engine.IO framing (`0{..}` open, `2` ping, `4{..}` message,
//!   socket.io `42[...]`) is tolerated and unwrapped, and pings are answered.
//! - Client → server: `{"type":"hello","sessionId":ID}` first, `{"type":"startCapture"}` once the
//!   server says the client is initialised.
//! - The server may stamp messages with the time they were scheduled for (epoch milliseconds in
//!   `scheduledAt`, `scheduled`, `at` or `ts`); without it the generator measures tracking-frame
//!   gaps against the nominal interval instead and says so in its report.

use serde_json::{json, Value};

/// What an incoming message means for the session flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `downloadProgress` while the client initialises.
    InitProgress,
    /// The client is initialised: time to send `startCapture`.
    InitDone,
    /// `onClientInitEnd` (after startCapture).
    ClientInitEnd,
    /// A tracking frame (face box or challenge point).
    Tracking,
    /// `showChallengeInstruction`.
    Instruction,
    /// `uploadProgress`.
    UploadProgress,
    /// `showChallengeResult`: the capture ended with a result.
    Result,
    /// `errorFn`: the capture ended with an error.
    Error,
    /// Transport-level keep-alive that needs an answer (Engine.IO ping).
    Ping,
    /// Anything else (kept for the report's "unknown kinds" count).
    Other,
}

/// One decoded incoming message.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// What it means.
    pub kind: Kind,
    /// The `type` string as received (for the report).
    pub type_name: String,
    /// When the server scheduled it, in Unix epoch milliseconds, when it says.
    pub scheduled_epoch_ms: Option<f64>,
    /// The error code of an [`Kind::Error`] message.
    pub error_code: Option<i64>,
}

/// The WebSocket URL of a session's channel. `base` is `http://host:port`.
pub fn ws_url(base: &str, session_id: &str) -> String {
    let ws = base
        .replacen("https://", "wss://", 1)
        .replacen("http://", "ws://", 1);
    format!("{ws}/video-server/engine.io?sessionId={session_id}")
}

/// The first message the client sends.
pub fn hello(session_id: &str, scenario: Option<&str>) -> String {
    let mut m = json!({"type": "hello", "sessionId": session_id});
    if let Some(s) = scenario {
        m["scenario"] = json!(s);
    }
    m.to_string()
}

/// The page's `client.startCapture({stream})`.
pub fn start_capture() -> String {
    json!({"type": "startCapture"}).to_string()
}

/// The answer to a [`Kind::Ping`].
pub fn pong() -> String {
    "3".to_string()
}

/// Decodes one text frame. Never fails: unparseable frames are [`Kind::Other`].
pub fn classify(text: &str) -> Incoming {
    let other = |name: &str| Incoming {
        kind: Kind::Other,
        type_name: name.to_string(),
        scheduled_epoch_ms: None,
        error_code: None,
    };
    // Engine.IO / socket.io framing: a leading packet-type digit (or two).
    let trimmed = text.trim_start();
    if trimmed == "2" {
        return Incoming {
            kind: Kind::Ping,
            ..other("ping")
        };
    }
    let body = trimmed.trim_start_matches(|c: char| c.is_ascii_digit());
    let value: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(_) => return other("<not json>"),
    };
    // socket.io event: ["name", payload]
    let (name, payload) = match &value {
        Value::Array(items) => (
            items
                .first()
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            items.get(1).cloned().unwrap_or(Value::Null),
        ),
        Value::Object(map) => {
            let name = ["type", "event", "kind", "name"]
                .iter()
                .find_map(|k| map.get(*k).and_then(Value::as_str))
                .unwrap_or("")
                .to_string();
            (name, value.clone())
        }
        _ => return other("<not an object>"),
    };
    let kind = kind_of(&name);
    Incoming {
        kind,
        scheduled_epoch_ms: scheduled(&payload).or_else(|| scheduled(&value)),
        error_code: if kind == Kind::Error {
            error_code(&payload)
        } else {
            None
        },
        type_name: name,
    }
}

/// Maps a message name to its meaning, tolerating the spellings a designer might pick.
fn kind_of(name: &str) -> Kind {
    let n = name.to_ascii_lowercase().replace(['_', '-'], "");
    match n.as_str() {
        "downloadprogress" | "initprogress" | "progress" => Kind::InitProgress,
        "ready" | "init" | "initialized" | "initialised" | "initdone" | "initend" | "clientready"
        | "welcome" | "open" => Kind::InitDone,
        "clientinitend" | "oninitend" | "captureinitend" => Kind::ClientInitEnd,
        "tracking" | "track" | "trackinginfo" | "trackingfn" => Kind::Tracking,
        "instruction" | "challengeinstruction" | "showchallengeinstruction" => Kind::Instruction,
        "uploadprogress" | "upload" => Kind::UploadProgress,
        "result" | "challengeresult" | "showchallengeresult" | "done" | "end" => Kind::Result,
        "error" | "errorfn" | "failure" => Kind::Error,
        "ping" => Kind::Ping,
        _ => Kind::Other,
    }
}

/// The scheduled time stamp, when the message carries one as Unix epoch milliseconds.
fn scheduled(v: &Value) -> Option<f64> {
    let map = v.as_object()?;
    ["scheduledAt", "scheduled", "scheduledMs", "at", "ts"]
        .iter()
        .find_map(|k| map.get(*k).and_then(Value::as_f64))
        .filter(|ms| *ms > 1.0e12)
}

/// `code` of an error message, wherever it sits (`code`, `error.code`, `data.code`).
fn error_code(v: &Value) -> Option<i64> {
    v.get("code")
        .and_then(Value::as_i64)
        .or_else(|| v.pointer("/error/code").and_then(Value::as_i64))
        .or_else(|| v.pointer("/data/code").and_then(Value::as_i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_json_tracking_frame_is_tracking_with_its_schedule() {
        let m = classify(r#"{"type":"tracking","scheduledAt":1790000000000.5,"data":{}}"#);
        assert_eq!(m.kind, Kind::Tracking);
        assert_eq!(m.scheduled_epoch_ms, Some(1790000000000.5));
    }

    #[test]
    fn socket_io_event_is_unwrapped() {
        let m = classify(r#"42["showChallengeResult",{}]"#);
        assert_eq!(m.kind, Kind::Result);
    }

    #[test]
    fn error_code_is_found_nested() {
        let m = classify(r#"{"type":"error","error":{"code":1301}}"#);
        assert_eq!(m.kind, Kind::Error);
        assert_eq!(m.error_code, Some(1301));
    }

    #[test]
    fn engine_io_ping_is_recognised() {
        assert_eq!(classify("2").kind, Kind::Ping);
    }

    #[test]
    fn garbage_is_other_not_a_panic() {
        assert_eq!(classify("\u{0}{{").kind, Kind::Other);
    }
}
