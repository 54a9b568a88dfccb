//! A session's transcript: every REST call, channel message (both ways), callback attempt,
//! result and finding, each with its time offset from the session's creation.
//!
//! CI asserts on it and the dashboard draws it, so entries are plain JSON with a `kind`.
//!
//! All of a session's event details live back to back in **one text buffer**, each event being
//! a slice of it, not a [`serde_json::Value`] tree nor a separate allocation per event. A tree of
//! small maps costs ~1.5 KB per tracking frame; 50 small allocations per capture, made while 1,000
//! other captures allocate theirs, leave the allocator's pages shared between sessions, so memory
//! freed by evicting old sessions is only partly reusable. One buffer per session grows in a few
//! steps and is freed in one piece: a finished success capture costs ~9 KB, and a long-running
//! emulator's memory stays flat.

use std::time::Instant;

use serde::{ser::SerializeSeq, Serialize};
use serde_json::{value::RawValue, Value};

/// Upper bound on entries per session, so a runaway client cannot grow memory without limit.
pub const MAX_EVENTS: usize = 5_000;

/// Upper bound on the bytes of one session's event details (4 MiB; a whole success capture
/// takes ~9 KB): an event that would go past it is counted in `droppedEvents`, not stored.
/// Page-supplied strings are also cut before they get here (`channel::runner::clip`).
pub const MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;

/// Up to this size the text is kept at its exact size: a session that is created and never used
/// keeps only its creation and the init call (~450 bytes), which matters when 10,000 of them are
/// kept (jumping to [`SECOND_TEXT_CAPACITY`] at the second event cost ~14 MB for an init flood).
const EXACT_TEXT_UP_TO: usize = 1024;

/// Smallest growth step of the text. Past [`EXACT_TEXT_UP_TO`] a session in use jumps to
/// [`SECOND_TEXT_CAPACITY`] and grows by a quarter from there. (Measured with
/// 10,000 finished captures kept: growing in 512-byte steps from the first event cost 20 MB more,
/// reserving the whole plan's frames up front 15 MB more — more, differently sized, buffers left
/// behind.)
const MIN_TEXT_STEP: usize = 512;

/// The text's size once it outgrows [`EXACT_TEXT_UP_TO`] (a session in use soon has a few KB).
const SECOND_TEXT_CAPACITY: usize = 2048;

/// Smallest growth step of the list of events (a success capture has ~50).
const MIN_EVENT_STEP: usize = 4;

/// One transcript entry: something that happened to a session (REST call, channel message,
/// callback attempt, finding), timed from its creation so timelines line up across surfaces.
/// Borrowed from its [`Transcript`]; serializes as `{"tMs", "kind", "data"}`.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptEvent<'a> {
    /// Milliseconds since the session was created.
    pub t_ms: u64,
    /// `rest`, `send` (server → page), `receive` (page → server), `callback`, `result`, `finding`, `state`, `note`.
    pub kind: &'static str,
    /// The details, as compact JSON text (see [`TranscriptEvent::data`] for a parsed copy).
    #[serde(rename = "data")]
    pub raw: &'a RawValue,
}

impl TranscriptEvent<'_> {
    /// The details parsed back into a JSON value (for readers that look inside).
    pub fn data(&self) -> Value {
        serde_json::from_str(self.raw.get()).unwrap_or(Value::Null)
    }
}

/// JSON text that serde_json wrote, so it is known to be valid: the transcript stores it as it
/// is, without the check [`Transcript::push_text`] makes on text from elsewhere. The channel
/// serializes each frame it sends once, as this, and the socket and the transcript share it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonText(String);

