//! Slow and idle clients cannot hold sockets forever: hyper's header-read timeout
//! (`--header-timeout`) closes them, over plain HTTP and HTTPS alike.

use std::time::{Duration, Instant};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};
use webcapture_emulator::{server, Config};

async fn emulator(tls: bool) -> server::Running {
    server::start(Config {
        header_timeout: 1,
        tls,
        ..Config::for_tests()
    })
    .await
    .expect("emulator starts")
}

/// Reads until the server closes the connection; returns how long that took (None if it never did).
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(limit, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => continue,
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn a_client_that_sends_headers_too_slowly_is_disconnected() {
    let emu = emulator(false).await;
    let mut stream = TcpStream::connect(emu.addr).await.unwrap();
    stream
        .write_all(b"GET /__emulator/health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // The header block never ends: the server must give up on its own.
    let closed = closed_within(&mut stream, Duration::from_secs(10)).await;
    assert!(closed.is_some(), "a slowloris connection stayed open");
    emu.shutdown().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_timeout() {
    let emu = emulator(false).await;
    let mut stream = TcpStream::connect(emu.addr).await.unwrap();
    stream
        .write_all(b"GET /__emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 512];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let closed = closed_within(&mut stream, Duration::from_secs(10)).await;
    assert!(
        closed.is_some(),
        "an idle keep-alive connection stayed open"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn a_silent_tls_client_is_disconnected() {
    let emu = emulator(true).await;
    let mut stream = TcpStream::connect(emu.addr).await.unwrap();
    // Opens TCP, never starts the handshake.
    let closed = closed_within(&mut stream, Duration::from_secs(15)).await;
    assert!(closed.is_some(), "a silent TLS connection stayed open");
    emu.shutdown().await;
}

#[tokio::test]
async fn the_capture_channel_still_upgrades_over_the_custom_accept_loop() {
    let emu = emulator(false).await;
    let url = format!("ws://{}/video-server/engine.io", emu.addr);
    let (mut ws, response) = tokio_tungstenite::connect_async(url)
        .await
        .expect("upgrade");
    assert_eq!(response.status(), 101);
    let _ = ws.close(None).await;
    emu.shutdown().await;
}
