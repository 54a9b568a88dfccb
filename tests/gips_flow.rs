//! The GIPS (ID&V) flow over HTTP, as the vendor's sample back end drives it: identity → consent →
//! capture session → capture → status → global status → portrait, the portrait parsed exactly as
//! `parse-multipart@1.0.4` parses it (integration contract §2.3).

mod support;

use reqwest::{header::CONTENT_TYPE, Client, StatusCode};
use serde_json::{json, Value};
use support::{
    gips::*,
    internals::{GipsStatus, LivenessMode, Scenario},
    *,
};

async fn emulator() -> (TestEmulator, Client, String) {
    let emu = TestEmulator::start().await;
    let base = emu.at("/gips/v1");
    (emu, Client::new(), base)
}

async fn start_capture(
    client: &Client,
    base: &str,
    identity: &str,
    route: &str,
    body: Value,
    scenario: Option<&str>,
) -> Value {
    let mut req = gips(client.post(format!(
        "{base}/identities/{identity}/attributes/portrait/{route}"
    )))
    .json(&body);
    if let Some(name) = scenario {
        req = req.header("X-Emulator-Scenario", name);
    }
    let res = req.send().await.expect("capture session");
    assert!(
        res.status().is_success(),
        "capture session: {}",
        res.status()
    );
    res.json().await.expect("capture session JSON")
}

async fn get_json(client: &Client, url: String) -> (StatusCode, Value) {
    let res = gips(client.get(url)).send().await.expect("GET");
    let status = res.status();
    (status, res.json().await.expect("JSON body"))
}

/// Ends the capture of `session_id` the way the channel does, with `image` as the best image.
fn finish_capture(emu: &TestEmulator, session_id: &str, image: Option<Vec<u8>>) {
    emu.finalize(&emu.session_of(session_id), image);
}

