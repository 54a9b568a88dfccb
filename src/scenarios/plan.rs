//! A scenario as the one [`Plan`] its capture channel plays: what is sent, in which order, after
//! which (unscaled) delay.
//!
//! The plan is computed once when the capture starts (so it is deterministic under `--seed`), and
//! the channel ([`crate::video_server::channel::runner`]) walks it as it is, sleeping
//! `delay_ms × --time-scale` before each action: nothing the page receives from the scenario is
//! decided anywhere else. Keeping generation here and transport there lets tests check a whole
//! scenario's events without a socket (`tests/scenarios_plan.rs` snapshots every built-in one),
//! and what they check is what is played.
//!
//! A plan has two parts, because the page lives through two phases:
//! - [`Plan::init`], while `initFaceCaptureClient` is pending: the `downloadProgress` events, each
//!   after `capture.init.intervalMs` (a progress value reports a download under way, so time has
//!   passed before even the first), then at once the answer: [`Action::Init`] (the client
//!   resolves) or the init error (the client rejects, then `errorFn`, contract §5.11), the same
//!   way as soon as the download is complete. `scenarios/README.md` gives the reasoning.
//! - [`Plan::capture`], after `init`: the timeline of the session's mode, from the page's
//!   `startCapture` to the result, an error or a drop. Empty when the init part ends in an error.

use rand::Rng;
use serde_json::{json, Value};

use super::{
    merge_patch::merge,
    model::{ChannelError, ClientEvent, LivenessMode, Scenario, Step},
    vendor_errors::error_text,
};

/// One thing the channel does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Resolve `initFaceCaptureClient`: the `init` message (mode, challenge count, scenario).
    Init,
    /// Block until the page sends this event.
    WaitFor(ClientEvent),
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

/// Everything one capture channel plays from its scenario, in order (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// While `initFaceCaptureClient` is pending: `downloadProgress`, then [`Action::Init`] or the
    /// init error.
    pub init: Vec<Planned>,
    /// After `init`: `waitFor startCapture` … the result, an error or a drop. Empty when
    /// [`Plan::init`] ends in an error (the page never gets a client).
    pub capture: Vec<Planned>,
}

/// Milliseconds from `startCapture` to `onClientInitEnd` when a scenario does not say
/// (`capture.clientInitDelayMs`): about what the real client takes to negotiate its WebRTC video
/// stream (signalling round trip, ICE through the vendor's TURN relay, DTLS handshake, first key
/// frame) before it reports the end of its initialisation; `scenarios/README.md` gives the reasoning.
pub const DEFAULT_CLIENT_INIT_DELAY_MS: u64 = 1000;

/// The built-in believable timeline of a mode (used when a scenario gives none).
pub fn default_timeline(mode: LivenessMode) -> Vec<Step> {
    use ClientEvent::StartCapture;
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
    use ClientEvent::StartCapture;
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

/// What the channel plays while `initFaceCaptureClient` is pending: each `downloadProgress`
/// value after `intervalMs`, then, with no further pause, the init error when the scenario raises
/// one, else `init`.
fn init_plan(scenario: &Scenario) -> Vec<Planned> {
    let init = &scenario.capture.init;
    let mut out: Vec<Planned> = init
        .download_progress
        .iter()
        .map(|p| Planned {
            delay_ms: init.interval_ms,
            action: Action::Tracking(json!({ "downloadProgress": p })),
        })
        .collect();
    out.push(Planned {
        delay_ms: 0,
        action: match &init.error {
            Some(e) => Action::Error(e.clone()),
            None => Action::Init,
        },
    });
    out
}

/// One part of a plan rendered as transcript-like JSON: one object per action with its offset from
/// the start of the part (`tMs`, unscaled) and what is sent, so snapshot tests read as the page's
/// timeline.
pub fn render(plan: &[Planned]) -> Value {
    let mut t = 0u64;
    Value::Array(
        plan.iter()
            .map(|p| {
                t += p.delay_ms;
                let mut v = match &p.action {
                    Action::Init => json!({"send": "init"}),
                    Action::WaitFor(e) => json!({"waitFor": e}),
                    Action::ClientInitEnd => json!({"send": "onClientInitEnd"}),
                    Action::Tracking(frame) => json!({"send": "trackingFn", "arg": frame}),
                    Action::Instruction(value) => {
                        json!({"send": "showChallengeInstruction", "arg": value})
                    }
                    Action::Error(e) => json!({"send": "errorFn", "arg": {
                        "code": e.code,
                        "error": error_text(e),
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

/// The plan one session plays: its scenario's init phase, then (unless that ends in an error) the
/// timeline of `mode` expanded into timed actions.
///
/// Randomness (tracking jitter, challenge positions) comes only from `rng`, so the same seed gives
/// the same plan, and the plan can be checked without a socket.
///
/// ```
/// use rand::SeedableRng;
/// use webcapture_emulator::internals::{plan, Action, LivenessMode, Scenario};
///
/// let scenario: Scenario = serde_json::from_str(r#"{"result":{"livenessStatus":"SPOOF"}}"#).unwrap();
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let played = plan(&scenario, LivenessMode::LivenessPassive, 0, &mut rng);
/// // The client resolves once the download progress is over…
/// assert_eq!(played.init.last().unwrap().action, Action::Init);
/// // …then the page's startCapture comes first and the capture ends with the result.
/// assert!(matches!(played.capture[0].action, Action::WaitFor(_)));
/// assert_eq!(played.capture.last().unwrap().action, Action::Result);
/// ```
pub fn plan(
    scenario: &Scenario,
    mode: LivenessMode,
    number_of_challenge: u32,
    rng: &mut impl Rng,
) -> Plan {
    let init = init_plan(scenario);
    let capture = if scenario.capture.init.error.is_some() {
        Vec::new()
    } else {
        capture_plan(scenario, mode, number_of_challenge, rng)
    };
    Plan { init, capture }
}

/// The timeline of `mode` expanded into timed actions (the part after `init`).
fn capture_plan(
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
