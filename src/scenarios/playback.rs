//! Turns a scenario into the timed list of channel actions one session plays.
//!
//! The plan is computed once when the capture starts (so it is deterministic under `--seed`), and
//! the channel ([`crate::video_server::channel`]) walks it, sleeping `delay_ms × --time-scale`
//! before each action. Keeping generation here and transport there lets tests check a whole
//! scenario's events without a socket.

use rand::Rng;
use serde_json::{json, Value};

use super::model::{ChannelError, LivenessMode, Scenario, Step};

/// One thing the channel does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Block until the page sends this event.
    WaitFor(super::model::ClientEvent),
    /// `onClientInitEnd()`.
    ClientInitEnd,
    /// `trackingFn(frame)`.
    Tracking(Value),
    /// `showChallengeInstruction(value)`.
    Instruction(String),
    /// `errorFn(error)`; ends the capture.
    Error(ChannelError),
    /// Close the socket without a word.
    Disconnect,
    /// Finalise the result, callback, then `showChallengeResult`.
    Result,
}

/// An action and the (unscaled) delay before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// Milliseconds to wait before the action, before `--time-scale` is applied.
    pub delay_ms: u64,
    /// What to do.
    pub action: Action,
}

/// Milliseconds from `startCapture` to `onClientInitEnd` when a scenario does not say
/// (`capture.clientInitDelayMs`): about what the real client takes to negotiate its WebRTC video
/// stream (signalling round trip, ICE through the vendor's TURN relay, DTLS handshake, first key
/// frame) before it reports the end of its initialisation; `scenarios/README.md` gives the reasoning.
pub const DEFAULT_CLIENT_INIT_DELAY_MS: u64 = 1000;

/// The built-in believable timeline of a mode (used when a scenario gives none).
pub fn default_timeline(mode: LivenessMode) -> Vec<Step> {
    use super::model::ClientEvent::StartCapture;
    let mut steps = vec![
        Step::WaitFor {
            event: StartCapture,
        },
        Step::ClientInitEnd,
        Step::FaceTracking {
            duration_ms: 2500,
            fps: 10.0,
            with: None,
            no_face: false,
        },
    ];
    match mode {
        LivenessMode::LivenessActive => {
            steps.push(Step::Instruction {
                value: "FACEFLOW_CHALLENGE_2D".into(),
            });
            steps.push(Step::Challenge {
                per_target_ms: 1200,
                fps: 10.0,
                reach: None,
            });
            steps.push(Step::Instruction {
                value: "TRACKER_CHALLENGE_PENDING".into(),
            });
            steps.push(Step::Wait { ms: 600 });
        }
        LivenessMode::LivenessPassive | LivenessMode::LivenessPassiveVideo => {
            steps.push(Step::Instruction {
                value: "TRACKER_CHALLENGE_DONT_MOVE".into(),
            });
            steps.push(Step::Wait { ms: 1000 });
            steps.push(Step::Instruction {
                value: "TRACKER_CHALLENGE_PENDING".into(),
            });
            steps.push(Step::UploadProgress {
                steps: 5,
                duration_ms: 1000,
            });
        }
    }
    steps.push(Step::Result);
    steps
}

/// The timeline steps a scenario gives for `mode` (mode-specific first, then common, then default),
/// adapted to the event order the mode needs (integration contract §5.2–§5.4, §5.10).
///
/// - Every timeline waits for `startCapture` before any capture event, and fires
///   `onClientInitEnd` right after it when the file does not place it.
/// - The common `timeline` is written once for all modes: in active mode a "don't move"
///   instruction becomes `FACEFLOW_CHALLENGE_2D` followed by the challenge (when the file has no
///   `challenge` step) and upload progress is dropped (the active page shows none); in passive
///   modes the challenge is dropped and `FACEFLOW_CHALLENGE_2D` becomes "don't move".
pub fn timeline_for(scenario: &Scenario, mode: LivenessMode) -> Vec<Step> {
    let specific = match mode {
        LivenessMode::LivenessPassive => &scenario.capture.passive,
        LivenessMode::LivenessPassiveVideo => &scenario.capture.passive_video,
        LivenessMode::LivenessActive => &scenario.capture.active,
    };
    let steps = match (specific, &scenario.capture.timeline) {
        (Some(steps), _) => steps.clone(),
        (None, Some(common)) => adapt_common(common, mode),
        (None, None) => default_timeline(mode),
    };
    ensure_start(steps)
}

const DONT_MOVE: &str = "TRACKER_CHALLENGE_DONT_MOVE";
const CHALLENGE_2D: &str = "FACEFLOW_CHALLENGE_2D";

