//! The video-server REST endpoints: init-liveness-session, capabilities, the network check.

mod support;

use serde_json::{json, Value};
use support::internals::Scenario;
use support::*;

#[tokio::test]
async fn init_liveness_session_answers_201_with_a_location_that_ends_with_the_id() {
    let emu = TestEmulator::start().await;
    let res = emu.init(json!({"livenessMode": "LIVENESS_PASSIVE"})).await;
    assert_eq!(res.status(), 201);
    let loc = location(&res);
    let id = loc
        .strip_prefix("/v2/bio-sessions/")
        .expect("documented prefix");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{loc}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["id"], id);
    assert!(emu.state().sessions.get(id).is_some());
}

#[tokio::test]
async fn the_sample_apps_body_is_stored_with_every_field() {
    let emu = TestEmulator::start().await;
    let id = emu
        .create(json!({
            "livenessMode": "LIVENESS_PASSIVE_VIDEO",
            "numberOfChallenge": 2,
            "correlationId": "wbs-demo-correlation-id",
            "evidenceId": "wbs-demo-evidence-id",
            "ageThreshold": "18",
            "securityLevel": "HIGH",
            "callbackURL": "http://localhost:8088/demo-server/liveness-result-callback",
        }))
        .await;
    let session = emu
        .json(&format!("/bioserver-app/v2/bio-sessions/{id}"))
        .await;
    redacted().bind(|| insta::assert_json_snapshot!("init_sample_app_session", session));
}

#[tokio::test]
async fn security_level_defaults_to_high_and_number_of_challenge_to_two() {
    let emu = TestEmulator::start().await;
    let id = emu.create(json!({"livenessMode": "LIVENESS_ACTIVE"})).await;
    let session = emu
        .json(&format!("/bioserver-app/v2/bio-sessions/{id}"))
        .await;
    assert_eq!(session["securityLevel"], "HIGH");
    assert_eq!(session["numberOfChallenge"], 2);
    assert_eq!(session["state"], "CREATED");
}

#[tokio::test]
async fn age_threshold_is_accepted_as_a_number_and_number_of_challenge_as_a_digit_string() {
    let emu = TestEmulator::start().await;
    let id = emu
        .create(json!({"livenessMode": "LIVENESS_ACTIVE", "ageThreshold": 21.5, "numberOfChallenge": "4"}))
        .await;
    let session = emu
        .json(&format!("/bioserver-app/v2/bio-sessions/{id}"))
        .await;
    assert_eq!(session["ageThreshold"], 21.5);
    assert_eq!(session["numberOfChallenge"], 4);
}

