//! An ID&V (GIPS) back end and its page, entirely over HTTP and the capture channel: identity →
//! consents → live-capture-session → capture played by the page → status polled until final →
//! global status → portrait (parsed as the sample's `parse-multipart@1.0.4` does).

mod support;

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{gips::*, *};

/// A GIPS GET with the sample's headers; every id the emulator issued must answer 2xx.
async fn gips_get(emu: &TestEmulator, path: &str) -> Value {
    let res = gips(emu.http().get(emu.at(&format!("/gips/v1{path}"))))
        .send()
        .await
        .expect("GIPS GET");
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    res.json().await.expect("JSON")
}

/// identity → consents → live-capture-session, as the sample's init does; returns
/// (identityId, portraitId, sessionId).
async fn start_proofing(emu: &TestEmulator, scenario: Option<&str>) -> (String, String, String) {
    let base = emu.at("/gips/v1");
    let identity = create_identity(emu.http(), &base).await;
    let identity_id = identity["id"].as_str().expect("identity id").to_string();
    assert_eq!(identity["levelOfAssurance"], "LOA0");

    let consents = gips(
        emu.http()
            .post(format!("{base}/identities/{identity_id}/consents")),
    )
    .json(
        &json!([{"approved": true, "type": "PORTRAIT", "validityPeriod": {"from": "2018-01-01"}}]),
    )
    .send()
    .await
    .expect("consents");
    assert!(consents.status().is_success());
    let consents: Value = consents.json().await.expect("consents JSON");
    assert!(consents[0]["consentId"]
        .as_str()
        .is_some_and(|c| !c.is_empty()));
    assert_eq!(consents[0]["type"], "PORTRAIT");

    let mut req = gips(emu.http().post(format!(
        "{base}/identities/{identity_id}/attributes/portrait/live-capture-session"
    )))
    .json(&json!({"type": "LIVENESS_HIGH", "securityLevel": "HIGH", "nbChallenge": 2}));
    if let Some(name) = scenario {
        req = req.header("X-Emulator-Scenario", name);
    }
    let res = req.send().await.expect("live-capture-session");
    assert!(res.status().is_success(), "{}", res.status());
    let capture: Value = res.json().await.expect("capture JSON");
    assert_eq!(capture["status"], "PROCESSING");
    assert_eq!(capture["type"], "PORTRAIT");
    (
        identity_id,
        capture["id"].as_str().expect("portraitId").to_string(),
        capture["sessionId"]
            .as_str()
            .expect("sessionId")
            .to_string(),
    )
}

