//! The admin API of spec §5: the shapes external checks rely on, and JSON errors for bad input.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use support::{internals::schema_json, *};

#[tokio::test]
async fn scenarios_are_listed_with_name_description_source_and_validity() {
    let emu = TestEmulator::start().await;
    let (status, list) = get_json(&emu.admin("/scenarios")).await;
    assert_eq!(status, 200);
    let list = list.as_array().unwrap();
    for name in [
        "success",
        "spoof",
        "no-face-timeout",
        "capture-timeout",
        "poor-quality",
        "lockout",
        "camera-denied",
        "server-overloaded",
        "init-backpressure",
        "services-down",
        "weak-network",
        "unsupported-browser",
        "no-match",
        "gips-rejected",
        "callback-failure",
        "disconnect",
    ] {
        let e = list
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("{name} listed"));
        assert_eq!(e["valid"], true);
        assert!(matches!(e["source"].as_str(), Some("builtin" | "file")));
        assert!(!e["description"].as_str().unwrap().is_empty());
        assert!(e.get("error").is_none());
    }
    let renamed = list
        .iter()
        .find(|e| e["name"] == "no-face-timeout")
        .unwrap();
    assert_eq!(
        renamed["aliases"],
        serde_json::json!(["timeout"]),
        "the old name is listed as an alias"
    );
}

#[tokio::test]
async fn an_invalid_file_is_listed_with_its_error_and_place() {
    let emu = TestEmulator::builder()
        .scenario_file("broken.json", "{\n  \"capture\": {\"timeline\": []}\n}")
        .start()
        .await;
    let e = listed(&emu, "broken").await.unwrap();
    assert_eq!(e["valid"], false);
    assert_eq!(e["source"], "file");
    let file = emu.scenario_dir().join("broken.json").display().to_string();
    assert_eq!(
        e["error"],
        format!("{file}:2:15: timeline never ends: add a final step of type \"result\", \"error\" or \"disconnect\"")
    );
    let (status, body) = get_json(&emu.admin("/scenarios/broken")).await;
    assert_eq!(status, 422, "present but invalid, not unknown: {body}");
    let error = body["error"].as_str().unwrap();
    assert!(
        error.starts_with("Scenario 'broken' is invalid, so it cannot be played"),
        "{error}"
    );
    assert!(
        error.contains(&format!("{file}:2:15: timeline never ends")),
        "{error}"
    );
}

#[tokio::test]
async fn one_scenario_is_served_as_json_and_an_unknown_one_is_404() {
    let emu = TestEmulator::start().await;
    let (status, body) = get_json(&emu.admin("/scenarios/spoof")).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["livenessStatus"], "SPOOF");
    let (status, body) = get_json(&emu.admin("/scenarios/nope")).await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], 404);
}

#[tokio::test]
async fn the_schema_is_served_and_describes_scenarios() {
    let emu = TestEmulator::start().await;
    let r = http()
        .get(emu.admin("/scenario.schema.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let schema: Value = r.json().await.unwrap();
    assert_eq!(schema["title"], "Scenario");
    assert!(schema["properties"]["capture"].is_object());
}

#[test]
fn the_committed_schema_file_is_up_to_date() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/scenario.schema.json"
    ))
    .unwrap();
    assert_eq!(
        committed.trim_end(),
        schema_json().trim_end(),
        "regenerate it: cargo run -- schema > scenarios/scenario.schema.json"
    );
}

