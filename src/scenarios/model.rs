//! The scenario file format: one JSON document describes one whole session.
//!
//! Everything is optional and defaults to a clean success, so a scenario states only what differs
//! (`{"result": {"livenessStatus": "SPOOF"}}` is a complete spoof scenario). Unknown fields are
//! rejected so that typos are reported instead of silently ignored. The JSON Schema served at
//! `/__emulator/scenario.schema.json` is generated from these types, and their doc comments are
//! the schema's descriptions: they are written for scenario authors (the schema file is checked in
//! and a test fails when it is stale: `cargo run -- schema > scenarios/scenario.schema.json`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One scenario file: everything a capture does, from the browser (environment, camera) through
/// the channel's timed events to the final result and scripted REST answers. Every part has a
/// default, so a file states only what differs from a successful capture.
///
/// ```
/// use webcapture_emulator::internals::{LivenessStatus, Scenario};
///
/// let s: Scenario = serde_json::from_str(r#"{"result":{"livenessStatus":"SPOOF"}}"#).unwrap();
/// assert_eq!(s.result.liveness_status, LivenessStatus::Spoof);
/// assert!(s.capture.timeline.is_none()); // the mode's built-in believable timeline
/// // Unknown fields are refused, so a typo never silently plays the default.
/// assert!(serde_json::from_str::<Scenario>(r#"{"reslut":{}}"#).is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
// The schema shows authors a one-line description, not the example above.
#[schemars(description = "One scenario file.")]
pub struct Scenario {
    /// Editors' schema hint; ignored.
    #[serde(default, rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Name used to select it; defaults to the file name without `.json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// One sentence for the dashboard: what the user will see.
    #[serde(default)]
    pub description: String,
    /// Rules that select this scenario for a new session when nothing more specific does.
    #[serde(default, rename = "match", skip_serializing_if = "Vec::is_empty")]
    pub match_rules: Vec<MatchRule>,
    /// Per-endpoint REST answers that replace or patch the emulator's normal answer.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rest: BTreeMap<Endpoint, RestAnswer>,
    /// What the page meets before any session exists: environment, network check, camera.
    #[serde(default)]
    pub browser: BrowserSide,
    /// The capture channel: init phase and the timeline of events.
    #[serde(default)]
    pub capture: Capture,
    /// The final result as core, GIPS and the callback report it.
    #[serde(default)]
    pub result: ResultSpec,
}

/// A rule that selects the scenario when every given field matches the session-creating request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MatchRule {
    /// Exact `correlationId` of init-liveness-session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// Exact `evidenceId` of init-liveness-session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_id: Option<String>,
    /// Liveness mode of the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness_mode: Option<LivenessMode>,
    /// Exact `apikey` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
}

/// The liveness modes a session can have (`LIVENESS_HIGH` from GIPS maps to `LIVENESS_ACTIVE`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LivenessMode {
    /// Selfie-like capture, nothing asked of the user.
    LivenessPassive,
    /// Passive capture with the oval and a short video.
    LivenessPassiveVideo,
    /// Join-the-dots challenge.
    LivenessActive,
}

impl LivenessMode {
    /// All modes, in the order the catalogue is played.
    pub const ALL: [LivenessMode; 3] = [
        LivenessMode::LivenessPassive,
        LivenessMode::LivenessPassiveVideo,
        LivenessMode::LivenessActive,
    ];

    /// The vendor's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LivenessMode::LivenessPassive => "LIVENESS_PASSIVE",
            LivenessMode::LivenessPassiveVideo => "LIVENESS_PASSIVE_VIDEO",
            LivenessMode::LivenessActive => "LIVENESS_ACTIVE",
        }
    }

    /// The mode spelled exactly as [`LivenessMode::as_str`] writes it (what video-server's init
    /// accepts: GIPS's `LIVENESS_HIGH` is not among them).
    pub fn exact(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Parses the vendor's spelling, accepting GIPS's `LIVENESS_HIGH` as active.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "LIVENESS_PASSIVE" => Some(LivenessMode::LivenessPassive),
            "LIVENESS_PASSIVE_VIDEO" => Some(LivenessMode::LivenessPassiveVideo),
            "LIVENESS_ACTIVE" | "LIVENESS_HIGH" => Some(LivenessMode::LivenessActive),
            _ => None,
        }
    }
}

