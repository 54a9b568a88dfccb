//! Shared harness for the fuzz targets: one emulator router built once per process, driven with
//! `tower::ServiceExt::oneshot` exactly as the server would drive it (including the peer address
//! the real server attaches), and the invariant every target checks on every answer.

use std::net::SocketAddr;
use std::sync::OnceLock;

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{Request, Response},

};
use tower::ServiceExt;
use webcapture_emulator::{AppState, Config};

/// The router and a current-thread runtime, built on first use.
pub struct Harness {
    /// A single-threaded runtime: fuzzing is single-threaded and a runtime per input is too slow.
    pub runtime: tokio::runtime::Runtime,
    /// The emulator's whole HTTP surface with test configuration (no waiting, fixed seed).
    pub router: webcapture_emulator::FrontDoor,
}

/// The process-wide harness.
pub fn harness() -> &'static Harness {
    static H: OnceLock<Harness> = OnceLock::new();
    H.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime (harness setup, not input)");
        let router = {
            let _guard = runtime.enter();
            webcapture_emulator::router(AppState::new(Config {
                lockout_attempts: 0,
                ..Config::for_tests()
            }))
        };
        Harness { runtime, router }
    })
}

/// Sends one request through the router and returns the response with its body collected.
pub fn send(mut req: Request<Body>) -> (Response<()>, Vec<u8>) {
    let h = harness();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    h.runtime.block_on(async {
        let res = h
            .router
            .clone()
            .oneshot(req)
            .await
            .unwrap_or_else(|e| match e {});
        let (parts, body) = res.into_parts();
        let bytes = axum::body::to_bytes(body, 64 * 1024 * 1024)
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default();
        (Response::from_parts(parts, ()), bytes)
    })
}

/// The project's invariant for bad input: never a 5xx, and every error answer is a JSON
/// `{code, error}` object. Panics (= a fuzzer finding) with the details otherwise.
pub fn check_answer(what: &str, res: &Response<()>, body: &[u8]) {
    let status = res.status();
    assert!(
        !status.is_server_error(),
        "{what}: answered {status} to bad input: {}",
        String::from_utf8_lossy(&body[..body.len().min(300)])
    );
    if status.is_client_error() {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_else(|e| {
            panic!(
                "{what}: {status} with a non-JSON body ({e}): {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            )
        });
        assert!(
            v.get("code").is_some() && v.get("error").is_some(),
            "{what}: {status} error body without code/error: {v}"
        );
    }
}

/// A session id to send requests to, from a real init-liveness-session; a new one every
/// `every` calls (a session holds at most 64 faces, and pins need sessions that have not
/// started).
pub fn rotating_session(every: u32) -> String {
    use std::sync::Mutex;
    static CURRENT: Mutex<Option<(String, u32)>> = Mutex::new(None);
    let mut current = CURRENT.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((id, used)) = current.as_mut() {
        if *used < every {
            *used += 1;
            return id.clone();
        }
    }
    // Forget everything first: the harness runs no sweeper, and sessions full of uploaded faces
    // would otherwise grow the process past libFuzzer's -rss_limit_mb (a harness artifact).
    let reset = Request::post("/__emulator/reset")
        .body(Body::empty())
        .expect("a static request");
    send(reset);
    let req = Request::post("/video-server/init-liveness-session")
        .header("apikey", "fuzz")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"livenessMode":"LIVENESS_PASSIVE"}"#))
        .expect("a static request");
    let (res, _) = send(req);
    let id = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .and_then(|l| l.split_once("/bio-sessions/"))
        .map(|(_, id)| id.to_string())
        .unwrap_or_else(|| "00000000-0000-4000-8000-000000000000".to_string());
    *current = Some((id.clone(), 1));
    id
}

/// Image bytes from fuzz input: flags byte 0 → the rest as is; 1 → a PNG signature and IHDR
/// declaring the width/height of the next 4 bytes (scaled up to 65535² at most), then the rest;
/// 2 → a JPEG SOI + SOF0 declaring them, then the rest.
pub fn image_input(data: &[u8]) -> Vec<u8> {
    let (flags, rest) = data.split_first().map_or((0, data), |(f, r)| (*f, r));
    if rest.len() < 4 || flags % 3 == 0 {
        return rest.to_vec();
    }
    let w = u16::from_be_bytes([rest[0], rest[1]]);
    let h = u16::from_be_bytes([rest[2], rest[3]]);
    let tail = &rest[4..];
    let mut out = Vec::new();
    if flags % 3 == 1 {
        out.extend_from_slice(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR");
        out.extend_from_slice(&u32::from(w).to_be_bytes());
        out.extend_from_slice(&u32::from(h).to_be_bytes());
        out.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    } else {
        out.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08]);
        out.extend_from_slice(&h.to_be_bytes());
        out.extend_from_slice(&w.to_be_bytes());
        out.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    }
    out.extend_from_slice(tail);
    out
}

const BOUNDARY: &str = "fuzzboundary7MA4YWxkTrZu0gW";

/// Uploads `image` as a face (multipart, as the sample app sends it) and, when it was accepted,
/// asks for its `?compression=true` re-encoding; both answers are checked with [`check_answer`].
pub fn upload_and_compress(image: Vec<u8>) {
    let sid = rotating_session(60);
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"image\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(&image);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let Ok(req) = Request::post(format!("/bioserver-app/v2/bio-sessions/{sid}/faces"))
        .header("apikey", "fuzz")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
    else {
        return;
    };
    let (res, bytes) = send(req);
    check_answer("create face", &res, &bytes);
    if res.status().as_u16() != 201 {
        return;
    }
    let face: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let Some(face_id) = face.get("id").and_then(|v| v.as_str()) else {
        return;
    };
    let Ok(req) = Request::get(format!(
        "/bioserver-app/v2/bio-sessions/{sid}/faces/{face_id}/image?compression=true"
    ))
    .header("apikey", "fuzz")
    .body(Body::empty()) else {
        return;
    };
    let (res, bytes) = send(req);
    check_answer("compressed image", &res, &bytes);
}

/// One admin request from fuzz input (see `fuzz_targets/admin_body.rs`), then the caps checked
/// against `GET /__emulator/memory`.
pub fn admin_body(data: &[u8]) {
    let (flags, body) = data.split_first().map_or((0, data), |(f, b)| (*f, b));
    let sid = rotating_session(20);
    let (method, path) = match flags % 7 {
        0 | 1 => ("POST", "/__emulator/queue".to_string()),
        2 => ("PUT", "/__emulator/default-scenario".to_string()),
        3 => ("PUT", format!("/__emulator/sessions/{sid}/scenario")),
        4 => ("POST", format!("/__emulator/sessions/{sid}/findings")),
        5 => ("POST", format!("/__emulator/sessions/{sid}/inject")),
        _ => ("DELETE", "/__emulator/queue".to_string()),
    };
    let Ok(req) = Request::builder()
        .method(method)
        .uri(&path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_vec()))
    else {
        return;
    };
    let (res, bytes) = send(req);
    check_answer(&path, &res, &bytes);
    let req = Request::get("/__emulator/memory")
        .body(Body::empty())
        .expect("a static request");
    let (_, bytes) = send(req);
    let memory: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let at_most = |held: &str, cap: &str| {
        let (h, c) = (memory[held].as_u64(), memory[cap].as_u64());
        assert!(h <= c, "{held} {h:?} over {cap} {c:?}");
    };
    at_most("queue", "maxQueue");
    at_most("pins", "maxPins");
}