#[tokio::test]
async fn the_default_scenario_can_be_read_and_set_and_unknown_names_are_404() {
    let emu = TestEmulator::start().await;
    let url = emu.admin("/default-scenario");
    assert_eq!(get_json(&url).await.1, json!({"scenario": "success"}));
    let (status, body) = request(Method::PUT, &url, Some(r#"{"scenario":"spoof"}"#)).await;
    assert_eq!((status, body), (200, json!({"scenario": "spoof"})));
    assert_eq!(get_json(&url).await.1, json!({"scenario": "spoof"}));
    let (status, body) = request(Method::PUT, &url, Some(r#"{"scenario":"nope"}"#)).await;
    assert_eq!(status, 404);
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("Unknown scenario 'nope'"));
    assert_eq!(get_json(&url).await.1, json!({"scenario": "spoof"}));
}

#[tokio::test]
async fn bad_bodies_get_400_json() {
    let emu = TestEmulator::start().await;
    let base = emu.url();
    for (method, path, body) in [
        (Method::PUT, "/__emulator/default-scenario", "not json"),
        (
            Method::PUT,
            "/__emulator/default-scenario",
            r#"{"name":"spoof"}"#,
        ),
        (
            Method::POST,
            "/__emulator/queue",
            r#"{"scenarios":"spoof"}"#,
        ),
        (Method::POST, "/__emulator/queue", ""),
    ] {
        let (status, b) = request(method.clone(), &format!("{base}{path}"), Some(body)).await;
        assert_eq!(status, 400, "{method} {path} {body}");
        assert_eq!(b["code"], 400);
        assert!(
            b["error"]
                .as_str()
                .unwrap()
                .starts_with("Invalid JSON body"),
            "{b}"
        );
    }
}

#[tokio::test]
async fn the_queue_appends_lists_refuses_unknown_names_and_empties() {
    let emu = TestEmulator::start().await;
    let url = emu.admin("/queue");
    assert_eq!(get_json(&url).await.1, json!({"scenarios": []}));
    request(Method::POST, &url, Some(r#"{"scenarios":["spoof"]}"#)).await;
    let (status, body) = request(
        Method::POST,
        &url,
        Some(r#"{"scenarios":["timeout","lockout"]}"#),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"scenarios": ["spoof", "timeout", "lockout"]}));
    let (status, _) = request(
        Method::POST,
        &url,
        Some(r#"{"scenarios":["timeout","nope"]}"#),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        get_json(&url).await.1["scenarios"]
            .as_array()
            .unwrap()
            .len(),
        3,
        "all or nothing"
    );
    let (status, body) = request(Method::DELETE, &url, None).await;
    assert_eq!((status, body), (200, json!({"scenarios": []})));
}

#[tokio::test]
async fn sessions_are_listed_and_detailed_with_their_transcript() {
    let emu = TestEmulator::start().await;
    let s = emu.backend_session(Some("spoof"));
    let id = s.lock().id.clone();
    let (status, list) = get_json(&emu.admin("/sessions")).await;
    assert_eq!(status, 200);
    let item = &list.as_array().unwrap()[0];
    assert_eq!(item["id"], id);
    assert_eq!(item["scenario"], "spoof");
    assert_eq!(item["livenessMode"], "LIVENESS_PASSIVE");
    assert_eq!(item["state"], "CREATED");

    let (status, detail) = get_json(&emu.admin(&format!("/sessions/{id}"))).await;
    assert_eq!(status, 200);
    assert_eq!(detail["scenario"], "spoof");
    let first = &detail["events"][0];
    assert_eq!(first["kind"], "state");
    assert_eq!(first["data"]["state"], "CREATED");
    assert!(first["tMs"].is_u64());

    let (status, body) = get_json(&emu.admin("/sessions/unknown")).await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], 404);
}

#[tokio::test]
async fn pinning_an_unknown_session_or_scenario_is_404() {
    let emu = TestEmulator::start().await;
    let s = emu.backend_session(None);
    let id = s.lock().id.clone();
    let (status, _) = request(
        Method::PUT,
        &emu.admin("/sessions/nope/scenario"),
        Some(r#"{"scenario":"spoof"}"#),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = request(
        Method::PUT,
        &emu.admin(&format!("/sessions/{id}/scenario")),
        Some(r#"{"scenario":"nope"}"#),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn reset_forgets_sessions_queue_pins_lockouts_and_journal() {
    let emu = TestEmulator::start().await;
    let base = emu.url();
    let s = emu.backend_session(None);
    let id = s.lock().id.clone();
    request(
        Method::PUT,
        &format!("{base}/__emulator/sessions/{id}/scenario"),
        Some(r#"{"scenario":"spoof"}"#),
    )
    .await;
    emu.queue(&["spoof"]).await;
    emu.set_default_scenario("timeout").await;
    emu.state().lockouts.record_failure(
        "fp",
        time::OffsetDateTime::now_utc(),
        1,
        std::time::Duration::from_secs(60),
    );
    let (_, journal) = get_json(&format!("{base}/__emulator/journal")).await;
    assert!(!journal.as_array().unwrap().is_empty());

    let (status, _) = request(Method::POST, &format!("{base}/__emulator/reset"), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        get_json(&format!("{base}/__emulator/sessions")).await.1,
        json!([])
    );
    assert_eq!(
        get_json(&format!("{base}/__emulator/queue")).await.1,
        json!({"scenarios": []})
    );
    assert_eq!(
        get_json(&format!("{base}/__emulator/default-scenario"))
            .await
            .1,
        json!({"scenario": "success"})
    );
    assert!(emu.state().lockouts.is_empty());
    assert_eq!(get_json(&emu.admin("/memory")).await.1["pins"], 0);
    let (_, journal) = get_json(&format!("{base}/__emulator/journal")).await;
    assert_eq!(journal[0]["seq"], 1, "the journal restarted: {journal}");
    assert_eq!(journal[0]["uri"], "/__emulator/reset");
}

#[tokio::test]
async fn memory_reports_what_each_bounded_store_holds_and_the_resident_size() {
    let emu = TestEmulator::start().await;
    let url = emu.url();
    let client = reqwest::Client::new();
    let created = client
        .post(format!("{url}/video-server/init-liveness-session"))
        .header("apikey", "k")
        .json(&json!({"livenessMode": "LIVENESS_PASSIVE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let (status, memory) = get_json(&format!("{url}/__emulator/memory")).await;
    assert_eq!(status, 200);
    assert_eq!(memory["sessions"], 1);
    assert_eq!(memory["lockoutFingerprints"], 0);
    assert!(memory["maxSessions"].as_u64().unwrap() >= 1);
    assert!(memory["journalEntries"].as_u64().unwrap() >= 1, "{memory}");
    assert!(memory["rssBytes"].as_u64().unwrap() > 1_000_000, "{memory}");
}

#[tokio::test]
async fn every_control_plane_body_that_does_not_fit_is_refused_with_one_wording_and_an_example() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    for (method, path, body, example) in [
        (
            Method::PUT,
            "/lockouts".to_string(),
            r#"{"enabled":"yes"}"#,
            r#"{"enabled": true|false}"#,
        ),
        (
            Method::POST,
            format!("/sessions/{id}/inject"),
            r#"{"code":"x"}"#,
            r#"{"code": 1301}"#,
        ),
        (
            Method::POST,
            format!("/sessions/{id}/findings"),
            "[1,",
            r#"{"rule": "missing-callback-option""#,
        ),
        (
            Method::PUT,
            format!("/sessions/{id}/scenario"),
            "{}",
            r#"{"scenario": "NAME"}"#,
        ),
    ] {
        let (status, answer) = request(method.clone(), &emu.admin(&path), Some(body)).await;
        assert_eq!(status, 400, "{method} {path}: {answer}");
        assert_eq!(answer["code"], 400);
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(
            error.starts_with("Invalid JSON body: "),
            "{method} {path}: {error}"
        );
        assert!(
            error.contains(&format!("expected {example}")),
            "{method} {path}: {error}"
        );
    }
}
