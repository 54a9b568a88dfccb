//! The request journal: a bounded ring buffer of recent requests (`--journal-size`), so a
//! long-running emulator keeps flat memory while people can still see what just happened.

use std::collections::VecDeque;

use parking_lot::Mutex;
use serde::Serialize;

/// One journal line: an HTTP exchange as the trainer sees it in `GET /__emulator/journal`, kept
/// small (no bodies) and cheap to record (time and method are formatted only when someone reads
/// the journal).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// Sequence number since start (or reset).
    pub seq: u64,
    /// When it was answered (serialized as RFC 3339 when read).
    #[serde(serialize_with = "rfc3339")]
    pub time: std::time::SystemTime,
    /// HTTP method.
    #[serde(serialize_with = "display")]
    pub method: axum::http::Method,
    /// Path and query. Copied, never the request's `Uri`: that shares the connection's read
    /// buffer, so a ring of them would pin kilobytes per line (55 MB for 10,000 lines).
    pub uri: Box<str>,
    /// Answer status.
    pub status: u16,
    /// Handling time in microseconds.
    pub micros: u64,
    /// Session it concerned, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
}

fn display<T: std::fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

fn rfc3339<S: serde::Serializer>(t: &std::time::SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::time_format::rfc3339(time::OffsetDateTime::from(*t)))
}

/// The last N HTTP exchanges, oldest dropped first: enough to debug an integration without
/// letting a long run grow memory.
pub struct Journal {
    capacity: usize,
    inner: Mutex<(u64, VecDeque<JournalEntry>)>,
}

impl Journal {
    /// A journal keeping the last `capacity` entries (0 keeps none).
    pub fn new(capacity: usize) -> Self {
        Journal {
            capacity,
            inner: Mutex::new((0, VecDeque::with_capacity(capacity.min(4096)))),
        }
    }

    /// Records an entry, evicting the oldest when full. `seq` is assigned here.
    pub fn record(&self, mut entry: JournalEntry) {
        if self.capacity == 0 {
            return;
        }
        let mut guard = self.inner.lock();
        guard.0 += 1;
        entry.seq = guard.0;
        if guard.1.len() >= self.capacity {
            guard.1.pop_front();
        }
        guard.1.push_back(entry);
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.inner.lock().1.iter().cloned().collect()
    }

    /// How many entries are kept now.
    pub fn len(&self) -> usize {
        self.inner.lock().1.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets everything.
    pub fn clear(&self) {
        let mut guard = self.inner.lock();
        guard.0 = 0;
        guard.1.clear();
    }
}
