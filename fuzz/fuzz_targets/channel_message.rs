//! The capture channel's message decoder: every text frame a page (or anything else that reaches
//! the public, key-less WebSocket) sends goes through `protocol::parse_text`, and `bestImage`
//! payloads through `protocol::decode_best_image`. Both must return Ok or a close reason — never
//! panic — and the close reason must fit in a WebSocket close frame (123 bytes).
//!
//! The decoder arrives with branch `browser`; until it is merged this target is built without the
//! `channel` feature and fuzzes nothing. After the merge:
//!   cargo +nightly fuzz run channel_message --features channel -- -max_total_time=600
#![no_main]

use libfuzzer_sys::fuzz_target;

#[cfg(feature = "channel")]
fn check(text: &str) {
    use webcapture_emulator::video_server::channel::protocol;
    match protocol::parse_text(text) {
        Ok(_) => {}
        Err(e) => assert!(e.close_reason().len() <= 123, "close reason too long"),
    }
    if let Err(e) = protocol::decode_best_image(text) {
        assert!(e.close_reason().len() <= 123, "close reason too long");
    }
}

#[cfg(not(feature = "channel"))]
fn check(_text: &str) {}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        check(text);
    }
});
