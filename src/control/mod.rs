//! The control plane under `/__emulator/`: admin API (JSON) for tests and tools, dashboard and
//! demo pages for people.

pub mod admin;
pub mod dashboard;
pub mod export;
pub mod findings_api;
pub mod journal;
pub mod json_body;
pub mod keys;
pub mod live;
pub mod trainer;

use axum::{routing::get, Json, Router};
use serde_json::{json, Value};

use crate::state::AppState;

/// Routes under `/__emulator`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/memory", get(memory))
        .merge(admin::routes())
        .merge(dashboard::routes())
        .merge(live::routes())
        .merge(export::routes())
        .merge(findings_api::routes())
        .merge(trainer::routes())
        .merge(keys::routes())
}

/// `GET /__emulator/health`: liveness probe for scripts waiting on start-up, with the version and
/// the threads serving requests (`--workers`), so a slow CI run can tell how it was started.
async fn health() -> Json<Value> {
    let workers = tokio::runtime::Handle::current().metrics().num_workers();
    Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"), "workers": workers}))
}

/// `GET /__emulator/memory`: what the emulator holds and its resident memory, so someone who
/// leaves it running for days (or a soak script) can see that every store stays within its bound:
/// sessions (`--max-sessions`), GIPS identities, lockout fingerprints (forgotten one lockout window
/// after their last failure), journal lines (`--journal-size`), the queue, pins, re-encodings
/// running, and the fixed caps on transcripts, images and channel frames (README "Limits").
async fn memory(axum::extract::State(state): axum::extract::State<AppState>) -> Json<Value> {
    Json(json!({
        "sessions": state.sessions.len(),
        "maxSessions": state.config.max_sessions,
        "identities": state.gips.len(),
        "lockoutFingerprints": state.lockouts.len(),
        "journalEntries": state.journal.len(),
        "journalSize": state.config.journal_size,
        "queue": state.selection.queue.lock().len(),
        "maxQueue": admin::MAX_QUEUE,
        // Pins live in their sessions (one each), so they are bounded and pruned with them:
        // `maxPins` bounds the sessions the store may hold (with slack: it stays at the cap).
        "pins": state.sessions.count(crate::scenarios::selection::is_pinned),
        "maxPins": state.config.max_sessions.max(1).saturating_add(state.config.max_sessions.max(1) / 8),
        "maxTranscriptEvents": crate::sessions::transcript::MAX_EVENTS,
        "maxTranscriptBytes": crate::sessions::transcript::MAX_TEXT_BYTES,
        "maxPageString": crate::video_server::channel::runner::MAX_PAGE_STRING,
        "maxImagePixels": crate::fixtures::MAX_PIXELS,
        "maxImageSide": crate::fixtures::MAX_SIDE,
        "reencodes": crate::bioserver::faces::reencodes_running(),
        "maxReencodes": crate::bioserver::faces::MAX_CONCURRENT_REENCODES,
        "maxChannelBytesBeforeHello": crate::video_server::channel::MAX_BYTES_BEFORE_HELLO,
        "maxChannelFrame": crate::video_server::channel::protocol::MAX_BEST_IMAGE,
        "channelWriteTimeoutSeconds": state.config.channel_write_timeout.max(1),
        "rssBytes": resident_bytes(),
    }))
}

/// Resident set size from `/proc/self/status` (Linux); `None` elsewhere.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
