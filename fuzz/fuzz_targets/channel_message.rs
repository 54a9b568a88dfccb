//! The capture channel's message decoder: every text frame a page (or anything else that reaches
//! the public, key-less WebSocket) sends goes through `protocol::parse_text`, and `bestImage`
//! payloads through `protocol::decode_best_image`. Both must return Ok or a protocol error — never
//! panic — and the close reason must fit in a WebSocket close frame (123 bytes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use webcapture_emulator::internals::protocol;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = protocol::parse_text(text) {
        assert!(e.close_reason().len() <= 123, "close reason too long");
    }
    if let Err(e) = protocol::decode_best_image(text) {
        assert!(e.close_reason().len() <= 123, "close reason too long");
    }
});
