//! Lockout that never surprises: off by default (the vendor's is an opt-in back-end option), on
//! with `--lockout` or `PUT /__emulator/lockouts`; then N failed captures of one browser's user
//! lock it out until the window ends or someone clears it (`DELETE /__emulator/lockouts`).
//! Capacity refusals (503), scripted lockouts (429) and server errors are not the user's failures
//! and never count. Captures are played over the real channel, as a page does.

mod support;

use serde_json::{json, Value};
use support::*;

/// One browser (lockout counts per IP + User-Agent).
const BROWSER: &str = "Mozilla/5.0 lockout-test-browser";

/// Creates a passive session playing `scenario` and plays it from `device`.
async fn capture(emu: &TestEmulator, scenario: &str, device: &str) -> Played {
    let res = init_with(
        emu,
        "lockout-test-backend",
        Some(scenario),
        json!({"livenessMode": "LIVENESS_PASSIVE"}),
    )
    .await;
    assert_eq!(res.status(), 201, "{scenario}: {:?}", res.text().await);
    let id = session_id(&res);
    let played = play(emu, &id, device).await;
    settled(emu, &id).await;
    played
}

/// The message that ended a capture.
fn terminal(p: &Played) -> &Value {
    p.terminal
        .as_ref()
        .expect("the capture ended with a result or an error")
}

/// Asserts the capture ended with `showChallengeResult` and core's SUCCESS.
fn assert_success(p: &Played, what: &str) {
    assert_eq!(terminal(p)["type"], "result", "{what}: {:?}", p.terminal);
    let rest = p.rest_at_result.as_ref().expect("result read");
    assert_eq!(rest["livenessStatus"], "SUCCESS", "{what}");
}

/// Asserts the capture was refused by a real lockout (429 with an unlock date).
fn assert_locked_out(p: &Played, what: &str) {
    let t = terminal(p);
    assert_eq!(t["type"], "error", "{what}: {t}");
    assert_eq!(t["data"]["code"], 429, "{what}: {t}");
    assert!(t["data"]["unlockDateTime"].is_string(), "{what}: {t}");
    assert!(p.init.is_none(), "{what}: refused before init");
}

/// Sends `method` to `/__emulator/lockouts`; returns (status, body).
async fn lockouts(emu: &TestEmulator, method: reqwest::Method, body: Option<&str>) -> (u16, Value) {
    let mut req = emu.http().request(method, emu.at("/__emulator/lockouts"));
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let res = req.send().await.expect("lockouts request");
    let status = res.status().as_u16();
    (status, res.json().await.expect("JSON body"))
}

fn lockout_on(attempts: u32) -> Config {
    Config {
        lockout: true,
        lockout_attempts: attempts,
        ..Config::for_tests()
    }
}

#[tokio::test]
async fn twenty_failed_captures_in_a_row_leave_the_next_success_untouched_by_default() {
    let emu = TestEmulator::start().await;
    for i in 0..20 {
        let scenario = ["spoof", "timeout", "poor-quality"][i % 3];
        let p = capture(&emu, scenario, BROWSER).await;
        assert_ne!(
            terminal(&p)["data"]["code"],
            429,
            "capture {i} ({scenario})"
        );
    }
    assert_success(
        &capture(&emu, "success", BROWSER).await,
        "after 20 failures",
    );
    let (status, body) = lockouts(&emu, reqwest::Method::GET, None).await;
    assert_eq!(status, 200);
    assert_eq!(body["enabled"], false);
    assert_eq!(body["locked"], json!([]));
}

