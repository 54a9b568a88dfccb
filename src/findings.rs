//! Integration findings: departures from the vendor's documented integration rules, observed while
//! an integrator's page and back end talk to the emulator.
//!
//! A front-end developer whose page "mostly works" against the emulator still wants to know what
//! will break against the real service: a key leaked to the browser, a result fetched too early, a
//! capture closed during the upload (the black-screen FAQ). Each rule here has an id, a title and
//! a fix; [`record`] stores a [`Finding`] once per rule per session, pushes it into the transcript
//! (kind `finding`), logs it (warn, or error with `--strict` so CI fails loudly) and tells the
//! dashboard.
//!
//! Detection points are one-line calls for the modules that see the behaviour:
//! [`on_result_request`], [`on_channel_closed`], [`on_callback_unreachable`],
//! [`on_page_report`] (the stub SDK's reports over the channel or
//! `POST /__emulator/sessions/{id}/findings`), and [`check_init_body`] / [`on_key_protected_request`],
//! which the request watcher ([`crate::front::watcher`]) applies to every request.

use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use serde::Serialize;
use serde_json::{json, Value};

use crate::{
    error::ApiError,
    sessions::{store::SharedSession, SessionState},
    state::AppState,
};

/// The video element was shown before the SDK called `onClientInitEnd` (reported by the stub SDK).
pub const VIDEO_BEFORE_INIT_END: &str = "video-before-client-init-end";
/// The capture was closed while the SDK was in TRACKER_CHALLENGE_PENDING.
pub const CLOSED_WHILE_PENDING: &str = "closed-while-pending";
/// `initFaceCaptureClient` was called without a mandatory callback (reported by the stub SDK).
pub const MISSING_CALLBACK_OPTION: &str = "missing-callback-option";
/// The liveness result was requested before the capture ended.
pub const RESULT_BEFORE_CAPTURE_END: &str = "result-before-capture-end";
/// The liveness result was requested again less than a second after the previous request.
pub const RESULT_POLLED_TOO_FAST: &str = "result-polled-too-fast";
/// A browser sent an API key to a key-protected endpoint.
pub const API_KEY_IN_BROWSER: &str = "api-key-in-browser";
/// A 429 on init-liveness-session was answered by retrying at once.
pub const RETRY_AFTER_429_AT_ONCE: &str = "retry-after-429-at-once";
/// A liveness mode the vendor no longer supports was asked for.
pub const RETIRED_LIVENESS_MODE: &str = "retired-liveness-mode";
/// A securityLevel below the recommended HIGH was asked for.
pub const SECURITY_LEVEL_BELOW_HIGH: &str = "security-level-below-high";
/// The session's callbackURL could not be reached.
pub const CALLBACK_UNREACHABLE: &str = "callback-unreachable";

/// Two result requests closer than this are "polling more than once a second".
pub const MIN_RESULT_POLL_INTERVAL: Duration = Duration::from_millis(1000);

/// Who can observe a rule being broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Observer {
    /// The emulator sees it in the requests it serves.
    Emulator,
    /// Only the page sees it; the stub SDK reports it (channel message or POST).
    Page,
    /// Both can see it.
    Both,
}

/// One integration rule: a mistake real integrator code makes, with the fix to show, so a finding
/// in a transcript always says what to change and not only what happened.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rule {
    /// Stable id (used in transcripts, logs and the stub SDK's reports).
    pub id: &'static str,
    /// One line for the dashboard.
    pub title: &'static str,
    /// What to change in the integration.
    pub fix: &'static str,
    /// Who detects it.
    pub observer: Observer,
}

