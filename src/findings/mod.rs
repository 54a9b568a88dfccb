//! Integration findings: departures from the vendor's documented integration rules, observed while
//! an integrator's page and back end talk to the emulator.
//!
//! A front-end developer whose page "mostly works" against the emulator still wants to know what
//! will break against the real service: a key leaked to the browser, a result fetched too early, a
//! capture closed during the upload (the black-screen FAQ). Each rule here has an id, a title and
//! a fix (the data, in [`rules`]); the hooks here raise them: [`record`] stores a [`Finding`] once
//! per rule per session (in the session's [`crate::sessions::SessionFindings`]), pushes it into the transcript
//! (kind `finding`), logs it (warn, or error with `--strict` so CI fails loudly) and tells the
//! dashboard.
//!
//! Detection points are one-line calls for the modules that see the behaviour:
//! [`on_result_request`], [`on_channel_closed`], [`on_callback_unreachable`],
//! [`on_page_report`] (the stub SDK's reports over the channel or
//! `POST /__emulator/sessions/{id}/findings`), and [`check_init_body`] / [`on_key_protected_request`],
//! which the request watcher ([`crate::front::watcher`]) applies to every request.

pub mod rules;

use std::time::Instant;

use axum::http::HeaderMap;
use serde_json::{json, Value};

pub use crate::sessions::Finding;
pub use rules::*;

use crate::{
    error::ApiError,
    sessions::{store::SharedSession, SessionState},
    state::AppState,
};

/// Records a finding of `rule_id` for `session`, once per rule per session: stored with the
/// session, pushed into its transcript (kind `finding`), logged and announced to the dashboard.
/// Returns the finding when it is new, `None` when the rule was already recorded or is unknown.
pub fn record(
    state: &AppState,
    session: &SharedSession,
    rule_id: &str,
    detail: impl Into<String>,
) -> Option<Finding> {
    let Some(rule) = rule(rule_id) else {
        tracing::debug!(rule_id, "ignoring a finding of an unknown rule");
        return None;
    };
    let detail = detail.into();
    let (finding, session_id) = {
        let mut s = session.lock();
        if s.findings.has(rule.id) {
            return None;
        }
        let t_ms = s.created_at.elapsed().as_millis() as u64;
        let finding = rule.finding(detail, t_ms);
        s.findings.recorded.push(finding.clone());
        s.transcript.push(
            "finding",
            json!({"rule": finding.rule, "title": finding.title, "detail": finding.detail, "fix": finding.fix}),
        );
        (finding, s.id.clone())
    };
    log(state, Some(&session_id), &finding);
    state.notify(json!({"type": "finding", "sessionId": session_id, "finding": finding}));
    Some(finding)
}

/// Logs and announces a finding that belongs to no session (e.g. a request that was refused
/// before a session existed).
pub fn record_unattached(
    state: &AppState,
    rule_id: &str,
    detail: impl Into<String>,
) -> Option<Finding> {
    let rule = rule(rule_id)?;
    let finding = rule.finding(detail, 0);
    log(state, None, &finding);
    state.notify(json!({"type": "finding", "sessionId": null, "finding": finding}));
    Some(finding)
}

/// The findings recorded for a session, oldest first.
pub fn of(session: &SharedSession) -> Vec<Finding> {
    session.lock().findings.recorded.clone()
}

fn log(state: &AppState, session_id: Option<&str>, f: &Finding) {
    let session = session_id.unwrap_or("-");
    if state.config.strict {
        tracing::error!(session, rule = %f.rule, detail = %f.detail, fix = %f.fix, "integration finding: {}", f.title);
    } else {
        tracing::warn!(session, rule = %f.rule, detail = %f.detail, fix = %f.fix, "integration finding: {}", f.title);
    }
}

