//! Binding, the `listening on` line, background tasks and graceful shutdown.

use std::{net::SocketAddr, time::Duration};

use tokio::net::TcpListener;

use crate::{config::Config, router, state::AppState};

/// A running emulator: its address and state, and a handle to stop it.
pub struct Running {
    /// The bound address (the real port when `--port 0`).
    pub addr: SocketAddr,
    /// Shared state (tests inspect sessions and transcripts through it).
    pub state: AppState,
    /// The server task; finishes after [`Running::shutdown`].
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// `http://HOST:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Asks every task to stop and waits for the server to finish in-flight requests.
    pub async fn shutdown(self) {
        self.state.shutdown.cancel();
        let _ = self.task.await;
    }
}

/// Binds and starts serving in the background; returns once connections are accepted.
pub async fn start(config: Config) -> std::io::Result<Running> {
    let listener = TcpListener::bind((config.host.as_str(), config.port)).await?;
    let addr = listener.local_addr()?;
    let state = AppState::new(config);
    spawn_sweeper(&state);
    crate::scenarios::watch::spawn(&state);
    let app = router(state.clone());
    let token = state.shutdown.clone();
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move { token.cancelled().await })
        .await
    });
    Ok(Running { addr, state, task })
}

/// Expires sessions past `--session-ttl` and beyond `--max-sessions`, once a second.
fn spawn_sweeper(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let ttl = Duration::from_secs(state.config.session_ttl);
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = state.shutdown.cancelled() => break,
                _ = tick.tick() => {
                    let dropped = state.sessions.sweep(ttl, state.config.max_sessions);
                    if dropped > 0 {
                        tracing::debug!(dropped, "expired sessions");
                    }
                }
            }
        }
    });
}

/// Resolves on SIGINT or SIGTERM.
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

/// The banner: every URL an integrator must configure.
pub fn banner(base: &str) -> String {
    format!(
        "webcapture-emulator {version}\n\
         \x20 video-server URL (BIOSERVER_VIDEO_URL): {base}\n\
         \x20 Bioserver core URL (BIOSERVER_CORE_URL): {base}/bioserver-app/v2\n\
         \x20 GIPS URL (GIPS_URL):                     {base}/gips\n\
         \x20 SDK scripts:  <script src=\"{base}/video-server/bioserver-video-api.js\"></script> (and environment-api, network-check, video-ui)\n\
         \x20 dashboard:    {base}/__emulator/\n\
         \x20 demo page:    {base}/__emulator/demo",
        version = env!("CARGO_PKG_VERSION"),
    )
}
