//! The plan of every built-in scenario in every mode — the very plan the capture channel walks —
//! as snapshots of what the page receives (at `--time-scale 0` the order is all that matters;
//! offsets are the unscaled script, from the start of each part), and the event-order rules of
//! the integration contract §4.3.1, §5.2–§5.4, §5.10 and §5.11 checked on each plan.

mod support;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use support::internals::{
    builtin_names, plan, render, Action, ClientEvent, LivenessMode, Plan, Planned, ScenarioLibrary,
};

fn full_plan_of(name: &str, mode: LivenessMode) -> Plan {
    let lib = ScenarioLibrary::builtin();
    let scenario = lib.get(name).expect("built-in");
    plan(&scenario, mode, 2, &mut ChaCha8Rng::seed_from_u64(42))
}

/// The capture part (after `init`) of a built-in scenario's plan.
fn plan_of(name: &str, mode: LivenessMode) -> Vec<Planned> {
    full_plan_of(name, mode).capture
}

fn lines(rendered: &Value) -> String {
    rendered
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut e = e.clone();
            let t = e["tMs"].take();
            let what = e
                .get("send")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("waitFor {}", e["waitFor"]));
            match e.get("arg") {
                Some(arg) => format!("{t:>6} {what} {arg}"),
                None => format!("{t:>6} {what}"),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_builtin_scenario_plays_a_stable_plan_in_every_mode() {
    let lib = ScenarioLibrary::builtin();
    for name in builtin_names() {
        let scenario = lib.get(&name).unwrap();
        let init = full_plan_of(&name, LivenessMode::LivenessPassive).init;
        let mut text = format!(
            "# {name}: {}\n\n## init\n{}\n",
            scenario.description,
            lines(&render(&init))
        );
        for mode in LivenessMode::ALL {
            let played = full_plan_of(&name, mode);
            assert_eq!(
                played.init, init,
                "{name}: the init part is the same in every mode"
            );
            let capture = if played.capture.is_empty() {
                "(nothing: the init error ends the capture)".to_string()
            } else {
                lines(&render(&played.capture))
            };
            text.push_str(&format!("\n## {}\n{}\n", mode.as_str(), capture));
        }
        insta::assert_snapshot!(format!("plan-{name}"), text);
    }
}

fn instruction(a: &Action) -> Option<&str> {
    match a {
        Action::Instruction(v) => Some(v.as_str()),
        _ => None,
    }
}

fn frame(a: &Action) -> Option<&Value> {
    match a {
        Action::Tracking(f) => Some(f),
        _ => None,
    }
}

#[test]
fn every_plan_follows_the_contract_event_order() {
    for name in builtin_names() {
        for mode in LivenessMode::ALL {
            let ctx = format!("{name} in {}", mode.as_str());
            let played = full_plan_of(&name, mode);
            let init: Vec<&Action> = played.init.iter().map(|x| &x.action).collect();
            let (answer, progress) = init.split_last().expect("init answers");
            assert!(
                progress
                    .iter()
                    .all(|a| frame(a).is_some_and(|f| f.get("downloadProgress").is_some())),
                "{ctx}: only downloadProgress while initFaceCaptureClient is pending"
            );
            match answer {
                Action::Init => {
                    assert!(!played.capture.is_empty(), "{ctx}: a capture follows init")
                }
                Action::Error(_) => {
                    assert!(
                        played.capture.is_empty(),
                        "{ctx}: nothing after an init error"
                    );
                    continue;
                }
                other => panic!("{ctx}: init ends with {other:?}"),
            }
            let p = played.capture;
            let actions: Vec<&Action> = p.iter().map(|x| &x.action).collect();
            assert_eq!(
                actions[0],
                &Action::WaitFor(ClientEvent::StartCapture),
                "{ctx}: nothing before startCapture"
            );
            let init_end = actions.iter().position(|a| **a == Action::ClientInitEnd);
            assert!(
                init_end.is_some_and(|i| i > 0),
                "{ctx}: onClientInitEnd after startCapture"
            );
            let last = actions.last().unwrap();
            assert!(
                matches!(last, Action::Result | Action::Error(_) | Action::Disconnect),
                "{ctx}: ends with result, error or disconnect"
            );
            let ends = actions
                .iter()
                .filter(|a| matches!(a, Action::Result | Action::Error(_) | Action::Disconnect))
                .count();
            assert_eq!(ends, 1, "{ctx}: one end only");
            let pending = actions
                .iter()
                .position(|a| instruction(a) == Some("TRACKER_CHALLENGE_PENDING"));
            let uploads: Vec<usize> = actions
                .iter()
                .enumerate()
                .filter(|(_, a)| frame(a).is_some_and(|f| f.get("uploadProgress").is_some()))
                .map(|(i, _)| i)
                .collect();
            match mode {
                LivenessMode::LivenessActive => {
                    assert!(uploads.is_empty(), "{ctx}: no upload screen in active mode");
                    assert!(
                        !actions
                            .iter()
                            .any(|a| instruction(a) == Some("TRACKER_CHALLENGE_DONT_MOVE")),
                        "{ctx}"
                    );
                    let start = actions
                        .iter()
                        .position(|a| instruction(a) == Some("FACEFLOW_CHALLENGE_2D"));
                    let mut last_target = 0;
                    for (i, a) in actions.iter().enumerate() {
                        if let Some(la) = frame(a).and_then(|f| f.get("livenessActive")) {
                            assert!(
                                start.is_some_and(|s| i > s),
                                "{ctx}: challenge frames after FACEFLOW_CHALLENGE_2D"
                            );
                            let t = la["targetChallengeIndex"].as_u64().unwrap();
                            assert!(t >= last_target, "{ctx}: targets in order");
                            last_target = t;
                            assert!(
                                frame(a).unwrap()["facew"].as_f64().unwrap() > 0.0,
                                "{ctx}: non-zero face during the challenge"
                            );
                        }
                    }
                }
                _ => {
                    assert!(
                        uploads.iter().all(|u| pending.is_some_and(|p| *u > p)),
                        "{ctx}: uploadProgress only after PENDING"
                    );
                    assert!(
                        !actions
                            .iter()
                            .any(|a| frame(a).is_some_and(|f| f.get("livenessActive").is_some())),
                        "{ctx}"
                    );
                    if let Some(dont_move) = actions
                        .iter()
                        .position(|a| instruction(a) == Some("TRACKER_CHALLENGE_DONT_MOVE"))
                    {
                        let feedback_after = actions[dont_move..pending.unwrap_or(actions.len())]
                            .iter()
                            .any(|a| frame(a).is_some_and(|f| f.get("positionInfo").is_some()));
                        assert!(
                            !feedback_after,
                            "{ctx}: position feedback comes before DONT_MOVE"
                        );
                    }
                }
            }
            if matches!(last, Action::Result) {
                assert!(pending.is_some(), "{ctx}: PENDING before the result");
                if mode != LivenessMode::LivenessActive {
                    let last_upload = uploads
                        .last()
                        .map(|u| frame(actions[*u]).unwrap()["uploadProgress"].clone());
                    assert_eq!(
                        last_upload,
                        Some(serde_json::json!(1.0)),
                        "{ctx}: upload reaches 1"
                    );
                }
            }
        }
    }
}

#[test]
fn success_is_a_few_seconds_of_tracking_at_about_ten_frames_a_second() {
    for mode in LivenessMode::ALL {
        let p = plan_of("success", mode);
        let tracking = p
            .iter()
            .filter(|x| frame(&x.action).is_some_and(|f| f.get("facew").is_some()))
            .count();
        let total_ms: u64 = p.iter().map(|x| x.delay_ms).sum();
        assert!(tracking >= 20, "{}: {tracking} frames", mode.as_str());
        assert!(
            (3_000..=15_000).contains(&total_ms),
            "{}: {total_ms} ms",
            mode.as_str()
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_plan() {
    for mode in LivenessMode::ALL {
        assert_eq!(plan_of("success", mode), plan_of("success", mode));
    }
}

#[test]
fn init_errors_come_after_the_download_progress() {
    let p = full_plan_of("lockout", LivenessMode::LivenessPassive).init;
    assert!(
        matches!(p.last().unwrap().action, Action::Error(ref e) if e.code == 429 && e.unlock_in_seconds == Some(90))
    );
    assert!(frame(&p[0].action).unwrap()["downloadProgress"].is_number());
    let p = full_plan_of("server-overloaded", LivenessMode::LivenessPassive).init;
    assert!(matches!(p.last().unwrap().action, Action::Error(ref e) if e.code == 503));
}

/// The one init timing (scenarios/README.md): each progress value after `intervalMs`, the answer
/// (`init` or the error) with the last one.
#[test]
fn each_download_progress_follows_its_interval_and_the_answer_follows_the_last() {
    for (name, answer_at) in [
        ("success", 500),
        ("lockout", 500),
        ("server-overloaded", 100),
    ] {
        let p = full_plan_of(name, LivenessMode::LivenessActive).init;
        let (answer, progress) = p.split_last().unwrap();
        assert!(progress.iter().all(|x| x.delay_ms == 100), "{name}");
        assert_eq!(answer.delay_ms, 0, "{name}");
        assert_eq!(
            p.iter().map(|x| x.delay_ms).sum::<u64>(),
            answer_at,
            "{name}"
        );
    }
}

#[test]
fn an_error_payload_has_a_numeric_code_and_an_iso_unlock_time_for_429() {
    use support::internals::{error_payload, ChannelError};
    let now = time::macros::datetime!(2026-01-14 14:28:35.643 UTC);
    let v = error_payload(
        &ChannelError {
            code: 429,
            error: None,
            unlock_in_seconds: Some(90),
        },
        now,
        60,
    );
    assert_eq!(
        v,
        serde_json::json!({"code": 429, "error": "Maximum captures attempt reached", "unlockDateTime": "2026-01-14T14:30:05.643Z"})
    );
    let v = error_payload(
        &ChannelError {
            code: 1301,
            error: None,
            unlock_in_seconds: None,
        },
        now,
        60,
    );
    assert_eq!(
        v,
        serde_json::json!({"code": 1301, "error": "Video Capture timeout: No face detected during liveness step."})
    );
}

/// Unscaled milliseconds from the page's `startCapture` to `onClientInitEnd` in a plan.
fn client_init_delay(steps: &[Planned]) -> u64 {
    let start = steps
        .iter()
        .position(|p| p.action == Action::WaitFor(ClientEvent::StartCapture))
        .expect("waits for startCapture");
    let end = steps
        .iter()
        .position(|p| p.action == Action::ClientInitEnd)
        .expect("fires onClientInitEnd");
    steps[start + 1..=end].iter().map(|p| p.delay_ms).sum()
}

#[test]
fn on_client_init_end_comes_a_second_after_start_capture_unless_the_scenario_says_otherwise() {
    for mode in LivenessMode::ALL {
        assert_eq!(
            client_init_delay(&plan_of("success", mode)),
            1000,
            "{mode:?}"
        );
    }
    for (ms, file) in [
        (2500, r#"{"capture": {"clientInitDelayMs": 2500}}"#),
        (0, r#"{"capture": {"clientInitDelayMs": 0}}"#),
        (
            400,
            r#"{"capture": {"clientInitDelayMs": 100, "timeline": [{"type": "waitFor", "event": "startCapture"}, {"type": "wait", "ms": 300}, {"type": "clientInitEnd"}, {"type": "result"}]}}"#,
        ),
    ] {
        let scenario = serde_json::from_str(file).expect("valid scenario");
        let steps = plan(
            &scenario,
            LivenessMode::LivenessPassive,
            2,
            &mut ChaCha8Rng::seed_from_u64(1),
        )
        .capture;
        assert_eq!(client_init_delay(&steps), ms, "{file}");
    }
}
