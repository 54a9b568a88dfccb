//! Scenario files come from users' disks and are hot-reloaded while the emulator serves: loading
//! any bytes (`validate::validate_text`, what the catalogue, hot reload and `check` run) must
//! return the scenario or a list of problems — never panic, hang or allocate without bound — and a
//! scenario that validates must survive a serialise → parse round trip unchanged (the dashboard
//! and the admin API serialise them back).
#![no_main]

use libfuzzer_sys::fuzz_target;
use webcapture_emulator::internals::{validate, Scenario};

fuzz_target!(|data: &[u8]| {
    // Raw bytes straight into serde (files are read as bytes before UTF-8 checking).
    let _ = serde_json::from_slice::<Scenario>(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(scenario) = validate::validate_text("fuzz", text) else {
        return;
    };
    let json = serde_json::to_string(&scenario).expect("a valid scenario serialises");
    let again: Scenario = serde_json::from_str(&json).expect("a serialised scenario parses");
    assert_eq!(scenario, again, "round trip changed the scenario: {json}");
});
