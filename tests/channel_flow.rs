//! The capture channel plays a session's scenario in the order integrator code relies on.

mod support;

use serde_json::json;
use support::{internals::LivenessMode, *};

#[tokio::test]
async fn a_passive_success_plays_progress_init_then_capture_then_result() {
    let emu = TestEmulator::start().await;
    let (id, session) = emu.session(LivenessMode::LivenessPassive, None);
    let mut ws = emu.channel().await;
    let (before, init) = open_until_init(&mut ws, &id).await;

    assert!(!before.is_empty(), "downloadProgress precedes init");
    for m in &before {
        assert_eq!(m["type"], "tracking");
        let p = m["data"]["downloadProgress"]
            .as_f64()
            .expect("downloadProgress");
        assert!(p > 0.0 && p <= 1.0);
    }
    assert_eq!(init["livenessMode"], "LIVENESS_PASSIVE");
    assert_eq!(init["scenario"], "success");
    assert_eq!(
        wait_state(&session, "CAPTURING").await["state"],
        "CAPTURING"
    );

    // Nothing happens until the page calls startCapture.
    assert!(matches!(next(&mut ws, 300).await, Got::Nothing));
    send(&mut ws, json!({"type": "startCapture"})).await;
    let (msgs, end) = drain(&mut ws).await;
    let k = kinds(&msgs);
    assert_eq!(k.first().map(String::as_str), Some("clientInitEnd"));
    let dont_move = k
        .iter()
        .position(|t| t == "instruction:TRACKER_CHALLENGE_DONT_MOVE")
        .expect("DONT_MOVE");
    let pending = k
        .iter()
        .position(|t| t == "instruction:TRACKER_CHALLENGE_PENDING")
        .expect("PENDING");
    assert!(dont_move < pending);
    assert!(
        msgs[1..dont_move]
            .iter()
            .all(|m| m["data"]["facew"].is_number()),
        "tracking before DONT_MOVE"
    );
    let uploads: Vec<f64> = msgs[pending..]
        .iter()
        .filter_map(|m| m["data"]["uploadProgress"].as_f64())
        .collect();
    assert_eq!(
        uploads.last(),
        Some(&1.0),
        "uploadProgress reaches 1 after PENDING"
    );
    let last = msgs.last().expect("messages");
    assert_eq!(last["type"], "result");
    assert!(last["data"].get("bestImageInfo").is_some());
    assert!(matches!(end, Got::Closed(Some((1000, _)))), "{end:?}");

    let s = wait_state(&session, "FINISHED").await;
    assert_eq!(s["livenessStatus"], "SUCCESS");
    emu.shutdown().await;
}

#[tokio::test]
async fn the_result_is_final_before_the_page_hears_of_it() {
    let emu = TestEmulator::start().await;
    let (id, session) = emu.session(LivenessMode::LivenessPassiveVideo, None);
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    send(&mut ws, json!({"type": "startCapture"})).await;
    loop {
        match next(&mut ws, 3000).await {
            Got::Msg(m) if m["type"] == "result" => break,
            Got::Msg(_) => continue,
            other => panic!("no result: {other:?}"),
        }
    }
    // At the moment the result message arrived the session was already final.
    let events = transcript(&session);
    let result_at = events
        .iter()
        .position(|e| e["kind"] == "result")
        .expect("result recorded");
    let sent_at = events
        .iter()
        .position(|e| e["kind"] == "send" && e["data"]["type"] == "result")
        .expect("result sent");
    assert!(result_at < sent_at);
    emu.shutdown().await;
}

#[tokio::test]
async fn an_active_session_gets_the_join_the_dots_challenge() {
    let emu = TestEmulator::start().await;
    let (id, session) = emu.session(LivenessMode::LivenessActive, None);
    let mut ws = emu.channel_at("/video-server/engine.io/").await;
    let (_, init) = open_until_init(&mut ws, &id).await;
    assert_eq!(init["livenessMode"], "LIVENESS_ACTIVE");
    assert_eq!(init["numberOfChallenge"], 2);
    send(&mut ws, json!({"type": "startCapture"})).await;
    let (msgs, _) = drain(&mut ws).await;
    let k = kinds(&msgs);
    let start = k
        .iter()
        .position(|t| t == "instruction:FACEFLOW_CHALLENGE_2D")
        .expect("challenge");
    let pending = k
        .iter()
        .position(|t| t == "instruction:TRACKER_CHALLENGE_PENDING")
        .expect("pending");
    let challenge: Vec<_> = msgs[start..pending]
        .iter()
        .filter(|m| m["data"]["livenessActive"].is_object())
        .collect();
    assert!(!challenge.is_empty());
    let targets: Vec<u64> = challenge
        .iter()
        .filter_map(|m| m["data"]["livenessActive"]["targetChallengeIndex"].as_u64())
        .collect();
    assert_eq!(targets.first(), Some(&0));
    assert_eq!(targets.last(), Some(&1));
    assert!(!k.contains(&"instruction:TRACKER_CHALLENGE_DONT_MOVE".to_string()));
    assert_eq!(
        msgs.last().map(|m| m["type"].clone()),
        Some(json!("result"))
    );
    wait_state(&session, "FINISHED").await;
    emu.shutdown().await;
}

