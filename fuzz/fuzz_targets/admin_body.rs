//! Admin API bodies through the whole router: the first input byte picks the endpoint (queue,
//! default scenario, pin, page findings report, inject) and the rest is the JSON body. Invariants:
//! never a 5xx, every 4xx is JSON `{code, error}`, and the queue and pins never pass the caps
//! `GET /__emulator/memory` reports.
#![no_main]

use libfuzzer_sys::fuzz_target;
use webcapture_emulator_fuzz::admin_body;

fuzz_target!(|data: &[u8]| {
    admin_body(data);
});
