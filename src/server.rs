//! Binding, the `listening on` line, background tasks and graceful shutdown.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::{config::Config, front::FrontDoor, router, state::AppState};

/// How long in-flight HTTPS requests may take to finish after shutdown is asked.
const TLS_SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

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
        let server_config = rustls_config(&material)?;
        Some((material, server_config))
    } else {
        None
    };
    let listener = TcpListener::bind((config.host.as_str(), config.port)).await?;
    let addr = listener.local_addr()?;
    let state = AppState::new(config);
    spawn_sweeper(&state);
    crate::scenarios::watch::spawn(&state);
    let app = router(state.clone());
    let token = state.shutdown.clone();
    let task = match &tls {
        Some((material, server_config)) => {
            let _ = state.tls_certificate.set(material.cert_pem.clone());
            let header_timeout = Duration::from_secs(state.config.header_timeout.max(1));
            serve_tls(listener, server_config.clone(), app, token, header_timeout)?
        }
        None => {
            let header_timeout = Duration::from_secs(state.config.header_timeout.max(1));
            tokio::spawn(serve_plain(listener, app, token, header_timeout))
        }
    };
    Ok(Running {
        addr,
        state,
        task,
        tls_certificate: tls.map(|(m, _)| m.cert_pem),
    })
}

/// Serves `app` over plain HTTP until `token` is cancelled, then lets in-flight requests finish
/// (bounded by [`TLS_SHUTDOWN_GRACE`]).
///
/// A hand-written accept loop rather than `axum::serve` because the emulator must bound slow
/// clients: hyper's header-read timeout closes connections that send headers too slowly
/// (slowloris) or sit idle between requests, and every socket gets `TCP_NODELAY` (the channel
/// sends many small frames; without it each exchange waits on delayed ACKs, ~40 ms).
async fn serve_plain(
    listener: TcpListener,
    app: FrontDoor,
    token: CancellationToken,
    header_timeout: Duration,
) -> std::io::Result<()> {
    use hyper_util::{
        rt::{TokioExecutor, TokioIo, TokioTimer},
        server::{conn::auto::Builder, graceful::GracefulShutdown},
        service::TowerToHyperService,
    };
    use tower::ServiceExt;

    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            _ = token.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        // A second descriptor of the socket, for the lingering close once hyper is done with it.
        let twin = crate::http::wire::twin(&stream);
        let upgraded = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let saw_upgrade = upgraded.clone();
        let service =
            app.clone()
                .map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
                    if req.headers().contains_key(axum::http::header::UPGRADE) {
                        saw_upgrade.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    req.extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    req.map(axum::body::Body::new)
                });
        let io = TokioIo::new(crate::http::wire::JsonErrors::new(stream));
        let connection = builder
            .serve_connection_with_upgrades(io, TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            // An upgraded connection (the capture channel) still belongs to its WebSocket.
            if let Some(twin) = twin {
                if !upgraded.load(std::sync::atomic::Ordering::Relaxed) {
                    crate::http::wire::linger(twin).await;
                }
            }
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(TLS_SHUTDOWN_GRACE) => {}
    }
    Ok(())
}

/// A certificate chain and its private key, both PEM.
#[derive(Debug, Clone)]
pub struct TlsMaterial {
    /// The certificate chain (leaf first).
    pub cert_pem: String,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub key_pem: String,
}

/// `--tls-cert/--tls-key` when given, else a self-signed certificate for [`tls_names`].
pub fn tls_material(config: &Config) -> std::io::Result<TlsMaterial> {
    if let (Some(cert), Some(key)) = (&config.tls_cert, &config.tls_key) {
        let read = |path: &std::path::PathBuf| {
            std::fs::read_to_string(path).map_err(|e| {
                std::io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display()))
            })
        };
        return Ok(TlsMaterial {
            cert_pem: read(cert)?,
            key_pem: read(key)?,
        });
    }
    let names = tls_names(&config.host);
    let key = rcgen::KeyPair::generate().map_err(invalid_input)?;
    let mut params = rcgen::CertificateParams::new(names).map_err(invalid_input)?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "webcapture-emulator");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let certificate = params.self_signed(&key).map_err(invalid_input)?;
    Ok(TlsMaterial {
        cert_pem: certificate.pem(),
        key_pem: key.serialize_pem(),
    })
}

