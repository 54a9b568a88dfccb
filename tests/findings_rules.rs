//! Each integration rule: a request or sequence that breaks it raises the finding, one that
//! follows it does not.

mod support;

use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use support::{
    internals::{findings, LivenessMode, SessionState, SharedSession},
    *,
};

fn new_session(emu: &TestEmulator) -> (SharedSession, String) {
    let (id, s) = emu.session(LivenessMode::LivenessPassive, None);
    (s, id)
}

async fn findings_of(emu: &TestEmulator, id: &str) -> Vec<Value> {
    let res = Client::new()
        .get(emu.admin(&format!("/sessions/{id}/findings")))
        .send()
        .await
        .expect("findings answer");
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Vec<Value>>().await.expect("findings JSON")
}

fn rules(found: &[Value]) -> Vec<String> {
    found
        .iter()
        .filter_map(|f| f["rule"].as_str().map(str::to_string))
        .collect()
}

async fn ask_result(emu: &TestEmulator, id: &str, extra: &[(&str, &str)]) {
    let mut req = Client::new()
        .get(format!(
            "{}/bioserver-app/v2/bio-sessions/{id}/liveness-challenge-result",
            emu.url()
        ))
        .header("apikey", "backend-key");
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    req.send().await.expect("result answer");
}

#[tokio::test]
async fn asking_for_the_result_before_the_capture_ended_is_a_finding() {
    let emu = TestEmulator::start().await;
    let (_s, id) = new_session(&emu);
    ask_result(&emu, &id, &[]).await;
    let found = findings_of(&emu, &id).await;
    assert_eq!(rules(&found), vec![findings::RESULT_BEFORE_CAPTURE_END]);
    assert!(found[0]["fix"]
        .as_str()
        .is_some_and(|f| f.contains("showChallengeResult")));
    assert!(found[0]["detail"]
        .as_str()
        .is_some_and(|d| d.contains("CREATED")));
    assert!(found[0]["tMs"].is_u64());
    emu.shutdown().await;
}

