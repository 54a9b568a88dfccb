//! Selection per session with the precedence of spec §3: pin > request > page hint > match rules >
//! queue > default > success; and many parallel sessions never interfere.

mod support;

use reqwest::Method;
use support::internals::{
    builtin_names, capture, for_sessionless_request, resolve_at_capture_start, LivenessMode,
    SelectedBy, SelectionInput, SessionParams, SessionState,
};
use support::*;

#[tokio::test]
async fn without_any_selection_a_session_plays_success() {
    let emu = TestEmulator::start().await;
    let s = emu.backend_session(None);
    assert_eq!(scenario_of(&s), "success");
    assert_eq!(s.lock().selected_by, SelectedBy::Default);
}

#[tokio::test]
async fn the_requested_scenario_wins_over_queue_and_default() {
    let emu = TestEmulator::start().await;
    let base = emu.url();
    emu.set_default_scenario("timeout").await;
    emu.queue(&["disconnect"]).await;
    let s = emu.backend_session(Some("spoof"));
    assert_eq!(scenario_of(&s), "spoof");
    assert_eq!(s.lock().selected_by, SelectedBy::Request);
    let (_, queue) = get_json(&format!("{base}/__emulator/queue")).await;
    assert_eq!(
        queue["scenarios"],
        serde_json::json!(["disconnect"]),
        "the queue is untouched"
    );
}

