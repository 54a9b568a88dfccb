//! Everything a client can make the emulator hold is bounded, listed in `GET /__emulator/memory`
//! with its cap, and an overflow is a clear 4xx JSON: the admin queue, pins, transcripts (and the
//! page-supplied strings in them), and image pixels at upload and over the capture channel.

mod support;

use serde_json::{json, Value};
use support::{
    internals::{Transcript, MAX_TEXT_BYTES},
    *,
};

/// The first bytes of a PNG whose header declares `width`×`height` pixels (no image data: the
/// size is read from the header, which is all the limit needs).
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend_from_slice(&width.to_be_bytes());
    png.extend_from_slice(&height.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    png
}

async fn memory(emu: &TestEmulator) -> Value {
    emu.json("/__emulator/memory").await
}

fn post_json(emu: &TestEmulator, path: &str, body: Value) -> reqwest::RequestBuilder {
    emu.http()
        .post(emu.at(path))
        .header("content-type", "application/json")
        .body(body.to_string())
}

#[tokio::test]
async fn the_queue_refuses_more_names_than_its_limit_with_413_and_memory_lists_it() {
    let emu = TestEmulator::start().await;
    let cap = memory(&emu).await["maxQueue"].as_u64().expect("maxQueue") as usize;

    let too_many = vec!["spoof"; cap + 1];
    let res = post_json(&emu, "/__emulator/queue", json!({"scenarios": too_many}))
        .send()
        .await
        .expect("request");
    assert_error(res, 413, &format!("at most {cap}")).await;
    assert_eq!(memory(&emu).await["queue"], 0, "all or nothing");

    let almost = vec!["spoof"; cap - 1];
    let res = post_json(&emu, "/__emulator/queue", json!({"scenarios": almost}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    let res = post_json(
        &emu,
        "/__emulator/queue",
        json!({"scenarios": ["spoof", "timeout"]}),
    )
    .send()
    .await
    .expect("request");
    assert_error(res, 413, "Consume or DELETE").await;

    let mem = memory(&emu).await;
    assert_eq!(mem["queue"].as_u64(), Some(cap as u64 - 1));
}

#[tokio::test]
async fn a_pin_is_listed_in_memory_until_its_capture_starts() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let res = emu
        .http()
        .put(emu.at(&format!("/__emulator/sessions/{id}/scenario")))
        .header("content-type", "application/json")
        .body(json!({"scenario": "spoof"}).to_string())
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    let mem = memory(&emu).await;
    assert_eq!(mem["pins"], 1);
    assert!(mem["maxPins"].as_u64().unwrap_or(0) >= 1, "{mem}");

    let mut ws = emu.channel().await;
    let (_, init) = open_until_init(&mut ws, &id).await;
    assert_eq!(init["scenario"], "spoof", "the pin was applied");
    assert_eq!(memory(&emu).await["pins"], 0, "and then forgotten");
}

#[tokio::test]
async fn a_finding_frame_with_huge_strings_is_stored_cut_with_a_marker() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    let huge = "c".repeat(600 * 1024); // three of them stay under the 2 MB frame limit
    send(
        &mut ws,
        json!({"type": "finding", "code": huge, "message": huge, "data": {"x": huge}}),
    )
    .await;
    // The finding is handled before the next frame: a second, small one marks the point.
    send(&mut ws, json!({"type": "finding", "code": "end-marker"})).await;
    let session = emu.state().sessions.peek(&id).expect("session");
    let mut found = None;
    for _ in 0..100 {
        let events = transcript(&session);
        if events.iter().any(|e| e["data"]["rule"] == "end-marker") {
            found = events
                .into_iter()
                .find(|e| e["data"]["type"] == "finding" && e["data"]["rule"] != "end-marker");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let event = found.expect("the finding was recorded");
    let rule = event["data"]["rule"].as_str().expect("rule");
    assert!(rule.len() < 1024, "{} bytes kept", rule.len());
    assert!(rule.contains("more bytes cut"), "{rule}");
}

#[test]
fn a_transcript_stops_growing_at_its_byte_cap_and_counts_what_it_dropped() {
    let mut t = Transcript::new(std::time::Instant::now());
    let big = "b".repeat(1024 * 1024);
    for _ in 0..10 {
        t.push("note", json!({ "big": big }));
    }
    let stored = t.events().len();
    assert!(
        stored * 1024 * 1024 <= MAX_TEXT_BYTES,
        "{stored} events kept"
    );
    assert_eq!(t.dropped() as usize, 10 - stored);
    t.push("note", json!({"small": true}));
    assert_eq!(t.events().len(), stored + 1, "small events still fit");
}

#[tokio::test]
async fn an_upload_declaring_20000_by_20000_pixels_is_refused_with_400_before_decoding() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let res = emu.upload(&id, png_header(20_000, 20_000), None).await;
    let body = assert_error(res, 400, "20000×20000 pixels").await;
    assert!(
        body["error"].as_str().unwrap_or("").contains("megapixels"),
        "{body}"
    );
    let mem = memory(&emu).await;
    assert!(
        mem["maxImagePixels"].as_u64().unwrap_or(0) >= 12_000_000,
        "{mem}"
    );
}

#[tokio::test]
async fn a_best_image_frame_over_the_pixel_limit_closes_the_channel_with_1009() {
    use base64::Engine;
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let mut ws = emu.channel().await;
    open_until_init(&mut ws, &id).await;
    let data = base64::engine::general_purpose::STANDARD.encode(png_header(20_000, 20_000));
    send(&mut ws, json!({"type": "bestImage", "data": data})).await;
    match next(&mut ws, 3000).await {
        Got::Closed(Some((1009, reason))) => {
            assert!(reason.contains("pixels"), "{reason}")
        }
        other => panic!("expected close 1009, got {other:?}"),
    }
}

#[tokio::test]
async fn memory_lists_every_bound_with_its_cap() {
    let emu = TestEmulator::start().await;
    let mem = memory(&emu).await;
    for key in [
        "maxSessions",
        "journalSize",
        "maxQueue",
        "maxPins",
        "maxTranscriptEvents",
        "maxTranscriptBytes",
        "maxPageString",
        "maxImagePixels",
        "maxImageSide",
        "maxReencodes",
        "maxChannelBytesBeforeHello",
        "maxChannelFrame",
        "channelWriteTimeoutSeconds",
    ] {
        assert!(mem[key].as_u64().unwrap_or(0) > 0, "{key} missing: {mem}");
    }
    assert_eq!(mem["reencodes"], 0);
}