fn adapt_common(common: &[Step], mode: LivenessMode) -> Vec<Step> {
    let active = mode == LivenessMode::LivenessActive;
    let has_challenge = common.iter().any(|s| matches!(s, Step::Challenge { .. }));
    let mut out = Vec::with_capacity(common.len() + 1);
    for step in common {
        match step {
            Step::UploadProgress { .. } if active => {}
            Step::Challenge { .. } if !active => {}
            Step::Instruction { value } if active && value == DONT_MOVE => {
                out.push(Step::Instruction {
                    value: CHALLENGE_2D.into(),
                });
                if !has_challenge {
                    out.push(Step::Challenge {
                        per_target_ms: 1200,
                        fps: 10.0,
                        reach: None,
                    });
                }
            }
            Step::Instruction { value } if !active && value == CHALLENGE_2D => {
                out.push(Step::Instruction {
                    value: DONT_MOVE.into(),
                })
            }
            other => out.push(other.clone()),
        }
    }
    out
}

fn ensure_start(mut steps: Vec<Step>) -> Vec<Step> {
    use super::model::ClientEvent::StartCapture;
    let start = match steps.iter().position(|s| {
        matches!(
            s,
            Step::WaitFor {
                event: StartCapture
            }
        )
    }) {
        Some(i) => i,
        None => {
            steps.insert(
                0,
                Step::WaitFor {
                    event: StartCapture,
                },
            );
            0
        }
    };
    if !steps.iter().any(|s| matches!(s, Step::ClientInitEnd)) {
        steps.insert(start + 1, Step::ClientInitEnd);
    }
    steps
}

/// What the channel does while `initFaceCaptureClient` is pending: `downloadProgress` events,
/// then, when the scenario raises one, the init error (the client promise rejects, then
/// `errorFn` is called on the next macrotask, contract §5.11).
pub fn init_plan(scenario: &Scenario) -> Vec<Planned> {
    let init = &scenario.capture.init;
    let mut out: Vec<Planned> = init
        .download_progress
        .iter()
        .enumerate()
        .map(|(i, p)| Planned {
            delay_ms: if i == 0 { 0 } else { init.interval_ms },
            action: Action::Tracking(json!({ "downloadProgress": p })),
        })
        .collect();
    if let Some(e) = &init.error {
        out.push(Planned {
            delay_ms: init.interval_ms,
            action: Action::Error(e.clone()),
        });
    }
    out
}

/// The vendor's text for an error code (Global Error Codes table of the Web SDK documentation).
///
/// Scenario files usually give only a code; the page must still receive the text the real
/// back end would send, so both the channel and the dashboard's plan preview take it from here.
pub fn vendor_error_text(code: u32) -> &'static str {
    match code {
        400 => "Invalid Input: missing input or wrong input.",
        429 => "Maximum captures attempt reached",
        503 => "The server is overloaded. Try again in few seconds.",
        1100 => "Biometric services are not fully functional.",
        1200 => "Internal error. An error occurred while initializing.",
        1201 => "Internal error. An error occurred while tracking the face.",
        1301 => "Video Capture timeout: No face detected during liveness step.",
        1303 => "Poor video quality.",
        1304 => "No active video stream found. Allow device usage.",
        _ => "Internal Error.",
    }
}

/// Seconds a scripted 429 locks out when neither the file nor the caller gives any.
pub const DEFAULT_UNLOCK_SECONDS: i64 = 60;

/// The `errorFn` argument for `e` sent at `now`: `{code, error}` with a numeric code, plus an
/// ISO-8601 `unlockDateTime` for 429 or whenever the error names `unlock_in_seconds`
/// (contract §4.4.4). A 429 without `unlock_in_seconds` unlocks after `default_unlock_seconds`.
///
/// This is the single source of the payload: the channel sends it and tests check it without a
/// socket.
pub fn error_payload(
    e: &ChannelError,
    now: time::OffsetDateTime,
    default_unlock_seconds: i64,
) -> Value {
    let text = e
        .error
        .clone()
        .unwrap_or_else(|| vendor_error_text(e.code).to_string());
    let mut v = json!({"code": e.code, "error": text});
    if e.code == 429 || e.unlock_in_seconds.is_some() {
        let secs = e.unlock_in_seconds.unwrap_or(default_unlock_seconds);
        // Checked: an injected `unlockInSeconds` is any i64, and `OffsetDateTime + Duration` panics.
        let until = now
            .checked_add(time::Duration::seconds(secs))
            .unwrap_or(now);
        v["unlockDateTime"] = Value::String(iso_millis(until));
    }
    v
}

