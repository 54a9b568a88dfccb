//! The capture channel's wire protocol, as the load generator speaks it — isolated here because the
//! protocol is designed in parallel (branch `browser`, `src/video_server/channel*.rs` and the
//! section "Capture channel protocol" of ARCHITECTURE.md). Everything the rest of the load
//! generator knows about the channel goes through these functions, so following a protocol change
//! means editing this file only.
//!
//! The protocol as of branch `browser` commit a0a0bbe (`channel/protocol.rs`):
//! - URL: `ws://HOST:PORT/video-server/engine.io` (the SDK's default `wspath`; the session is
//!   named in `hello`, the query string is only a convenience for logs).
//! - One JSON object per text frame, kind in `type`.
//! - Client → server: `{"type":"hello","sessionId":ID}` first, `{"type":"startCapture"}` after the
//!   server's `init`.
//! - Server → client: `tracking` (`data.downloadProgress` during init, `data.uploadProgress`
//!   while uploading, else a tracking frame), `init`, `clientInitEnd`, `instruction`, `error`
//!   (`data.code`), `result` (`data.bestImageInfo`).
//! - Tracking frames carry `scheduledAt` (Unix epoch milliseconds when the scenario had them due),
//!   so scheduled-vs-actual delay is measured directly. Against a server without it (`scheduled`,
//!   `at` or `ts` are also read), the generator falls back to the gaps between consecutive
//!   face-tracking frames against their nominal interval (and says so in its report).
//! - Tolerated for robustness against protocol drift: the kind in `event`/`kind`/`name`, and
//!   Engine.IO framing (`2` ping answered with `3`, `4{..}`, socket.io `42[...]`).

use std::borrow::Cow;

use serde::de::IgnoredAny;
use serde_json::{json, value::RawValue, Value};

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
/// The scenario is chosen by the `X-Emulator-Scenario` header on init, so `hello` carries none.
pub fn hello(session_id: &str) -> String {
    json!({"type": "hello", "sessionId": session_id, "sdk": "loadgen"}).to_string()
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
    if let Some(fast) = classify_plain(body) {
        return fast;
    }
    let value: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(_) => return other("<not json>"),
    };
    // socket.io event: ["name", payload]. Borrowed, not cloned: the load generator shares the
    // machine with the server, so every microsecond it spends per frame is taken from the server.
    static NULL: Value = Value::Null;
    let (name, payload): (String, &Value) = match &value {
        Value::Array(items) => (
            items
                .first()
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            items.get(1).unwrap_or(&NULL),
        ),
        Value::Object(map) => {
            let name = ["type", "event", "kind", "name"]
                .iter()
                .find_map(|k| map.get(*k).and_then(Value::as_str))
                .unwrap_or("")
                .to_string();
            (name, &value)
        }
        _ => return other("<not an object>"),
    };
    let mut kind = kind_of(&name);
    // `tracking` also carries init and upload progress; only face frames keep their 100 ms rhythm.
    if kind == Kind::Tracking {
        if let Some(data) = payload.get("data").filter(|d| d.is_object()) {
            if data.get("downloadProgress").is_some() {
                kind = Kind::InitProgress;
            } else if data.get("uploadProgress").is_some() {
                kind = Kind::UploadProgress;
            }
        }
    }
    Incoming {
        kind,
        scheduled_epoch_ms: scheduled(payload).or_else(|| scheduled(&value)),
        error_code: if kind == Kind::Error {
            error_code(payload)
        } else {
            None
        },
        type_name: name,
    }
}

/// A frame in the channel's own framing (one object with `type`), read without building a JSON
/// tree or allocating: with 10,000 sessions the generator decodes 100,000 frames a second on the
/// server's machine, so every microsecond it spends per frame is taken from the server.
#[derive(serde::Deserialize)]
struct Plain<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    code: Option<i64>,
    error: Option<PlainCode>,
    #[serde(rename = "scheduledAt")]
    scheduled_at: Option<f64>,
    scheduled: Option<f64>,
    #[serde(rename = "scheduledMs")]
    scheduled_ms: Option<f64>,
    at: Option<f64>,
    ts: Option<f64>,
}

/// `data` of a plain frame when it is an object: only what [`classify`] looks at.
#[derive(serde::Deserialize)]
struct PlainData {
    #[serde(rename = "downloadProgress")]
    download_progress: Option<IgnoredAny>,
    #[serde(rename = "uploadProgress")]
    upload_progress: Option<IgnoredAny>,
    code: Option<i64>,
    #[serde(rename = "scheduledAt")]
    scheduled_at: Option<f64>,
}

/// `{code}` of an error object.
#[derive(serde::Deserialize)]
struct PlainCode {
    code: Option<i64>,
}

