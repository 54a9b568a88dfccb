//! Slow and idle clients cannot hold sockets forever: hyper's header-read timeout
//! (`--header-timeout`) closes them, over plain HTTP and HTTPS alike, and a request body that
//! stops half-way is answered once `--body-timeout` has passed.

mod support;

use std::time::{Duration, Instant};

use support::*;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

async fn emulator(tls: bool) -> TestEmulator {
    TestEmulator::with_config(Config {
        header_timeout: 1,
        body_timeout: 1,
        tls,
        ..Config::for_tests()
    })
    .await
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
    let mut stream = TcpStream::connect(emu.addr()).await.unwrap();
    stream
        .write_all(b"GET /__emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
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
    let mut stream = TcpStream::connect(emu.addr()).await.unwrap();
    stream
        .write_all(b"GET /__emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
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
    let mut stream = TcpStream::connect(emu.addr()).await.unwrap();
    // Opens TCP, never starts the handshake.
    let closed = closed_within(&mut stream, Duration::from_secs(15)).await;
    assert!(closed.is_some(), "a silent TLS connection stayed open");
    emu.shutdown().await;
}

#[tokio::test]
async fn the_capture_channel_still_upgrades_over_the_custom_accept_loop() {
    let emu = emulator(false).await;
    let url = format!("ws://{}/video-server/engine.io", emu.addr());
    let (mut ws, response) = tokio_tungstenite::connect_async(url)
        .await
        .expect("upgrade");
    assert_eq!(response.status(), 101);
    let _ = ws.close(None).await;
    emu.shutdown().await;
}

/// Sends `head` (with a Content-Length larger than `partial`), then `partial`, then nothing;
/// returns the answer the server gives on its own.
async fn answer_to_a_stalled_body(
    addr: std::net::SocketAddr,
    head: &str,
    partial: &[u8],
) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(partial).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 2048];
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buf[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.ends_with(b"}") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server never answered a stalled body");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn an_init_body_that_stops_half_way_is_answered_408_with_a_json_error() {
    let emu = emulator(false).await;
    let answer = answer_to_a_stalled_body(
        emu.addr(),
        "POST /video-server/init-liveness-session HTTP/1.1\r\nHost: 127.0.0.1\r\napikey: k\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n",
        br#"{"livenessMode":"#,
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""code":408"#), "{answer}");
    assert!(answer.contains("stopped arriving"), "{answer}");
    assert!(answer.contains("connection: close"), "{answer}");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_face_upload_that_stops_half_way_is_answered_408_and_the_connection_closed() {
    let emu = emulator(false).await;
    let created = reqwest::Client::new()
        .post(format!(
            "http://{}/video-server/init-liveness-session",
            emu.addr()
        ))
        .header("apikey", "k")
        .json(&serde_json::json!({"livenessMode": "LIVENESS_PASSIVE"}))
        .send()
        .await
        .expect("init");
    let session: serde_json::Value = created.json().await.expect("json");
    let id = session["id"].as_str().expect("id").to_string();
    let head = format!(
        "POST /bioserver-app/v2/bio-sessions/{id}/faces HTTP/1.1\r\nHost: 127.0.0.1\r\napikey: k\r\n\
         Content-Type: multipart/form-data; boundary=XX\r\nContent-Length: 5000\r\n\r\n"
    );
    let answer = answer_to_a_stalled_body(
        emu.addr(),
        &head,
        b"--XX\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\n\xff\xd8",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/json"), "{answer}");
    assert!(answer.contains("connection: close"), "{answer}");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_request_in_flight_when_the_emulator_stops_still_gets_its_answer() {
    let emu = TestEmulator::start().await;
    let mut stream = TcpStream::connect(emu.addr()).await.expect("connect");
    let body = br#"{"livenessMode":"LIVENESS_PASSIVE"}"#;
    let head = format!(
        "POST /video-server/init-liveness-session HTTP/1.1\r\nHost: 127.0.0.1\r\napikey: k\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(&body[..10]).await.expect("first half");
    // The request is in flight (its body half read) when the stop is asked.
    tokio::time::sleep(Duration::from_millis(100)).await;
    emu.state().shutdown.cancel();
    tokio::time::sleep(Duration::from_millis(100)).await;
    stream.write_all(&body[10..]).await.expect("second half");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    assert!(
        read.is_ok(),
        "the connection was not closed after its answer"
    );
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert!(answer.contains(r#""id":"#), "{answer}");
}

#[tokio::test]
async fn an_idle_connection_is_closed_when_the_emulator_stops() {
    let emu = TestEmulator::start().await;
    let mut stream = TcpStream::connect(emu.addr()).await.expect("connect");
    stream
        .write_all(b"GET /__emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .expect("request");
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).await.expect("answer");
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    emu.state().shutdown.cancel();
    assert!(
        closed_within(&mut stream, Duration::from_secs(3))
            .await
            .is_some(),
        "a kept-alive connection stayed open after the stop"
    );
}
