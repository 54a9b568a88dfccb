//! The front door as a hostile page, a LAN neighbour or a sloppy client would try it: the control
//! plane answers only its owner, the back-end surface grants nothing to browsers, every bad flag
//! stops the binary with its name, and the HTTP layer's own errors are the documented JSON.

mod support;

use std::{
    io::{Read, Write},
    net::{IpAddr, SocketAddr},
    time::Duration,
};

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use support::{internals::banner, *};

const EVIL: &str = "http://evil.example";

/// Asserts a refusal: the status, a `{code, error}` body whose message contains `words`, and no
/// CORS grant.
async fn assert_refused(res: reqwest::Response, status: u16, words: &str) -> Value {
    assert_eq!(res.status().as_u16(), status, "{}", res.url());
    assert!(
        res.headers().get("access-control-allow-origin").is_none(),
        "a refusal grants nothing"
    );
    let body: Value = res.json().await.expect("a JSON body");
    assert_eq!(body["code"], status);
    let error = body["error"].as_str().unwrap_or_default();
    assert!(error.contains(words), "{error:?} should mention {words:?}");
    body
}

async fn queue_of(emu: &TestEmulator) -> Value {
    Client::new()
        .get(emu.admin("/queue"))
        .send()
        .await
        .expect("queue")
        .json()
        .await
        .expect("json")
}

/// One raw HTTP/1.1 exchange (for headers a client library would not send as given): writes
/// `request`, reads until the server closes or a JSON body is complete.
fn raw_exchange(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    stream.write_all(request).expect("write");
    read_answer(&mut stream)
}