/// Polls the portrait status as the sample does (bounded) until it is no longer PROCESSING.
async fn poll_status(emu: &TestEmulator, identity: &str, portrait: &str) -> Value {
    for _ in 0..100 {
        let status = gips_get(emu, &format!("/identities/{identity}/status/{portrait}")).await;
        if status["status"] != "PROCESSING" || status.get("errors").is_some() {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the portrait status stayed PROCESSING");
}

/// Plays the capture over the channel (LIVENESS_HIGH is an active capture) and checks its order.
async fn capture(emu: &TestEmulator, session: &str) -> Played {
    let played = play(emu, session, "e2e-gips-phone").await;
    assert_contract_order("LIVENESS_ACTIVE", &played, "GIPS capture");
    let init = played.init.as_ref().expect("init");
    assert_eq!(init["livenessMode"], "LIVENESS_ACTIVE");
    settled(emu, session).await;
    played
}

#[tokio::test]
async fn an_idv_back_end_reads_a_verified_portrait_after_a_capture_over_the_channel() {
    let emu = TestEmulator::start().await;
    let (identity, portrait, session) = start_proofing(&emu, None).await;
    let status = gips_get(&emu, &format!("/identities/{identity}/status/{portrait}")).await;
    assert_eq!(status["status"], "PROCESSING", "before the capture");

    let played = capture(&emu, &session).await;
    let terminal = played.terminal.as_ref().expect("a result");
    assert_eq!(terminal["type"], "result");
    assert!(played
        .after_start
        .iter()
        .any(|m| m["type"] == "instruction" && m["data"] == "FACEFLOW_CHALLENGE_2D"));

    let status = poll_status(&emu, &identity, &portrait).await;
    assert_eq!(status["status"], "VERIFIED");
    assert_eq!(status["id"], portrait.as_str());
    assert_eq!(status["strength"], "LEVEL3");
    assert!(status.get("errors").is_none());

    let global = gips_get(&emu, &format!("/identities/{identity}")).await;
    assert_eq!(global["globalStatus"]["status"], "VERIFIED");
    assert_eq!(global["globalStatus"]["levelOfAssurance"], "LOA2");
    assert_eq!(global["portrait"]["evidenceId"], portrait.as_str());
    assert_eq!(global["portrait"]["evidenceStatus"]["status"], "VERIFIED");
    assert_eq!(global["consents"][0]["type"], "PORTRAIT");

    // The portrait is the capture's best image, byte for byte, in the multipart the sample parses.
    let best_id = result(&emu, &session).await["bestImageId"]
        .as_str()
        .expect("bestImageId")
        .to_string();
    let best = emu
        .get(&format!(
            "/bioserver-app/v2/bio-sessions/{session}/faces/{best_id}/image"
        ))
        .send()
        .await
        .expect("best image")
        .bytes()
        .await
        .expect("bytes");
    let (content_type, body) = fetch_portrait(
        emu.http(),
        emu.gips(&format!(
            "/identities/{identity}/attributes/portrait/capture"
        )),
    )
    .await;
    let boundary = get_boundary(&content_type);
    assert!(!boundary.is_empty() && !boundary.starts_with('"'));
    let parts = parse_multipart(&body, &boundary).expect("parse-multipart accepts it");
    assert_eq!(parts.len(), 1);
    assert!(parts[0].filename.ends_with(".jpg") || parts[0].filename.ends_with(".png"));
    assert!(parts[0].content_type.starts_with("image/"));
    assert!(
        parts[0].data == best.as_ref(),
        "the portrait is the best image"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn a_rejected_portrait_comes_back_as_errors_with_a_2xx_after_a_real_capture() {
    let emu = TestEmulator::start().await;
    let (identity, portrait, session) = start_proofing(&emu, Some("gips-rejected")).await;
    let played = capture(&emu, &session).await;
    assert_eq!(
        played.terminal.as_ref().map(|t| t["type"].clone()),
        Some(json!("result")),
        "the capture itself completes; GIPS rejects it"
    );

    let status = poll_status(&emu, &identity, &portrait).await;
    let errors = status["errors"].as_array().expect("errors[]");
    assert!(!errors.is_empty());
    assert_eq!(errors[0]["code"], "PORTRAIT_LIVENESS_FAILED");

    let global = gips_get(&emu, &format!("/identities/{identity}")).await;
    assert_eq!(global["globalStatus"]["levelOfAssurance"], "LOA0");
    assert_eq!(global["globalStatus"]["status"], "NOT_VERIFIED");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_capture_timeout_in_idv_mode_ends_in_a_timeout_result_and_a_rejected_portrait() {
    let emu = TestEmulator::start().await;
    let (identity, portrait, session) = start_proofing(&emu, Some("capture-timeout")).await;
    let played = capture(&emu, &session).await;
    assert_eq!(
        played.terminal.as_ref().map(|t| t["type"].clone()),
        Some(json!("result")),
        "showChallengeResult ends the capture"
    );
    let result = result(&emu, &session).await;
    assert_eq!(result["livenessStatus"], "TIMEOUT");
    let status = poll_status(&emu, &identity, &portrait).await;
    let errors = status["errors"]
        .as_array()
        .expect("errors[] follow the TIMEOUT");
    assert!(!errors.is_empty(), "{status}");
    let global = gips_get(&emu, &format!("/identities/{identity}")).await;
    assert_eq!(global["globalStatus"]["levelOfAssurance"], "LOA0");
    emu.shutdown().await;
}
