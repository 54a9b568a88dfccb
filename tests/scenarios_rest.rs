//! Scripted REST answers: a scenario's `rest` answers replace or alter the vendor endpoints' answers, for
//! requests of a session and for requests that belong to none, and each call of a session is in
//! its transcript.

mod support;

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use support::*;

async fn capabilities(base: &str, scenario: Option<&str>) -> reqwest::Response {
    let mut req = http()
        .get(format!("{base}/video-server/v2/capabilities"))
        .header("apikey", "any");
    if let Some(s) = scenario {
        req = req.header("X-Emulator-Scenario", s);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn a_scripted_error_status_without_body_gets_the_vendor_error_shape_and_headers() {
    let emu = TestEmulator::start().await;
    let r = capabilities(&emu.url(), Some("services-down")).await;
    assert_eq!(r.status().as_u16(), 500);
    assert_eq!(r.headers()["retry-after"], "30");
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("json"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], 500);
    assert!(
        body["error"].as_str().unwrap().contains("services-down"),
        "{body}"
    );
}

#[tokio::test]
async fn requests_without_a_session_follow_the_queue_head_without_consuming_it_then_the_default() {
    let emu = TestEmulator::start().await;
    let base = emu.url();
    assert_eq!(capabilities(&base, None).await.status().as_u16(), 200);
    emu.queue(&["services-down"]).await;
    assert_eq!(capabilities(&base, None).await.status().as_u16(), 500);
    assert_eq!(capabilities(&base, None).await.status().as_u16(), 500);
    let (_, queue) = get_json(&format!("{base}/__emulator/queue")).await;
    assert_eq!(queue["scenarios"], json!(["services-down"]));
    request(Method::DELETE, &format!("{base}/__emulator/queue"), None).await;
    emu.set_default_scenario("services-down").await;
    assert_eq!(capabilities(&base, None).await.status().as_u16(), 500);
    assert_eq!(
        capabilities(&base, Some("success")).await.status().as_u16(),
        200,
        "the header wins"
    );
}

#[tokio::test]
async fn a_missing_api_key_still_gets_401_not_the_scripted_answer() {
    let emu = TestEmulator::start().await;
    let r = http()
        .get(emu.at("/video-server/v2/capabilities"))
        .header("X-Emulator-Scenario", "services-down")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn init_backpressure_answers_429_with_its_body_and_consumes_its_queue_item() {
    let emu = TestEmulator::start().await;
    let base = emu.url();
    emu.queue(&["init-backpressure", "spoof"]).await;
    let r = http()
        .post(format!("{base}/video-server/init-liveness-session"))
        .header("apikey", "k")
        .json(&json!({"livenessMode": "LIVENESS_PASSIVE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["retry-after"], "2");
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body,
        json!({"code": 429, "error": "Too many sessions are being created: retry later"})
    );
    let (_, queue) = get_json(&format!("{base}/__emulator/queue")).await;
    assert_eq!(queue["scenarios"], json!(["spoof"]));
    assert_eq!(emu.state().sessions.len(), 0, "no session was created");
}

#[tokio::test]
async fn init_backpressure_is_selected_by_header_or_body_field() {
    let emu = TestEmulator::start().await;
    let url = emu.at("/video-server/init-liveness-session");
    let by_header = http()
        .post(&url)
        .header("apikey", "k")
        .header("X-Emulator-Scenario", "init-backpressure")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(by_header.status().as_u16(), 429);
    let by_body = http()
        .post(&url)
        .header("apikey", "k")
        .json(&json!({"scenario": "init-backpressure"}))
        .send()
        .await
        .unwrap();
    assert_eq!(by_body.status().as_u16(), 429);
}

#[tokio::test]
async fn a_patch_a_replacement_a_status_and_headers_alter_the_normal_answer() {
    let emu = TestEmulator::builder()
        .scenario_file("patched.json", r#"{"description": "p", "rest": {"capabilities": {"patch": {"version": "9.9.9", "bioserver-core": null}, "headers": {"X-Scripted": "yes"}}}}"#)
        .scenario_file("replaced.json", r#"{"description": "r", "rest": {"capabilities": {"status": 202, "body": {"replaced": true}}}}"#)
        .start()
        .await;
    let base = emu.url();
    let normal: Value = capabilities(&base, None).await.json().await.unwrap();
    assert!(normal.get("bioserver-core").is_some());

    let r = capabilities(&base, Some("patched")).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["x-scripted"], "yes");
    let patched: Value = r.json().await.unwrap();
    assert_eq!(patched["version"], "9.9.9");
    assert!(
        patched.get("bioserver-core").is_none(),
        "null removes a member (RFC 7396)"
    );

    let r = capabilities(&base, Some("replaced")).await;
    assert_eq!(r.status().as_u16(), 202);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"replaced": true}));
}

#[tokio::test]
async fn a_scripted_delay_is_scaled_by_time_scale() {
    // --time-scale 0 (the test default) plays even a ten-minute delay at once, order kept.
    let emu = TestEmulator::builder()
        .scenario_file(
            "slow.json",
            r#"{"description": "s", "rest": {"capabilities": {"delayMs": 600000}}}"#,
        )
        .start()
        .await;
    let r = tokio::time::timeout(
        Duration::from_secs(60),
        capabilities(&emu.url(), Some("slow")),
    )
    .await
    .expect("a scaled-away delay does not wait");
    assert_eq!(r.status().as_u16(), 200);
}

#[tokio::test]
async fn a_sessions_rest_calls_follow_its_scenario_and_are_in_its_transcript() {
    let emu = TestEmulator::builder()
        .scenario_file(
            "core-down.json",
            r#"{"description": "c", "rest": {"getBioSession": {"status": 503}}}"#,
        )
        .start()
        .await;
    let s = emu.backend_session(Some("core-down"));
    let id = s.lock().id.clone();
    let r = http()
        .get(format!("{}/bioserver-app/v2/bio-sessions/{id}", emu.url()))
        .header("apikey", "k")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    let (_, detail) = get_json(&emu.admin(&format!("/sessions/{id}"))).await;
    let rest: Vec<&Value> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "rest")
        .collect();
    assert_eq!(rest.len(), 1, "{detail}");
    let data = &rest[0]["data"];
    assert_eq!(data["method"], "GET");
    assert_eq!(data["path"], format!("/bioserver-app/v2/bio-sessions/{id}"));
    assert_eq!(data["status"], 503);
    assert_eq!(data["scripted"], true);
    assert_eq!(data["body"]["code"], 503);
    assert!(rest[0]["tMs"].is_u64());
}

#[tokio::test]
async fn the_network_check_endpoints_follow_the_scenario_without_an_api_key() {
    // weak-network only delays them; at --time-scale 0 they answer as normal, so script a status.
    let emu = TestEmulator::builder()
        .scenario_file(
            "net-down.json",
            r#"{"description": "n", "rest": {"networkLatency": {"status": 503}}}"#,
        )
        .start()
        .await;
    let r = http()
        .get(emu.at("/video-server/network-latency"))
        .header("X-Emulator-Scenario", "net-down")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 503);
}
