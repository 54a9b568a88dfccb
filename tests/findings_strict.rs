//! `--strict` makes the emulator log integration findings as errors (for CI); without it they are
//! warnings. Runs the real binary and reads its log.

mod support;

use std::time::Duration;

use tokio::io::AsyncReadExt;

use support::start_binary;

/// Starts the binary with `flags`, sends an init with a retired liveness mode, stops it and
/// returns its log.
async fn log_of_a_finding(flags: &[&str]) -> String {
    let (mut child, url) = start_binary(
        &[&["--log-format", "text"], flags].concat(),
        &[("RUST_LOG", "info"), ("NO_COLOR", "1")],
    )
    .await;
    reqwest::Client::new()
        .post(format!("{url}/video-server/init-liveness-session"))
        .header("apikey", "k")
        .json(&serde_json::json!({"livenessMode": "LIVENESS_MEDIUM"}))
        .send()
        .await
        .expect("answer");
    let _ = child.start_kill();
    let mut log = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = tokio::time::timeout(Duration::from_secs(10), err.read_to_string(&mut log)).await;
    }
    let _ = child.wait().await;
    log
}

fn finding_lines(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains("integration finding") && l.contains("retired-liveness-mode"))
        .collect()
}

#[tokio::test]
async fn findings_are_warnings_by_default() {
    let log = log_of_a_finding(&[]).await;
    let lines = finding_lines(&log);
    assert_eq!(lines.len(), 1, "{log}");
    assert!(lines[0].contains("WARN"), "{}", lines[0]);
    assert!(
        lines[0].contains("fix="),
        "the log says how to fix it: {}",
        lines[0]
    );
}

#[tokio::test]
async fn strict_logs_findings_as_errors() {
    let log = log_of_a_finding(&["--strict"]).await;
    let lines = finding_lines(&log);
    assert_eq!(lines.len(), 1, "{log}");
    assert!(lines[0].contains("ERROR"), "{}", lines[0]);
}