impl JsonText {
    /// `value` serialized (`null` in the impossible case that serde_json refuses it).
    pub fn of(value: &impl Serialize) -> JsonText {
        JsonText(serde_json::to_string(value).unwrap_or_else(|_| "null".into()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned (to hand to a socket).
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Where one event's details sit in the transcript's text.
#[derive(Debug, Clone, Copy)]
struct Slot {
    t_ms: u64,
    kind: &'static str,
    start: u32,
    end: u32,
}

/// The ordered list of a session's events.
#[derive(Debug, Clone)]
pub struct Transcript {
    origin: Instant,
    /// Every event's details, back to back; each was checked to be JSON when it was stored.
    text: String,
    slots: Vec<Slot>,
    dropped: u64,
    /// Key of the last event when it was pushed with [`Transcript::push_keyed`].
    last_key: Option<u64>,
}

impl Transcript {
    /// An empty transcript whose offsets count from `origin` (allocates nothing until the first
    /// event, so sessions that are created and never used stay small).
    pub fn new(origin: Instant) -> Self {
        Transcript {
            origin,
            text: String::new(),
            slots: Vec::new(),
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
        let Some(last) = self.slots.last().copied() else {
            return false;
        };
        let Ok(Value::Object(mut data)) = serde_json::from_str(&self.text[last.range()]) else {
            return false;
        };
        let count = data.get("count").and_then(Value::as_u64).unwrap_or(1);
        data.insert("count".into(), Value::from(count + 1));
        // The last event's details are the end of the text: rewrite them in place.
        self.text.truncate(last.start as usize);
        self.slots.pop();
        self.store(last.t_ms, last.kind, |text| {
            write_json(text, &Value::Object(data))
        });
        self.last_key = Some(key);
        true
    }

    /// Appends an event stamped now; beyond [`MAX_EVENTS`] events are counted, not stored.
    /// `data` is anything serializable: a `json!` value, or a borrowed struct on hot paths so no
    /// JSON tree is built just to be written out.
    pub fn push(&mut self, kind: &'static str, data: impl Serialize) {
        self.append(kind, |text| write_json(text, &data));
    }

    /// [`Transcript::push`] for details already serialized (a channel frame as it was sent), so
    /// the hot path serializes each frame once. Text that is not JSON is kept as a JSON string.
    pub fn push_text(&mut self, kind: &'static str, text: &str) {
        self.append(kind, |buf| write_text(buf, text));
    }

    /// [`Transcript::push_text`] for text serde_json wrote: stored without re-checking it.
    pub fn push_json(&mut self, kind: &'static str, text: &JsonText) {
        self.append(kind, |buf| {
            reserve_gently(buf, text.0.len());
            buf.push_str(&text.0);
        });
    }

    /// [`Transcript::push`] for details the caller wrote by hand, as `pieces` that together are
    /// JSON text (strings in them checked with [`needs_no_escape`]): stored as they are, in one
    /// exact step, without serde's per-key escaping or a buffer aside. For the one event every
    /// session gets (its creation), where serde was a third of the cost of creating a session.
    pub fn push_json_pieces(&mut self, kind: &'static str, pieces: &[&str]) {
        self.append_pieces(kind, pieces);
    }

    /// [`Transcript::push_json_pieces`], remembering `key` for [`Transcript::repeat_last`]: the
    /// front door's `rest` event, written by hand when none of its strings needs escaping.
    pub fn push_json_pieces_keyed(&mut self, kind: &'static str, pieces: &[&str], key: u64) {
        if self.append_pieces(kind, pieces) {
            self.last_key = Some(key);
        }
    }

    /// Stores `pieces` (together JSON text) as an event's details; false when only counted.
    fn append_pieces(&mut self, kind: &'static str, pieces: &[&str]) -> bool {
        self.append(kind, |buf| {
            if buf.capacity() == 0 {
                // The first event: made at its exact size in one step.
                *buf = pieces.concat();
                return;
            }
            reserve_gently(buf, pieces.iter().map(|p| p.len()).sum());
            for piece in pieces {
                buf.push_str(piece);
            }
        })
    }

    /// [`Transcript::push`], remembering `key` for [`Transcript::repeat_last`].
    pub fn push_keyed(&mut self, kind: &'static str, data: Value, key: u64) {
        if self.append(kind, |text| write_json(text, &data)) {
            self.last_key = Some(key);
        }
    }

    /// [`Transcript::push_json`], remembering `key` for [`Transcript::repeat_last`] (the front
    /// door's `rest` event: serde_json wrote it, so it is not checked again).
    pub fn push_json_keyed(&mut self, kind: &'static str, text: &JsonText, key: u64) {
        let stored = self.append(kind, |buf| {
            reserve_gently(buf, text.0.len());
            buf.push_str(&text.0);
        });
        if stored {
            self.last_key = Some(key);
        }
    }

    /// Stores an event (its details written only when there is room); false when the transcript
    /// is full and the event was only counted.
    fn append(&mut self, kind: &'static str, write: impl FnOnce(&mut String)) -> bool {
        self.last_key = None;
        if self.slots.len() >= MAX_EVENTS {
            self.dropped += 1;
            return false;
        }
        let t_ms = self.origin.elapsed().as_millis() as u64;
        self.store(t_ms, kind, write);
        true
    }

    /// Writes one event's details at the end of the text and notes where they are.
    fn store(&mut self, t_ms: u64, kind: &'static str, write: impl FnOnce(&mut String)) {
        let start = self.text.len();
        write(&mut self.text);
        let end = self.text.len();
        if end > MAX_TEXT_BYTES {
            self.text.truncate(start);
            // A huge event may have grown the buffer: give the excess back.
            self.text.shrink_to(MAX_TEXT_BYTES);
            self.dropped += 1;
            return;
        }
        // 4 GiB of details would need 5,000 events of ~850 KB: images are redacted long before.
        let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(end)) else {
            self.text.truncate(start);
            self.dropped += 1;
            return;
        };
        grow_gently(&mut self.slots, 1, MIN_EVENT_STEP);
        self.slots.push(Slot {
            t_ms,
            kind,
            start,
            end,
        });
    }

    /// The events, oldest first.
    pub fn events(&self) -> Events<'_> {
        Events { transcript: self }
    }

    /// How many events were not stored because the transcript was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    fn event(&self, slot: &Slot) -> TranscriptEvent<'_> {
        TranscriptEvent {
            t_ms: slot.t_ms,
            kind: slot.kind,
            raw: raw_value(&self.text[slot.range()]),
        }
    }
}

impl Slot {
    fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A transcript's events, oldest first: iterate, index with [`Events::get`], or serialize (as a
/// JSON array of `{"tMs", "kind", "data"}`).
#[derive(Clone, Copy)]
pub struct Events<'a> {
    transcript: &'a Transcript,
}

impl<'a> Events<'a> {
    /// How many events are stored.
    pub fn len(&self) -> usize {
        self.transcript.slots.len()
    }

    /// Whether no event is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th event, oldest first.
    pub fn get(&self, i: usize) -> Option<TranscriptEvent<'a>> {
        let t = self.transcript;
        t.slots.get(i).map(|slot| t.event(slot))
    }

    /// The events in order (reversible, for readers that look for the latest of something).
    pub fn iter(&self) -> EventsIter<'a> {
        EventsIter {
            transcript: self.transcript,
            slots: self.transcript.slots.iter(),
        }
    }
}