#[tokio::test]
async fn unknown_extra_fields_and_nulls_are_ignored() {
    let emu = TestEmulator::start().await;
    let res = emu
        .init(json!({"livenessMode": "LIVENESS_PASSIVE", "somethingNew": [1, 2], "correlationId": null}))
        .await;
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn a_missing_liveness_mode_is_a_400_naming_the_field() {
    let emu = TestEmulator::start().await;
    let res = emu.init(json!({"securityLevel": "HIGH"})).await;
    let body = assert_error(res, 400, "\"livenessMode\" is required").await;
    insta::assert_json_snapshot!("init_missing_liveness_mode", body);
}

#[tokio::test]
async fn liveness_medium_is_rejected_as_retired() {
    let emu = TestEmulator::start().await;
    let res = emu.init(json!({"livenessMode": "LIVENESS_MEDIUM"})).await;
    assert_error(res, 400, "LIVENESS_MEDIUM is retired").await;
}

#[tokio::test]
async fn an_unknown_liveness_mode_is_a_400_listing_the_accepted_ones() {
    let emu = TestEmulator::start().await;
    let res = emu.init(json!({"livenessMode": "LIVENESS_SLEEPY"})).await;
    assert_error(
        res,
        400,
        "LIVENESS_PASSIVE, LIVENESS_PASSIVE_VIDEO or LIVENESS_ACTIVE",
    )
    .await;
}

#[tokio::test]
async fn a_liveness_mode_that_is_not_a_string_is_a_400() {
    let emu = TestEmulator::start().await;
    let res = emu.init(json!({"livenessMode": 3})).await;
    assert_error(res, 400, "\"livenessMode\" must be a string").await;
}

#[tokio::test]
async fn a_wrong_security_level_is_a_400() {
    let emu = TestEmulator::start().await;
    let res = emu
        .init(json!({"livenessMode": "LIVENESS_PASSIVE", "securityLevel": "EXTREME"}))
        .await;
    assert_error(res, 400, "\"securityLevel\" must be LOW, MEDIUM or HIGH").await;
}

#[tokio::test]
async fn number_of_challenge_out_of_range_is_a_400() {
    let emu = TestEmulator::start().await;
    let res = emu
        .init(json!({"livenessMode": "LIVENESS_ACTIVE", "numberOfChallenge": 9}))
        .await;
    assert_error(
        res,
        400,
        "\"numberOfChallenge\" must be an integer from 1 to 8",
    )
    .await;
}

#[tokio::test]
async fn number_of_challenge_of_the_wrong_type_is_a_400() {
    let emu = TestEmulator::start().await;
    let res = emu
        .init(json!({"livenessMode": "LIVENESS_ACTIVE", "numberOfChallenge": true}))
        .await;
    assert_error(res, 400, "\"numberOfChallenge\"").await;
}

#[tokio::test]
async fn a_correlation_id_that_is_not_a_string_is_a_400() {
    let emu = TestEmulator::start().await;
    let res = emu
        .init(json!({"livenessMode": "LIVENESS_PASSIVE", "correlationId": 12}))
        .await;
    assert_error(res, 400, "\"correlationId\" must be a string").await;
}

#[tokio::test]
async fn a_relative_callback_url_is_a_400() {
    let emu = TestEmulator::start().await;
    let res = emu
        .init(json!({"livenessMode": "LIVENESS_PASSIVE", "callbackURL": "/callback"}))
        .await;
    assert_error(
        res,
        400,
        "\"callbackURL\" must be an absolute http:// or https:// URL",
    )
    .await;
}

#[tokio::test]
async fn a_callback_url_with_another_scheme_is_a_400() {
    let emu = TestEmulator::start().await;
    let res = emu
        .init(json!({"livenessMode": "LIVENESS_PASSIVE", "callbackURL": "ftp://example.com/cb"}))
        .await;
    assert_error(res, 400, "\"callbackURL\"").await;
}

#[tokio::test]
async fn an_age_threshold_that_is_not_a_number_is_a_400() {
    let emu = TestEmulator::start().await;
    let res = emu
        .init(json!({"livenessMode": "LIVENESS_PASSIVE_VIDEO", "ageThreshold": "eighteen"}))
        .await;
    assert_error(res, 400, "\"ageThreshold\" must be a number").await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_400() {
    let emu = TestEmulator::start().await;
    let res = emu
        .post("/video-server/init-liveness-session")
        .header("content-type", "application/json")
        .body("{livenessMode: LIVENESS_PASSIVE")
        .send()
        .await
        .unwrap();
    assert_error(res, 400, "not valid JSON").await;
}

#[tokio::test]
async fn a_json_array_body_is_a_400() {
    let emu = TestEmulator::start().await;
    let res = emu.init(json!(["LIVENESS_PASSIVE"])).await;
    assert_error(res, 400, "must be a JSON object").await;
}

#[tokio::test]
async fn an_empty_body_is_a_400() {
    let emu = TestEmulator::start().await;
    let res = emu
        .post("/video-server/init-liveness-session")
        .send()
        .await
        .unwrap();
    assert_error(res, 400, "body is empty").await;
}

#[tokio::test]
async fn a_body_beyond_the_default_limit_is_a_413_not_an_empty_body() {
    let emu = TestEmulator::with_config(Config::for_tests()).await;
    let padding = "x".repeat(9 * 1024 * 1024);
    let res = emu
        .init(json!({"livenessMode": "LIVENESS_PASSIVE", "correlationId": padding}))
        .await;
    assert_error(res, 413, "too large").await;
}

#[tokio::test]
async fn an_oversized_body_is_a_413() {
    let emu = TestEmulator::with_config(Config {
        max_body: 1024,
        ..Config::for_tests()
    })
    .await;
    let padding = "x".repeat(4096);
    let res = emu
        .init(json!({"livenessMode": "LIVENESS_PASSIVE", "correlationId": padding}))
        .await;
    assert_error(res, 413, "").await;
}

#[tokio::test]
async fn init_without_an_api_key_is_a_401() {
    let emu = TestEmulator::start().await;
    let res = emu
        .http()
        .post(emu.at("/video-server/init-liveness-session"))
        .json(&json!({"livenessMode": "LIVENESS_PASSIVE"}))
        .send()
        .await
        .unwrap();
    assert_error(res, 401, "apikey").await;
}

#[tokio::test]
async fn the_scenario_header_selects_the_scenario() {
    let emu = TestEmulator::builder()
        .scenario("quiet", Scenario::default())
        .start()
        .await;
    let res = emu
        .post("/video-server/init-liveness-session")
        .header("X-Emulator-Scenario", "quiet")
        .json(&json!({"livenessMode": "LIVENESS_PASSIVE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let id = session_id(&res);
    let session = emu.session_of(&id);
    assert_eq!(session.lock().scenario_name, "quiet");
}

#[tokio::test]
async fn the_scenario_body_field_selects_the_scenario() {
    let emu = TestEmulator::builder()
        .scenario("quiet", Scenario::default())
        .start()
        .await;
    let id = emu
        .create(json!({"livenessMode": "LIVENESS_PASSIVE", "scenario": "quiet"}))
        .await;
    let session = emu.session_of(&id);
    assert_eq!(session.lock().scenario_name, "quiet");
}

#[tokio::test]
async fn an_unknown_scenario_is_a_404() {
    let emu = TestEmulator::start().await;
    let res = emu
        .init(json!({"livenessMode": "LIVENESS_PASSIVE", "scenario": "no-such-thing"}))
        .await;
    assert_error(res, 404, "no-such-thing").await;
}

#[tokio::test]
async fn the_fingerprint_uses_the_first_forwarded_ip_and_the_user_agent() {
    let emu = TestEmulator::start().await;
    let res = emu
        .post("/video-server/init-liveness-session")
        .header("X-Forwarded-For", "203.0.113.7, 10.0.0.1")
        .header("User-Agent", "test-agent/1.0")
        .json(&json!({"livenessMode": "LIVENESS_PASSIVE"}))
        .send()
        .await
        .unwrap();
    let id = session_id(&res);
    let session = emu.session_of(&id);
    assert_eq!(
        session.lock().fingerprint.as_deref(),
        Some("203.0.113.7|test-agent/1.0")
    );
    assert_eq!(session.lock().api_key.as_deref(), Some(KEY));
}

#[tokio::test]
async fn a_forwarded_for_that_is_not_an_ip_is_accepted_and_the_peer_ip_used() {
    let emu = TestEmulator::start().await;
    let res = emu
        .post("/video-server/init-liveness-session")
        .header("X-Forwarded-For", "to-specify")
        .header("User-Agent", "node-fetch")
        .json(&json!({"livenessMode": "LIVENESS_PASSIVE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let id = session_id(&res);
    let session = emu.session_of(&id);
    assert_eq!(
        session.lock().fingerprint.as_deref(),
        Some("127.0.0.1|node-fetch")
    );
}

#[tokio::test]
async fn capabilities_has_the_documented_shape() {
    let emu = TestEmulator::start().await;
    let body = emu.json("/video-server/v2/capabilities").await;
    insta::assert_json_snapshot!("capabilities", body, {".emulatorVersion" => "[version]"});
    assert_eq!(body["version"], "3.36.0");
    assert_eq!(body["bioserver-core"]["currentMode"][0], "F6_2_VID65");
}

#[tokio::test]
async fn capabilities_without_an_api_key_is_a_401() {
    let emu = TestEmulator::start().await;
    let res = emu
        .http()
        .get(emu.at("/video-server/v2/capabilities"))
        .send()
        .await
        .unwrap();
    assert_error(res, 401, "apikey").await;
}

#[tokio::test]
async fn network_latency_answers_get_without_a_key_and_is_never_cached() {
    let emu = TestEmulator::start().await;
    let res = emu
        .http()
        .get(emu.at("/video-server/network-latency"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(res.bytes().await.unwrap().len() < 64);
}

#[tokio::test]
async fn network_latency_answers_head_with_no_body() {
    let emu = TestEmulator::start().await;
    let res = emu
        .http()
        .head(emu.at("/video-server/network-latency"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(res.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn network_speed_reports_the_bytes_it_received() {
    let emu = TestEmulator::start().await;
    let res = emu
        .http()
        .post(emu.at("/video-server/network-speed"))
        .header("content-type", "application/octet-stream")
        .body(vec![7u8; 1_000_000])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["bytes"], 1_000_000);
    assert!(body["ms"].as_f64().unwrap() >= 0.0);
    assert!(body["kbps"].as_f64().unwrap() > 0.0);
}

#[tokio::test]
async fn network_speed_beyond_four_mebibytes_is_a_413() {
    let emu = TestEmulator::start().await;
    let res = emu
        .http()
        .post(emu.at("/video-server/network-speed"))
        .body(vec![0u8; 5 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_error(res, 413, "at most 4194304 bytes").await;
}

#[tokio::test]
async fn a_flood_of_sessions_stays_within_a_sixteenth_of_the_cap_and_the_sweeper_trims_to_it() {
    let emu = TestEmulator::with_config(Config {
        max_sessions: 64,
        ..Config::for_tests()
    })
    .await;
    let mut most = 0;
    let mut last = String::new();
    for _ in 0..300 {
        last = emu.create_passive().await;
        most = most.max(emu.state().sessions.len());
    }
    assert!(
        most <= 64 + 4,
        "a creation evicts once 1/16 over the cap: {most}"
    );
    assert!(emu.state().sessions.get(&last).is_some());
    // The once-a-second sweeper brings it back to the cap exactly (not a quarter below it), so a
    // long-running emulator's memory stays flat instead of saw-toothing.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while emu.state().sessions.len() > 64 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let kept = emu.state().sessions.len();
    assert!((56..=64).contains(&kept), "{kept}");
}

#[tokio::test]
async fn an_init_is_journaled_with_its_session_and_recorded_in_its_transcript_as_answered() {
    let emu = TestEmulator::start().await;
    let res = emu.init(json!({"livenessMode": "LIVENESS_PASSIVE"})).await;
    assert_eq!(res.status(), 201);
    let id = session_id(&res);
    let answered: Value = res.json().await.unwrap();

    let (status, journal) = get_json(&emu.admin("/journal")).await;
    assert_eq!(status, 200);
    let line = journal
        .as_array()
        .and_then(|lines| {
            lines
                .iter()
                .find(|l| l["uri"] == "/video-server/init-liveness-session")
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(line["status"], 201, "{journal}");
    assert_eq!(line["sessionId"], id.as_str(), "{journal}");

    let (status, detail) = get_json(&emu.admin(&format!("/sessions/{id}"))).await;
    assert_eq!(status, 200);
    let events = detail["events"].as_array().cloned().unwrap_or_default();
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["state", "rest"], "{detail}");
    let rest = &events[1]["data"];
    assert_eq!(rest["method"], "POST");
    assert_eq!(rest["path"], "/video-server/init-liveness-session");
    assert_eq!(rest["status"], 201);
    assert_eq!(rest["body"], answered);
    assert!(rest.get("scripted").is_none(), "{rest}");
}