fn read_answer(stream: &mut std::net::TcpStream) -> String {
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                let head_done = answer.windows(4).any(|w| w == b"\r\n\r\n");
                if head_done && answer.ends_with(b"}") {
                    break;
                }
            }
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn control_plane_answers_carry_no_cors_grant() {
    let emu = TestEmulator::start().await;
    let res = Client::new()
        .get(emu.admin("/sessions"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("access-control-allow-origin").is_none());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_page_on_another_origin_cannot_read_sessions_or_the_journal() {
    let emu = TestEmulator::start().await;
    for path in ["/__emulator/sessions", "/__emulator/journal"] {
        let res = Client::new()
            .get(format!("{}{path}", emu.url()))
            .header("Origin", EVIL)
            .send()
            .await
            .unwrap();
        assert_refused(res, 403, "another origin").await;
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn a_page_on_another_origin_cannot_change_the_queue_or_reset() {
    let emu = TestEmulator::start().await;
    let res = Client::new()
        .post(emu.admin("/queue"))
        .header("Origin", EVIL)
        .json(&json!({"scenarios": ["success"]}))
        .send()
        .await
        .unwrap();
    assert_refused(res, 403, "another origin").await;
    for origin in ["null", "http://localhost:1"] {
        let res = Client::new()
            .post(emu.admin("/reset"))
            .header("Origin", origin)
            .send()
            .await
            .unwrap();
        assert_refused(res, 403, "another origin").await;
    }
    let res = Client::new()
        .delete(emu.admin("/queue"))
        .header("Sec-Fetch-Site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_refused(res, 403, "another origin").await;
    assert_eq!(queue_of(&emu).await, json!({"scenarios": []}));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_text_plain_post_cannot_change_the_queue() {
    let emu = TestEmulator::start().await;
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let res = Client::new()
            .post(emu.admin("/queue"))
            .header("Content-Type", content_type)
            .body(json!({"scenarios": ["success"]}).to_string())
            .send()
            .await
            .unwrap();
        assert_refused(res, 403, "Content-Type: application/json").await;
    }
    assert_eq!(queue_of(&emu).await, json!({"scenarios": []}));
    emu.shutdown().await;
}

#[tokio::test]
async fn tools_without_an_origin_and_the_dashboards_own_origin_keep_working() {
    let emu = TestEmulator::start().await;
    // `curl -X POST .../reset`: no body, no content type, no Origin.
    let res = Client::new()
        .post(emu.admin("/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The dashboard's fetch: same origin, JSON.
    let res = Client::new()
        .post(emu.admin("/queue"))
        .header("Origin", emu.url())
        .header("Sec-Fetch-Site", "same-origin")
        .json(&json!({"scenarios": ["success"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(queue_of(&emu).await, json!({"scenarios": ["success"]}));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_link_to_the_dashboard_from_another_site_still_opens_it() {
    let emu = TestEmulator::start().await;
    let res = Client::new()
        .get(emu.admin("/"))
        .header("Sec-Fetch-Site", "cross-site")
        .header("Sec-Fetch-Mode", "navigate")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    emu.shutdown().await;
}

#[tokio::test]
async fn an_unknown_host_is_refused_with_json_naming_the_flag_on_every_route() {
    let emu = TestEmulator::start().await;
    for path in [
        "/__emulator/sessions",
        "/video-server/network-latency",
        "/video-server/bioserver-video-api.js",
    ] {
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n");
        let addr = emu.addr();
        let answer = tokio::task::spawn_blocking(move || raw_exchange(addr, request.as_bytes()))
            .await
            .unwrap();
        assert!(answer.starts_with("HTTP/1.1 403"), "{path}: {answer}");
        assert!(answer.contains("application/json"), "{answer}");
        assert!(answer.contains("--allowed-host evil.example"), "{answer}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn allowed_host_admits_a_compose_service_name() {
    let emu = TestEmulator::with_config(Config {
        allowed_hosts: vec!["webcapture".into()],
        ..Config::for_tests()
    })
    .await;
    let addr = emu.addr();
    let answer = tokio::task::spawn_blocking(move || {
        raw_exchange(
            addr,
            b"GET /__emulator/health HTTP/1.1\r\nHost: webcapture:8080\r\nConnection: close\r\n\r\n",
        )
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    emu.shutdown().await;
}

#[tokio::test]
async fn core_and_gips_preflights_are_refused_and_their_answers_grant_nothing() {
    let emu = TestEmulator::start().await;
    for path in [
        "/bioserver-app/v2/bio-sessions/x/liveness-challenge-result",
        "/gips/v1/identities",
        "/video-server/init-liveness-session",
        "/__emulator/queue",
    ] {
        let res = Client::new()
            .request(reqwest::Method::OPTIONS, format!("{}{path}", emu.url()))
            .header("Origin", "http://localhost:3000")
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "apikey")
            .send()
            .await
            .unwrap();
        assert_refused(res, 403, "").await;
    }
    let res = Client::new()
        .get(format!(
            "{}/bioserver-app/v2/bio-sessions/x/liveness-challenge-result",
            emu.url()
        ))
        .header("apikey", "k")
        .header("Origin", "http://localhost:3000")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_refused_preflight_asking_to_send_the_api_key_is_a_finding() {
    let emu = TestEmulator::start().await;
    let res = Client::new()
        .request(
            reqwest::Method::OPTIONS,
            emu.at("/video-server/init-liveness-session"),
        )
        .header("Origin", "http://localhost:3000")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type,apikey")
        .send()
        .await
        .unwrap();
    assert_refused(res, 403, "browser surface").await;
    let findings: Value = Client::new()
        .get(emu.admin("/findings"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(findings[0]["rule"], "api-key-in-browser", "{findings}");
    assert!(findings[0]["detail"]
        .as_str()
        .is_some_and(|d| d.contains("http://localhost:3000")));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_page_on_another_origin_cannot_create_a_session_with_a_callback() {
    let emu = TestEmulator::start().await;
    let res = Client::new()
        .post(emu.at("/video-server/init-liveness-session"))
        .header("Origin", EVIL)
        .header("Content-Type", "text/plain")
        .body(
            json!({"livenessMode": "LIVENESS_PASSIVE", "callbackURL": "http://127.0.0.1:6379/"})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_refused(res, 403, "back end").await;
    assert!(
        emu.state().sessions.all().is_empty(),
        "no session was created"
    );
    emu.shutdown().await;
}

/// A non-loopback address of this machine, if it has one.
fn lan_address() -> Option<IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn bound_to_every_interface_the_control_plane_needs_the_token_from_other_machines() {
    let emu = TestEmulator::with_config(Config {
        host: "0.0.0.0".into(),
        admin_token: Some("s3cret-token".into()),
        ..Config::for_tests()
    })
    .await;
    let port = emu.addr().port();
    let client = Client::new();
    // On this machine (loopback) nothing changes: CI and test tools keep working.
    let local = client
        .get(format!("http://127.0.0.1:{port}/__emulator/sessions"))
        .send()
        .await
        .unwrap();
    assert_eq!(local.status(), StatusCode::OK);
    let lan = lan_address().expect("this machine has a non-loopback address");
    let base = format!("http://{lan}:{port}");
    let res = client
        .get(format!("{base}/__emulator/sessions"))
        .send()
        .await
        .unwrap();
    assert_refused(res, 401, "admin token").await;
    let res = client
        .get(format!("{base}/__emulator/sessions"))
        .header("X-Emulator-Token", "wrong-token")
        .send()
        .await
        .unwrap();
    assert_refused(res, 401, "admin token").await;
    let res = client
        .get(format!("{base}/__emulator/sessions"))
        .header("X-Emulator-Token", "s3cret-token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The banner's dashboard URL sets a cookie the dashboard's own fetches then carry.
    let res = client
        .get(format!("{base}/__emulator/?token=s3cret-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_string();
    let res = client
        .get(format!("{base}/__emulator/sessions"))
        .header("Cookie", pair)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The vendor surface stays open to the LAN (a phone capturing).
    let res = client
        .get(format!("{base}/video-server/network-latency"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    emu.shutdown().await;
}

#[test]
fn the_banner_of_a_lan_bound_emulator_carries_the_token_and_says_why() {
    let shown = banner("http://0.0.0.0:8080", Some("abc123def456"));
    assert!(shown.contains("http://0.0.0.0:8080/__emulator/?token=abc123def456"));
    assert!(shown.contains("non-loopback"));
    assert!(!banner("http://127.0.0.1:8080", None).contains("token"));
}

#[test]
fn every_bad_numeric_flag_stops_the_binary_with_a_message_naming_it() {
    let cases: &[(&[&str], &str)] = &[
        (&["--time-scale", "1e21"], "--time-scale"),
        (&["--time-scale", "NaN"], "--time-scale"),
        (&["--time-scale=-1"], "--time-scale"),
        (&["--time-scale", "-1"], "--time-scale"),
        (&["--session-ttl", "-1"], "--session-ttl"),
        (&["--time-scale", "inf"], "--time-scale"),
        (&["--session-ttl", "18446744073709551615"], "--session-ttl"),
        (&["--lockout-seconds", "99999999999"], "--lockout-seconds"),
        (&["--header-timeout", "0"], "--header-timeout"),
        (&["--body-timeout", "0"], "--body-timeout"),
        (&["--body-deadline", "0"], "--body-deadline"),
        (&["--max-body", "0"], "--max-body"),
        (&["--max-sessions", "0"], "--max-sessions"),
        (&["--journal-size", "99999999999"], "--journal-size"),
        (&["--watch-poll", "0"], "--watch-poll"),
        (&["--workers", "5000"], "--workers"),
        (&["--workers", "-1"], "--workers"),
        (&["--admin-token", "short"], "--admin-token"),
        (&["--port", "70000"], "--port"),
    ];
    for (args, flag) in cases {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_webcapture-emulator"))
            .args(["--port", "0"])
            .args(*args)
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} was accepted");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[tokio::test]
async fn a_body_declared_larger_than_max_body_is_refused_before_it_is_sent() {
    let emu = TestEmulator::with_config(Config {
        max_body: 1024,
        ..Config::for_tests()
    })
    .await;
    let addr = emu.addr();
    // Only the head is sent: the answer must not wait for the body.
    let answer = tokio::task::spawn_blocking(move || {
        raw_exchange(
            addr,
            b"POST /video-server/init-liveness-session HTTP/1.1\r\nHost: 127.0.0.1\r\napikey: k\r\n\
              Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n",
        )
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains(r#""code":413"#), "{answer}");
    assert!(answer.contains("--max-body"), "{answer}");
    emu.shutdown().await;
}

/// Writes the whole request (head and a body over the limit) before reading anything, as
/// Python's urllib does, and returns what it then reads.
fn write_all_then_read(addr: SocketAddr, chunked: bool) -> String {
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let body = vec![b'x'; 4 * 1024 * 1024];
    if chunked {
        stream
            .write_all(
                b"POST /__emulator/queue HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                  Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
            )
            .expect("head");
        for part in body.chunks(64 * 1024) {
            stream
                .write_all(format!("{:x}\r\n", part.len()).as_bytes())
                .expect("chunk size");
            stream.write_all(part).expect("chunk");
            stream.write_all(b"\r\n").expect("chunk end");
        }
        stream.write_all(b"0\r\n\r\n").expect("last chunk");
    } else {
        let head = format!(
            "POST /__emulator/queue HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).expect("head");
        stream.write_all(&body).expect("the whole body is written");
    }
    read_answer(&mut stream)
}

#[tokio::test]
async fn a_client_that_writes_its_whole_body_before_reading_sees_its_413() {
    let emu = TestEmulator::with_config(Config {
        max_body: 64 * 1024,
        ..Config::for_tests()
    })
    .await;
    for chunked in [false, true] {
        let addr = emu.addr();
        let answer = tokio::task::spawn_blocking(move || write_all_then_read(addr, chunked))
            .await
            .unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 413"),
            "chunked={chunked}: {answer}"
        );
        assert!(answer.contains(r#""code":413"#), "{answer}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn a_body_trickled_one_byte_per_gap_ends_with_408_at_the_total_deadline() {
    let emu = TestEmulator::with_config(Config {
        body_timeout: 5,
        body_deadline: 1,
        ..Config::for_tests()
    })
    .await;
    let addr = emu.addr();
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        stream
            .write_all(
                b"POST /video-server/init-liveness-session HTTP/1.1\r\nHost: 127.0.0.1\r\napikey: k\r\n\
                  Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
            )
            .expect("head");
        let mut answer = Vec::new();
        let mut buf = [0u8; 2048];
        // One byte every 200 ms (well inside --body-timeout) until the server answers.
        for _ in 0..100 {
            if stream.write_all(b" ").is_err() {
                break;
            }
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buf[..n]);
                    if answer.ends_with(b"}") {
                        break;
                    }
                }
                Err(_) => continue,
            }
        }
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""code":408"#), "{answer}");
    emu.shutdown().await;
}

#[tokio::test]
async fn oversize_headers_and_garbage_requests_get_json_errors() {
    let emu = TestEmulator::start().await;
    let addr = emu.addr();
    let (big, garbage) = tokio::task::spawn_blocking(move || {
        let mut request = b"GET /__emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ".to_vec();
        request.extend(std::iter::repeat_n(b'a', 600 * 1024));
        request.extend_from_slice(b"\r\n\r\n");
        (
            raw_exchange(addr, &request),
            raw_exchange(addr, b"NOT\x01HTTP / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
        )
    })
    .await
    .unwrap();
    assert!(big.starts_with("HTTP/1.1 431"), "{big}");
    assert!(big.contains(r#""code":431"#), "{big}");
    assert!(garbage.starts_with("HTTP/1.1 400"), "{garbage}");
    assert!(garbage.contains(r#""code":400"#), "{garbage}");
    emu.shutdown().await;
}

#[tokio::test]
async fn an_init_body_full_of_unknown_members_still_creates_the_session() {
    let emu = TestEmulator::start().await;
    // Megabytes of members the emulator ignores around the one it reads.
    let junk: Vec<Value> = (0..50_000).map(|i| json!({"k": i, "v": [i, i]})).collect();
    let body = json!({"livenessMode": "LIVENESS_PASSIVE", "junk": junk, "more": {"a": [[[]]]}});
    let res = Client::new()
        .post(emu.at("/video-server/init-liveness-session"))
        .header("apikey", "k")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    emu.shutdown().await;
}
