//! The capture channel's message decoder. NOT YET CONNECTED: the channel (branch `browser`,
//! `src/video_server/channel*.rs`) exposed no public decoder when this target was written, so the
//! target only checks that arbitrary text frames are valid UTF-8-or-not without panicking in the
//! JSON layer the channel will use. When the channel lands, replace the body with its decoder,
//! e.g. `let _ = webcapture_emulator::video_server::channel::decode(text);`, and keep the corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = serde_json::from_str::<serde_json::Value>(text);
    }
});
