//! The PNG/JPEG upload path with the pixel limit: `fixtures::describe` (header only), then — for
//! what it accepts — the `?compression=true` re-encoding (`fixtures::to_jpeg`), and the same bytes
//! through `POST .../faces` and `GET .../image?compression=true` on the whole router. The first
//! input byte picks the shape: raw bytes, or a PNG / JPEG header whose declared width and height
//! come from the next 4 bytes (so huge declared sizes with tiny bodies are tried all the time).
//! Invariants: an accepted image is within `MAX_PIXELS`/`MAX_SIDE`; nothing decodes more than
//! that (libFuzzer's -malloc_limit_mb=512 catches a full decode of a 20000×20000 PNG); answers
//! are never 5xx and every 4xx is JSON `{code, error}`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use webcapture_emulator_fuzz::{image_input, upload_and_compress};

fuzz_target!(|data: &[u8]| {
    let bytes = image_input(data);
    if let Ok(image) = webcapture_emulator::internals::fixtures::describe(bytes::Bytes::from(bytes.clone())) {
        let pixels = u64::from(image.width) * u64::from(image.height);
        assert!(pixels <= webcapture_emulator::internals::fixtures::MAX_PIXELS, "accepted {pixels} pixels");
        let _ = webcapture_emulator::internals::fixtures::to_jpeg(&bytes, 70);
    }
    upload_and_compress(bytes);
});
