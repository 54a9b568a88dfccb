//! A session's transcript: every REST call, channel message (both ways), callback attempt,
//! result and finding, each with its time offset from the session's creation.
//!
//! CI asserts on it and the dashboard draws it, so entries are plain JSON with a `kind`.

use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

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
    pub kind: String,
    /// The details.
    pub data: Value,
}

/// The ordered list of a session's events.
#[derive(Debug, Clone)]
pub struct Transcript {
    origin: Instant,
    events: Vec<TranscriptEvent>,
    dropped: u64,
}

impl Transcript {
    /// An empty transcript whose offsets count from `origin`.
    pub fn new(origin: Instant) -> Self {
        Transcript {
            origin,
            events: Vec::new(),
            dropped: 0,
        }
    }

    /// Appends an event stamped now; beyond [`MAX_EVENTS`] events are counted, not stored.
    pub fn push(&mut self, kind: &str, data: Value) {
        if self.events.len() >= MAX_EVENTS {
            self.dropped += 1;
            return;
        }
        self.events.push(TranscriptEvent {
            t_ms: self.origin.elapsed().as_millis() as u64,
            kind: kind.to_string(),
            data,
        });
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
