//! A session's transcript: every REST call, channel message (both ways), callback attempt,
//! result and finding, each with its time offset from the session's creation.
//!
//! CI asserts on it and the dashboard draws it, so entries are plain JSON with a `kind`.
//!
//! Each event's details are kept as serialized JSON text ([`RawValue`]), not as a
//! [`serde_json::Value`] tree: a tree of small maps costs ~1.5 KB per tracking frame, the text a
//! few hundred bytes, which is what lets 10,000 finished captures stay in memory at once.

use std::time::Instant;

use serde::Serialize;
use serde_json::{value::RawValue, Value};

/// Upper bound on entries per session, so a runaway client cannot grow memory without limit.
pub const MAX_EVENTS: usize = 5_000;

/// One transcript entry: something that happened to a session (REST call, channel message,
/// callback attempt, finding), timed from its creation so timelines line up across surfaces.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptEvent {
    /// Milliseconds since the session was created.
    pub t_ms: u64,
    /// `rest`, `send` (server → page), `receive` (page → server), `callback`, `result`, `finding`, `state`, `note`.
    pub kind: &'static str,
    /// The details, as compact JSON text (see [`TranscriptEvent::data`] for a parsed copy).
    #[serde(rename = "data")]
    pub raw: Box<RawValue>,
}

impl TranscriptEvent {
    /// The details parsed back into a JSON value (for readers that look inside).
    pub fn data(&self) -> Value {
        serde_json::from_str(self.raw.get()).unwrap_or(Value::Null)
    }
}

/// Serializes `data` once, for storage.
fn to_raw(data: &Value) -> Box<RawValue> {
    serde_json::value::to_raw_value(data).unwrap_or_default()
}

/// Keeps serialized details as they are (checked to be JSON; otherwise kept as a JSON string).
fn text_to_raw(text: String) -> Box<RawValue> {
    RawValue::from_string(text).unwrap_or_else(|e| to_raw(&Value::String(format!("not JSON: {e}"))))
}

/// The ordered list of a session's events.
#[derive(Debug, Clone)]
pub struct Transcript {
    origin: Instant,
    events: Vec<TranscriptEvent>,
    dropped: u64,
    /// Key of the last event when it was pushed with [`Transcript::push_keyed`].
    last_key: Option<u64>,
}

impl Transcript {
    /// An empty transcript whose offsets count from `origin`.
    pub fn new(origin: Instant) -> Self {
        Transcript {
            origin,
            events: Vec::new(),
            dropped: 0,
            last_key: None,
        }
    }

    /// When the last event was pushed with `key` (an identical repeat, e.g. the same poll
    /// answered the same way), counts it there (`data.count`, the number of identical calls it
    /// stands for) and returns true; the caller then pushes nothing. Keeps a client polling in a
    /// loop from filling the transcript and costing a JSON event per request.
    pub fn repeat_last(&mut self, key: u64) -> bool {
        if self.last_key != Some(key) {
            return false;
        }
        let Some(last) = self.events.last_mut() else {
            return false;
        };
        let Value::Object(mut data) = last.data() else {
            return false;
        };
        let count = data.get("count").and_then(Value::as_u64).unwrap_or(1);
        data.insert("count".into(), Value::from(count + 1));
        last.raw = to_raw(&Value::Object(data));
        true
    }

    /// Appends an event stamped now; beyond [`MAX_EVENTS`] events are counted, not stored.
    pub fn push(&mut self, kind: &'static str, data: Value) {
        self.append(kind, || to_raw(&data));
    }

    /// [`Transcript::push`] for details already serialized (a channel frame as it was sent), so
    /// the hot path serializes each frame once. Text that is not JSON is kept as a JSON string.
    pub fn push_text(&mut self, kind: &'static str, text: String) {
        self.append(kind, || text_to_raw(text));
    }

    /// [`Transcript::push`], remembering `key` for [`Transcript::repeat_last`].
    pub fn push_keyed(&mut self, kind: &'static str, data: Value, key: u64) {
        if self.append(kind, || to_raw(&data)) {
            self.last_key = Some(key);
        }
    }

    /// [`Transcript::push_text`], remembering `key` for [`Transcript::repeat_last`].
    pub fn push_text_keyed(&mut self, kind: &'static str, text: String, key: u64) {
        if self.append(kind, || text_to_raw(text)) {
            self.last_key = Some(key);
        }
    }

    /// Stores an event (its details made only when there is room); false when the transcript is
    /// full and the event was only counted.
    fn append(&mut self, kind: &'static str, raw: impl FnOnce() -> Box<RawValue>) -> bool {
        self.last_key = None;
        if self.events.len() >= MAX_EVENTS {
            self.dropped += 1;
            return false;
        }
        self.events.push(TranscriptEvent {
            t_ms: self.origin.elapsed().as_millis() as u64,
            kind,
            raw: raw(),
        });
        true
    }

    /// The events, oldest first.
    pub fn events(&self) -> &[TranscriptEvent] {
        &self.events
    }

    /// How many events were not stored because the transcript was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}
