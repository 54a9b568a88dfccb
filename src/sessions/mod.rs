//! Bio-sessions: what init-liveness-session creates and every other surface reads.
//!
//! A session is shared by the video-server (creation, channel), core (result, faces), GIPS
//! (portrait status) and the control plane (transcripts), so it lives in one concurrent store with
//! a TTL sweeper that keeps memory bounded under any load.

pub mod gate;
pub mod lockout;
pub mod store;
pub mod transcript;

use std::{collections::HashMap, sync::Arc, time::Instant};

use serde::Serialize;
use time::OffsetDateTime;

pub use store::SessionStore;
pub use transcript::Transcript;

use crate::scenarios::model::{LivenessMode, Scenario};

/// The parameters given at creation (init-liveness-session body or GIPS capture session).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionParams {
    /// Liveness mode.
    pub liveness_mode: LivenessMode,
    /// LOW / MEDIUM / HIGH.
    pub security_level: String,
    /// Join-the-dots targets (active mode).
    pub number_of_challenge: u32,
    /// Integrator's transaction id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// GIPS evidence id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence_id: Option<String>,
    /// Where to POST `{"sessionId"}` when the result is final.
    #[serde(rename = "callbackURL", skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Age threshold, when age estimation was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_threshold: Option<f64>,
}

impl SessionParams {
    /// A session of `mode` as the vendor's sample app creates it (HIGH, 2 challenges, no
    /// correlation, evidence, callback or age check); callers override fields with struct update
    /// syntax, so tests and tools state only what matters to them.
    pub fn new(mode: LivenessMode) -> Self {
        SessionParams {
            liveness_mode: mode,
            security_level: "HIGH".into(),
            number_of_challenge: 2,
            correlation_id: None,
            evidence_id: None,
            callback_url: None,
            age_threshold: None,
        }
    }
}

/// How the session's scenario was chosen (shown in transcripts, so people understand why).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SelectedBy {
    /// Admin API pin for this session id.
    Pin,
    /// `X-Emulator-Scenario` header or `scenario` body field at creation.
    Request,
    /// Page hint passed by the stub SDK when the channel opened.
    PageHint,
    /// A `match` rule in a scenario file.
    MatchRule,
    /// The one-shot queue.
    Queue,
    /// The default scenario.
    Default,
}

impl SelectedBy {
    /// The name transcripts show (serde's camelCase spelling of the variant), for the creation
    /// event `capture` writes by hand; a test there pins it to serde's text.
    pub fn as_str(self) -> &'static str {
        match self {
            SelectedBy::Pin => "pin",
            SelectedBy::Request => "request",
            SelectedBy::PageHint => "pageHint",
            SelectedBy::MatchRule => "matchRule",
            SelectedBy::Queue => "queue",
            SelectedBy::Default => "default",
        }
    }
}

/// Where a session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SessionState {
    /// Created, no channel yet.
    Created,
    /// Channel open, capture running.
    Capturing,
    /// Capture done, result being computed (after TRACKER_CHALLENGE_PENDING).
    Pending,
    /// Result final.
    Finished,
    /// Ended by an error or a disconnect, without a result.
    Failed,
}

impl SessionState {
    /// Whether nothing more will happen to the session.
    pub fn is_terminal(self) -> bool {
        matches!(self, SessionState::Finished | SessionState::Failed)
    }
}

/// A face resource (best image or uploaded selfie).
#[derive(Debug, Clone)]
pub struct Face {
    /// Face id.
    pub id: String,
    /// The image bytes as stored.
    pub image: bytes::Bytes,
    /// SHA-256 of `image`, lowercase hex (computed once, when the image was described).
    pub digest: String,
    /// MIME type of `image`.
    pub content_type: String,
    /// Pixel size of `image`.
    pub width: u32,
    /// Pixel size of `image`.
    pub height: u32,
    /// SELFIE, ID_DOCUMENT...
    pub image_type: String,
    /// Optional friendly name.
    pub friendly_name: Option<String>,
    /// When it was created.
    pub created: OffsetDateTime,
}

