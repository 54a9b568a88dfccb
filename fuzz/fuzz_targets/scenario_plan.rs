//! A scenario that validates is played at capture start: `plan::plan` turns it into timed
//! channel events for each liveness mode and challenge count. Whatever the validator lets through
//! (`durationMs` up to its maximum, any `fps`, `repeat` up to u32::MAX...) must plan in bounded
//! time and memory. Run with `-rss_limit_mb=1024` so unbounded plans are reported as findings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use webcapture_emulator::internals::{plan, validate, LivenessMode};

fuzz_target!(|data: &[u8]| {
    let (n, rest) = data
        .split_first()
        .map_or((2, data), |(n, r)| (u32::from(*n % 9), r));
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let Ok(scenario) = validate::validate_text("fuzz", text) else {
        return;
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    for mode in LivenessMode::ALL {
        let _ = plan(&scenario, mode, n, &mut rng);
    }
});
