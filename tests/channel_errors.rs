//! The capture channel's errors: refused sessions, scenario errors, drops, bad messages, vanishing pages.

mod support;

use futures_util::SinkExt;
use serde_json::json;
use support::{internals::LivenessMode, *};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn an_unknown_session_gets_an_error_then_a_close_that_says_why() {
    let emu = TestEmulator::start().await;
    let mut ws = emu.channel().await;
    send(&mut ws, hello("no-such-session")).await;
    let Got::Msg(m) = next(&mut ws, 3000).await else {
        panic!("expected an error message")
    };
    assert_eq!(m["type"], "error");
    assert_eq!(m["data"]["code"], 400);
    assert!(m["data"]["error"]
        .as_str()
        .unwrap()
        .contains("no-such-session"));
    match next(&mut ws, 3000).await {
        Got::Closed(Some((code, reason))) => {
            assert_eq!(code, 1008);
            assert!(reason.contains("Unknown bioSessionId"), "{reason}");
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn a_second_channel_for_a_capturing_session_is_refused() {
    let emu = TestEmulator::start().await;
    let (id, _session) = emu.session(LivenessMode::LivenessPassive, None);
    let mut first = emu.channel().await;
    open_until_init(&mut first, &id).await;
    let mut second = emu.channel().await;
    send(&mut second, hello(&id)).await;
    let Got::Msg(m) = next(&mut second, 3000).await else {
        panic!("expected an error")
    };
    assert!(m["data"]["error"]
        .as_str()
        .unwrap()
        .contains("already has a capture channel"));
    emu.shutdown().await;
}

#[tokio::test]
async fn an_init_error_is_sent_instead_of_init_and_fails_the_session() {
    let emu = TestEmulator::builder()
        .scenario(
            "test-overloaded",
            json!({"capture": {"init": {"error": {"code": 503}}}}),
        )
        .start()
        .await;
    let (id, session) = emu.session(LivenessMode::LivenessPassive, Some("test-overloaded"));
    let mut ws = emu.channel().await;
    send(&mut ws, hello(&id)).await;
    let (msgs, end) = drain(&mut ws).await;
    let last = msgs.last().expect("an error");
    assert_eq!(last["type"], "error");
    assert_eq!(last["data"]["code"], 503);
    assert_eq!(
        last["data"]["error"],
        "The server is overloaded. Try again in few seconds."
    );
    assert!(!kinds(&msgs).contains(&"init".to_string()));
    assert!(matches!(end, Got::Closed(Some((1000, _)))));
    wait_state(&session, "FAILED").await;
    emu.shutdown().await;
}

#[tokio::test]
async fn a_lockout_error_carries_an_iso_unlock_date() {
    let emu = TestEmulator::builder()
        .scenario(
            "test-locked",
            json!({"capture": {"init": {"error": {"code": 429, "unlockInSeconds": 90}}}}),
        )
        .start()
        .await;
    let (id, _session) = emu.session(LivenessMode::LivenessActive, Some("test-locked"));
    let mut ws = emu.channel().await;
    send(&mut ws, hello(&id)).await;
    let (msgs, _) = drain(&mut ws).await;
    let err = &msgs.last().expect("error")["data"];
    assert_eq!(err["code"], 429);
    let unlock = err["unlockDateTime"].as_str().expect("unlockDateTime");
    let parsed =
        time::OffsetDateTime::parse(unlock, &time::format_description::well_known::Rfc3339)
            .expect("ISO date");
    let ahead = parsed - time::OffsetDateTime::now_utc();
    assert!(
        ahead > time::Duration::seconds(60) && ahead <= time::Duration::seconds(90),
        "{ahead}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn a_timeline_error_reaches_the_page_after_tracking() {
    let emu = TestEmulator::builder()
        .scenario(
            "test-timeout",
            json!({"capture": {"timeline": [
                {"type": "waitFor", "event": "startCapture"},
                {"type": "faceTracking", "durationMs": 500, "noFace": true},
                {"type": "error", "code": 1301}
            ]}}),
        )
        .start()
        .await;
    let (id, session) = emu.session(LivenessMode::LivenessPassive, Some("test-timeout"));
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    send(&mut ws, json!({"type": "startCapture"})).await;
    let (msgs, _) = drain(&mut ws).await;
    let last = msgs.last().expect("error");
    assert_eq!(last["type"], "error");
    assert_eq!(last["data"]["code"], 1301);
    // clientInitEnd (added to every timeline after startCapture), then tracking only.
    assert_eq!(msgs[0]["type"], "clientInitEnd");
    assert!(msgs[1..msgs.len() - 1]
        .iter()
        .all(|m| m["type"] == "tracking"));
    let s = wait_state(&session, "FAILED").await;
    assert_eq!(
        s["livenessStatus"], "TIMEOUT",
        "1301 (no face within the capture time) is the vendor's TIMEOUT in core"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn another_timeline_error_leaves_the_session_failed_without_a_status() {
    let emu = TestEmulator::builder()
        .scenario(
            "test-quality",
            json!({"capture": {"timeline": [
                {"type": "waitFor", "event": "startCapture"},
                {"type": "faceTracking", "durationMs": 300},
                {"type": "error", "code": 1303}
            ]}}),
        )
        .start()
        .await;
    let (id, session) = emu.session(LivenessMode::LivenessPassive, Some("test-quality"));
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    send(&mut ws, json!({"type": "startCapture"})).await;
    let (msgs, _) = drain(&mut ws).await;
    assert_eq!(msgs.last().expect("error")["data"]["code"], 1303);
    let s = wait_state(&session, "FAILED").await;
    assert!(s["livenessStatus"].is_null(), "{s}");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_scripted_disconnect_drops_the_connection_without_a_close_frame() {
    let emu = TestEmulator::builder()
        .scenario("test-drop",
        json!({"capture": {"timeline": [{"type": "waitFor", "event": "startCapture"}, {"type": "disconnect"}]}}))
        .start()
        .await;
    let (id, session) = emu.session(LivenessMode::LivenessPassive, Some("test-drop"));
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    send(&mut ws, json!({"type": "startCapture"})).await;
    // clientInitEnd is added to every timeline right after startCapture; then the drop.
    assert!(matches!(next(&mut ws, 3000).await, Got::Msg(m) if m["type"] == "clientInitEnd"));
    assert!(matches!(next(&mut ws, 3000).await, Got::Dropped));
    wait_state(&session, "FAILED").await;
    emu.shutdown().await;
}

#[tokio::test]
async fn a_message_that_is_not_json_closes_the_channel_with_the_reason() {
    let emu = TestEmulator::start().await;
    let (id, session) = emu.session(LivenessMode::LivenessPassive, None);
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    ws.send(Message::Text("start please".into())).await.unwrap();
    match next(&mut ws, 3000).await {
        Got::Closed(Some((1007, reason))) => assert!(reason.starts_with("not JSON"), "{reason}"),
        other => panic!("expected close 1007, got {other:?}"),
    }
    wait_state(&session, "FAILED").await;
    let events = transcript(&session);
    assert!(events
        .iter()
        .any(|e| e["kind"] == "receive" && e["data"]["preview"] == "start please"));
    emu.shutdown().await;
}

#[tokio::test]
async fn an_unknown_message_type_is_named_in_the_close_reason() {
    let emu = TestEmulator::start().await;
    let (id, _session) = emu.session(LivenessMode::LivenessPassive, None);
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    send(&mut ws, json!({"type": "jump"})).await;
    match next(&mut ws, 3000).await {
        Got::Closed(Some((1003, reason))) => assert!(reason.contains("jump"), "{reason}"),
        other => panic!("expected close 1003, got {other:?}"),
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn a_message_before_hello_is_refused() {
    let emu = TestEmulator::start().await;
    let mut ws = emu.channel().await;
    send(&mut ws, json!({"type": "startCapture"})).await;
    match next(&mut ws, 3000).await {
        Got::Closed(Some((1008, reason))) => assert!(reason.contains("must be hello"), "{reason}"),
        other => panic!("expected close 1008, got {other:?}"),
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn an_oversized_message_is_refused_with_the_limit() {
    let emu = TestEmulator::start().await;
    let (id, _session) = emu.session(LivenessMode::LivenessPassive, None);
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    let big = json!({"type": "finding", "message": "x".repeat(3 * 1024 * 1024)});
    send(&mut ws, big).await;
    match next(&mut ws, 5000).await {
        Got::Closed(Some((1009, reason))) => assert!(reason.contains("2 MB"), "{reason}"),
        other => panic!("expected close 1009, got {other:?}"),
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn a_best_image_that_is_not_an_image_is_refused() {
    let emu = TestEmulator::start().await;
    let (id, _session) = emu.session(LivenessMode::LivenessPassive, None);
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    send(&mut ws, json!({"type": "bestImage", "data": "aGVsbG8="})).await;
    match next(&mut ws, 3000).await {
        Got::Closed(Some((1007, reason))) => {
            assert!(reason.contains("not a JPEG or PNG"), "{reason}")
        }
        other => panic!("expected close 1007, got {other:?}"),
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn a_page_that_vanishes_mid_capture_ends_its_session_cleanly() {
    let emu = TestEmulator::builder()
        .scenario("test-slow",
        json!({"capture": {"timeline": [{"type": "waitFor", "event": "startCapture"}, {"type": "result"}]}}))
        .start()
        .await;
    let (id, session) = emu.session(LivenessMode::LivenessPassive, Some("test-slow"));
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    drop(ws); // no close frame, no startCapture: the page is gone
    wait_state(&session, "FAILED").await;
    let events = transcript(&session);
    let failed = events
        .iter()
        .find(|e| e["data"]["state"] == "FAILED")
        .expect("failure recorded");
    assert!(
        failed["data"]["reason"]
            .as_str()
            .unwrap()
            .contains("connection"),
        "{failed}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn a_cancel_ends_the_session_without_a_result() {
    let emu = TestEmulator::start().await;
    let (id, session) = emu.session(LivenessMode::LivenessPassive, None);
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    send(&mut ws, json!({"type": "cancel"})).await;
    let (_, end) = drain(&mut ws).await;
    assert!(
        matches!(end, Got::Closed(Some((1000, ref r))) if r == "capture cancelled"),
        "{end:?}"
    );
    wait_state(&session, "FAILED").await;
    emu.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_open_channels() {
    let emu = TestEmulator::start().await;
    let (id, session) = emu.session(LivenessMode::LivenessPassive, None);
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    emu.state().shutdown.cancel();
    match next(&mut ws, 3000).await {
        Got::Closed(Some((1001, _))) | Got::Dropped => {}
        other => panic!("expected the channel to close, got {other:?}"),
    }
    wait_state(&session, "FAILED").await;
}
