//! The sweeper: the background task that keeps memory bounded.
//!
//! Sessions and lockout records are only ever added by requests; without a sweeper a long-running
//! emulator (a CI box, a demo left open) would keep every one. Expiring them on a timer rather
//! than on each request keeps the request path free of that work.

use std::time::Duration;

use crate::state::AppState;

/// Expires sessions past `--session-ttl` and beyond `--max-sessions`, and lockout records past
/// their window, once a second, until the state's shutdown token is cancelled.
pub(super) fn spawn(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let ttl = Duration::from_secs(state.config.session_ttl);
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = state.shutdown.cancelled() => break,
                _ = tick.tick() => {
                    let dropped = state.sessions.sweep(ttl, state.config.max_sessions)
                        + state.gips.sweep(ttl, state.config.max_sessions);
                    state.lockouts.expire(
                        time::OffsetDateTime::now_utc(),
                        Duration::from_secs(state.config.lockout_seconds),
                    );
                    if dropped > 0 {
                        tracing::debug!(dropped, "expired sessions");
                    }
                }
            }
        }
    });
}