/// Every REST endpoint whose answer a scenario can replace.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum Endpoint {
    /// `POST /video-server/init-liveness-session`
    InitLivenessSession,
    /// `GET /video-server/v2/capabilities`
    Capabilities,
    /// `GET|HEAD /video-server/network-latency`
    NetworkLatency,
    /// `POST /video-server/network-speed`
    NetworkSpeed,
    /// `GET /bioserver-app/v2/bio-sessions/{id}`
    GetBioSession,
    /// `GET /bioserver-app/v2/bio-sessions/{id}/liveness-challenge-result`
    LivenessChallengeResult,
    /// `POST /bioserver-app/v2/bio-sessions/{id}/faces`
    CreateFace,
    /// `GET /bioserver-app/v2/bio-sessions/{id}/faces/{faceId}`
    GetFace,
    /// `GET /bioserver-app/v2/bio-sessions/{id}/faces/{faceId}/image`
    GetFaceImage,
    /// `GET /bioserver-app/v2/bio-sessions/{id}/faces/{faceId}/matches`
    GetMatches,
    /// `POST /gips/v1/identities`
    GipsCreateIdentity,
    /// `POST /gips/v1/identities/{id}/consents`
    GipsConsents,
    /// `POST /gips/v1/identities/{id}/attributes/portrait/live-capture-(video-)session`
    GipsCaptureSession,
    /// `GET /gips/v1/identities/{id}/status/{portraitId}`
    GipsStatus,
    /// `GET /gips/v1/identities/{id}`
    GipsIdentity,
    /// `GET /gips/v1/identities/{id}/attributes/portrait/capture`
    GipsPortrait,
}

impl Endpoint {
    /// Every endpoint, so the schema can list the names `rest` accepts.
    pub const ALL: [Endpoint; 16] = [
        Endpoint::InitLivenessSession,
        Endpoint::Capabilities,
        Endpoint::NetworkLatency,
        Endpoint::NetworkSpeed,
        Endpoint::GetBioSession,
        Endpoint::LivenessChallengeResult,
        Endpoint::CreateFace,
        Endpoint::GetFace,
        Endpoint::GetFaceImage,
        Endpoint::GetMatches,
        Endpoint::GipsCreateIdentity,
        Endpoint::GipsConsents,
        Endpoint::GipsCaptureSession,
        Endpoint::GipsStatus,
        Endpoint::GipsIdentity,
        Endpoint::GipsPortrait,
    ];
}

/// A scripted REST answer. With only `delayMs` (or only `patch`) the normal answer is kept and altered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RestAnswer {
    /// HTTP status to answer with; an error status (≥ 400) without `body` gets the vendor's `{code,error}` body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// JSON body that replaces the normal one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// JSON merge patch (RFC 7396) applied to the normal body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<Value>,
    /// Extra response headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Milliseconds to wait before answering (scaled by `--time-scale`).
    #[serde(default)]
    pub delay_ms: u64,
}

/// What the stub SDK applies in the page itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BrowserSide {
    /// Forced environment detection results.
    #[serde(default)]
    pub environment: EnvironmentSpec,
    /// Imposed network-check figures.
    #[serde(default)]
    pub network: NetworkSpec,
    /// Camera availability as `getMediaStream` reports it.
    #[serde(default)]
    pub camera: CameraSpec,
    /// Where the best image comes from.
    #[serde(default)]
    pub best_image: BestImageSource,
}

/// Environment detection overrides; absent fields mean "detect for real".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnvironmentSpec {
    /// Force the OS to be reported (un)supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_supported: Option<bool>,
    /// Force the browser to be reported (un)supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_supported: Option<bool>,
    /// Force the mobile flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_mobile: Option<bool>,
}

/// Network-check overrides; absent fields mean "measure for real".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NetworkSpec {
    /// Reported latency in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    /// Reported upload speed in kbit/s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_kbps: Option<f64>,
    /// Make the measurement fail (`errorFn` is called).
    #[serde(default)]
    pub fail: bool,
}

/// Camera availability.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum CameraSpec {
    /// `getUserMedia` is called for real.
    #[default]
    Granted,
    /// `getMediaStream` rejects with NotAllowedError (code 1304).
    Denied,
    /// `getMediaStream` rejects with NotFoundError.
    Missing,
}

/// Source of the best image.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum BestImageSource {
    /// An embedded fixture (see `result.bestImage`).
    #[default]
    Fixture,
    /// A frame grabbed by the stub from the real camera stream.
    Camera,
}

