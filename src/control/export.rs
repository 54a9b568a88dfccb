//! Transcripts for CI: `GET /__emulator/sessions.jsonl` (every session, one JSON object a line,
//! with its events) and `GET /__emulator/sessions/{id}/transcript.jsonl` (one event a line).
//!
//! JSON Lines streams well, greps well and diffs well in CI logs. Biometric payloads (base64 image
//! strings) are left out unless `--journal-images`, because transcripts end up in CI artefacts.

use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use serde_json::{json, Map, Value};

use crate::{
    error::{ApiError, ApiResult},
    sessions::BioSession,
    state::AppState,
};

/// String values longer than this under an image-like key are treated as biometric payloads.
const IMAGE_MIN_LEN: usize = 200;

/// Routes under `/__emulator`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sessions.jsonl", get(all_sessions))
        .route("/sessions/{id}/transcript.jsonl", get(one_session))
}

/// Whether `key` names a field that may hold an image (`data`, `image`, `bestImage`, `portrait`...).
fn is_image_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k == "data"
        || k.contains("image")
        || k.contains("portrait")
        || k.contains("photo")
        || k == "frame"
}

/// Replaces biometric payloads in `value` by a short note, unless `keep` (`--journal-images`).
/// Only long strings under image-like keys are touched; objects and short values stay.
pub fn redact_images(value: &mut Value, keep: bool) {
    if keep {
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match v {
                    Value::String(s) if is_image_key(k) && s.len() >= IMAGE_MIN_LEN => {
                        *v = Value::String(format!(
                            "<{} characters omitted; start with --journal-images to keep images>",
                            s.len()
                        ));
                    }
                    _ => redact_images(v, keep),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| redact_images(v, keep)),
        _ => {}
    }
}

/// A session as exported: its summary, findings and every event (images redacted unless `keep`).
pub fn session_json(s: &BioSession, keep_images: bool) -> Value {
    let mut out = match s.summary() {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    out.insert("findings".into(), json!(s.findings.recorded));
    out.insert("events".into(), json!(s.transcript.events()));
    out.insert("droppedEvents".into(), json!(s.transcript.dropped()));
    let mut v = Value::Object(out);
    redact_images(&mut v, keep_images);
    v
}

fn jsonl(body: String, filename: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/x-ndjson; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

/// `GET /__emulator/sessions.jsonl`: every session, oldest first, one a line.
async fn all_sessions(State(state): State<AppState>) -> Response {
    let keep = state.config.journal_images;
    let mut body = String::new();
    for session in state.sessions.all().iter().rev() {
        let line = session_json(&session.lock(), keep);
        body.push_str(&line.to_string());
        body.push('\n');
    }
    jsonl(body, "sessions.jsonl")
}

/// `GET /__emulator/sessions/{id}/transcript.jsonl`: one session's events, one a line, each with
/// its `sessionId`.
async fn one_session(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let session = state
        .sessions
        .peek(&id)
        .ok_or_else(|| ApiError::no_session(&id))?;
    let keep = state.config.journal_images;
    let mut body = String::new();
    for event in session.lock().transcript.events() {
        let mut line =
            json!({"sessionId": id, "tMs": event.t_ms, "kind": event.kind, "data": event.data()});
        redact_images(&mut line, keep);
        body.push_str(&line.to_string());
        body.push('\n');
    }
    Ok(jsonl(body, &format!("session-{id}.jsonl")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_image_strings_are_omitted_and_the_rest_kept() {
        let big = "A".repeat(5000);
        let mut v = json!({"kind": "receive", "data": {"type": "bestImage", "image": big, "w": 640}, "note": big});
        redact_images(&mut v, false);
        assert!(v["data"]["image"]
            .as_str()
            .is_some_and(|s| s.contains("omitted")));
        assert_eq!(v["data"]["w"], 640);
        assert_eq!(v["data"]["type"], "bestImage");
        assert_eq!(
            v["note"].as_str().map(str::len),
            Some(5000),
            "non-image keys stay"
        );
    }

    #[test]
    fn images_stay_with_journal_images() {
        let big = "A".repeat(5000);
        let mut v = json!({"image": big});
        redact_images(&mut v, true);
        assert_eq!(v["image"].as_str().map(str::len), Some(5000));
    }
}
