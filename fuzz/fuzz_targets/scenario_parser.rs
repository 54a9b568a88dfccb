//! Scenario files come from users' disks and are hot-reloaded while the emulator serves: parsing
//! any bytes must return Ok or Err — never panic, hang or allocate without bound — and a parsed
//! scenario must survive a serialise → parse round trip unchanged (the dashboard and the admin
//! API serialise them back).
#![no_main]

use libfuzzer_sys::fuzz_target;
use webcapture_emulator::scenarios::model::Scenario;

fuzz_target!(|data: &[u8]| {
    let Ok(scenario) = serde_json::from_slice::<Scenario>(data) else {
        return;
    };
    let text = serde_json::to_string(&scenario).expect("a parsed scenario serialises");
    let again: Scenario = serde_json::from_str(&text).expect("a serialised scenario parses");
    // NaN floats (not representable in JSON anyway) are the only legitimate inequality.
    if !text.contains("NaN") {
        assert_eq!(scenario, again, "round trip changed the scenario: {text}");
    }
});
