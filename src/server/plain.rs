//! The plain-HTTP accept loop.
//!
//! Hand-written rather than `axum::serve` because the emulator must bound slow clients and answer
//! small frames quickly: hyper's header-read timeout closes connections that send headers too
//! slowly (slowloris) or sit idle between requests, and every socket gets `TCP_NODELAY` (the
//! capture channel sends many small frames; without it each exchange waits on delayed ACKs,
//! ~40 ms). Each connection is also wrapped by [`crate::http::wire`], so hyper's own 400/414/431
//! answers carry the JSON error body and a connection closes with a lingering close.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use hyper::server::conn::http1;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::front::FrontDoor;

use super::shutdown::GRACE;

/// Serves `app` over plain HTTP until `token` is cancelled, then lets in-flight requests finish
/// (bounded by [`GRACE`]).
pub(super) async fn serve_plain(
    listener: TcpListener,
    app: FrontDoor,
    token: CancellationToken,
    header_timeout: Duration,
) -> std::io::Result<()> {
    // HTTP/1.1 only: browsers never speak HTTP/2 without TLS (the `--tls` listener offers it
    // through ALPN), and hyper's auto-detecting connection re-reads the first bytes of every
    // connection through an extra buffer layer on each read (~3% of a request's instructions).
    // Answers are written flattened into one buffer, sent with one `send` rather than a `writev`
    // of headers and body: the answers are small (a copy of a few hundred bytes), and the
    // kernel's plain send path cost less system time per request in an A/B (bench/PERF-NOTES.md,
    // "Ninth pass").
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .writev(false);
    // Each connection task holds a clone of `open`; once the accept loop drops its own, `closed`
    // answers when the last connection is done (the shutdown pattern of tokio's mini-redis).
    let (open, mut closed) = tokio::sync::mpsc::channel::<()>(1);
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
        let upgraded = Arc::new(AtomicBool::new(false));
        let saw_upgrade = upgraded.clone();
        let service =
            app.clone()
                .map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
                    if req.headers().contains_key(axum::http::header::UPGRADE) {
                        saw_upgrade.store(true, Ordering::Relaxed);
                    }
                    req.extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    req.map(axum::body::Body::new)
                });
        let io = TokioIo::new(crate::http::wire::JsonErrors::new(stream));
        let connection = builder
            .serve_connection(io, TowerToHyperService::new(service))
            .with_upgrades();
        let stop = token.clone();
        let open = open.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                biased;
                _ = connection.as_mut() => {}
                _ = stop.cancelled() => {
                    // Finish the request in flight, then close (no new request on this connection).
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(open);
            // An upgraded connection (the capture channel) still belongs to its WebSocket.
            if let Some(twin) = twin {
                if !upgraded.load(Ordering::Relaxed) {
                    crate::http::wire::linger(twin).await;
                }
            }
        });
    }
    drop(listener);
    drop(open);
    tokio::select! {
        _ = closed.recv() => {}
        _ = tokio::time::sleep(GRACE) => {}
    }
    Ok(())
}