/// Every rule the emulator knows, in the order the dashboard lists them.
pub const RULES: &[Rule] = &[
    Rule {
        id: VIDEO_BEFORE_INIT_END,
        title: "Video shown before onClientInitEnd",
        fix: "Keep the camera preview hidden (display:none, visibility:hidden, or behind an opaque loader) until the SDK calls onClientInitEnd, then show it. Before that the capture client is not ready and the user sees a frozen or unguided video. A page that passes no onClientInitEnd (like the vendor's active template) must at least not show the preview before startCapture; better, pass onClientInitEnd and show it there.",
        observer: Observer::Page,
    },
    Rule {
        id: CLOSED_WHILE_PENDING,
        title: "Capture closed while TRACKER_CHALLENGE_PENDING",
        fix: "After showChallengeInstruction('TRACKER_CHALLENGE_PENDING') the capture is being uploaded and analysed: keep the client connected and show a waiting screen. Call disconnect() only after showChallengeResult or errorFn (the vendor's black-screen FAQ).",
        observer: Observer::Both,
    },
    Rule {
        id: MISSING_CALLBACK_OPTION,
        title: "Mandatory callback option missing",
        fix: "Pass showChallengeInstruction, showChallengeResult, trackingFn and errorFn to BioserverVideo.initFaceCaptureClient(); without them the user never sees the instructions, the errors or the result. onClientInitEnd is also listed as mandatory in the vendor doc, but the vendor's own active template omits it, so its absence is not reported here; pass it anyway and show the camera preview only once it is called.",
        observer: Observer::Page,
    },
    Rule {
        id: RESULT_BEFORE_CAPTURE_END,
        title: "Result requested before the capture ended",
        fix: "Ask for liveness-challenge-result only after the page received showChallengeResult or your back end received the result callback; before that the result is not final.",
        observer: Observer::Emulator,
    },
    Rule {
        id: RESULT_POLLED_TOO_FAST,
        title: "Result polled more than once a second",
        fix: "Request the result once, after showChallengeResult or the callback. If you must poll, wait at least 1 s between requests and give up after about 10.",
        observer: Observer::Emulator,
    },
    Rule {
        id: API_KEY_IN_BROWSER,
        title: "API key sent by a browser",
        fix: "Call init-liveness-session, capabilities, Bioserver core and GIPS from your back end only. The apikey must never reach the front end: give the page the session id, nothing else.",
        observer: Observer::Emulator,
    },
    Rule {
        id: RETRY_AFTER_429_AT_ONCE,
        title: "429 answered by an immediate retry",
        fix: "On 429 do not retry at once: tell the user to wait (until unlockDateTime when given) or back off for several seconds with jitter before creating a new session.",
        observer: Observer::Emulator,
    },
    Rule {
        id: RETIRED_LIVENESS_MODE,
        title: "Retired liveness mode",
        fix: "Use LIVENESS_PASSIVE, LIVENESS_PASSIVE_VIDEO or LIVENESS_ACTIVE. LIVENESS_MEDIUM and the other older modes are no longer supported by the vendor.",
        observer: Observer::Emulator,
    },
    Rule {
        id: SECURITY_LEVEL_BELOW_HIGH,
        title: "securityLevel below HIGH",
        fix: "Send securityLevel HIGH, or leave it out (HIGH is the default): the vendor recommends HIGH for every liveness mode.",
        observer: Observer::Emulator,
    },
    Rule {
        id: CALLBACK_UNREACHABLE,
        title: "Callback URL cannot be reached",
        fix: "Give a callbackURL the video-server can reach (your back end's public or LAN address, not the browser's localhost) that answers 2xx to POST {\"sessionId\"}.",
        observer: Observer::Emulator,
    },
];

/// Liveness modes the vendor no longer accepts on init-liveness-session.
pub const RETIRED_MODES: &[&str] = &[
    "LIVENESS_MEDIUM",
    "LIVENESS_LOW",
    "LIVENESS_HIGH",
    "LIVENESS_VERY_HIGH",
    "NO_LIVENESS",
];

/// The callbacks `initFaceCaptureClient` must be given.
pub const MANDATORY_CALLBACKS: &[&str] = &[
    "showChallengeResult",
    "trackingFn",
    "errorFn",
    "showChallengeInstruction",
];

/// Looks a rule up by id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// One observed departure from a rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Rule id.
    pub rule: String,
    /// Rule title.
    pub title: String,
    /// What exactly was observed.
    pub detail: String,
    /// How to fix it.
    pub fix: String,
    /// Milliseconds since the session was created (0 for findings without a session).
    pub t_ms: u64,
}

impl Finding {
    /// A finding of `rule` with `detail`, at `t_ms`.
    pub fn new(rule: &Rule, detail: impl Into<String>, t_ms: u64) -> Self {
        Finding {
            rule: rule.id.to_string(),
            title: rule.title.to_string(),
            detail: detail.into(),
            fix: rule.fix.to_string(),
            t_ms,
        }
    }
}

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
        let control = s.control.clone();
        let mut observed = control.observed();
        if observed.findings.iter().any(|f| f.rule == rule.id) {
            return None;
        }
        let t_ms = s.created_at.elapsed().as_millis() as u64;
        let finding = Finding::new(rule, detail, t_ms);
        observed.findings.push(finding.clone());
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
    let finding = Finding::new(rule, detail, 0);
    log(state, None, &finding);
    state.notify(json!({"type": "finding", "sessionId": null, "finding": finding}));
    Some(finding)
}

/// The findings recorded for a session, oldest first.
pub fn of(session: &SharedSession) -> Vec<Finding> {
    let control = session.lock().control.clone();
    let found = control.observed().findings.clone();
    found
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
        let s = session.lock();
        let control = s.control.clone();
        let mut observed = control.observed();
        let previous = observed.last_result_request.replace(now);
        let known = |id: &str| observed.findings.iter().any(|f| f.rule == id);
        let (early, fast) = (
            known(RESULT_BEFORE_CAPTURE_END),
            known(RESULT_POLLED_TOO_FAST),
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
    if rule.observer == Observer::Emulator {
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
        .get("apikey")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|k| !k.trim().is_empty());
    let origin = headers.get("origin").and_then(|v| v.to_str().ok())?;
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
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let same_origin = origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host));
    let referer_is_ours = headers
        .get("referer")
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
    fn every_rule_has_a_unique_id_a_title_and_a_fix() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        for r in RULES {
            assert!(!r.title.is_empty() && r.fix.len() > 40, "{}", r.id);
        }
    }

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
