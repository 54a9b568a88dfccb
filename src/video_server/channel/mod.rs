//! The capture channel: a WebSocket at `/video-server/engine.io` (any subpath, any query) between
//! the stub SDK's `initFaceCaptureClient` and the session's [`Plan`](crate::scenarios::plan::Plan),
//! which [`runner`] walks.
//!
//! It is public (browsers send no API key) and accepts any `Origin`, because integrator pages are
//! served from their own origin. The wire protocol is in [`protocol`]; [`runner`] plays one socket.

pub mod protocol;
pub mod runner;

use std::{
    collections::HashMap,
    io,
    net::SocketAddr,
    pin::Pin,
    task::{Context, Poll},
};

use axum::{
    extract::{ConnectInfo, Query, Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_tungstenite::{
    tungstenite::{handshake::derive_accept_key, protocol::Role, protocol::WebSocketConfig},
    WebSocketStream,
};

use crate::{error::ApiError, state::AppState};

/// Most bytes a socket may send before its `hello` frame has been read (64 KiB: a hello is a few
/// hundred bytes). Without it anyone — no key, no session — could make the server buffer a whole
/// frame of [`protocol::MAX_FRAME`] per socket (60 sockets held 939 MB).
pub const MAX_BYTES_BEFORE_HELLO: u64 = 64 * 1024;

/// The channel's socket: a WebSocket over the upgraded connection, read through [`HelloGate`].
pub type ChannelSocket = WebSocketStream<HelloGate<TokioIo<hyper::upgrade::Upgraded>>>;

/// Routes of the channel: the vendor's path, with or without a trailing slash or subpath.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/video-server/engine.io", get(upgrade))
        .route("/video-server/engine.io/", get(upgrade))
        .route("/video-server/engine.io/{*rest}", get(upgrade))
}

/// Accepts the WebSocket upgrade and hands the socket to its own task.
///
/// The handshake is done here rather than by axum's `WebSocketUpgrade` so the connection can be
/// wrapped in a [`HelloGate`] (a per-socket read budget before `hello`), which axum's socket does
/// not allow. A request that is not a WebSocket upgrade gets a 400 JSON answer.
async fn upgrade(State(state): State<AppState>, mut req: Request) -> Response {
    let key = match handshake_key(req.headers()) {
        Ok(key) => key,
        Err(e) => return e.into_response(),
    };
    let peer = runner::Peer {
        fingerprint: crate::http::fingerprint::fingerprint(
            req.headers(),
            req.extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| *addr),
        ),
        query_hint: scenario_hint(req.uri()),
    };
    let on_upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let io = HelloGate {
            inner: TokioIo::new(upgraded),
            budget: Some(MAX_BYTES_BEFORE_HELLO),
        };
        let socket = WebSocketStream::from_raw_socket(io, Role::Server, Some(config())).await;
        runner::run(state, socket, peer).await;
    });
    let mut res = StatusCode::SWITCHING_PROTOCOLS.into_response();
    let h = res.headers_mut();
    h.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    if let Ok(accept) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        h.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    res
}

/// The WebSocket settings of every channel.
fn config() -> WebSocketConfig {
    // Small buffers: the default 128 KiB read + 128 KiB write buffer per socket made 10,000
    // concurrent captures cost gigabytes; frames are small and the buffers still grow for a big
    // `bestImage`. After `hello` a frame may reach [`protocol::MAX_FRAME`] (the per-type limits
    // below it are checked with a close frame that names them).
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .max_message_size(Some(protocol::MAX_FRAME))
        .max_frame_size(Some(protocol::MAX_FRAME))
}

/// The `Sec-WebSocket-Key` of a valid upgrade request, or the 400 that says what is missing.
fn handshake_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let has_token = |name: header::HeaderName, token: &str| {
        headers.get_all(name).iter().any(|v| {
            v.to_str()
                .is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
        })
    };
    if !has_token(header::UPGRADE, "websocket") || !has_token(header::CONNECTION, "upgrade") {
        return Err(ApiError::bad_request(
            "The capture channel is a WebSocket: send 'Connection: Upgrade' and 'Upgrade: websocket'",
        ));
    }
    if headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .and_then(|v| v.to_str().ok())
        != Some("13")
    {
        return Err(ApiError::bad_request(
            "The capture channel speaks WebSocket version 13 ('Sec-WebSocket-Version: 13')",
        ));
    }
    headers
        .get(header::SEC_WEBSOCKET_KEY)
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.trim().is_empty())
        .map(str::to_string)
        .ok_or_else(|| ApiError::bad_request("The WebSocket upgrade has no 'Sec-WebSocket-Key'"))
}

/// The `emulator-scenario` parameter of the channel URL's query, if set and not blank.
fn scenario_hint(uri: &axum::http::Uri) -> Option<String> {
    let Query(query) = Query::<HashMap<String, String>>::try_from_uri(uri).ok()?;
    query
        .get("emulator-scenario")
        .filter(|s| !s.is_empty())
        .cloned()
}

/// The connection under a channel's WebSocket, with a read budget until the `hello` is in:
/// reading more than [`MAX_BYTES_BEFORE_HELLO`] before [`HelloGate::open`] fails the read with
/// [`HelloGate::is_over_budget`], so the runner answers close 1009 instead of buffering a frame.
/// After `hello` it is a plain pass-through (one `Option` check per read).
pub struct HelloGate<S> {
    inner: S,
    /// Bytes still allowed before `hello`; `None` once the hello was accepted.
    budget: Option<u64>,
}

impl<S> HelloGate<S> {
    /// Lifts the budget: the hello was accepted, the socket's frames are now bounded by
    /// [`protocol::MAX_FRAME`] and the per-type limits.
    pub fn open(&mut self) {
        self.budget = None;
    }

    /// Reads and discards what the peer still sends, up to `max` bytes or `within`, whichever
    /// comes first, or until it closes or answers with its close frame (a lingering close: the
    /// connection is dropped after a
    /// close frame, and unread data would make the kernel answer with a reset that can discard
    /// the close frame at the peer). Uses an 8 KiB stack buffer; nothing is kept.
    pub async fn drain(&mut self, max: u64, within: std::time::Duration)
    where
        S: AsyncRead + Unpin,
    {
        use tokio::io::AsyncReadExt;
        let mut buf = [0u8; 8192];
        let mut left = max;
        let _ = tokio::time::timeout(within, async {
            while left > 0 {
                match self.inner.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    // The page's close frame in answer to ours (a masked close: 0x88, at most
                    // 2 + 4 + 125 bytes, in a read of its own): the handshake is complete.
                    Ok(n) if buf[0] == 0x88 && n <= 131 => break,
                    Ok(n) => left = left.saturating_sub(n as u64),
                }
            }
        })
        .await;
    }

    /// Whether `e` is the error a read over the pre-hello budget fails with.
    pub fn is_over_budget(e: &io::Error) -> bool {
        e.kind() == io::ErrorKind::Other && e.to_string() == OVER_BUDGET
    }
}

const OVER_BUDGET: &str = "more than 64 KiB before hello";

impl<S: AsyncRead + Unpin> AsyncRead for HelloGate<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let Some(budget) = self.budget else {
            return Pin::new(&mut self.inner).poll_read(cx, buf);
        };
        if budget == 0 {
            return Poll::Ready(Err(io::Error::other(OVER_BUDGET)));
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let read = (buf.filled().len() - before) as u64;
        self.budget = Some(budget.saturating_sub(read));
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HelloGate<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
