//! `--workers`: how many threads serve requests (one by default), and the flag convention that
//! every flag also reads `WEBCAPTURE_EMULATOR_<FLAG>`. Runs the real binary.

mod support;

use std::{process::Stdio, time::Duration};

use clap::CommandFactory;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

use support::BINARY;

/// Starts the binary with `flags` and `env`; returns it and its URL once it is listening.
async fn start(flags: &[&str], env: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new(BINARY)
        .args(["--port", "0"])
        .args(flags)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let url = tokio::time::timeout(Duration::from_secs(20), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(url) = line.strip_prefix("listening on ") {
                return url.trim().to_string();
            }
        }
        String::new()
    })
    .await
    .expect("listening line");
    (child, url)
}

/// The threads serving requests, as the emulator at `url` reports them.
async fn workers(url: &str) -> u64 {
    let health: serde_json::Value = reqwest::get(format!("{url}/__emulator/health"))
        .await
        .expect("health answers")
        .json()
        .await
        .expect("health is JSON");
    health["workers"].as_u64().expect("workers is a number")
}

/// Answers a capture's first request (a session is created) with `url`.
async fn creates_a_session(url: &str) {
    let answer = reqwest::Client::new()
        .post(format!("{url}/video-server/init-liveness-session"))
        .header("apikey", "k")
        .json(&serde_json::json!({"livenessMode": "LIVENESS_PASSIVE"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 201);
}

#[tokio::test]
async fn one_thread_serves_requests_by_default() {
    let (mut child, url) = start(&[], &[]).await;
    creates_a_session(&url).await;
    assert_eq!(workers(&url).await, 1);
    let _ = child.kill().await;
}

#[tokio::test]
async fn the_workers_flag_and_its_environment_variable_set_the_threads() {
    let (mut child, url) = start(&["--workers", "3"], &[]).await;
    creates_a_session(&url).await;
    assert_eq!(workers(&url).await, 3);
    let _ = child.kill().await;

    let (mut child, url) = start(&[], &[("WEBCAPTURE_EMULATOR_WORKERS", "2")]).await;
    creates_a_session(&url).await;
    assert_eq!(workers(&url).await, 2);
    let _ = child.kill().await;
}

#[tokio::test]
async fn zero_workers_means_one_per_core_and_still_serves() {
    let (mut child, url) = start(&["--workers", "0"], &[]).await;
    creates_a_session(&url).await;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    assert_eq!(workers(&url).await, cores);
    let _ = child.kill().await;
}

#[test]
fn every_flag_also_reads_its_environment_variable() {
    let command = webcapture_emulator::config::Cli::command();
    let mut checked = 0;
    for arg in command.get_arguments() {
        let Some(long) = arg.get_long() else {
            continue;
        };
        if matches!(long, "help" | "version") {
            continue;
        }
        let expected = format!(
            "WEBCAPTURE_EMULATOR_{}",
            long.to_uppercase().replace('-', "_")
        );
        assert_eq!(
            arg.get_env().and_then(|e| e.to_str()),
            Some(expected.as_str()),
            "--{long}"
        );
        checked += 1;
    }
    assert!(checked > 10, "only {checked} flags found");
}
