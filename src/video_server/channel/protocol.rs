//! The capture channel's wire protocol: one JSON object per WebSocket text frame, with a `type`.
//!
//! Both ends belong to the project (the stub SDK and this server), so the protocol is small and
//! strict: every inbound frame is parsed into [`ClientMessage`] and anything else is a protocol
//! error that closes the channel with a reason saying what was wrong. The full description is in
//! `ARCHITECTURE.md`, section "Capture channel protocol".

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Largest inbound frame of any type except `bestImage` (2 MB).
pub const MAX_MESSAGE: usize = 2 * 1024 * 1024;
/// Largest `bestImage` frame (8 MB: a base64 JPEG of a full-HD camera frame fits easily).
pub const MAX_BEST_IMAGE: usize = 8 * 1024 * 1024;
/// Largest frame the WebSocket layer accepts at all after `hello` (the `bestImage` limit: no
/// message may be larger); a bigger one is refused with close 1009 as its header arrives, before
/// it is buffered. Before `hello` far less is accepted (`channel::MAX_BYTES_BEFORE_HELLO`).
pub const MAX_FRAME: usize = MAX_BEST_IMAGE;
/// WebSocket close reasons are limited to 123 bytes by RFC 6455.
const MAX_REASON: usize = 123;

/// What the page (stub SDK) may send.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum ClientMessage {
    /// First frame: which session this channel plays, and the page's scenario hint.
    #[serde(rename_all = "camelCase")]
    Hello {
        /// The `bioSessionId` given to `initFaceCaptureClient`.
        session_id: String,
        /// Page hint (`emulator-scenario` query parameter or `window.WEBCAPTURE_EMULATOR.scenario`).
        #[serde(default)]
        scenario: Option<String>,
        /// `navigator.userAgent`, for the transcript.
        #[serde(default)]
        user_agent: Option<String>,
        /// The stub SDK's version, for the transcript.
        #[serde(default)]
        sdk: Option<String>,
    },
    /// `client.startCapture({stream})`: capture timeouts start now.
    StartCapture,
    /// `client.cancel()` (the page gives up; the session ends without a result).
    Cancel,
    /// A frame of the user's camera (base64 JPEG or PNG), used as the best image when the scenario
    /// says `browser.bestImage: "camera"`.
    BestImage {
        /// Base64 image bytes (a `data:` URL prefix is tolerated).
        data: String,
    },
    /// A page-side integration rule the stub saw broken: recorded in the transcript and, when
    /// `code` names a rule of [`crate::findings`], raised as that session's finding.
    Finding {
        /// The rule id (`missing-callback-option`, `video-before-client-init-end`...); unknown ids
        /// only reach the transcript.
        #[serde(default)]
        code: Option<String>,
        /// Human explanation.
        #[serde(default)]
        message: Option<String>,
        /// Free details.
        #[serde(default)]
        data: Option<Value>,
    },
}

impl ClientMessage {
    /// The `type` string, for messages about protocol errors.
    pub fn kind(&self) -> &'static str {
        match self {
            ClientMessage::Hello { .. } => "hello",
            ClientMessage::StartCapture => "startCapture",
            ClientMessage::Cancel => "cancel",
            ClientMessage::BestImage { .. } => "bestImage",
            ClientMessage::Finding { .. } => "finding",
        }
    }
}

/// A tracking frame's wire text with `scheduledAt` (Unix epoch milliseconds when the scenario
/// had it due) as its first member, so a client can measure how late frames arrive (the load
/// generator's scheduled-vs-actual delay). Only the wire carries it: the transcript keeps the
/// frame as planned, with the time it was sent.
pub fn stamped(frame: &str, scheduled_at_ms: u64) -> String {
    use std::fmt::Write;
    let rest = frame.strip_prefix('{').unwrap_or(frame);
    let mut text = String::with_capacity(frame.len() + 32);
    let separator = if rest.trim_start() == "}" { "" } else { "," };
    let _ = write!(text, "{{\"scheduledAt\":{scheduled_at_ms}{separator}{rest}");
    text
}

/// What the server sends; each maps to one SDK callback (see ARCHITECTURE.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ServerMessage {
    /// Init succeeded: the stub resolves `initFaceCaptureClient` with a client.
    #[serde(rename_all = "camelCase")]
    Init {
        /// The session's liveness mode (the page never passes it; the stub learns it here).
        liveness_mode: String,
        /// Join-the-dots targets.
        number_of_challenge: u32,
        /// The scenario the session plays.
        scenario: String,
        /// The scenario's browser-side part (camera, best-image source...).
        browser: Value,
    },
    /// `trackingFn(data)`.
    Tracking {
        /// The tracking frame.
        data: Value,
    },
    /// `showChallengeInstruction(data)`.
    Instruction {
        /// TRACKER_CHALLENGE_DONT_MOVE, FACEFLOW_CHALLENGE_2D, TRACKER_CHALLENGE_PENDING...
        data: String,
    },
    /// `onClientInitEnd()`.
    ClientInitEnd,
    /// `errorFn(data)` (during init: the client promise rejects, then `errorFn`).
    Error {
        /// `{code, error, unlockDateTime?}`.
        data: Value,
    },
    /// `showChallengeResult(data)`; the result is already final in core and GIPS.
    Result {
        /// `{bestImageInfo}`.
        data: Value,
    },
}

impl ServerMessage {
    /// The JSON form (what goes on the wire and into the transcript).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The frame's text, serialized straight from the message (no intermediate [`Value`]).
    pub fn to_text(&self) -> crate::sessions::transcript::JsonText {
        crate::sessions::transcript::JsonText::of(self)
    }
}