/// The capture channel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Capture {
    /// What happens while `initFaceCaptureClient` is pending.
    #[serde(default)]
    pub init: InitPhase,
    /// Milliseconds between the page's `startCapture` and `onClientInitEnd` (added before the
    /// `clientInitEnd` step): the real client negotiates its video stream (WebRTC) first, so a
    /// page shows a loader meanwhile. Absent: 1000 (see `scenarios/README.md`); 0 for none.
    /// Scaled by `--time-scale` like every delay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_init_delay_ms: Option<u64>,
    /// Timeline for every mode; absent means the built-in believable timeline of the session's mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<Step>>,
    /// Timeline for LIVENESS_PASSIVE only (wins over `timeline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passive: Option<Vec<Step>>,
    /// Timeline for LIVENESS_PASSIVE_VIDEO only (wins over `timeline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passive_video: Option<Vec<Step>>,
    /// Timeline for LIVENESS_ACTIVE only (wins over `timeline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<Vec<Step>>,
}

/// The init phase of the channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InitPhase {
    /// `downloadProgress` values sent while init is pending.
    #[serde(default = "default_download_progress")]
    pub download_progress: Vec<f64>,
    /// Milliseconds between two progress events.
    #[serde(default = "default_interval_ms")]
    pub interval_ms: u64,
    /// An error raised at init (e.g. 429 or 503): the client promise rejects, then `errorFn` is called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ChannelError>,
}

impl Default for InitPhase {
    fn default() -> Self {
        InitPhase {
            download_progress: default_download_progress(),
            interval_ms: default_interval_ms(),
            error: None,
        }
    }
}

fn default_download_progress() -> Vec<f64> {
    vec![0.2, 0.45, 0.7, 0.9, 1.0]
}

fn default_interval_ms() -> u64 {
    100
}

fn default_fps() -> f64 {
    10.0
}

fn one() -> u32 {
    1
}

/// One step of a capture timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum Step {
    /// Wait until the page does something (e.g. `startCapture`).
    #[serde(rename_all = "camelCase")]
    WaitFor {
        /// The client event to wait for.
        event: ClientEvent,
    },
    /// Fire `onClientInitEnd` (when the page gave one).
    ClientInitEnd,
    /// Believable face tracking: a face box that settles in the centre, at `fps` frames a second.
    #[serde(rename_all = "camelCase")]
    FaceTracking {
        /// How long to track, in milliseconds (a whole number, e.g. 2500).
        #[schemars(example = 2500)]
        duration_ms: u64,
        /// Frames per second.
        #[serde(default = "default_fps")]
        fps: f64,
        /// Fields merged into every generated frame (e.g. `{"positionInfo": "TRACKER_POSITION_INFO_MOVE_BACK_INTO_FRAME"}`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        with: Option<Value>,
        /// Track no face at all (facew/faceh 0), as when nobody is in front of the camera.
        #[serde(default)]
        no_face: bool,
    },
    /// Literal tracking frame(s) passed to `trackingFn` as given.
    #[serde(rename_all = "camelCase")]
    Tracking {
        /// The frame object.
        frame: Value,
        /// How many times to send it.
        #[serde(default = "one")]
        repeat: u32,
        /// Milliseconds between repeats.
        #[serde(default = "default_interval_ms")]
        interval_ms: u64,
    },
    /// `showChallengeInstruction(value)`.
    Instruction {
        /// E.g. TRACKER_CHALLENGE_DONT_MOVE, FACEFLOW_CHALLENGE_2D, TRACKER_CHALLENGE_PENDING.
        value: String,
    },
    /// The join-the-dots challenge for the session's `numberOfChallenge` targets.
    #[serde(rename_all = "camelCase")]
    Challenge {
        /// Time the controlled point takes to reach each target.
        #[serde(default = "default_per_target_ms")]
        per_target_ms: u64,
        /// Frames per second.
        #[serde(default = "default_fps")]
        fps: f64,
        /// Stop after reaching this many targets (fewer than numberOfChallenge simulates giving up).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reach: Option<u32>,
    },
    /// `uploadProgress` from 0 to 1 in `steps` events over `duration_ms`.
    #[serde(rename_all = "camelCase")]
    UploadProgress {
        /// Number of events.
        #[serde(default = "default_upload_steps")]
        steps: u32,
        /// Total duration.
        #[serde(default = "default_upload_ms")]
        duration_ms: u64,
    },
    /// Do nothing for a while.
    Wait {
        /// Milliseconds, a whole number (scaled by `--time-scale`).
        #[schemars(example = 500)]
        ms: u64,
    },
    /// `errorFn(error)` and the end of the capture.
    Error(ChannelError),
    /// Drop the channel abruptly (as a crashed server or lost network would).
    Disconnect,
    /// Make the result final in core/GIPS, send the callback, then `showChallengeResult`.
    Result,
}

fn default_per_target_ms() -> u64 {
    1200
}
fn default_upload_steps() -> u32 {
    5
}
fn default_upload_ms() -> u64 {
    1000
}