/// `2026-01-14T14:30:05.643Z`: the form the vendor sends and `new Date()` parses.
pub fn iso_millis(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// A plan rendered as transcript-like JSON: one object per action with its offset from the start
/// (`tMs`, unscaled) and what is sent. Used by snapshot tests and the dashboard's preview.
pub fn render(plan: &[Planned]) -> Value {
    let mut t = 0u64;
    Value::Array(
        plan.iter()
            .map(|p| {
                t += p.delay_ms;
                let mut v = match &p.action {
                    Action::WaitFor(e) => json!({"waitFor": e}),
                    Action::ClientInitEnd => json!({"send": "onClientInitEnd"}),
                    Action::Tracking(frame) => json!({"send": "trackingFn", "arg": frame}),
                    Action::Instruction(value) => {
                        json!({"send": "showChallengeInstruction", "arg": value})
                    }
                    Action::Error(e) => json!({"send": "errorFn", "arg": {
                        "code": e.code,
                        "error": e.error.clone().unwrap_or_else(|| vendor_error_text(e.code).to_string()),
                        "unlockInSeconds": e.unlock_in_seconds,
                    }}),
                    Action::Disconnect => json!({"send": "disconnect"}),
                    Action::Result => json!({"send": "showChallengeResult"}),
                };
                v["tMs"] = json!(t);
                v
            })
            .collect(),
    )
}

/// Expands a scenario's timeline for one session into timed actions.
///
/// Randomness (tracking jitter, challenge positions) comes only from `rng`, so the same seed gives
/// the same plan, and the plan can be checked without a socket.
///
/// ```
/// use rand::SeedableRng;
/// use webcapture_emulator::scenarios::{
///     model::{LivenessMode, Scenario},
///     playback::{plan, Action},
/// };
///
/// let scenario: Scenario = serde_json::from_str(r#"{"result":{"livenessStatus":"SPOOF"}}"#).unwrap();
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let steps = plan(&scenario, LivenessMode::LivenessPassive, 0, &mut rng);
/// // Every capture ends with the result (or an error); the page's startCapture comes first.
/// assert_eq!(steps.last().unwrap().action, Action::Result);
/// assert!(steps.iter().any(|p| matches!(p.action, Action::WaitFor(_))));
/// ```
pub fn plan(
    scenario: &Scenario,
    mode: LivenessMode,
    number_of_challenge: u32,
    rng: &mut impl Rng,
) -> Vec<Planned> {
    let mut out = Vec::new();
    let mut pending_delay = 0u64;
    let push = |out: &mut Vec<Planned>, delay: &mut u64, action: Action| {
        out.push(Planned {
            delay_ms: *delay,
            action,
        });
        *delay = 0;
    };
    let init_delay = scenario
        .capture
        .client_init_delay_ms
        .unwrap_or(DEFAULT_CLIENT_INIT_DELAY_MS);
    for step in timeline_for(scenario, mode) {
        match step {
            Step::WaitFor { event } => push(&mut out, &mut pending_delay, Action::WaitFor(event)),
            Step::ClientInitEnd => {
                pending_delay += init_delay;
                push(&mut out, &mut pending_delay, Action::ClientInitEnd)
            }
            Step::FaceTracking {
                duration_ms,
                fps,
                with,
                no_face,
            } => {
                let interval = frame_interval(fps);
                let frames = (duration_ms / interval).max(1);
                for i in 0..frames {
                    let mut frame = face_frame(i, frames, no_face, rng);
                    if let Some(extra) = &with {
                        merge(&mut frame, extra);
                    }
                    pending_delay += if i == 0 { 0 } else { interval };
                    push(&mut out, &mut pending_delay, Action::Tracking(frame));
                }
                pending_delay += interval;
            }
            Step::Tracking {
                frame,
                repeat,
                interval_ms,
            } => {
                for i in 0..repeat.max(1) {
                    if i > 0 {
                        pending_delay += interval_ms;
                    }
                    push(
                        &mut out,
                        &mut pending_delay,
                        Action::Tracking(frame.clone()),
                    );
                }
            }
            Step::Instruction { value } => {
                push(&mut out, &mut pending_delay, Action::Instruction(value))
            }
            Step::Challenge {
                per_target_ms,
                fps,
                reach,
            } => {
                let n = number_of_challenge.clamp(1, 8);
                let reach = reach.unwrap_or(n).min(n);
                let circles = challenge_circles(n, rng);
                let interval = frame_interval(fps);
                let frames_per_target = (per_target_ms / interval).max(2);
                let mut point = (640.0f64, 360.0f64);
                for target in 0..reach {
                    let goal = circle_xy(&circles[target as usize]);
                    let start = point;
                    for f in 1..=frames_per_target {
                        let t = f as f64 / frames_per_target as f64;
                        let ease = t * t * (3.0 - 2.0 * t);
                        point = (
                            start.0 + (goal.0 - start.0) * ease + rng.random_range(-3.0..3.0),
                            start.1 + (goal.1 - start.1) * ease + rng.random_range(-3.0..3.0),
                        );
                        let on_hover = f + 2 >= frames_per_target;
                        let mut frame = face_frame(f, frames_per_target, false, rng);
                        frame["livenessActive"] = json!({
                            "challengeCircles": circles,
                            "controlledPoint": {"x": point.0.round(), "y": point.1.round()},
                            "targetChallengeIndex": target,
                            "targetOnHover": on_hover,
                        });
                        pending_delay += interval;
                        push(&mut out, &mut pending_delay, Action::Tracking(frame));
                    }
                }
            }
            Step::UploadProgress { steps, duration_ms } => {
                let steps = steps.max(1);
                let interval = duration_ms / u64::from(steps);
                for i in 1..=steps {
                    pending_delay += interval;
                    let p = f64::from(i) / f64::from(steps);
                    push(
                        &mut out,
                        &mut pending_delay,
                        Action::Tracking(
                            json!({ "uploadProgress": (p * 1000.0).round() / 1000.0 }),
                        ),
                    );
                }
            }
            Step::Wait { ms } => pending_delay += ms,
            Step::Error(e) => push(&mut out, &mut pending_delay, Action::Error(e)),
            Step::Disconnect => push(&mut out, &mut pending_delay, Action::Disconnect),
            Step::Result => push(&mut out, &mut pending_delay, Action::Result),
        }
    }
    out
}

fn frame_interval(fps: f64) -> u64 {
    if fps.is_finite() && fps > 0.0 {
        ((1000.0 / fps).round() as u64).max(1)
    } else {
        100
    }
}

/// A tracking frame of a face drifting towards the centre of a 1280×720 image.
fn face_frame(i: u64, n: u64, no_face: bool, rng: &mut impl Rng) -> Value {
    if no_face {
        return json!({
            "facex": 0, "facey": 0, "facew": 0, "faceh": 0, "w": 1280, "h": 720,
            "positionInfo": "TRACKER_POSITION_INFO_MOVE_BACK_INTO_FRAME",
        });
    }
    let t = if n <= 1 {
        1.0
    } else {
        i as f64 / (n - 1) as f64
    };
    let size = 200.0 + 120.0 * t + rng.random_range(-4.0..4.0);
    let cx = 540.0 + 100.0 * t + rng.random_range(-6.0..6.0);
    let cy = 300.0 + 60.0 * t + rng.random_range(-6.0..6.0);
    let position = if t < 0.3 {
        "TRACKER_POSITION_INFO_CENTER_MOVE_FORWARDS"
    } else if t < 0.6 {
        "TRACKER_POSITION_INFO_STAND_STILL"
    } else {
        "TRACKER_POSITION_INFO_GOOD"
    };
    json!({
        "facex": round2(cx - size / 2.0),
        "facey": round2(cy - size / 2.0),
        "facew": round2(size),
        "faceh": round2(size * 1.2),
        "w": 1280,
        "h": 720,
        "positionInfo": position,
        "tooFar": t < 0.3,
        "targetInfo": {"stability": if t < 0.6 { 0.0 } else { round2(t) }, "targetR": 260},
    })
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn challenge_circles(n: u32, rng: &mut impl Rng) -> Vec<Value> {
    const SPOTS: [(&str, f64, f64); 8] = [
        ("TL", 340.0, 160.0),
        ("TR", 940.0, 160.0),
        ("BL", 340.0, 560.0),
        ("BR", 940.0, 560.0),
        ("T", 640.0, 120.0),
        ("B", 640.0, 600.0),
        ("L", 260.0, 360.0),
        ("R", 1020.0, 360.0),
    ];
    let mut order: Vec<usize> = (0..SPOTS.len()).collect();
    for i in (1..order.len()).rev() {
        let j = rng.random_range(0..=i);
        order.swap(i, j);
    }
    order
        .into_iter()
        .take(n as usize)
        .map(|k| {
            let (pos, x, y) = SPOTS[k];
            json!({"x": x, "y": y, "r": 70, "pos": pos})
        })
        .collect()
}

fn circle_xy(c: &Value) -> (f64, f64) {
    (
        c["x"].as_f64().unwrap_or(640.0),
        c["y"].as_f64().unwrap_or(360.0),
    )
}

/// JSON merge patch (RFC 7396): `patch` is applied onto `target`.
///
/// Scenario files override vendor answers with a partial body; merge patch is the standard that
/// lets them change one member, add one, or remove one with `null`.
///
/// ```
/// use serde_json::json;
/// use webcapture_emulator::scenarios::playback::merge;
///
/// let mut body = json!({"livenessStatus": "SUCCESS", "diagnostic": "ok", "score": 3000});
/// merge(&mut body, &json!({"livenessStatus": "SPOOF", "diagnostic": null}));
/// assert_eq!(body, json!({"livenessStatus": "SPOOF", "score": 3000}));
/// ```
pub fn merge(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = json!({});
            }
            if let Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge(t.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}