#[tokio::test]
async fn an_unknown_requested_scenario_is_refused_with_404() {
    let emu = TestEmulator::start().await;
    let err = capture::create_session(
        emu.state(),
        SessionParams::new(LivenessMode::LivenessPassive),
        SelectionInput {
            requested: Some("nope".into()),
            api_key: None,
        },
        None,
    )
    .unwrap_err();
    assert_eq!(err.status.as_u16(), 404);
    assert!(
        err.message.contains("Unknown scenario 'nope'"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn the_queue_is_consumed_one_session_each_then_the_default_applies() {
    let emu = TestEmulator::start().await;
    emu.set_default_scenario("no-match").await;
    emu.queue(&["timeout", "spoof"]).await;
    let names: Vec<String> = (0..3)
        .map(|_| scenario_of(&emu.backend_session(None)))
        .collect();
    assert_eq!(names, ["timeout", "spoof", "no-match"]);
}

#[tokio::test]
async fn match_rules_select_by_correlation_id_before_the_queue() {
    let emu = TestEmulator::start().await;
    emu.queue(&["timeout"]).await;
    let mut p = SessionParams::new(LivenessMode::LivenessActive);
    p.correlation_id = Some("emulator-spoof".into());
    let s = capture::create_session(emu.state(), p, SelectionInput::default(), None).unwrap();
    assert_eq!(scenario_of(&s), "spoof");
    assert_eq!(s.lock().selected_by, SelectedBy::MatchRule);
    assert_eq!(
        scenario_of(&emu.backend_session(None)),
        "timeout",
        "the queue was kept for the next one"
    );
}

#[tokio::test]
async fn match_rules_can_select_by_mode_and_api_key() {
    let emu = TestEmulator::builder()
        .scenario_file("active-only.json", r#"{"description": "a", "match": [{"livenessMode": "LIVENESS_ACTIVE", "apiKey": "k-active"}]}"#)
        .start()
        .await;
    let make = |mode, key: &str| {
        capture::create_session(
            emu.state(),
            SessionParams::new(mode),
            SelectionInput {
                requested: None,
                api_key: Some(key.into()),
            },
            None,
        )
        .unwrap()
    };
    assert_eq!(
        scenario_of(&make(LivenessMode::LivenessActive, "k-active")),
        "active-only"
    );
    assert_eq!(
        scenario_of(&make(LivenessMode::LivenessPassive, "k-active")),
        "success"
    );
    assert_eq!(
        scenario_of(&make(LivenessMode::LivenessActive, "other")),
        "success"
    );
}

#[tokio::test]
async fn the_page_hint_replaces_queue_and_default_but_not_a_request() {
    let emu = TestEmulator::start().await;
    let by_default = emu.backend_session(None);
    resolve_at_capture_start(&emu.state().scenarios, &by_default, Some("poor-quality"));
    assert_eq!(scenario_of(&by_default), "poor-quality");
    assert_eq!(by_default.lock().selected_by, SelectedBy::PageHint);

    let requested = emu.backend_session(Some("spoof"));
    resolve_at_capture_start(&emu.state().scenarios, &requested, Some("poor-quality"));
    assert_eq!(scenario_of(&requested), "spoof");
}

#[tokio::test]
async fn an_unknown_page_hint_is_noted_and_ignored() {
    let emu = TestEmulator::start().await;
    let s = emu.backend_session(None);
    resolve_at_capture_start(&emu.state().scenarios, &s, Some("does-not-exist"));
    assert_eq!(scenario_of(&s), "success");
    let guard = s.lock();
    let note = guard
        .transcript
        .events()
        .iter()
        .find(|e| e.kind == "note")
        .expect("a note");
    assert!(note.data()["ignored"]
        .as_str()
        .unwrap()
        .contains("Unknown scenario 'does-not-exist'"));
}

#[tokio::test]
async fn an_admin_pin_wins_over_request_and_page_hint() {
    let emu = TestEmulator::start().await;
    let s = emu.backend_session(Some("spoof"));
    let id = s.lock().id.clone();
    let (status, body) = request(
        Method::PUT,
        &emu.admin(&format!("/sessions/{id}/scenario")),
        Some(r#"{"scenario":"timeout"}"#),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scenario"], "timeout");
    resolve_at_capture_start(&emu.state().scenarios, &s, Some("poor-quality"));
    assert_eq!(scenario_of(&s), "timeout");
    assert_eq!(s.lock().selected_by, SelectedBy::Pin);
}

#[tokio::test]
async fn a_pin_after_the_capture_started_is_refused_with_409() {
    let emu = TestEmulator::start().await;
    let s = emu.backend_session(None);
    let id = s.lock().id.clone();
    s.lock().state = SessionState::Capturing;
    let (status, body) = request(
        Method::PUT,
        &emu.admin(&format!("/sessions/{id}/scenario")),
        Some(r#"{"scenario":"timeout"}"#),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(body["code"], 409);
    assert!(body["error"].as_str().unwrap().contains("already started"));
    assert_eq!(scenario_of(&s), "success");
}

#[tokio::test]
async fn sessionless_requests_follow_header_then_queue_head_without_consuming_then_default() {
    let emu = TestEmulator::start().await;
    let state = emu.state();
    assert_eq!(
        for_sessionless_request(&state.scenarios, &state.selection, None).name,
        "success"
    );
    assert_eq!(
        for_sessionless_request(&state.scenarios, &state.selection, Some("spoof")).name,
        "spoof"
    );
    state.selection.queue.lock().push_back("timeout".into());
    assert_eq!(
        for_sessionless_request(&state.scenarios, &state.selection, None).name,
        "timeout"
    );
    assert_eq!(
        for_sessionless_request(&state.scenarios, &state.selection, None).name,
        "timeout",
        "the head is not consumed"
    );
    assert_eq!(
        for_sessionless_request(&state.scenarios, &state.selection, Some("unknown-name")).name,
        "timeout"
    );
}

#[tokio::test]
async fn two_hundred_parallel_sessions_each_get_their_own_scenario() {
    let emu = TestEmulator::start().await;
    let names = builtin_names();
    // 100 sessions ask by header (name i mod catalogue); 100 take queue items, queued in order.
    let queued: Vec<String> = (0..100)
        .map(|i| names[(i * 7) % names.len()].clone())
        .collect();
    emu.state()
        .selection
        .queue
        .lock()
        .extend(queued.iter().cloned());
    let mut tasks = Vec::new();
    for i in 0..200usize {
        let state = emu.state().clone();
        let wanted = (i % 2 == 0).then(|| names[i % names.len()].clone());
        tasks.push(tokio::spawn(async move {
            let s = capture::create_session(
                &state,
                SessionParams::new(LivenessMode::LivenessPassive),
                SelectionInput {
                    requested: wanted.clone(),
                    api_key: None,
                },
                None,
            )
            .unwrap();
            let got = s.lock().scenario_name.clone();
            (wanted, got)
        }));
    }
    let mut from_queue = Vec::new();
    for t in tasks {
        let (wanted, got) = t.await.unwrap();
        match wanted {
            Some(w) => assert_eq!(got, w),
            None => from_queue.push(got),
        }
    }
    assert_eq!(from_queue.len(), 100);
    let mut got_sorted = from_queue.clone();
    got_sorted.sort();
    let mut queued_sorted = queued.clone();
    queued_sorted.sort();
    assert_eq!(
        got_sorted, queued_sorted,
        "every queue item went to exactly one session"
    );
    assert!(emu.state().selection.queue.lock().is_empty());
    assert_eq!(emu.state().sessions.len(), 200);
}

/// Sends `init-liveness-session` with an optional `X-Emulator-Scenario` header and body.
async fn init(emu: &TestEmulator, header: Option<&str>, body: &str) -> (u16, serde_json::Value) {
    let mut req = http()
        .post(format!("{}/video-server/init-liveness-session", emu.url()))
        .header("apikey", "key")
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(h) = header {
        req = req.header("x-emulator-scenario", h);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

fn assert_suggests(
    what: &str,
    status: u16,
    body: &serde_json::Value,
    asked: &str,
    suggested: &str,
) {
    assert_eq!(status, 404, "{what}: {body}");
    assert_eq!(body["code"], 404, "{what}: {body}");
    assert_eq!(body["didYouMean"], suggested, "{what}: {body}");
    let error = body["error"].as_str().unwrap_or_default();
    assert!(
        error.starts_with(&format!(
            "Unknown scenario '{asked}': did you mean '{suggested}'?"
        )),
        "{what}: {error}"
    );
}

#[tokio::test]
async fn a_misspelt_scenario_name_gets_a_did_you_mean_on_every_surface() {
    let emu = TestEmulator::start().await;
    let base = emu.url();
    let (status, body) = request(
        Method::PUT,
        &format!("{base}/__emulator/default-scenario"),
        Some(r#"{"scenario":"spof"}"#),
    )
    .await;
    assert_suggests("default", status, &body, "spof", "spoof");
    let (status, body) = request(
        Method::POST,
        &format!("{base}/__emulator/queue"),
        Some(r#"{"scenarios":["spoof","sucess"]}"#),
    )
    .await;
    assert_suggests("queue", status, &body, "sucess", "success");
    let s = emu.backend_session(None);
    let id = s.lock().id.clone();
    let (status, body) = request(
        Method::PUT,
        &format!("{base}/__emulator/sessions/{id}/scenario"),
        Some(r#"{"scenario":"no-mach"}"#),
    )
    .await;
    assert_suggests("pin", status, &body, "no-mach", "no-match");
    let (status, body) = init(
        &emu,
        Some("capture-timout"),
        r#"{"livenessMode":"LIVENESS_PASSIVE"}"#,
    )
    .await;
    assert_suggests("header", status, &body, "capture-timout", "capture-timeout");
    let (status, body) = init(
        &emu,
        None,
        r#"{"livenessMode":"LIVENESS_PASSIVE","scenario":"Lockout"}"#,
    )
    .await;
    assert_suggests("body field", status, &body, "Lockout", "lockout");
    let (status, body) = get_json(&format!(
        "{base}/video-server/emulator/browser?scenario=camera-denid"
    ))
    .await;
    assert_suggests("page hint", status, &body, "camera-denid", "camera-denied");
    let (status, body) = request(
        Method::PUT,
        &format!("{base}/__emulator/default-scenario"),
        Some(r#"{"scenario":"banana"}"#),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert!(
        body.get("didYouMean").is_none(),
        "nothing close, no suggestion: {body}"
    );
}

#[tokio::test]
async fn a_scenario_whose_file_is_present_but_invalid_is_answered_as_invalid_with_its_place() {
    let emu = TestEmulator::builder()
        .scenario_file(
            "too-young.json",
            "{\n  \"result\": {\"age\": {\"aboveThreshold\": false}}\n}\n",
        )
        .start()
        .await;
    let file = emu.scenario_dir().join("too-young.json");
    let base = emu.url();
    let place = format!(
        "{}:2:14: result.age: expected a number, found an object.",
        file.display()
    );
    let check = |what: &str, status: u16, body: &serde_json::Value| {
        assert_eq!(status, 422, "{what}: {body}");
        assert_eq!(body["code"], 422, "{what}: {body}");
        let error = body["error"].as_str().unwrap_or_default();
        assert!(
            error.starts_with("Scenario 'too-young' is invalid, so it cannot be played"),
            "{what}: {error}"
        );
        assert!(error.contains(&place), "{what}: {error}");
        assert!(
            body["problems"][0]
                .as_str()
                .unwrap_or_default()
                .starts_with(&place),
            "{what}: {body}"
        );
    };
    let (status, body) = init(
        &emu,
        Some("too-young"),
        r#"{"livenessMode":"LIVENESS_PASSIVE"}"#,
    )
    .await;
    check("header", status, &body);
    let (status, body) = request(
        Method::PUT,
        &format!("{base}/__emulator/default-scenario"),
        Some(r#"{"scenario":"too-young"}"#),
    )
    .await;
    check("default", status, &body);
    let (status, body) = request(
        Method::POST,
        &format!("{base}/__emulator/queue"),
        Some(r#"{"scenarios":["too-young"]}"#),
    )
    .await;
    check("queue", status, &body);
    let (status, body) = get_json(&format!(
        "{base}/video-server/emulator/browser?scenario=too-young"
    ))
    .await;
    check("page hint", status, &body);
    let entry = listed(&emu, "too-young").await.expect("listed");
    assert_eq!(entry["valid"], false);
    assert_eq!(entry["playable"], false);
}

#[tokio::test]
async fn the_old_timeout_name_still_selects_the_no_face_timeout_scenario() {
    let emu = TestEmulator::start().await;
    let old = emu.backend_session(Some("timeout"));
    let new = emu.backend_session(Some("no-face-timeout"));
    assert_eq!(old.lock().scenario, new.lock().scenario);
    let (status, body) = request(
        Method::POST,
        &emu.admin("/queue"),
        Some(r#"{"scenarios":["timeout"]}"#),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn parallel_creations_over_http_each_take_their_own_queued_name() {
    let emu = TestEmulator::start().await;
    let names = builtin_names();
    let queued: Vec<String> = (0..40)
        .map(|i| names[(i * 5) % names.len()].clone())
        .filter(|n| n != "init-backpressure" && n != "server-overloaded")
        .collect();
    emu.queue(&queued).await;
    let created = futures_util::future::join_all(
        (0..queued.len())
            .map(|_| emu.create(serde_json::json!({"livenessMode": "LIVENESS_PASSIVE"}))),
    )
    .await;
    let mut got: Vec<String> = created
        .iter()
        .map(|id| scenario_of(&emu.session_of(id)))
        .collect();
    let mut wanted = queued.clone();
    got.sort();
    wanted.sort();
    assert_eq!(got, wanted, "every queued name went to exactly one session");
    let (_, queue) = get_json(&emu.admin("/queue")).await;
    assert_eq!(queue["scenarios"], serde_json::json!([]));
}

#[tokio::test]
async fn a_creation_the_handler_refuses_leaves_the_queued_name_for_the_next_one() {
    let emu = TestEmulator::start().await;
    emu.queue(&["spoof"]).await;
    // A valid capture-session body on an identity that does not exist: 404, no session.
    let refused = emu
        .post("/gips/v1/identities/no-such-identity/attributes/portrait/live-capture-session")
        .json(&serde_json::json!({"type": "LIVENESS_PASSIVE"}))
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), 404);
    let (_, queue) = get_json(&emu.admin("/queue")).await;
    assert_eq!(queue["scenarios"], serde_json::json!(["spoof"]));
    let id = emu.create_passive().await;
    assert_eq!(scenario_of(&emu.session_of(&id)), "spoof");
}

#[tokio::test]
async fn a_second_capture_session_of_an_identity_takes_its_own_queued_name() {
    let emu = TestEmulator::start().await;
    let identity = support::gips::new_identity(emu.http(), &emu.gips("")).await;
    let capture = |scenario: Option<&str>| {
        let mut req = emu
            .post(&format!(
                "/gips/v1/identities/{identity}/attributes/portrait/live-capture-session"
            ))
            .json(&serde_json::json!({"type": "LIVENESS_PASSIVE"}));
        if let Some(name) = scenario {
            req = req.header("X-Emulator-Scenario", name);
        }
        req.send()
    };
    let first = capture(Some("no-match"))
        .await
        .expect("first capture session");
    assert!(first.status().is_success(), "{}", first.status());
    emu.queue(&["spoof"]).await;
    let second = capture(None).await.expect("second capture session");
    assert!(second.status().is_success(), "{}", second.status());
    let body: serde_json::Value = second.json().await.expect("JSON");
    let session = emu.session_of(body["sessionId"].as_str().expect("sessionId"));
    assert_eq!(scenario_of(&session), "spoof");
    assert_eq!(session.lock().selected_by, SelectedBy::Queue);
}