/// The subject alternative names of the generated certificate: `localhost`, `127.0.0.1`, `::1`,
/// the `--host` value, and, when binding every interface (`0.0.0.0`), this machine's LAN address
/// so a phone reaching `https://<LAN-IP>:PORT` sees a matching name.
pub fn tls_names(host: &str) -> Vec<String> {
    let mut names: Vec<String> = ["localhost", "127.0.0.1", "::1"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    let unspecified = host.parse::<IpAddr>().is_ok_and(|ip| ip.is_unspecified());
    let extra = if unspecified {
        lan_address().map(|ip| ip.to_string())
    } else {
        Some(host.to_string()).filter(|h| !h.is_empty())
    };
    if let Some(name) = extra {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The address this machine uses to reach other hosts (connecting a UDP socket sends nothing).
fn lan_address() -> Option<IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// The rustls configuration for `material` (ring provider, HTTP/1.1).
fn rustls_config(material: &TlsMaterial) -> std::io::Result<Arc<rustls::ServerConfig>> {
    use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
    // axum-server and other rustls users in the process need a default provider; ours is ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let certs = CertificateDer::pem_slice_iter(material.cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid_input(format!("the TLS certificate is not valid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(invalid_input(
            "the TLS certificate file holds no certificate",
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(material.key_pem.as_bytes())
        .map_err(|e| invalid_input(format!("the TLS key is not a PEM private key: {e}")))?;
    let mut server_config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(invalid_input)?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| invalid_input(format!("the TLS certificate and key do not fit: {e}")))?;
    // HTTP/1.1 only: browsers then open WebSockets (the capture channel) on the same terms as
    // over plain HTTP.
    server_config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(server_config))
}

/// Serves `app` over HTTPS until `token` is cancelled, then lets in-flight requests finish.
fn serve_tls(
    listener: TcpListener,
    server_config: Arc<rustls::ServerConfig>,
    app: FrontDoor,
    token: CancellationToken,
    header_timeout: Duration,
) -> std::io::Result<tokio::task::JoinHandle<std::io::Result<()>>> {
    let listener = listener.into_std()?;
    listener.set_nonblocking(true)?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        token.cancelled().await;
        stopper.graceful_shutdown(Some(TLS_SHUTDOWN_GRACE));
    });
    let tls = axum_server::tls_rustls::RustlsConfig::from_config(server_config);
    let mut server = axum_server::from_tcp(listener)
        .acceptor(
            axum_server::tls_rustls::RustlsAcceptor::new(tls)
                .acceptor(axum_server::accept::NoDelayAcceptor::new()),
        )
        .handle(handle);
    // Same slow-client bound as plain HTTP (see `serve_plain`).
    server
        .http_builder()
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(header_timeout);
    // axum-server wants a make-service; a router whose only route is the app adds the
    // connection's address (`ConnectInfo`) as plain HTTP's accept loop does.
    let app = Router::new().fallback_service(app);
    Ok(tokio::spawn(server.serve(
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )))
}

fn invalid_input(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string())
}

/// Expires sessions past `--session-ttl` and beyond `--max-sessions`, and lockout records past
/// their window, once a second.
fn spawn_sweeper(state: &AppState) {
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

/// The banner: every URL an integrator must configure. With `admin_token` (bound to a
/// non-loopback address) the dashboard and demo URLs carry it and a line says why.
pub fn banner(base: &str, admin_token: Option<&str>) -> String {
    let Some(token) = admin_token else {
        return plain_banner(base);
    };
    let mut text = plain_banner(base);
    text = text.replace("/__emulator/\n", &format!("/__emulator/?token={token}\n"));
    text = text.replace(
        "/__emulator/demo",
        &format!("/__emulator/demo?token={token}"),
    );
    text.push_str(
        "\n  bound to a non-loopback address: the control plane (/__emulator/) asks clients on other \
         machines for the admin token above (--admin-token); the vendor endpoints are open to the network",
    );
    text
}

fn plain_banner(base: &str) -> String {
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
