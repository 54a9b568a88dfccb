//! A scenario that parses is played at capture start: `playback::plan` turns it into timed channel
//! events for each liveness mode. A hostile or mistyped file (`"durationMs": 1e15`, `"fps": 1e9`,
//! `"repeat": 4294967295`) must not make the emulator allocate without bound or spin. Inputs the
//! scenario validator rejects are skipped once a validator exists; today every parsed scenario is
//! planned. Run with `-rss_limit_mb=1024` so unbounded plans are reported as findings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use webcapture_emulator::scenarios::{model::LivenessMode, model::Scenario, playback};

fuzz_target!(|data: &[u8]| {
    let Ok(scenario) = serde_json::from_slice::<Scenario>(data) else {
        return;
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    for mode in LivenessMode::ALL {
        let _ = playback::plan(&scenario, mode, 2, &mut rng);
    }
});