#[tokio::test]
async fn pending_marks_the_session_pending_until_the_result() {
    let emu = TestEmulator::builder()
        .scenario(
            "test-stuck-pending",
            json!({"capture": {"timeline": [
                {"type": "waitFor", "event": "startCapture"},
                {"type": "instruction", "value": "TRACKER_CHALLENGE_PENDING"},
                {"type": "wait", "ms": 600000}
            ]}}),
        )
        .start()
        .await;
    let (id, session) = emu.session(LivenessMode::LivenessPassive, Some("test-stuck-pending"));
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    send(&mut ws, json!({"type": "startCapture"})).await;
    // time-scale 0 skips the wait, so the timeline ends without a result: the session fails.
    let (msgs, _) = drain(&mut ws).await;
    assert_eq!(
        kinds(&msgs),
        vec!["clientInitEnd", "instruction:TRACKER_CHALLENGE_PENDING"]
    );
    let events = transcript(&session);
    assert!(events
        .iter()
        .any(|e| e["kind"] == "state" && e["data"]["state"] == "PENDING"));
    wait_state(&session, "FAILED").await;
    emu.shutdown().await;
}

#[tokio::test]
async fn every_message_both_ways_is_in_the_transcript() {
    let emu = TestEmulator::start().await;
    let (id, session) = emu.session(LivenessMode::LivenessPassive, None);
    let mut ws = emu
        .channel_at("/video-server/engine.io?EIO=4&transport=websocket")
        .await;
    open_until_init(&mut ws, &id).await;
    send(&mut ws, json!({"type": "startCapture"})).await;
    let (msgs, _) = drain(&mut ws).await;
    wait_state(&session, "FINISHED").await;
    let events = transcript(&session);
    let received: Vec<_> = events
        .iter()
        .filter(|e| e["kind"] == "receive")
        .map(|e| e["data"]["type"].clone())
        .collect();
    assert_eq!(received, vec![json!("hello"), json!("startCapture")]);
    let sent = events.iter().filter(|e| e["kind"] == "send").count();
    // downloadProgress frames + init + the capture messages.
    assert!(
        sent > msgs.len() + 1,
        "sent {sent}, page saw {} after init",
        msgs.len()
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn a_camera_frame_from_the_page_becomes_the_best_image() {
    use base64::Engine;
    let emu = TestEmulator::builder()
        .scenario("test-camera", json!({"browser": {"bestImage": "camera"}}))
        .start()
        .await;
    let (id, session) = emu.session(LivenessMode::LivenessPassive, Some("test-camera"));
    let mut png = Vec::new();
    image::RgbImage::from_pixel(320, 240, image::Rgb([200, 150, 120]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let mut ws = emu.channel().await;
    let (_, init) = open_until_init(&mut ws, &id).await;
    assert_eq!(init["browser"]["bestImage"], "camera");
    send(&mut ws, json!({"type": "startCapture"})).await;
    let data = base64::engine::general_purpose::STANDARD.encode(&png);
    send(&mut ws, json!({"type": "bestImage", "data": data})).await;
    let (msgs, _) = drain(&mut ws).await;
    let info = &msgs.last().expect("result")["data"]["bestImageInfo"];
    assert_eq!(info["w"], 320);
    assert_eq!(info["h"], 240);
    wait_state(&session, "FINISHED").await;
    let events = transcript(&session);
    assert!(events.iter().any(|e| e["kind"] == "receive"
        && e["data"]["type"] == "bestImage"
        && e["data"]["bytes"] == png.len()));
    emu.shutdown().await;
}

#[tokio::test]
async fn tracking_frames_carry_the_time_they_were_due_on_a_steady_rhythm() {
    // 10 fps at a tenth of real time: a face frame is due every 10 ms.
    let emu = TestEmulator::with_config(Config {
        time_scale: 0.1,
        ..Config::for_tests()
    })
    .await;
    let (id, session) = emu.session(LivenessMode::LivenessPassive, None);
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    send(&mut ws, json!({"type": "startCapture"})).await;
    let (msgs, _) = drain(&mut ws).await;

    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as f64;
    let faces: Vec<f64> = msgs
        .iter()
        .filter(|m| m["type"] == "tracking" && m["data"]["facew"].is_number())
        .map(|m| {
            m["scheduledAt"]
                .as_f64()
                .expect("scheduledAt on a face frame")
        })
        .collect();
    assert!(faces.len() > 10, "{} face frames", faces.len());
    for at in &faces {
        assert!((now_ms - at).abs() < 60_000.0, "epoch milliseconds: {at}");
    }
    // Due times follow the scenario's rhythm, whatever each send cost.
    for pair in faces.windows(2) {
        let gap = pair[1] - pair[0];
        assert!((9.0..=11.0).contains(&gap), "gap {gap} ms in {faces:?}");
    }
    // The transcript keeps the frames as planned; its event times say when they went out.
    wait_state(&session, "FINISHED").await;
    let sent_stamped = transcript(&session)
        .iter()
        .filter(|e| e["kind"] == "send" && e["data"].get("scheduledAt").is_some())
        .count();
    assert_eq!(sent_stamped, 0);
    emu.shutdown().await;
}
