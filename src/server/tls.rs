//! HTTPS: the certificate and key, the names a generated certificate covers, the rustls
//! configuration, and the server that speaks it.
//!
//! `--tls` exists because a phone on the LAN only grants camera access to a page served over
//! HTTPS, so the emulator must serve the SDK, the vendor paths and the capture channel over TLS
//! on the same terms as over plain HTTP: HTTP/1.1 only (WebSockets upgrade as they do in the
//! clear), the same header-read timeout, `TCP_NODELAY`, `ConnectInfo` and shutdown grace. Without
//! `--tls-cert/--tls-key` a self-signed certificate is made at start (fresh OS randomness each
//! run); its PEM is served at `/__emulator/tls-certificate.pem` for the phone to trust.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::{config::Config, front::FrontDoor};

use super::{shutdown::GRACE, startup_error::invalid_input};

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

/// The rustls configuration for `material` (ring provider, HTTP/1.1). Built before binding, so
/// a certificate and key that do not fit fail the start with a message, not the first handshake.
pub(super) fn rustls_config(material: &TlsMaterial) -> std::io::Result<Arc<rustls::ServerConfig>> {
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

/// Serves `app` over HTTPS until `token` is cancelled, then lets in-flight requests finish
/// (bounded by [`GRACE`]).
pub(super) fn serve_tls(
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
        stopper.graceful_shutdown(Some(GRACE));
    });
    let tls = axum_server::tls_rustls::RustlsConfig::from_config(server_config);
    let mut server = axum_server::from_tcp(listener)
        .acceptor(
            axum_server::tls_rustls::RustlsAcceptor::new(tls)
                .acceptor(axum_server::accept::NoDelayAcceptor::new()),
        )
        .handle(handle);
    // Same slow-client bound as plain HTTP (see `super::plain`).
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
