//! The dashboard's own HTTP surface: pages, live events, playback controls and JSONL export.

mod support;

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use support::{
    internals::{Gate, LivenessMode, SharedSession},
    *,
};

fn new_session(emu: &TestEmulator) -> (SharedSession, String) {
    let (id, s) = emu.session(LivenessMode::LivenessActive, None);
    (s, id)
}

async fn post(emu: &TestEmulator, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = Client::new().post(format!("{}{path}", emu.url()));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("answer");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_dashboard_and_the_demo_are_served_as_html_with_their_assets() {
    let emu = TestEmulator::start().await;
    for path in ["/__emulator/", "/__emulator/dashboard", "/__emulator/demo"] {
        let res = reqwest::get(format!("{}{path}", emu.url()))
            .await
            .expect("page");
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let ct = res.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .to_string();
        assert!(ct.starts_with("text/html"), "{path}: {ct}");
        let html = res.text().await.unwrap_or_default();
        for src in html
            .split("src=\"/__emulator/")
            .skip(1)
            .chain(html.split("href=\"/__emulator/").skip(1))
        {
            let asset = src.split('"').next().unwrap_or("");
            if !asset.contains('.') {
                continue;
            }
            let res = reqwest::get(emu.admin(&format!("/{asset}")))
                .await
                .expect("asset");
            assert_eq!(res.status(), StatusCode::OK, "{asset} referenced by {path}");
        }
    }
    let missing = reqwest::get(emu.admin("/assets/nope.js"))
        .await
        .expect("404");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_new_session_is_announced_on_the_live_stream() {
    let emu = TestEmulator::start().await;
    let res = reqwest::get(emu.admin("/events")).await.expect("sse");
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/event-stream"));
    let mut body = res.bytes_stream();
    let mut seen = String::new();
    // The hello arrives first; then the session created after subscribing.
    while !seen.contains("hello") {
        let chunk = tokio::time::timeout(Duration::from_secs(5), body.next())
            .await
            .expect("hello");
        seen.push_str(&String::from_utf8_lossy(
            &chunk.expect("chunk").expect("bytes"),
        ));
    }
    let (_s, id) = new_session(&emu);
    while !seen.contains(&id) {
        let chunk = tokio::time::timeout(Duration::from_secs(5), body.next())
            .await
            .expect("event");
        seen.push_str(&String::from_utf8_lossy(
            &chunk.expect("chunk").expect("bytes"),
        ));
    }
    let line = seen.lines().find(|l| l.contains(&id)).unwrap_or("");
    let event: Value =
        serde_json::from_str(line.trim_start_matches("data:").trim()).expect("json data");
    assert_eq!(event["type"], "session");
    assert_eq!(event["session"]["id"], id.as_str());
    drop(body);
    emu.shutdown().await;
}

#[tokio::test]
async fn the_live_stream_ends_on_shutdown() {
    let emu = TestEmulator::start().await;
    let res = reqwest::get(emu.admin("/events")).await.expect("sse");
    let reader = tokio::spawn(async move { res.bytes().await.is_ok() });
    tokio::time::sleep(Duration::from_millis(50)).await;
    tokio::time::timeout(Duration::from_secs(5), emu.shutdown())
        .await
        .expect("shutdown is not held by an open stream");
    let _ = tokio::time::timeout(Duration::from_secs(5), reader)
        .await
        .expect("stream ended");
}

#[tokio::test]
async fn pause_step_and_resume_drive_the_session_gate() {
    let emu = TestEmulator::start().await;
    let (s, id) = new_session(&emu);
    let control = s.lock().control.clone();

    let (status, body) = post(&emu, &format!("/__emulator/sessions/{id}/pause"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["control"]["paused"], true);
    assert_eq!(control.try_gate(), None, "paused: the runner waits");

    let (_, body) = post(&emu, &format!("/__emulator/sessions/{id}/step"), None).await;
    assert_eq!(body["control"]["steps"], 1);
    assert_eq!(control.try_gate(), Some(Gate::Proceed));
    assert_eq!(control.try_gate(), None, "one step lets one event through");

    let (_, body) = post(&emu, &format!("/__emulator/sessions/{id}/resume"), None).await;
    assert_eq!(body["control"]["paused"], false);
    assert_eq!(control.try_gate(), Some(Gate::Proceed));

    let shown: Value = reqwest::get(emu.admin(&format!("/sessions/{id}/control")))
        .await
        .expect("control")
        .json()
        .await
        .expect("json");
    assert_eq!(shown["control"]["paused"], false);

    let commands: Vec<String> = s
        .lock()
        .transcript
        .events()
        .iter()
        .filter(|e| e.kind == "control")
        .filter_map(|e| e.data()["command"].as_str().map(str::to_string))
        .collect();
    assert_eq!(commands, vec!["pause", "step", "resume"]);
    emu.shutdown().await;
}

#[tokio::test]
async fn inject_hands_the_runner_the_chosen_error() {
    let emu = TestEmulator::start().await;
    let (s, id) = new_session(&emu);
    let control = s.lock().control.clone();
    let (status, _) = post(
        &emu,
        &format!("/__emulator/sessions/{id}/inject"),
        Some(json!({"code": 429})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    match control.try_gate() {
        Some(Gate::Inject(e)) => {
            assert_eq!(e.code, 429);
            assert!(
                e.unlock_in_seconds.is_some(),
                "a 429 carries an unlock time"
            );
        }
        other => panic!("expected an injection, got {other:?}"),
    }
    post(
        &emu,
        &format!("/__emulator/sessions/{id}/inject"),
        Some(json!({"code": 1301})),
    )
    .await;
    assert!(
        matches!(control.try_gate(), Some(Gate::Inject(e)) if e.code == 1301 && e.unlock_in_seconds.is_none())
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn controls_refuse_bad_input_with_json_errors() {
    let emu = TestEmulator::start().await;
    let (s, id) = new_session(&emu);
    let (status, body) = post(&emu, "/__emulator/sessions/nope/pause", None).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::NOT_FOUND, json!(404))
    );
    for bad in [
        json!({}),
        json!({"code": "1301"}),
        json!({"code": 7}),
        json!({"code": 1301, "x": 1}),
    ] {
        let (status, body) = post(
            &emu,
            &format!("/__emulator/sessions/{id}/inject"),
            Some(bad.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["code"], 400);
    }
    emu.finalize(&s, None);
    let (status, body) = post(&emu, &format!("/__emulator/sessions/{id}/pause"), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["error"].as_str().is_some_and(|e| e.contains("ended")));
    emu.shutdown().await;
}

#[tokio::test]
async fn the_jsonl_export_has_one_session_a_line_without_images() {
    let emu = TestEmulator::start().await;
    let (a, id_a) = new_session(&emu);
    let (_b, id_b) = new_session(&emu);
    let image = "iVBORw0KGgo".repeat(100);
    a.lock()
        .transcript
        .push("receive", json!({"type": "bestImage", "data": image}));
    let res = reqwest::get(emu.admin("/sessions.jsonl"))
        .await
        .expect("export");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .contains("ndjson"));
    let text = res.text().await.expect("text");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], id_a.as_str(), "oldest first");
    assert_eq!(lines[1]["id"], id_b.as_str());
    assert!(lines[0]["events"].as_array().is_some_and(|e| e.len() >= 2));
    assert!(!text.contains(&image), "images are left out by default");
    assert!(text.contains("--journal-images"));

    let one = reqwest::get(format!(
        "{}/__emulator/sessions/{id_a}/transcript.jsonl",
        emu.url()
    ))
    .await
    .expect("one")
    .text()
    .await
    .expect("text");
    let kinds: Vec<String> = one
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("json")["kind"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(kinds, vec!["state", "receive"]);
    emu.shutdown().await;
}

#[tokio::test]
async fn the_jsonl_export_keeps_images_with_journal_images() {
    let emu = TestEmulator::with_config(Config {
        journal_images: true,
        ..Config::for_tests()
    })
    .await;
    let (a, _id) = new_session(&emu);
    let image = "iVBORw0KGgo".repeat(100);
    a.lock()
        .transcript
        .push("receive", json!({"type": "bestImage", "data": image}));
    let text = reqwest::get(emu.admin("/sessions.jsonl"))
        .await
        .expect("export")
        .text()
        .await
        .expect("text");
    assert!(text.contains(&image));
    emu.shutdown().await;
}