/// A page event the timeline can wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ClientEvent {
    /// `client.startCapture({stream})`.
    StartCapture,
}

/// An error delivered to `errorFn`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChannelError {
    /// Numeric code (429, 503, 1100, 1200, 1201, 1301, 1303, 1304, 2000, ...).
    #[schemars(example = 1301)]
    pub code: u32,
    /// Message; defaults to the vendor's text for the code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// For 429: the lock ends this many seconds after the error is sent (`unlockDateTime`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unlock_in_seconds: Option<i64>,
}

/// The vendor's liveness statuses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LivenessStatus {
    /// Live person.
    #[default]
    Success,
    /// Generic failure.
    Failed,
    /// Presentation attack detected.
    Spoof,
    /// Internal error.
    Error,
    /// The liveness test was not completed within the time permitted (the capture time limit;
    /// see the built-in `capture-timeout`).
    Timeout,
}

/// GIPS portrait statuses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GipsStatus {
    /// Portrait verified.
    #[default]
    Verified,
    /// Portrait not verified.
    NotVerified,
    /// Portrait invalid.
    Invalid,
}

/// The final result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResultSpec {
    /// `livenessStatus` in core.
    #[serde(default)]
    pub liveness_status: LivenessStatus,
    /// `diagnostic` in core.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostic: Option<String>,
    /// Fixture name of the best image (an image of `fixtures/`, e.g. "face-1"); `"none"` for a
    /// result without one.
    #[serde(default = "default_best_image")]
    pub best_image: String,
    /// Estimated age in years, a plain number (e.g. 17), not the API's object. When the session
    /// was created with an `ageThreshold` (init-liveness-session), core's result carries
    /// `age: {aboveThreshold, ageEstimated, threshold}`: `ageEstimated` is this number,
    /// `threshold` the session's `ageThreshold`, and `aboveThreshold` is `ageEstimated >=
    /// threshold` (an estimate equal to the threshold passes; the vendor leaves the comparison
    /// undocumented). Without an `ageThreshold` no `age` is reported. To script an age rejection
    /// for a threshold of 18, give 17.
    #[serde(default = "default_age")]
    #[schemars(example = 17)]
    pub age: f64,
    /// Score of matches against the best image, a number (≥ 3000 is a match for the sample app).
    #[serde(default = "default_score")]
    #[schemars(example = 7771.43)]
    pub match_score: f64,
    /// Whether image storage is enabled (false → face image answers 204).
    #[serde(default = "default_true")]
    pub image_storage: bool,
    /// GIPS outcome.
    #[serde(default)]
    pub gips: GipsOutcome,
    /// Result callback behaviour.
    #[serde(default)]
    pub callback: CallbackSpec,
    /// Signature of signed answers.
    #[serde(default)]
    pub signature: SignatureMode,
}

impl Default for ResultSpec {
    fn default() -> Self {
        ResultSpec {
            liveness_status: LivenessStatus::Success,
            diagnostic: None,
            best_image: default_best_image(),
            age: default_age(),
            match_score: default_score(),
            image_storage: true,
            gips: GipsOutcome::default(),
            callback: CallbackSpec::default(),
            signature: SignatureMode::default(),
        }
    }
}

fn default_best_image() -> String {
    "face-1".to_string()
}
fn default_age() -> f64 {
    27.4
}
fn default_score() -> f64 {
    7771.43
}
fn default_true() -> bool {
    true
}

/// GIPS portrait outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GipsOutcome {
    /// Portrait status once the capture is final.
    #[serde(default)]
    pub status: GipsStatus,
    /// Evidence strength, LEVEL1..LEVEL4.
    #[serde(default = "default_strength")]
    pub strength: String,
    /// When non-empty, the status answer carries these `errors[]` instead of a verdict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Value>,
}

impl Default for GipsOutcome {
    fn default() -> Self {
        GipsOutcome {
            status: GipsStatus::Verified,
            strength: default_strength(),
            errors: Vec::new(),
        }
    }
}

fn default_strength() -> String {
    "LEVEL3".to_string()
}

/// How the result callback behaves.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CallbackSpec {
    /// Never send the callback.
    #[serde(default)]
    pub skip: bool,
    /// Wait this long before the first attempt.
    #[serde(default)]
    pub delay_ms: u64,
    /// Pretend the first N attempts failed (the emulator retries with backoff).
    #[serde(default)]
    pub fail_times: u32,
}

/// Whether signed answers carry a valid signature.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum SignatureMode {
    /// A JWS that verifies against the published key.
    #[default]
    Valid,
    /// A JWS whose signature does not verify (to test integrators' verification).
    Invalid,
    /// No `signature` field.
    Absent,
}
