//! `--workers`: how many threads serve requests (one by default), and the flag convention that
//! every flag also reads `WEBCAPTURE_EMULATOR_<FLAG>`. Runs the real binary.

mod support;

use clap::CommandFactory;

use support::start_binary;

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

/// How many threads serve requests in the binary started with `flags` and `env`, once it has
/// created a session.
async fn workers_when_started_with(flags: &[&str], env: &[(&str, &str)]) -> u64 {
    let (mut child, url) = start_binary(flags, env).await;
    creates_a_session(&url).await;
    let workers = workers(&url).await;
    let _ = child.kill().await;
    workers
}

#[tokio::test]
async fn one_thread_serves_requests_by_default() {
    assert_eq!(workers_when_started_with(&[], &[]).await, 1);
}

#[tokio::test]
async fn the_workers_flag_and_its_environment_variable_set_the_threads() {
    assert_eq!(workers_when_started_with(&["--workers", "3"], &[]).await, 3);
    let env = [("WEBCAPTURE_EMULATOR_WORKERS", "2")];
    assert_eq!(workers_when_started_with(&[], &env).await, 2);
}

#[tokio::test]
async fn zero_workers_means_one_per_core_and_still_serves() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    assert_eq!(
        workers_when_started_with(&["--workers", "0"], &[]).await,
        cores
    );
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
