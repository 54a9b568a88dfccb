//! The built binary, for the tests of what a terminal or CI sees: `check`, `schema`, log lines,
//! flags and their environment variables.

use std::{process::Stdio, time::Duration};

use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

/// The `webcapture-emulator` binary Cargo built for these tests.
pub const BINARY: &str = env!("CARGO_BIN_EXE_webcapture-emulator");

/// Starts the binary on any free port with `flags` and `env`, and returns it (killed when
/// dropped, its stderr piped for the test to read) with its URL, taken from the `listening on`
/// line once it serves.
pub async fn start_binary(flags: &[&str], env: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new(BINARY)
        .args(["--port", "0"])
        .args(flags)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
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
