//! The integration rules as data: each a mistake real integrator code makes, with a stable id, a
//! title and the fix to show. No detection here: the hooks that raise findings are in
//! [`crate::findings`], and what a session has been found doing is kept with the session
//! ([`crate::sessions::SessionFindings`]).

use std::time::Duration;

use serde::Serialize;

use crate::sessions::Finding;

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

/// Who can detect a rule being broken (named `observer` in the JSON the dashboard reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Detector {
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
    #[serde(rename = "observer")]
    pub detected_by: Detector,
}

/// Every rule the emulator knows, in the order the dashboard lists them.
pub const RULES: &[Rule] = &[
    Rule {
        id: VIDEO_BEFORE_INIT_END,
        title: "Video shown before onClientInitEnd",
        fix: "Keep the camera preview hidden (display:none, visibility:hidden, or behind an opaque loader) until the SDK calls onClientInitEnd, then show it. Before that the capture client is not ready and the user sees a frozen or unguided video. A page that passes no onClientInitEnd (like the vendor's active template) must at least not show the preview before startCapture; better, pass onClientInitEnd and show it there.",
        detected_by: Detector::Page,
    },
    Rule {
        id: CLOSED_WHILE_PENDING,
        title: "Capture closed while TRACKER_CHALLENGE_PENDING",
        fix: "After showChallengeInstruction('TRACKER_CHALLENGE_PENDING') the capture is being uploaded and analysed: keep the client connected and show a waiting screen. Call disconnect() only after showChallengeResult or errorFn (the vendor's black-screen FAQ).",
        detected_by: Detector::Both,
    },
    Rule {
        id: MISSING_CALLBACK_OPTION,
        title: "Mandatory callback option missing",
        fix: "Pass showChallengeInstruction, showChallengeResult, trackingFn and errorFn to BioserverVideo.initFaceCaptureClient(); without them the user never sees the instructions, the errors or the result. onClientInitEnd is also listed as mandatory in the vendor doc, but the vendor's own active template omits it, so its absence is not reported here; pass it anyway and show the camera preview only once it is called.",
        detected_by: Detector::Page,
    },
    Rule {
        id: RESULT_BEFORE_CAPTURE_END,
        title: "Result requested before the capture ended",
        fix: "Ask for liveness-challenge-result only after the page received showChallengeResult or your back end received the result callback; before that the result is not final.",
        detected_by: Detector::Emulator,
    },
    Rule {
        id: RESULT_POLLED_TOO_FAST,
        title: "Result polled more than once a second",
        fix: "Request the result once, after showChallengeResult or the callback. If you must poll, wait at least 1 s between requests and give up after about 10.",
        detected_by: Detector::Emulator,
    },
    Rule {
        id: API_KEY_IN_BROWSER,
        title: "API key sent by a browser",
        fix: "Call init-liveness-session, capabilities, Bioserver core and GIPS from your back end only. The apikey must never reach the front end: give the page the session id, nothing else.",
        detected_by: Detector::Emulator,
    },
    Rule {
        id: RETRY_AFTER_429_AT_ONCE,
        title: "429 answered by an immediate retry",
        fix: "On 429 do not retry at once: tell the user to wait (until unlockDateTime when given) or back off for several seconds with jitter before creating a new session.",
        detected_by: Detector::Emulator,
    },
    Rule {
        id: RETIRED_LIVENESS_MODE,
        title: "Retired liveness mode",
        fix: "Use LIVENESS_PASSIVE, LIVENESS_PASSIVE_VIDEO or LIVENESS_ACTIVE. LIVENESS_MEDIUM and the other older modes are no longer supported by the vendor.",
        detected_by: Detector::Emulator,
    },
    Rule {
        id: SECURITY_LEVEL_BELOW_HIGH,
        title: "securityLevel below HIGH",
        fix: "Send securityLevel HIGH, or leave it out (HIGH is the default): the vendor recommends HIGH for every liveness mode.",
        detected_by: Detector::Emulator,
    },
    Rule {
        id: CALLBACK_UNREACHABLE,
        title: "Callback URL cannot be reached",
        fix: "Give a callbackURL the video-server can reach (your back end's public or LAN address, not the browser's localhost) that answers 2xx to POST {\"sessionId\"}.",
        detected_by: Detector::Emulator,
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

impl Rule {
    /// A finding of this rule with `detail`, `t_ms` after its session was created.
    pub fn finding(&self, detail: impl Into<String>, t_ms: u64) -> Finding {
        Finding {
            rule: self.id.to_string(),
            title: self.title.to_string(),
            detail: detail.into(),
            fix: self.fix.to_string(),
            t_ms,
        }
    }
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
    fn the_dashboard_reads_who_detects_a_rule_as_observer() {
        let rule = serde_json::to_value(RULES[0]).unwrap_or_default();
        assert_eq!(rule["observer"], "page", "{rule}");
    }
}