/// A small real JPEG.
fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(48, 64, |x, y| {
        image::Rgb([(x * 5) as u8, (y * 3) as u8, 128])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode JPEG");
    out.into_inner()
}

#[tokio::test]
async fn a_verified_portrait_is_read_back_byte_identical_after_the_whole_flow() {
    let (emu, client, base) = emulator().await;

    let identity = create_identity(&client, &base).await;
    let id = identity["id"].as_str().expect("identity id").to_string();
    assert_eq!(identity["status"], "EXPECTING_INPUT");
    assert_eq!(identity["levelOfAssurance"], "LOA0");
    assert!(identity["creationDateTime"].is_string());
    assert!(identity["evaluationDateTime"].is_string());
    assert!(identity["upgradePaths"].is_object());

    let consents = gips(client.post(format!("{base}/identities/{id}/consents")))
        .json(&json!([{"approved": true, "type": "PORTRAIT", "validityPeriod": {"from": "2018-01-01"}}]))
        .send()
        .await
        .expect("consents");
    assert!(consents.status().is_success());
    let consents: Value = consents.json().await.expect("consents JSON");
    let first = &consents.as_array().expect("an array")[0];
    assert!(first["consentId"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(first["type"], "PORTRAIT");
    assert_eq!(first["approved"], true);
    assert_eq!(first["validityPeriod"], json!({"from": "2018-01-01"}));

    let capture = start_capture(
        &client,
        &base,
        &id,
        "live-capture-session",
        json!({"type": "LIVENESS_PASSIVE", "securityLevel": "HIGH", "nbChallenge": 2}),
        None,
    )
    .await;
    assert_eq!(capture["status"], "PROCESSING");
    assert_eq!(capture["type"], "PORTRAIT");
    let portrait_id = capture["id"].as_str().expect("portrait id").to_string();
    let session_id = capture["sessionId"]
        .as_str()
        .expect("session id")
        .to_string();
    {
        let session = emu
            .state()
            .sessions
            .get(&session_id)
            .expect("bio-session created");
        let s = session.lock();
        assert_eq!(s.identity_id.as_deref(), Some(id.as_str()));
        assert_eq!(s.params.liveness_mode, LivenessMode::LivenessPassive);
    }

    let status_url = format!("{base}/identities/{id}/status/{portrait_id}");
    let (code, status) = get_json(&client, status_url.clone()).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(status["status"], "PROCESSING");
    let (code, body) = get_json(
        &client,
        format!("{base}/identities/{id}/attributes/portrait/capture"),
    )
    .await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert!(body["error"].is_string() && body["code"].is_number());

    let image = jpeg();
    finish_capture(&emu, &session_id, Some(image.clone()));

    let (code, status) = get_json(&client, status_url).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        status,
        json!({"id": portrait_id, "status": "VERIFIED", "type": "PORTRAIT", "strength": "LEVEL3"})
    );

    let (code, global) = get_json(&client, format!("{base}/identities/{id}")).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(global["globalStatus"]["id"], id.as_str());
    assert_eq!(global["globalStatus"]["status"], "VERIFIED");
    assert_eq!(global["globalStatus"]["levelOfAssurance"], "LOA2");
    assert_eq!(global["globalStatus"]["upgradePaths"], json!({}));
    assert_eq!(global["consents"], consents);
    assert_eq!(global["portrait"]["evidenceId"], portrait_id.as_str());
    assert_eq!(global["portrait"]["type"], "PORTRAIT");
    assert_eq!(global["portrait"]["evidenceStatus"]["status"], "VERIFIED");
    assert_eq!(global["portrait"]["evidenceStatus"]["strength"], "LEVEL3");
    assert_eq!(global["portrait"]["evidenceStatus"]["isAdjudicable"], false);
    assert_eq!(
        global["portrait"]["portraitData"],
        json!({"source": "LIVE_CAPTURE_VIDEO", "channel": "webSDK"})
    );

    let (content_type, body) = fetch_portrait(
        &client,
        format!("{base}/identities/{id}/attributes/portrait/capture"),
    )
    .await;
    let boundary = get_boundary(&content_type);
    assert!(
        !boundary.is_empty() && !boundary.starts_with('"'),
        "unquoted boundary in {content_type}"
    );
    let parts = parse_multipart(&body, &boundary).expect("parse-multipart accepts it");
    assert_eq!(parts.len(), 1, "exactly one part");
    assert_eq!(parts[0].filename, "portrait.jpg");
    assert_eq!(parts[0].content_type, "image/jpeg");
    assert!(
        parts[0].data == image,
        "the portrait comes back byte-identical"
    );

    emu.shutdown().await;
}

#[tokio::test]
async fn the_strict_parser_rejects_the_documentations_multipart_example() {
    // Guards the test parser itself: the vendor doc's layout (`--b--` opener, no filename) must fail.
    let doc = b"--b--\r\nContent-Disposition: form-data; name=\"Portrait\"\r\nContent-Type: application/octet-stream\r\n\r\nDATA\r\n--b--\r\n";
    assert!(parse_multipart(doc, "b")
        .expect("no part opened")
        .is_empty());
    let no_filename = b"--b\r\nContent-Disposition: form-data; name=\"Portrait\"\r\nContent-Type: image/jpeg\r\n\r\nDATA\r\n--b--\r\n";
    assert!(parse_multipart(no_filename, "b").is_err());
    let good = b"--b\r\nContent-Disposition: form-data; name=\"Portrait\"; filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\nDATA\r\n--b--\r\n";
    assert_eq!(parse_multipart(good, "b").expect("parses")[0].data, b"DATA");
}

#[tokio::test]
async fn both_capture_session_routes_work_and_liveness_high_means_active() {
    let (emu, client, base) = emulator().await;
    let id = new_identity(&client, &base).await;
    let cases = [
        (
            "live-capture-session",
            json!({"type": "LIVENESS_HIGH", "securityLevel": "HIGH", "nbChallenge": 3}),
            LivenessMode::LivenessActive,
        ),
        (
            "live-capture-video-session",
            json!({"type": "LIVENESS_PASSIVE_VIDEO"}),
            LivenessMode::LivenessPassiveVideo,
        ),
        (
            "live-capture-video-session",
            json!({}),
            LivenessMode::LivenessPassiveVideo,
        ),
        (
            "live-capture-session",
            json!({"type": "LIVENESS_ACTIVE", "nbChallenge": "4"}),
            LivenessMode::LivenessActive,
        ),
    ];
    for (route, body, mode) in cases {
        let capture = start_capture(&client, &base, &id, route, body.clone(), None).await;
        assert_eq!(capture["status"], "PROCESSING", "{route} {body}");
        assert_eq!(capture["type"], "PORTRAIT");
        let session_id = capture["sessionId"].as_str().expect("sessionId");
        let session = emu.session_of(session_id);
        assert_eq!(session.lock().params.liveness_mode, mode, "{route} {body}");
    }
    let session_of_high = {
        let capture = start_capture(
            &client,
            &base,
            &id,
            "live-capture-session",
            json!({"type": "LIVENESS_HIGH", "nbChallenge": 3}),
            None,
        )
        .await;
        capture["sessionId"]
            .as_str()
            .expect("sessionId")
            .to_string()
    };
    let session = emu.session_of(&session_of_high);
    assert_eq!(session.lock().params.number_of_challenge, 3);

    // The documentation's form: multipart content type and no body at all.
    let res = gips(client.post(format!(
        "{base}/identities/{id}/attributes/portrait/live-capture-video-session"
    )))
    .header(CONTENT_TYPE, "multipart/form-data")
    .send()
    .await
    .expect("doc-style capture session");
    assert!(res.status().is_success());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_rejected_portrait_reports_errors_with_a_2xx_status() {
    let (emu, client, base) = emulator().await;
    let mut scenario = Scenario::default();
    scenario.result.gips.errors = vec![json!({"code": "NO_FACE", "message": "No face detected"})];
    emu.add_scenario("test-gips-rejected", scenario);
    let id = new_identity(&client, &base).await;
    let capture = start_capture(
        &client,
        &base,
        &id,
        "live-capture-session",
        json!({"type": "LIVENESS_PASSIVE"}),
        Some("test-gips-rejected"),
    )
    .await;
    let (portrait_id, session_id) = (
        capture["id"].as_str().expect("id").to_string(),
        capture["sessionId"]
            .as_str()
            .expect("sessionId")
            .to_string(),
    );
    assert_eq!(
        emu.state()
            .sessions
            .get(&session_id)
            .expect("session")
            .lock()
            .scenario_name,
        "test-gips-rejected"
    );
    finish_capture(&emu, &session_id, Some(jpeg()));

    let (code, status) = get_json(
        &client,
        format!("{base}/identities/{id}/status/{portrait_id}"),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        status["errors"],
        json!([{"code": "NO_FACE", "message": "No face detected"}])
    );
    assert_eq!(status["type"], "PORTRAIT");

    let (code, global) = get_json(&client, format!("{base}/identities/{id}")).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(global["globalStatus"]["levelOfAssurance"], "LOA0");
    assert_eq!(global["globalStatus"]["status"], "EXPECTING_INPUT");
    assert_eq!(
        global["portrait"]["evidenceStatus"]["errors"][0]["code"],
        "NO_FACE"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn the_scenario_decides_not_verified_and_a_lower_strength_gives_loa1() {
    let (emu, client, base) = emulator().await;
    let mut low = Scenario::default();
    low.result.gips.strength = "LEVEL2".into();
    let mut not_verified = Scenario::default();
    not_verified.result.gips.status = GipsStatus::NotVerified;
    for (name, scenario) in [("test-level2", low), ("test-not-verified", not_verified)] {
        emu.add_scenario(name, scenario);
    }
    for (name, expected_status, expected_loa) in [
        ("test-not-verified", "NOT_VERIFIED", "LOA0"),
        ("test-level2", "VERIFIED", "LOA1"),
    ] {
        let id = new_identity(&client, &base).await;
        let capture = start_capture(
            &client,
            &base,
            &id,
            "live-capture-session",
            json!({}),
            Some(name),
        )
        .await;
        finish_capture(
            &emu,
            capture["sessionId"].as_str().expect("sessionId"),
            Some(jpeg()),
        );
        let (_, status) = get_json(
            &client,
            format!(
                "{base}/identities/{id}/status/{}",
                capture["id"].as_str().expect("id")
            ),
        )
        .await;
        assert_eq!(status["status"], expected_status, "{name}");
        assert!(status.get("errors").is_none(), "{name}");
        let (_, global) = get_json(&client, format!("{base}/identities/{id}")).await;
        assert_eq!(
            global["globalStatus"]["levelOfAssurance"], expected_loa,
            "{name}"
        );
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn unknown_ids_get_a_json_404_and_issued_ids_always_answer_2xx() {
    let (emu, client, base) = emulator().await;
    for url in [
        format!("{base}/identities/undefined"),
        format!("{base}/identities/undefined/status/undefined"),
        format!("{base}/identities/nope/attributes/portrait/capture"),
    ] {
        let (code, body) = get_json(&client, url.clone()).await;
        assert_eq!(code, StatusCode::NOT_FOUND, "{url}");
        assert_eq!(body["code"], 404, "{url}");
        assert!(
            body["error"]
                .as_str()
                .is_some_and(|e| e.contains("identity") || e.contains("Identity")),
            "{url}: {body}"
        );
    }
    let id = new_identity(&client, &base).await;
    let (code, global) = get_json(&client, format!("{base}/identities/{id}")).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(global["globalStatus"]["status"], "EXPECTING_INPUT");
    assert_eq!(global["consents"], json!([]));
    assert!(global.get("portrait").is_none());
    emu.shutdown().await;
}

#[tokio::test]
async fn bad_bodies_get_a_400_that_says_what_is_wrong() {
    let (emu, client, base) = emulator().await;
    let id = new_identity(&client, &base).await;
    let cases = [
        ("consents", "not json", "application/json", "JSON"),
        ("consents", "[]", "application/json", "empty"),
        (
            "consents",
            r#"[{"approved": "yes"}]"#,
            "application/json",
            "approved",
        ),
        (
            "attributes/portrait/live-capture-session",
            r#"{"type": "LIVENESS_SUPER"}"#,
            "application/json",
            "type",
        ),
        (
            "attributes/portrait/live-capture-session",
            r#"{"nbChallenge": 99}"#,
            "application/json",
            "nbChallenge",
        ),
        (
            "attributes/portrait/live-capture-session",
            r#"{"securityLevel": "MAX"}"#,
            "application/json",
            "securityLevel",
        ),
        (
            "attributes/portrait/live-capture-session",
            "{oops",
            "application/json",
            "JSON",
        ),
    ];
    for (path, body, content_type, mentions) in cases {
        let res = gips(client.post(format!("{base}/identities/{id}/{path}")))
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .expect("POST");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path} {body}");
        let err: Value = res.json().await.expect("JSON error");
        assert_eq!(err["code"], 400);
        assert!(
            err["error"].as_str().is_some_and(|e| e.contains(mentions)),
            "{path} {body}: {err}"
        );
    }
    let res = gips(client.post(format!(
        "{base}/identities/{id}/attributes/portrait/live-capture-session"
    )))
    .header("X-Emulator-Scenario", "no-such-scenario")
    .json(&json!({}))
    .send()
    .await
    .expect("POST");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = client
        .post(format!("{base}/identities"))
        .send()
        .await
        .expect("POST");
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "the API key is required"
    );
    emu.shutdown().await;
}