/// Call when the integrator's back end asks for `liveness-challenge-result`: flags a request made
/// before the capture ended and one made less than a second after the previous one.
pub fn on_result_request(state: &AppState, session: &SharedSession) {
    let now = Instant::now();
    // Each rule is recorded once per session: checked before formatting its detail, so a
    // client polling in a tight loop costs a lookup, not a string per request.
    let (session_state, previous, early_known, fast_known) = {
        let mut s = session.lock();
        let previous = s.findings.last_result_request.replace(now);
        let (early, fast) = (
            s.findings.has(RESULT_BEFORE_CAPTURE_END),
            s.findings.has(RESULT_POLLED_TOO_FAST),
        );
        (s.state, previous, early, fast)
    };
    if !session_state.is_terminal() && !early_known {
        record(
            state,
            session,
            RESULT_BEFORE_CAPTURE_END,
            format!(
                "liveness-challenge-result was requested while the session was {} (no showChallengeResult yet)",
                state_name(session_state)
            ),
        );
    }
    if let Some(previous) = previous.filter(|_| !fast_known) {
        let gap = now.duration_since(previous);
        if gap < MIN_RESULT_POLL_INTERVAL {
            record(
                state,
                session,
                RESULT_POLLED_TOO_FAST,
                format!(
                    "liveness-challenge-result was requested again {} ms after the previous request",
                    gap.as_millis()
                ),
            );
        }
    }
}

/// Call when the page closes the capture channel (or calls `disconnect()`): flags a close while
/// the capture was in TRACKER_CHALLENGE_PENDING, i.e. uploading and waiting for its result.
pub fn on_channel_closed(state: &AppState, session: &SharedSession) {
    let pending = {
        let s = session.lock();
        match s.state {
            SessionState::Pending => true,
            SessionState::Capturing => pending_in_transcript(&s.transcript),
            _ => false,
        }
    };
    if pending {
        record(
            state,
            session,
            CLOSED_WHILE_PENDING,
            "the page closed the capture after TRACKER_CHALLENGE_PENDING and before the result",
        );
    }
}

/// Whether the last instruction sent to the page was TRACKER_CHALLENGE_PENDING and no result or
/// error followed (for runners that do not set [`SessionState::Pending`]).
fn pending_in_transcript(t: &crate::sessions::Transcript) -> bool {
    for e in t.events().iter().rev() {
        match e.kind {
            "result" => return false,
            "send" => {
                let text = e.raw.get();
                if text.contains("TRACKER_CHALLENGE_PENDING") {
                    return true;
                }
                if text.contains("errorFn") || text.contains("\"error\"") {
                    return false;
                }
            }
            _ => {}
        }
    }
    false
}

/// Call when delivering the result callback failed to reach the target (connection refused, DNS,
/// TLS, timeout) — not when the target answered an error status.
pub fn on_callback_unreachable(state: &AppState, session: &SharedSession, error: &str) {
    let url = session
        .lock()
        .params
        .callback_url
        .clone()
        .unwrap_or_default();
    record(
        state,
        session,
        CALLBACK_UNREACHABLE,
        format!("POST {url} failed: {error}"),
    );
}

/// A report from the stub SDK: `{"type":"finding","rule":ID,"detail":"..."}` (or `code`/`message`) received over the
/// capture channel or posted to `/__emulator/sessions/{id}/findings`. Only rules the page can
/// observe are accepted.
pub fn on_page_report(
    state: &AppState,
    session: &SharedSession,
    report: &Value,
) -> Result<Option<Finding>, ApiError> {
    // `code`/`message` are accepted as aliases of `rule`/`detail` (the stub's channel message shape).
    let rule_id = report
        .get("rule")
        .or_else(|| report.get("code"))
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("A finding report needs a string field 'rule'"))?;
    let rule = rule(rule_id).ok_or_else(|| {
        ApiError::bad_request(format!(
            "Unknown rule '{rule_id}'; known rules: {}",
            RULES.iter().map(|r| r.id).collect::<Vec<_>>().join(", ")
        ))
    })?;
    if rule.detected_by == Detector::Emulator {
        return Err(ApiError::bad_request(format!(
            "Rule '{rule_id}' is detected by the emulator itself and cannot be reported by the page"
        )));
    }
    let detail = report
        .get("detail")
        .or_else(|| report.get("message"))
        .and_then(Value::as_str)
        .map(|d| d.chars().take(500).collect::<String>())
        .unwrap_or_else(|| "reported by the SDK in the page".to_string());
    Ok(record(state, session, rule.id, detail))
}