/// Why an inbound frame was refused; its text becomes the close reason.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtocolError {
    /// WebSocket close code: 1002 (WebSocket protocol error), 1003 (unsupported data), 1007
    /// (invalid payload: not JSON, not UTF-8, not an image), 1008 (policy) or 1009 (too big).
    pub close_code: u16,
    /// What was wrong.
    pub reason: String,
}

impl ProtocolError {
    fn new(close_code: u16, reason: impl Into<String>) -> Self {
        ProtocolError {
            close_code,
            reason: reason.into(),
        }
    }

    /// A message that breaks the protocol's order (e.g. `startCapture` before `hello`).
    pub fn out_of_order(reason: impl Into<String>) -> Self {
        Self::new(1008, reason)
    }

    /// The close reason, cut to what a close frame can carry.
    pub fn close_reason(&self) -> String {
        truncate_reason(&self.reason)
    }
}

/// Cuts `text` to the 123 bytes a close frame may carry, on a character boundary.
pub fn truncate_reason(text: &str) -> String {
    if text.len() <= MAX_REASON {
        return text.to_string();
    }
    let mut end = MAX_REASON - 3;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// Validates and parses one text frame.
pub fn parse_text(text: &str) -> Result<ClientMessage, ProtocolError> {
    if text.len() > MAX_BEST_IMAGE {
        return Err(ProtocolError::new(
            1009,
            format!("message of {} bytes exceeds the 8 MB limit", text.len()),
        ));
    }
    let message: ClientMessage = serde_json::from_str(text).map_err(|e| {
        // Text that is not JSON is an invalid payload (1007); JSON that is not one of the
        // protocol's messages is data the channel does not take (1003).
        if serde_json::from_str::<serde::de::IgnoredAny>(text).is_err() {
            ProtocolError::new(1007, format!("not JSON: {e}"))
        } else {
            ProtocolError::new(1003, format!("invalid message: {e}"))
        }
    })?;
    if text.len() > MAX_MESSAGE && !matches!(message, ClientMessage::BestImage { .. }) {
        return Err(ProtocolError::new(
            1009,
            format!(
                "{} message of {} bytes exceeds the 2 MB limit",
                message.kind(),
                text.len()
            ),
        ));
    }
    if let ClientMessage::Hello { session_id, .. } = &message {
        if session_id.trim().is_empty() || session_id.len() > 200 {
            return Err(ProtocolError::new(
                1008,
                "hello.sessionId must be a non-empty bioSessionId",
            ));
        }
    }
    Ok(message)
}

/// Decodes a `bestImage` payload into image bytes (JPEG or PNG only).
pub fn decode_best_image(data: &str) -> Result<bytes::Bytes, ProtocolError> {
    use base64::Engine;
    let b64 = match data.find(";base64,") {
        Some(i) if data.starts_with("data:") => &data[i + 8..],
        _ => data,
    };
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|e| ProtocolError::new(1007, format!("bestImage.data is not base64: {e}")))?;
    let bytes = bytes::Bytes::from(raw);
    match crate::fixtures::describe(bytes.clone()) {
        Ok(_) => Ok(bytes),
        Err(why @ crate::fixtures::ImageRefusal::TooLarge { .. }) => {
            Err(ProtocolError::new(1009, format!("bestImage is {why}")))
        }
        Err(why) => Err(ProtocolError::new(1007, format!("bestImage.data is {why}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_is_the_first_member_of_the_frame() {
        let framed = stamped(r#"{"type":"tracking","data":{"x":1}}"#, 1_790_000_000_123);
        assert_eq!(
            framed,
            r#"{"scheduledAt":1790000000123,"type":"tracking","data":{"x":1}}"#
        );
        let v: Value = serde_json::from_str(&stamped("{}", 5)).expect("valid JSON");
        assert_eq!(v, serde_json::json!({"scheduledAt": 5}));
    }

    #[test]
    fn hello_parses_with_optional_fields() {
        let m = parse_text(r#"{"type":"hello","sessionId":"abc","scenario":null}"#).unwrap();
        assert_eq!(
            m,
            ClientMessage::Hello {
                session_id: "abc".into(),
                scenario: None,
                user_agent: None,
                sdk: None
            }
        );
    }

    #[test]
    fn unknown_type_is_refused_with_the_allowed_list() {
        let e = parse_text(r#"{"type":"selfDestruct"}"#).unwrap_err();
        assert_eq!(e.close_code, 1003);
        assert!(e.reason.contains("selfDestruct"), "{}", e.reason);
    }

    #[test]
    fn unknown_field_is_refused() {
        let e = parse_text(r#"{"type":"hello","sessionId":"a","colour":1}"#).unwrap_err();
        assert!(e.reason.contains("colour"), "{}", e.reason);
    }

    #[test]
    fn non_json_is_named_as_such() {
        let e = parse_text("hello there").unwrap_err();
        assert!(e.reason.starts_with("not JSON"), "{}", e.reason);
    }

    #[test]
    fn oversized_non_image_message_is_refused() {
        let big = format!(
            r#"{{"type":"finding","message":"{}"}}"#,
            "x".repeat(MAX_MESSAGE)
        );
        let e = parse_text(&big).unwrap_err();
        assert_eq!(e.close_code, 1009);
        assert!(e.reason.contains("2 MB"));
    }

    #[test]
    fn close_reasons_fit_in_a_close_frame() {
        let r = truncate_reason(&"é".repeat(200));
        assert!(r.len() <= 123);
    }
}