/// [`classify`] for the common case; `None` sends the frame down the tolerant path (another
/// framing, a kind under another key, or a field of an unexpected type).
fn classify_plain(body: &str) -> Option<Incoming> {
    let plain: Plain<'_> = serde_json::from_str(body).ok()?;
    let name = plain.kind?;
    let mut kind = kind_of(&name);
    // `data` is an object for tracking frames and errors, a string for instructions.
    let data: Option<PlainData> = plain
        .data
        .filter(|raw| raw.get().starts_with('{'))
        .and_then(|raw| serde_json::from_str(raw.get()).ok());
    let data = data.as_ref();
    if kind == Kind::Tracking {
        if let Some(data) = data {
            if data.download_progress.is_some() {
                kind = Kind::InitProgress;
            } else if data.upload_progress.is_some() {
                kind = Kind::UploadProgress;
            }
        }
    }
    let scheduled_epoch_ms = [
        data.and_then(|d| d.scheduled_at),
        plain.scheduled_at,
        plain.scheduled,
        plain.scheduled_ms,
        plain.at,
        plain.ts,
    ]
    .into_iter()
    .flatten()
    .find(|ms| *ms > 1.0e12);
    let error_code = (kind == Kind::Error)
        .then(|| {
            plain
                .code
                .or_else(|| plain.error.as_ref().and_then(|e| e.code))
                .or_else(|| data.and_then(|d| d.code))
        })
        .flatten();
    Some(Incoming {
        kind,
        // Only unknown kinds are reported by name.
        type_name: if kind == Kind::Other {
            name.into_owned()
        } else {
            String::new()
        },
        scheduled_epoch_ms,
        error_code,
    })
}

/// Maps a message name to its meaning, tolerating the spellings a designer might pick.
fn kind_of(name: &str) -> Kind {
    // The channel's own names first, without normalising (no allocation per frame).
    match name {
        "tracking" => return Kind::Tracking,
        "init" => return Kind::InitDone,
        "clientInitEnd" => return Kind::ClientInitEnd,
        "instruction" => return Kind::Instruction,
        "result" => return Kind::Result,
        "error" => return Kind::Error,
        _ => {}
    }
    let n = name.to_ascii_lowercase().replace(['_', '-'], "");
    match n.as_str() {
        "downloadprogress" | "initprogress" | "progress" => Kind::InitProgress,
        "ready" | "init" | "initialized" | "initialised" | "initdone" | "initend"
        | "clientready" | "welcome" | "open" => Kind::InitDone,
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
    fn download_progress_rides_on_tracking_but_is_init_progress() {
        let m = classify(r#"{"type":"tracking","data":{"downloadProgress":0.2}}"#);
        assert_eq!(m.kind, Kind::InitProgress);
        let m = classify(r#"{"type":"tracking","data":{"uploadProgress":0.2}}"#);
        assert_eq!(m.kind, Kind::UploadProgress);
    }

    #[test]
    fn channel_error_code_sits_in_data() {
        let m = classify(r#"{"type":"error","data":{"code":1301,"error":"timeout"}}"#);
        assert_eq!(m.error_code, Some(1301));
    }

    #[test]
    fn the_channel_own_frames_take_the_fast_path_with_the_same_meaning() {
        let frames = [
            (
                r#"{"type":"tracking","data":{"x":1,"y":[1,2]}}"#,
                Kind::Tracking,
            ),
            (
                r#"{"type":"tracking","data":{"downloadProgress":0.5}}"#,
                Kind::InitProgress,
            ),
            (
                r#"{"type":"instruction","data":"TRACKER_CHALLENGE_PENDING"}"#,
                Kind::Instruction,
            ),
            (r#"{"type":"clientInitEnd"}"#, Kind::ClientInitEnd),
            (
                r#"{"type":"init","livenessMode":"LIVENESS_PASSIVE","browser":{}}"#,
                Kind::InitDone,
            ),
            (
                r#"{"type":"result","data":{"bestImageInfo":null}}"#,
                Kind::Result,
            ),
        ];
        for (text, kind) in frames {
            assert!(classify_plain(text).is_some(), "{text}");
            assert_eq!(classify(text).kind, kind, "{text}");
        }
        let m = classify_plain(r#"{"type":"error","data":{"code":429,"error":"x"}}"#).unwrap();
        assert_eq!((m.kind, m.error_code), (Kind::Error, Some(429)));
        let m = classify_plain(r#"{"type":"tracking","data":{"scheduledAt":1790000000000.0}}"#);
        assert_eq!(m.unwrap().scheduled_epoch_ms, Some(1790000000000.0));
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