#[tokio::test]
async fn with_lockout_on_the_attempts_th_failure_locks_the_browser_out_until_cleared() {
    let emu = TestEmulator::with_config(lockout_on(3)).await;
    for scenario in ["spoof", "timeout"] {
        assert_ne!(
            terminal(&capture(&emu, scenario, BROWSER).await)["data"]["code"],
            429
        );
    }
    assert_success(
        &capture(&emu, "success", BROWSER).await,
        "two failures of three",
    );
    // The third failure locks: the success scenario chosen next is overridden by the 429.
    capture(&emu, "poor-quality", BROWSER).await;
    assert_locked_out(&capture(&emu, "success", BROWSER).await, "after three");
    assert_success(
        &capture(&emu, "success", "another browser").await,
        "another browser is not locked",
    );

    let (status, body) = lockouts(&emu, reqwest::Method::GET, None).await;
    assert_eq!(status, 200);
    assert_eq!(body["enabled"], true);
    assert_eq!(body["attempts"], 3);
    let locked = body["locked"].as_array().expect("a list");
    assert_eq!(locked.len(), 1, "{body}");
    assert!(
        locked[0]["fingerprint"]
            .as_str()
            .unwrap_or_default()
            .ends_with(BROWSER),
        "{body}"
    );
    assert!(locked[0]["unlockDateTime"].is_string());

    let (status, body) = lockouts(&emu, reqwest::Method::DELETE, None).await;
    assert_eq!(status, 200);
    assert_eq!(body["locked"], json!([]));
    assert_eq!(body["enabled"], true, "clearing keeps lockout on");
    assert_success(&capture(&emu, "success", BROWSER).await, "after the clear");
}

#[tokio::test]
async fn capacity_refusals_scripted_lockouts_and_server_errors_never_count() {
    let emu = TestEmulator::with_config(lockout_on(2)).await;
    for _ in 0..3 {
        for scenario in [
            "server-overloaded",
            "lockout",
            "services-down",
            "disconnect",
        ] {
            capture(&emu, scenario, BROWSER).await;
        }
    }
    assert_success(
        &capture(&emu, "success", BROWSER).await,
        "after 12 non-user failures",
    );
    let (_, body) = lockouts(&emu, reqwest::Method::GET, None).await;
    assert_eq!(body["locked"], json!([]));
}

#[tokio::test]
async fn the_lockout_scenario_answers_429_whether_lockout_is_on_or_off() {
    for config in [Config::for_tests(), lockout_on(5)] {
        let on = config.lockout;
        let emu = TestEmulator::with_config(config).await;
        let p = capture(&emu, "lockout", BROWSER).await;
        assert_eq!(terminal(&p)["data"]["code"], 429, "lockout on: {on}");
        assert!(terminal(&p)["data"]["unlockDateTime"].is_string());
    }
}

#[tokio::test]
async fn lockout_is_turned_on_and_off_through_the_admin_api() {
    let emu = TestEmulator::start().await;
    let (status, body) = lockouts(&emu, reqwest::Method::PUT, Some(r#"{"enabled": true}"#)).await;
    assert_eq!(status, 200);
    assert_eq!(body["enabled"], true);
    for _ in 0..5 {
        capture(&emu, "spoof", BROWSER).await;
    }
    assert_locked_out(
        &capture(&emu, "success", BROWSER).await,
        "five failures with the default --lockout-attempts",
    );
    let (_, body) = lockouts(&emu, reqwest::Method::PUT, Some(r#"{"enabled": false}"#)).await;
    assert_eq!(body["enabled"], false);
    assert_eq!(body["locked"], json!([]), "turning it off lifts every lock");
    assert_success(
        &capture(&emu, "success", BROWSER).await,
        "after turning it off",
    );

    // A reset sets it back to what the flag says (off here).
    lockouts(&emu, reqwest::Method::PUT, Some(r#"{"enabled": true}"#)).await;
    let reset = emu
        .http()
        .post(emu.at("/__emulator/reset"))
        .send()
        .await
        .expect("reset");
    assert_eq!(reset.status(), 200);
    assert_eq!(
        lockouts(&emu, reqwest::Method::GET, None).await.1["enabled"],
        false
    );

    let (status, body) = lockouts(&emu, reqwest::Method::PUT, Some(r#"{"on": 1}"#)).await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], 400);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("enabled"),
        "{body}"
    );
}
