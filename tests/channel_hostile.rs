//! The capture channel against hostile or broken clients: what a socket may send before `hello`,
//! racing hellos, WebSocket-level violations and close frames, pages that stop reading, and the
//! session TTL while a capture runs. Each ends in a close frame with the right code (or a
//! documented error) and a session left in a state that says why.

mod support;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use support::{
    internals::{LivenessMode, SharedSession},
    *,
};
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::{
    protocol::{frame::coding::CloseCode, CloseFrame},
    Message,
};

/// The reason recorded with the session's FAILED state.
fn failure_reason(session: &SharedSession) -> String {
    transcript(session)
        .iter()
        .rev()
        .find(|e| e["data"]["state"] == "FAILED")
        .map(|e| e["data"]["reason"].to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_big_frame_before_hello_is_closed_with_1009_without_being_buffered() {
    let emu = TestEmulator::start().await;
    let ws = emu.channel().await;
    let (mut sink, mut stream) = ws.split();
    // 4 MiB of text before any hello: the server stops reading at 64 KiB.
    let big = "x".repeat(4 * 1024 * 1024);
    let writer = tokio::spawn(async move {
        let _ = sink.send(Message::Text(big.into())).await;
        sink
    });
    let close = loop {
        match tokio::time::timeout(Duration::from_secs(5), stream.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => break frame,
            Ok(Some(Ok(_))) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    let frame = close.expect("a close frame with a code");
    assert_eq!(u16::from(frame.code), 1009);
    assert!(frame.reason.contains("before hello"), "{}", frame.reason);
    let _ = writer.await;
    emu.shutdown().await;
}

#[tokio::test]
async fn racing_hellos_for_one_session_give_it_to_exactly_one_channel() {
    let emu = TestEmulator::builder()
        .scenario("test-held",
        json!({"capture": {"timeline": [{"type": "waitFor", "event": "startCapture"}, {"type": "result"}]}}))
        .start()
        .await;
    let (id, _session) = emu.session(LivenessMode::LivenessPassive, Some("test-held"));
    let mut sockets = Vec::new();
    for _ in 0..40 {
        sockets.push(emu.channel().await);
    }
    // Every hello is written before any answer is read.
    for ws in &mut sockets {
        send(ws, hello(&id)).await;
    }
    let outcomes = futures_util::future::join_all(sockets.iter_mut().map(|ws| async {
        loop {
            match next(ws, 5000).await {
                Got::Msg(m) if m["type"] == "init" => return "init".to_string(),
                Got::Msg(m) if m["type"] == "error" => {
                    return m["data"]["error"].as_str().unwrap_or("").to_string()
                }
                Got::Msg(_) => continue,
                other => return format!("{other:?}"),
            }
        }
    }))
    .await;
    let played = outcomes.iter().filter(|o| *o == "init").count();
    assert_eq!(played, 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .filter(|o| *o != "init")
            .all(|o| o.contains("already has a capture channel")),
        "{outcomes:?}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn a_close_frame_from_the_page_is_echoed_and_fails_the_session_with_its_code() {
    let emu = TestEmulator::builder()
        .scenario("test-held",
        json!({"capture": {"timeline": [{"type": "waitFor", "event": "startCapture"}, {"type": "result"}]}}))
        .start()
        .await;
    let (id, session) = emu.session(LivenessMode::LivenessPassive, Some("test-held"));
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    ws.send(Message::Close(Some(CloseFrame {
        code: CloseCode::Away,
        reason: "page left".into(),
    })))
    .await
    .expect("close sent");
    match next(&mut ws, 3000).await {
        Got::Closed(Some((code, _))) => assert_eq!(code, 1001, "the page's code is echoed"),
        other => panic!("expected the echoed close, got {other:?}"),
    }
    wait_state(&session, "FAILED").await;
    let reason = failure_reason(&session);
    assert!(
        reason.contains("code 1001") && reason.contains("page left"),
        "{reason}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn an_unmasked_client_frame_is_a_protocol_error_closed_with_1002() {
    let emu = TestEmulator::start().await;
    let (id, session) = emu.session(LivenessMode::LivenessPassive, None);
    let mut ws = emu.channel().await;
    // A server-style (unmasked) text frame written under the client's WebSocket layer.
    let raw: &[u8] = b"\x81\x05hello";
    let _ = id;
    match ws.get_mut() {
        tokio_tungstenite::MaybeTlsStream::Plain(tcp) => tcp.write_all(raw).await.expect("write"),
        _ => unreachable!("plain ws"),
    }
    match next(&mut ws, 3000).await {
        Got::Closed(Some((code, reason))) => {
            assert_eq!(code, 1002, "{reason}");
            assert!(reason.contains("protocol error"), "{reason}");
        }
        other => panic!("expected close 1002, got {other:?}"),
    }
    assert_eq!(
        session.lock().summary()["state"],
        "CREATED",
        "no hello, no capture"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn a_text_frame_that_is_not_utf8_is_closed_with_1007() {
    let emu = TestEmulator::start().await;
    let mut ws = emu.channel().await;
    // A masked text frame (mask 0) whose payload is not UTF-8.
    let raw: &[u8] = b"\x81\x82\x00\x00\x00\x00\xff\xfe";
    match ws.get_mut() {
        tokio_tungstenite::MaybeTlsStream::Plain(tcp) => tcp.write_all(raw).await.expect("write"),
        _ => unreachable!("plain ws"),
    }
    match next(&mut ws, 3000).await {
        Got::Closed(Some((code, reason))) => assert_eq!(code, 1007, "{reason}"),
        other => panic!("expected close 1007, got {other:?}"),
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn a_page_that_stops_reading_fails_its_session_after_the_write_timeout() {
    let emu = TestEmulator::with_config(Config {
        channel_write_timeout: 1,
        ..Config::for_tests()
    })
    .await;
    // 4,000 frames of 8 KB sent as fast as possible: far more than socket buffers hold.
    let frame = json!({"face": true, "padding": "p".repeat(8 * 1024)});
    emu.add_scenario(
        "test-flood",
        json!({"capture": {"timeline": [
            {"type": "waitFor", "event": "startCapture"},
            {"type": "tracking", "frame": frame, "repeat": 4000, "intervalMs": 0},
            {"type": "result"}
        ]}}),
    );
    let (id, session) = emu.session(LivenessMode::LivenessPassive, Some("test-flood"));
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    send(&mut ws, json!({"type": "startCapture"})).await;
    // From here the page never reads again.
    wait_state_for(&session, "FAILED", Duration::from_secs(30)).await;
    let reason = failure_reason(&session);
    assert!(reason.contains("stopped reading"), "{reason}");
    drop(ws);
    emu.shutdown().await;
}

#[tokio::test]
async fn an_open_channel_keeps_its_session_past_the_ttl_and_the_result_stays_readable() {
    let emu = TestEmulator::with_config(Config {
        session_ttl: 1,
        time_scale: 1.0,
        ..Config::for_tests()
    })
    .await;
    emu.add_scenario(
        "test-long",
        json!({"capture": {"timeline": [
            {"type": "waitFor", "event": "startCapture"},
            {"type": "wait", "ms": 2500},
            {"type": "result"}
        ]}}),
    );
    let (id, session) = emu.session(LivenessMode::LivenessPassive, Some("test-long"));
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    send(&mut ws, json!({"type": "startCapture"})).await;
    // The capture runs 2.5 s, the TTL is 1 s and the sweeper runs every second.
    let (msgs, _) = drain(&mut ws).await;
    assert!(kinds(&msgs).contains(&"result".to_string()), "{msgs:?}");
    assert!(
        emu.state().sessions.peek(&id).is_some(),
        "the session survived its capture"
    );
    let http = reqwest::Client::new();
    let res = http
        .get(format!(
            "http://{}/bioserver-app/v2/bio-sessions/{id}/liveness-challenge-result",
            emu.addr()
        ))
        .header("apikey", "k")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["livenessStatus"], "SUCCESS");
    drop(session);
    emu.shutdown().await;
}
