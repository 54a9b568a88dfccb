//! Each integration rule: a request or sequence that breaks it raises the finding, one that
//! follows it does not.

use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use webcapture_emulator::{
    capture,
    config::Config,
    findings,
    scenarios::{model::LivenessMode, selection::SelectionInput},
    server::{self, Running},
    sessions::{store::SharedSession, SessionParams, SessionState},
};

async fn start() -> Running {
    server::start(Config::for_tests())
        .await
        .expect("server starts")
}

fn params(callback: Option<&str>) -> SessionParams {
    SessionParams {
        callback_url: callback.map(str::to_string),
        ..SessionParams::new(LivenessMode::LivenessPassive)
    }
}

fn new_session(app: &Running) -> (SharedSession, String) {
    let s = capture::create_session(&app.state, params(None), SelectionInput::default(), None)
        .expect("session created");
    let id = s.lock().id.clone();
    (s, id)
}

async fn findings_of(app: &Running, id: &str) -> Vec<Value> {
    let res = Client::new()
        .get(format!("{}/__emulator/sessions/{id}/findings", app.url()))
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

async fn ask_result(app: &Running, id: &str, extra: &[(&str, &str)]) {
    let mut req = Client::new()
        .get(format!(
            "{}/bioserver-app/v2/bio-sessions/{id}/liveness-challenge-result",
            app.url()
        ))
        .header("apikey", "backend-key");
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    req.send().await.expect("result answer");
}

#[tokio::test]
async fn asking_for_the_result_before_the_capture_ended_is_a_finding() {
    let app = start().await;
    let (_s, id) = new_session(&app);
    ask_result(&app, &id, &[]).await;
    let found = findings_of(&app, &id).await;
    assert_eq!(rules(&found), vec![findings::RESULT_BEFORE_CAPTURE_END]);
    assert!(found[0]["fix"]
        .as_str()
        .is_some_and(|f| f.contains("showChallengeResult")));
    assert!(found[0]["detail"]
        .as_str()
        .is_some_and(|d| d.contains("CREATED")));
    assert!(found[0]["tMs"].is_u64());
    app.shutdown().await;
}

#[tokio::test]
async fn asking_once_after_the_capture_ended_raises_nothing() {
    let app = start().await;
    let (s, id) = new_session(&app);
    capture::finalize(&app.state, &s, None);
    ask_result(&app, &id, &[]).await;
    assert!(findings_of(&app, &id).await.is_empty());
    app.shutdown().await;
}

#[tokio::test]
async fn polling_the_result_twice_within_a_second_is_a_finding() {
    let app = start().await;
    let (s, id) = new_session(&app);
    capture::finalize(&app.state, &s, None);
    ask_result(&app, &id, &[]).await;
    ask_result(&app, &id, &[]).await;
    assert_eq!(
        rules(&findings_of(&app, &id).await),
        vec![findings::RESULT_POLLED_TOO_FAST]
    );
    app.shutdown().await;
}

#[tokio::test]
async fn polling_the_result_at_a_second_apart_raises_nothing() {
    let app = start().await;
    let (s, id) = new_session(&app);
    capture::finalize(&app.state, &s, None);
    ask_result(&app, &id, &[]).await;
    tokio::time::sleep(Duration::from_millis(1050)).await;
    ask_result(&app, &id, &[]).await;
    assert!(findings_of(&app, &id).await.is_empty());
    app.shutdown().await;
}

#[tokio::test]
async fn an_api_key_sent_with_a_browser_origin_is_a_finding() {
    let app = start().await;
    let (s, id) = new_session(&app);
    capture::finalize(&app.state, &s, None);
    ask_result(&app, &id, &[("origin", "http://localhost:3000")]).await;
    let found = findings_of(&app, &id).await;
    assert_eq!(rules(&found), vec![findings::API_KEY_IN_BROWSER]);
    assert!(found[0]["detail"]
        .as_str()
        .is_some_and(|d| d.contains("http://localhost:3000")));
    app.shutdown().await;
}

#[tokio::test]
async fn an_api_key_sent_by_a_back_end_raises_nothing() {
    let app = start().await;
    let (s, id) = new_session(&app);
    capture::finalize(&app.state, &s, None);
    ask_result(&app, &id, &[("user-agent", "node-fetch/3")]).await;
    assert!(findings_of(&app, &id).await.is_empty());
    app.shutdown().await;
}

#[tokio::test]
async fn the_built_in_demo_page_may_send_its_demo_key() {
    let app = start().await;
    let (s, id) = new_session(&app);
    capture::finalize(&app.state, &s, None);
    let origin = app.url();
    let referer = format!("{}/__emulator/demo", app.url());
    ask_result(
        &app,
        &id,
        &[("origin", origin.as_str()), ("referer", referer.as_str())],
    )
    .await;
    assert!(findings_of(&app, &id).await.is_empty());
    app.shutdown().await;
}

/// The findings of the session an init request created, or those without a session when the
/// emulator refused it.
async fn init_findings(app: &Running, body: Value) -> Vec<String> {
    let res = Client::new()
        .post(format!("{}/video-server/init-liveness-session", app.url()))
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
        Some(id) => rules(&findings_of(app, &id).await),
        None => Vec::new(),
    };
    let unattached: Vec<Value> = Client::new()
        .get(format!("{}/__emulator/findings", app.url()))
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
    let app = start().await;
    let found = init_findings(&app, json!({"livenessMode": "LIVENESS_MEDIUM"})).await;
    assert!(
        found.contains(&findings::RETIRED_LIVENESS_MODE.to_string()),
        "{found:?}"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn a_security_level_below_high_is_a_finding() {
    let app = start().await;
    let found = init_findings(
        &app,
        json!({"livenessMode": "LIVENESS_PASSIVE", "securityLevel": "MEDIUM"}),
    )
    .await;
    assert_eq!(found, vec![findings::SECURITY_LEVEL_BELOW_HIGH.to_string()]);
    app.shutdown().await;
}

#[tokio::test]
async fn a_current_mode_at_high_security_raises_nothing() {
    let app = start().await;
    let found = init_findings(
        &app,
        json!({"livenessMode": "LIVENESS_ACTIVE", "securityLevel": "HIGH", "numberOfChallenge": 2}),
    )
    .await;
    assert!(found.is_empty(), "{found:?}");
    app.shutdown().await;
}

#[tokio::test]
async fn closing_the_capture_while_pending_is_a_finding() {
    let app = start().await;
    let (s, id) = new_session(&app);
    s.lock().state = SessionState::Pending;
    findings::on_channel_closed(&app.state, &s);
    assert_eq!(
        rules(&findings_of(&app, &id).await),
        vec![findings::CLOSED_WHILE_PENDING]
    );
    app.shutdown().await;
}

#[tokio::test]
async fn closing_the_capture_after_the_result_raises_nothing() {
    let app = start().await;
    let (s, id) = new_session(&app);
    s.lock().state = SessionState::Capturing;
    s.lock().transcript.push(
        "send",
        json!({"type": "instruction", "value": "TRACKER_CHALLENGE_DONT_MOVE"}),
    );
    findings::on_channel_closed(&app.state, &s);
    capture::finalize(&app.state, &s, None);
    findings::on_channel_closed(&app.state, &s);
    assert!(findings_of(&app, &id).await.is_empty());
    app.shutdown().await;
}

#[tokio::test]
async fn a_pending_instruction_in_the_transcript_counts_as_pending() {
    let app = start().await;
    let (s, id) = new_session(&app);
    s.lock().state = SessionState::Capturing;
    s.lock().transcript.push(
        "send",
        json!({"type": "instruction", "value": "TRACKER_CHALLENGE_PENDING"}),
    );
    findings::on_channel_closed(&app.state, &s);
    assert_eq!(
        rules(&findings_of(&app, &id).await),
        vec![findings::CLOSED_WHILE_PENDING]
    );
    app.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_callback_is_a_finding_naming_the_url() {
    let app = start().await;
    let s = capture::create_session(
        &app.state,
        params(Some("http://10.255.255.1/cb")),
        SelectionInput::default(),
        None,
    )
    .expect("session");
    let id = s.lock().id.clone();
    findings::on_callback_unreachable(&app.state, &s, "connection refused");
    let found = findings_of(&app, &id).await;
    assert_eq!(rules(&found), vec![findings::CALLBACK_UNREACHABLE]);
    assert!(found[0]["detail"]
        .as_str()
        .is_some_and(|d| d.contains("http://10.255.255.1/cb")));
    app.shutdown().await;
}

#[tokio::test]
async fn the_page_reports_a_missing_callback_option_once() {
    let app = start().await;
    let (_s, id) = new_session(&app);
    let url = format!("{}/__emulator/sessions/{id}/findings", app.url());
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
    let found = findings_of(&app, &id).await;
    assert_eq!(rules(&found), vec![findings::MISSING_CALLBACK_OPTION]);
    assert_eq!(found[0]["detail"], "trackingFn was not given");
    let transcript_findings = app.state.sessions.peek(&id).map(|s| {
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
    app.shutdown().await;
}

#[tokio::test]
async fn the_page_cannot_report_unknown_or_emulator_only_rules() {
    let app = start().await;
    let (_s, id) = new_session(&app);
    let url = format!("{}/__emulator/sessions/{id}/findings", app.url());
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
    assert!(findings_of(&app, &id).await.is_empty());
    app.shutdown().await;
}

#[tokio::test]
async fn findings_of_an_unknown_session_are_a_json_404() {
    let app = start().await;
    let res = Client::new()
        .get(format!("{}/__emulator/sessions/nope/findings", app.url()))
        .send()
        .await
        .expect("answer");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let err: Value = res.json().await.expect("json");
    assert_eq!(err["code"], 404);
    app.shutdown().await;
}

#[tokio::test]
async fn the_rule_book_lists_every_rule_with_its_fix() {
    let app = start().await;
    let book: Vec<Value> = Client::new()
        .get(format!("{}/__emulator/findings/rules", app.url()))
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
    app.shutdown().await;
}

#[tokio::test]
async fn a_reset_forgets_findings_without_a_session() {
    let app = start().await;
    let found = init_findings(&app, json!({"livenessMode": "LIVENESS_MEDIUM"})).await;
    assert!(!found.is_empty());
    let reset = Client::new()
        .post(format!("{}/__emulator/reset", app.url()))
        .send()
        .await
        .expect("reset");
    assert_eq!(reset.status(), 200);
    let unattached: Vec<Value> = Client::new()
        .get(format!("{}/__emulator/findings", app.url()))
        .send()
        .await
        .expect("unattached")
        .json()
        .await
        .expect("json");
    assert!(unattached.is_empty(), "{unattached:?}");
    app.shutdown().await;
}
