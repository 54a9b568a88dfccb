//! Graceful shutdown: what asks the emulator to stop, and how long it waits for requests in flight.
//!
//! Stopping is one [`CancellationToken`](tokio_util::sync::CancellationToken) in the state
//! (cancelled by [`Running::shutdown`](super::Running::shutdown)); every listener and background
//! task watches it. The binary cancels it on [`shutdown_signal`]; tests call `shutdown` directly.

use std::time::Duration;

/// How long in-flight requests (plain HTTP and HTTPS alike) may take to finish after shutdown is
/// asked: long enough for a slow answer, short enough that Ctrl-C never seems to hang.
pub(super) const GRACE: Duration = Duration::from_secs(5);

/// Resolves on SIGINT or SIGTERM: Ctrl-C in a terminal, `docker stop` or a CI runner's end.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
