//! Starting the emulator: check the configuration, bind, start the background tasks and the
//! listener, and hand back a [`Running`] handle.
//!
//! The binary and the integration tests start the emulator through the same [`start`], so every
//! test runs the real router, layers, accept loop and background tasks over real sockets. This
//! file is only that entry; each job it starts lives beside it:
//!
//! | file | job |
//! |---|---|
//! | `plain.rs` | the plain-HTTP accept loop (`TCP_NODELAY`, header-read timeout, [`crate::http::wire`]) |
//! | `tls.rs` | `--tls`: certificate and key, their names, rustls, the HTTPS server |
//! | `sweeper.rs` | the background task that expires sessions and lockout records |
//! | `shutdown.rs` | SIGINT/SIGTERM and the grace given to requests in flight |
//! | `banner.rs` | the text naming every URL an integrator configures |
//! | `startup_error.rs` | how a refused start reads (`InvalidInput` with a sentence) |
//!
//! Nothing here prints: the binary (`main.rs`) prints the `listening on URL` line and the
//! [`banner()`] once [`start`] returns, and waits on [`shutdown_signal`].

mod banner;
mod plain;
mod shutdown;
mod startup_error;
mod sweeper;
mod tls;

use std::{net::SocketAddr, time::Duration};

use tokio::net::TcpListener;

use crate::{config::Config, router, state::AppState};

pub use banner::banner;
pub use shutdown::shutdown_signal;
pub use tls::{tls_material, tls_names, TlsMaterial};

use startup_error::invalid_input;

/// A running emulator: its address and state, and a handle to stop it.
pub struct Running {
    /// The bound address (the real port when `--port 0`).
    pub addr: SocketAddr,
    /// Shared state (tests inspect sessions and transcripts through it).
    pub state: AppState,
    /// The server task; finishes after [`Running::shutdown`].
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
    /// PEM of the HTTPS certificate when serving with `--tls` (clients and phones trust it).
    pub tls_certificate: Option<String>,
}

impl Running {
    /// `http://HOST:PORT`, or `https://HOST:PORT` with `--tls`: the base every vendor path hangs
    /// from, with the real port when the emulator was started on port 0.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let running = webcapture_emulator::server::start(webcapture_emulator::Config::for_tests()).await?;
    /// assert!(running.url().starts_with("http://127.0.0.1:"));
    /// assert_ne!(running.addr.port(), 0);
    /// running.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn url(&self) -> String {
        let scheme = if self.tls_certificate.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// The start-up banner (what the binary prints after the `listening on` line): where to point
    /// the integration, and the admin token only when clients off this machine need it — a
    /// loopback-only emulator has no token to show.
    pub fn banner(&self) -> String {
        let config = &self.state.config;
        let token = config
            .admin_token
            .as_deref()
            .filter(|_| crate::http::guard::needs_token(config));
        banner(&self.url(), token)
    }

    /// Asks every task to stop and waits for the server to finish in-flight requests, so a test
    /// can start many emulators in one process without leaking sockets or tasks.
    pub async fn shutdown(self) {
        self.state.shutdown.cancel();
        let _ = self.task.await;
    }
}

/// Binds and starts serving in the background; returns once connections are accepted.
///
/// The binary and the integration tests start the emulator the same way, so tests exercise the
/// real router, layers and background tasks over real HTTP. Fails before binding on a bad
/// `--signing-key` or unusable `--tls-cert/--tls-key`, with a message that says what is wrong.
///
/// ```
/// use webcapture_emulator::{server, Config};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // Port 0 (as in `Config::for_tests`): the OS picks a free port; `url()` names it.
/// let running = server::start(Config::for_tests()).await?;
/// let health = reqwest::get(format!("{}/__emulator/health", running.url())).await?;
/// assert!(health.status().is_success());
/// running.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub async fn start(mut config: Config) -> std::io::Result<Running> {
    config.validate().map_err(invalid_input)?;
    if crate::http::guard::needs_token(&config) && config.admin_token.is_none() {
        config.admin_token = Some(crate::http::guard::generate_token());
    }
    if config.signing_key.is_some() {
        crate::signing::Signer::from_config(&config).map_err(invalid_input)?;
    }
    let tls = if config.tls {
        let material = tls_material(&config)?;
        let server_config = tls::rustls_config(&material)?;
        Some((material, server_config))
    } else {
        None
    };
    let listener = TcpListener::bind((config.host.as_str(), config.port)).await?;
    let addr = listener.local_addr()?;
    let state = AppState::new(config);
    sweeper::spawn(&state);
    crate::scenarios::watch::spawn(&state);
    let app = router(state.clone());
    let token = state.shutdown.clone();
    let header_timeout = Duration::from_secs(state.config.header_timeout.max(1));
    let task = match &tls {
        Some((material, server_config)) => {
            let _ = state.tls_certificate.set(material.cert_pem.clone());
            tls::serve_tls(listener, server_config.clone(), app, token, header_timeout)?
        }
        None => tokio::spawn(plain::serve_plain(listener, app, token, header_timeout)),
    };
    Ok(Running {
        addr,
        state,
        task,
        tls_certificate: tls.map(|(m, _)| m.cert_pem),
    })
}