#[tokio::test]
async fn asking_once_after_the_capture_ended_raises_nothing() {
    let emu = TestEmulator::start().await;
    let (s, id) = new_session(&emu);
    emu.finalize(&s, None);
    ask_result(&emu, &id, &[]).await;
    assert!(findings_of(&emu, &id).await.is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn polling_the_result_twice_within_a_second_is_a_finding() {
    let emu = TestEmulator::start().await;
    let (s, id) = new_session(&emu);
    emu.finalize(&s, None);
    ask_result(&emu, &id, &[]).await;
    ask_result(&emu, &id, &[]).await;
    assert_eq!(
        rules(&findings_of(&emu, &id).await),
        vec![findings::RESULT_POLLED_TOO_FAST]
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn polling_the_result_at_a_second_apart_raises_nothing() {
    let emu = TestEmulator::start().await;
    let (s, id) = new_session(&emu);
    emu.finalize(&s, None);
    ask_result(&emu, &id, &[]).await;
    tokio::time::sleep(Duration::from_millis(1050)).await;
    ask_result(&emu, &id, &[]).await;
    assert!(findings_of(&emu, &id).await.is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn an_api_key_sent_with_a_browser_origin_is_a_finding() {
    let emu = TestEmulator::start().await;
    let (s, id) = new_session(&emu);
    emu.finalize(&s, None);
    ask_result(&emu, &id, &[("origin", "http://localhost:3000")]).await;
    let found = findings_of(&emu, &id).await;
    assert_eq!(rules(&found), vec![findings::API_KEY_IN_BROWSER]);
    assert!(found[0]["detail"]
        .as_str()
        .is_some_and(|d| d.contains("http://localhost:3000")));
    emu.shutdown().await;
}

#[tokio::test]
async fn an_api_key_sent_by_a_back_end_raises_nothing() {
    let emu = TestEmulator::start().await;
    let (s, id) = new_session(&emu);
    emu.finalize(&s, None);
    ask_result(&emu, &id, &[("user-agent", "node-fetch/3")]).await;
    assert!(findings_of(&emu, &id).await.is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn the_built_in_demo_page_may_send_its_demo_key() {
    let emu = TestEmulator::start().await;
    let (s, id) = new_session(&emu);
    emu.finalize(&s, None);
    let origin = emu.url();
    let referer = emu.admin("/demo");
    ask_result(
        &emu,
        &id,
        &[("origin", origin.as_str()), ("referer", referer.as_str())],
    )
    .await;
    assert!(findings_of(&emu, &id).await.is_empty());
    emu.shutdown().await;
}

/// The findings of the session an init request created, or those without a session when the
/// emulator refused it.
async fn init_findings(emu: &TestEmulator, body: Value) -> Vec<String> {
    let res = Client::new()
        .post(emu.at("/video-server/init-liveness-session"))
        .header("apikey", "backend-key")
        .json(&body)
        .send()
        .await
        .expect("init answer");
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .and_then(|l| l.split("/bio-sessions/").nth(1))
        .map(str::to_string);
    let mut found = match location {
        Some(id) => rules(&findings_of(emu, &id).await),
        None => Vec::new(),
    };
    let unattached: Vec<Value> = Client::new()
        .get(emu.admin("/findings"))
        .send()
        .await
        .expect("unattached")
        .json()
        .await
        .expect("json");
    found.extend(rules(&unattached));
    found
}

#[tokio::test]
async fn a_retired_liveness_mode_is_a_finding() {
    let emu = TestEmulator::start().await;
    let found = init_findings(&emu, json!({"livenessMode": "LIVENESS_MEDIUM"})).await;
    assert!(
        found.contains(&findings::RETIRED_LIVENESS_MODE.to_string()),
        "{found:?}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn a_security_level_below_high_is_a_finding() {
    let emu = TestEmulator::start().await;
    let found = init_findings(
        &emu,
        json!({"livenessMode": "LIVENESS_PASSIVE", "securityLevel": "MEDIUM"}),
    )
    .await;
    assert_eq!(found, vec![findings::SECURITY_LEVEL_BELOW_HIGH.to_string()]);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_current_mode_at_high_security_raises_nothing() {
    let emu = TestEmulator::start().await;
    let found = init_findings(
        &emu,
        json!({"livenessMode": "LIVENESS_ACTIVE", "securityLevel": "HIGH", "numberOfChallenge": 2}),
    )
    .await;
    assert!(found.is_empty(), "{found:?}");
    emu.shutdown().await;
}

#[tokio::test]
async fn closing_the_capture_while_pending_is_a_finding() {
    let emu = TestEmulator::start().await;
    let (s, id) = new_session(&emu);
    s.lock().state = SessionState::Pending;
    findings::on_channel_closed(emu.state(), &s);
    assert_eq!(
        rules(&findings_of(&emu, &id).await),
        vec![findings::CLOSED_WHILE_PENDING]
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn closing_the_capture_after_the_result_raises_nothing() {
    let emu = TestEmulator::start().await;
    let (s, id) = new_session(&emu);
    s.lock().state = SessionState::Capturing;
    s.lock().transcript.push(
        "send",
        json!({"type": "instruction", "value": "TRACKER_CHALLENGE_DONT_MOVE"}),
    );
    findings::on_channel_closed(emu.state(), &s);
    emu.finalize(&s, None);
    findings::on_channel_closed(emu.state(), &s);
    assert!(findings_of(&emu, &id).await.is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_pending_instruction_in_the_transcript_counts_as_pending() {
    let emu = TestEmulator::start().await;
    let (s, id) = new_session(&emu);
    s.lock().state = SessionState::Capturing;
    s.lock().transcript.push(
        "send",
        json!({"type": "instruction", "value": "TRACKER_CHALLENGE_PENDING"}),
    );
    findings::on_channel_closed(emu.state(), &s);
    assert_eq!(
        rules(&findings_of(&emu, &id).await),
        vec![findings::CLOSED_WHILE_PENDING]
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_callback_is_a_finding_naming_the_url() {
    let emu = TestEmulator::start().await;
    let s = emu.new_session(
        NewSession::new(LivenessMode::LivenessPassive).callback("http://10.255.255.1/cb"),
    );
    let id = s.lock().id.clone();
    findings::on_callback_unreachable(emu.state(), &s, "connection refused");
    let found = findings_of(&emu, &id).await;
    assert_eq!(rules(&found), vec![findings::CALLBACK_UNREACHABLE]);
    assert!(found[0]["detail"]
        .as_str()
        .is_some_and(|d| d.contains("http://10.255.255.1/cb")));
    emu.shutdown().await;
}

#[tokio::test]
async fn the_page_reports_a_missing_callback_option_once() {
    let emu = TestEmulator::start().await;
    let (_s, id) = new_session(&emu);
    let url = emu.admin(&format!("/sessions/{id}/findings"));
    let report = json!({"rule": "missing-callback-option", "detail": "trackingFn was not given"});
    let first = Client::new()
        .post(&url)
        .header("content-type", "application/json")
        .body(report.to_string())
        .send()
        .await
        .expect("report");
    assert_eq!(first.status(), StatusCode::CREATED);
    let second = Client::new()
        .post(&url)
        .json(&report)
        .send()
        .await
        .expect("report");
    assert_eq!(second.status(), StatusCode::OK);
    let found = findings_of(&emu, &id).await;
    assert_eq!(rules(&found), vec![findings::MISSING_CALLBACK_OPTION]);
    assert_eq!(found[0]["detail"], "trackingFn was not given");
    let transcript_findings = emu.state().sessions.peek(&id).map(|s| {
        s.lock()
            .transcript
            .events()
            .iter()
            .filter(|e| e.kind == "finding")
            .count()
    });
    assert_eq!(
        transcript_findings,
        Some(1),
        "pushed into the transcript once"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn the_page_cannot_report_unknown_or_emulator_only_rules() {
    let emu = TestEmulator::start().await;
    let (_s, id) = new_session(&emu);
    let url = emu.admin(&format!("/sessions/{id}/findings"));
    for body in [
        json!({"rule": "no-such-rule"}),
        json!({"rule": "api-key-in-browser"}),
        json!({"detail": "no rule"}),
    ] {
        let res = Client::new()
            .post(&url)
            .json(&body)
            .send()
            .await
            .expect("report");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        let err: Value = res.json().await.expect("json error");
        assert_eq!(err["code"], 400);
        assert!(err["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    let res = Client::new()
        .post(&url)
        .header("content-type", "application/json")
        .body("not json")
        .send()
        .await
        .expect("report");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(findings_of(&emu, &id).await.is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn findings_of_an_unknown_session_are_a_json_404() {
    let emu = TestEmulator::start().await;
    let res = Client::new()
        .get(emu.admin("/sessions/nope/findings"))
        .send()
        .await
        .expect("answer");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let err: Value = res.json().await.expect("json");
    assert_eq!(err["code"], 404);
    emu.shutdown().await;
}

#[tokio::test]
async fn the_rule_book_lists_every_rule_with_its_fix() {
    let emu = TestEmulator::start().await;
    let book: Vec<Value> = Client::new()
        .get(emu.admin("/findings/rules"))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(book.len(), findings::RULES.len());
    assert!(book
        .iter()
        .all(|r| r["fix"].as_str().is_some_and(|f| !f.is_empty())));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_reset_forgets_findings_without_a_session() {
    let emu = TestEmulator::start().await;
    let found = init_findings(&emu, json!({"livenessMode": "LIVENESS_MEDIUM"})).await;
    assert!(!found.is_empty());
    let reset = Client::new()
        .post(emu.admin("/reset"))
        .send()
        .await
        .expect("reset");
    assert_eq!(reset.status(), 200);
    let unattached: Vec<Value> = Client::new()
        .get(emu.admin("/findings"))
        .send()
        .await
        .expect("unattached")
        .json()
        .await
        .expect("json");
    assert!(unattached.is_empty(), "{unattached:?}");
    emu.shutdown().await;
}
