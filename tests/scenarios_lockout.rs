//! Lockout as the real service does it: N failed captures from one fingerprint lock it out; other
//! clients are not affected; `--lockout-attempts 0` turns it off.

#[path = "scenarios_support/mod.rs"]
mod support;

use serde_json::json;
use support::*;
use webcapture_emulator::{capture, server, sessions::lockout::locked_until, Config};

#[tokio::test]
async fn five_failed_captures_lock_the_fingerprint_out_until_the_window_ends() {
    let running = start().await;
    for i in 0..5 {
        assert!(
            locked_until(&running.state, Some("127.0.0.1 test-agent")).is_none(),
            "not yet after {i}"
        );
        let s = session(&running, Some("timeout"));
        capture::fail(&running.state, &s, json!({"code": 1301}));
    }
    let until = locked_until(&running.state, Some("127.0.0.1 test-agent")).expect("locked");
    let secs = (until - time::OffsetDateTime::now_utc()).whole_seconds();
    assert!(
        (290..=300).contains(&secs),
        "locked for the --lockout-seconds window: {secs}"
    );
    assert!(locked_until(&running.state, Some("10.0.0.9 other-agent")).is_none());
    assert!(locked_until(&running.state, None).is_none());
}

#[tokio::test]
async fn zero_attempts_turns_lockout_off() {
    let running = server::start(Config {
        lockout_attempts: 0,
        ..Config::for_tests()
    })
    .await
    .unwrap();
    for _ in 0..10 {
        let s = session(&running, Some("timeout"));
        capture::fail(&running.state, &s, json!({"code": 1301}));
    }
    assert!(locked_until(&running.state, Some("127.0.0.1 test-agent")).is_none());
}