/// The findings a session-creating body (init-liveness-session) deserves: a retired liveness mode
/// and a securityLevel below HIGH. Returns `(rule id, detail)` pairs; the caller records them on
/// the session it created (or unattached when it refused the request).
pub fn check_init_body(body: &Value) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(mode) = body.get("livenessMode").and_then(Value::as_str) {
        if RETIRED_MODES.iter().any(|m| m.eq_ignore_ascii_case(mode)) {
            out.push((
                RETIRED_LIVENESS_MODE,
                format!("init-liveness-session asked for livenessMode {mode}"),
            ));
        }
    }
    if let Some(level) = body.get("securityLevel").and_then(Value::as_str) {
        let upper = level.to_ascii_uppercase();
        if upper.contains("LOW") || upper.contains("MEDIUM") {
            out.push((
                SECURITY_LEVEL_BELOW_HIGH,
                format!("init-liveness-session asked for securityLevel {level}"),
            ));
        }
    }
    out
}

/// For a request to a key-protected endpoint: the detail of an "API key sent by a browser"
/// finding when the request carries both an `apikey` and an `Origin` header (browsers add
/// `Origin` to cross-origin and non-GET requests; back ends do not). Requests from the
/// emulator's own pages (the built-in demo stands in for a back end) are exempt.
pub fn on_key_protected_request(headers: &HeaderMap, method: &str, path: &str) -> Option<String> {
    let key_sent = headers
        .get(&crate::http::auth::API_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|k| !k.trim().is_empty());
    let origin = headers
        .get(axum::http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())?;
    if !key_sent || origin.is_empty() || from_own_page(headers, origin) {
        return None;
    }
    Some(format!(
        "{method} {path} carried an apikey header and Origin: {origin} — the key is in the front end"
    ))
}

/// Whether a request comes from one of the emulator's own pages (same origin, referred by a page
/// under `/__emulator/`).
fn from_own_page(headers: &HeaderMap, origin: &str) -> bool {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let same_origin = origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host));
    let referer_is_ours = headers
        .get(axum::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://"))
        .and_then(|(_, rest)| rest.split_once('/'))
        .is_some_and(|(_, path)| path.starts_with("__emulator/"));
    same_origin && referer_is_ours
}

fn state_name(s: SessionState) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{s:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retired_mode_and_a_low_security_level_are_flagged() {
        let found =
            check_init_body(&json!({"livenessMode": "LIVENESS_MEDIUM", "securityLevel": "LOW"}));
        let rules: Vec<&str> = found.iter().map(|f| f.0).collect();
        assert_eq!(
            rules,
            vec![RETIRED_LIVENESS_MODE, SECURITY_LEVEL_BELOW_HIGH]
        );
    }

    #[test]
    fn a_current_mode_with_high_or_default_security_is_clean() {
        assert!(check_init_body(
            &json!({"livenessMode": "LIVENESS_PASSIVE", "securityLevel": "HIGH"})
        )
        .is_empty());
        assert!(check_init_body(&json!({"livenessMode": "LIVENESS_ACTIVE"})).is_empty());
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().expect("test header"));
        }
        h
    }

    #[test]
    fn a_key_with_an_origin_is_a_browser_leak() {
        let h = headers(&[
            ("apikey", "k"),
            ("origin", "http://localhost:3000"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(
            on_key_protected_request(&h, "POST", "/video-server/init-liveness-session").is_some()
        );
    }

    #[test]
    fn a_key_without_an_origin_is_a_back_end_call() {
        let h = headers(&[("apikey", "k"), ("host", "127.0.0.1:8080")]);
        assert!(
            on_key_protected_request(&h, "POST", "/video-server/init-liveness-session").is_none()
        );
    }

    #[test]
    fn the_built_in_demo_is_exempt() {
        let h = headers(&[
            ("apikey", "demo"),
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
            ("referer", "http://127.0.0.1:8080/__emulator/demo"),
        ]);
        assert!(
            on_key_protected_request(&h, "POST", "/video-server/init-liveness-session").is_none()
        );
    }
}