impl<'a> IntoIterator for Events<'a> {
    type Item = TranscriptEvent<'a>;
    type IntoIter = EventsIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Iterator over a transcript's events (see [`Events::iter`]).
pub struct EventsIter<'a> {
    transcript: &'a Transcript,
    slots: std::slice::Iter<'a, Slot>,
}

impl<'a> Iterator for EventsIter<'a> {
    type Item = TranscriptEvent<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        self.slots.next().map(|slot| self.transcript.event(slot))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.slots.size_hint()
    }
}

impl DoubleEndedIterator for EventsIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.slots
            .next_back()
            .map(|slot| self.transcript.event(slot))
    }
}

impl ExactSizeIterator for EventsIter<'_> {}

impl Serialize for Events<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for event in self.iter() {
            seq.serialize_element(&event)?;
        }
        seq.end()
    }
}

/// Text stored by this module is JSON (checked when it was written); borrowing it as a
/// [`RawValue`] only re-checks it, without allocating.
fn raw_value(text: &str) -> &RawValue {
    serde_json::from_str(text).unwrap_or_else(|_| {
        serde_json::from_str("null").unwrap_or_else(|_| unreachable!("null is JSON"))
    })
}

/// Whether `s` goes into a JSON string as it is: serde_json escapes only `"`, `\` and control
/// characters (below U+0020), so for any other text `"` + `s` + `"` is what it would write.
pub fn needs_no_escape(s: &str) -> bool {
    !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\')
}

/// Appends `data` serialized.
fn write_json(buf: &mut String, data: &impl Serialize) {
    // Serialized aside (one allocation, sized for a typical event) so the transcript's own
    // buffer grows by the gentle rule, not by the serializer's doubling.
    let mut text = Vec::with_capacity(256);
    if serde_json::to_writer(&mut text, data).is_err() {
        text = b"null".to_vec();
    }
    let text = String::from_utf8(text).unwrap_or_else(|_| "null".into());
    reserve_gently(buf, text.len());
    buf.push_str(&text);
}

/// Appends `text` when it is JSON, otherwise a JSON string saying why it is not.
fn write_text(buf: &mut String, text: &str) {
    match serde_json::from_str::<&RawValue>(text) {
        Ok(raw) => {
            reserve_gently(buf, raw.get().len());
            buf.push_str(raw.get());
        }
        Err(e) => write_json(buf, &Value::String(format!("not JSON: {e}"))),
    }
}

/// Reserves room for `more` bytes, growing by a quarter (at least [`MIN_TEXT_STEP`]) instead of
/// doubling: a transcript is written once and then kept for minutes, so little slack beats few
/// copies. The first event, and a text up to [`EXACT_TEXT_UP_TO`], is stored at its exact size.
fn reserve_gently(buf: &mut String, more: usize) {
    let needed = buf.len() + more;
    if needed > buf.capacity() {
        let target = if buf.capacity() == 0 || needed <= EXACT_TEXT_UP_TO {
            needed
        } else {
            needed
                .max(buf.capacity() + (buf.capacity() / 4).max(MIN_TEXT_STEP))
                .max(SECOND_TEXT_CAPACITY)
        };
        buf.reserve_exact(target - buf.len());
    }
}

