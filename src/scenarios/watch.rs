//! Hot reload of the scenario directory.
//!
//! File-system events (via `notify`) only say "something changed"; after a short debounce the
//! whole directory is re-read ([`ScenarioLibrary::reload`](super::library::ScenarioLibrary::reload)), which handles every editor save
//! pattern the same way. `--watch-poll MS` (or a directory that cannot be watched) re-reads on a
//! timer instead, for file systems whose events never arrive (network mounts, some containers).
//! A slow safety rescan also runs in event mode, in case an event is lost.

use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use serde_json::json;
use tokio::sync::mpsc;

use crate::state::AppState;

/// Time to let a burst of events (truncate + write, temp + rename) settle before re-reading.
const DEBOUNCE: Duration = Duration::from_millis(40);

/// Interval of the safety rescan in event mode.
const SAFETY_RESCAN: Duration = Duration::from_millis(1000);

/// Interval used when the directory cannot be watched and no `--watch-poll` was given.
const FALLBACK_POLL: Duration = Duration::from_millis(150);

/// Starts watching the catalogue's directory (no-op without one); stops on shutdown.
pub fn spawn(state: &AppState) {
    let Some(dir) = state.scenarios.dir().map(|d| d.to_path_buf()) else {
        return;
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    let mut watcher = None;
    let poll = match state.config.watch_poll {
        Some(ms) => Duration::from_millis(ms.max(10)),
        None => {
            let made = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                // Reading the files raises access events (open, close without write): reacting
                // to those would make every re-read trigger the next one.
                if event.is_ok_and(|e| !matches!(e.kind, notify::EventKind::Access(_))) {
                    let _ = tx.send(());
                }
            })
            .and_then(|mut w| w.watch(&dir, RecursiveMode::NonRecursive).map(|_| w));
            match made {
                Ok(w) => {
                    watcher = Some(w);
                    SAFETY_RESCAN
                }
                Err(e) => {
                    tracing::warn!(dir = %dir.display(), "cannot watch the scenario directory ({e}); polling instead");
                    FALLBACK_POLL
                }
            }
        }
    };
    let state = state.clone();
    tokio::spawn(async move {
        let _keep_alive = watcher;
        let mut tick = tokio::time::interval(poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = state.shutdown.cancelled() => break,
                _ = tick.tick() => {}
                Some(()) = rx.recv() => {
                    tokio::time::sleep(DEBOUNCE).await;
                    while rx.try_recv().is_ok() {}
                }
            }
            reload(&state).await;
        }
    });
}

/// Re-reads the directory off the async threads and tells the dashboard when the catalogue changed.
pub async fn reload(state: &AppState) {
    let library = state.scenarios.clone();
    let changed = tokio::task::spawn_blocking(move || library.reload())
        .await
        .unwrap_or(false);
    if changed {
        state.notify(json!({"type": "scenarios"}));
    }
}