/// The final result of a capture as core reports it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LivenessResult {
    /// SUCCESS, SPOOF...
    pub liveness_status: crate::scenarios::model::LivenessStatus,
    /// Diagnostic text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostic: Option<String>,
    /// Face id of the best image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best_image_id: Option<String>,
    /// When it became final.
    #[serde(with = "time::serde::rfc3339")]
    pub finished: OffsetDateTime,
}

/// One observed departure from an integration rule (the rules themselves are
/// `crate::findings::rules`): a copy of the rule's words with what was seen, so a transcript or an
/// export always says what to change, not only what happened.
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

/// What the findings hooks remember about one session between requests: kept in the session, so
/// it is bounded and dropped with it.
#[derive(Debug, Default)]
pub struct SessionFindings {
    /// When the page's back end last asked for the liveness result (for the polling rule).
    pub last_result_request: Option<Instant>,
    /// Findings recorded so far, oldest first (one per rule).
    pub recorded: Vec<Finding>,
}

impl SessionFindings {
    /// Whether rule `id` was already recorded (each rule is recorded once per session).
    pub fn has(&self, id: &str) -> bool {
        self.recorded.iter().any(|f| f.rule == id)
    }
}

/// One bio-session: the single record that the video-server, core, GIPS and the control plane all
/// read and update, so every surface agrees on a capture's state and result.
#[derive(Debug)]
pub struct BioSession {
    /// Session id (a UUID).
    pub id: String,
    /// Creation parameters.
    pub params: SessionParams,
    /// The scenario this session plays; fixed once the capture starts.
    pub scenario: Arc<Scenario>,
    /// Its name.
    pub scenario_name: String,
    /// Why it was chosen.
    pub selected_by: SelectedBy,
    /// Lifecycle state.
    pub state: SessionState,
    /// Final result once known.
    pub result: Option<LivenessResult>,
    /// Faces by id.
    pub faces: HashMap<String, Face>,
    /// Everything that happened, for people and CI.
    pub transcript: Transcript,
    /// Client fingerprint (IP + User-Agent) of the creating request, for lockout.
    pub fingerprint: Option<String>,
    /// API key of the creating request.
    pub api_key: Option<String>,
    /// GIPS identity that owns this session, if any.
    pub identity_id: Option<String>,
    /// Wall-clock creation time.
    pub created: OffsetDateTime,
    /// Monotonic creation time (transcript offsets are relative to it).
    pub created_at: Instant,
    /// Last activity, for the TTL.
    pub touched_at: Instant,
    /// The trainer's gate (pause/step/inject) the channel runner passes before each action.
    pub control: gate::SessionControl,
    /// What the integration findings hooks remember about this session (kept and dropped with it).
    pub findings: SessionFindings,
    /// The signed `liveness-challenge-result` body once the session is `Finished` (it never
    /// changes then), so polls serve bytes instead of re-signing and re-hashing.
    pub result_body: Option<bytes::Bytes>,
}

impl BioSession {
    /// A new session in state `Created`.
    pub fn new(
        id: String,
        params: SessionParams,
        scenario: Arc<Scenario>,
        scenario_name: String,
        selected_by: SelectedBy,
    ) -> Self {
        let now = Instant::now();
        BioSession {
            id,
            params,
            scenario,
            scenario_name,
            selected_by,
            state: SessionState::Created,
            result: None,
            faces: HashMap::new(),
            transcript: Transcript::new(now),
            fingerprint: None,
            api_key: None,
            identity_id: None,
            created: OffsetDateTime::now_utc(),
            created_at: now,
            touched_at: now,
            control: gate::SessionControl::new(),
            findings: SessionFindings::default(),
            result_body: None,
        }
    }

    /// A short summary for listings (`GET /__emulator/sessions`).
    pub fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "scenario": self.scenario_name,
            "selectedBy": self.selected_by,
            "livenessMode": self.params.liveness_mode,
            "state": self.state,
            "created": crate::time_format::rfc3339(self.created),
            "ageMs": self.created_at.elapsed().as_millis() as u64,
            "livenessStatus": self.result.as_ref().map(|r| r.liveness_status),
        })
    }
}