/// [`reserve_gently`] for the list of events (the first two fit exactly: a session that is created
/// and never used has one or two).
fn grow_gently<T>(v: &mut Vec<T>, more: usize, min_step: usize) {
    let needed = v.len() + more;
    if needed > v.capacity() {
        let target = if v.capacity() == 0 {
            needed.max(2)
        } else {
            needed.max(v.capacity() + (v.capacity() / 4).max(min_step))
        };
        v.reserve_exact(target - v.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_keep_their_order_kind_and_details() {
        let mut t = Transcript::new(Instant::now());
        t.push("rest", json!({"path": "/init"}));
        t.push_text("send", r#"{"event":"trackingInfo"}"#);
        t.push_json("send", &JsonText::of(&json!({"event": "result"})));
        let kinds: Vec<_> = t.events().iter().map(|e| e.kind).collect();
        assert_eq!(kinds, ["rest", "send", "send"]);
        assert_eq!(
            t.events().get(2).map(|e| e.data()),
            Some(json!({"event": "result"}))
        );
        assert_eq!(
            t.events().get(1).map(|e| e.data()),
            Some(json!({"event": "trackingInfo"}))
        );
        let listed = serde_json::to_value(t.events()).unwrap();
        assert_eq!(listed[0]["data"]["path"], "/init");
        assert_eq!(listed[1]["kind"], "send");
    }

    #[test]
    fn text_that_is_not_json_is_kept_as_a_string_saying_so() {
        let mut t = Transcript::new(Instant::now());
        t.push_text("receive", "{not json");
        let data = t.events().get(0).map(|e| e.data()).unwrap_or_default();
        assert!(
            data.as_str().is_some_and(|s| s.starts_with("not JSON")),
            "{data}"
        );
    }

    #[test]
    fn a_repeat_rewrites_only_the_last_event() {
        let mut t = Transcript::new(Instant::now());
        t.push("rest", json!({"path": "/a"}));
        t.push_keyed("rest", json!({"path": "/b"}), 9);
        assert!(t.repeat_last(9));
        assert!(t.repeat_last(9));
        assert!(!t.repeat_last(8));
        assert_eq!(t.events().len(), 2);
        assert_eq!(
            t.events().get(0).map(|e| e.data()),
            Some(json!({"path": "/a"}))
        );
        assert_eq!(
            t.events().get(1).map(|e| e.data()),
            Some(json!({"path": "/b", "count": 3}))
        );
    }

    #[test]
    fn beyond_the_cap_events_are_counted_not_stored() {
        let mut t = Transcript::new(Instant::now());
        for _ in 0..MAX_EVENTS + 3 {
            t.push_text("send", "{}");
        }
        assert_eq!(t.events().len(), MAX_EVENTS);
        assert_eq!(t.dropped(), 3);
    }

    #[test]
    fn a_session_with_one_event_keeps_only_that_event() {
        let mut t = Transcript::new(Instant::now());
        t.push("state", json!({"state": "CREATED", "scenario": "success"}));
        assert_eq!(t.text.capacity(), t.text.len());
        assert!(t.slots.capacity() <= 2);
    }

    #[test]
    fn events_written_from_pieces_are_stored_at_their_exact_size() {
        let mut t = Transcript::new(Instant::now());
        t.push_json_pieces("state", &["{\"a\":", "1", "}"]);
        t.push_json_pieces("state", &["[", "2", "]"]);
        assert_eq!(t.text.capacity(), t.text.len());
        let data: Vec<_> = t.events().iter().map(|e| e.data()).collect();
        assert_eq!(data, [json!({"a": 1}), json!([2])]);
    }

    #[test]
    fn a_session_created_and_never_used_keeps_its_two_events_without_slack() {
        let mut t = Transcript::new(Instant::now());
        t.push("state", json!({"state": "CREATED", "scenario": "success"}));
        t.push_text(
            "rest",
            r#"{"method":"POST","path":"/video-server/init-liveness-session","status":201}"#,
        );
        assert_eq!(t.text.capacity(), t.text.len());
        assert!(t.slots.capacity() <= 2);
    }

    #[test]
    fn the_text_grows_by_a_quarter_not_by_doubling() {
        let mut t = Transcript::new(Instant::now());
        let frame = format!(r#"{{"pad":"{}"}}"#, "x".repeat(200));
        for _ in 0..60 {
            t.push_text("send", &frame);
        }
        assert!(t.text.capacity() * 4 <= t.text.len() * 5 + 4 * MIN_TEXT_STEP);
    }
}
