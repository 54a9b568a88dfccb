//! `POST /bioserver-app/v2/bio-sessions/{id}/faces` (multipart: `image` + `face` JSON), through the
//! whole router. A real session is created first when init-liveness-session exists, so the
//! handler's parsing is reached and not just the 404 for an unknown session. The first input byte
//! picks the shape: raw bytes under a multipart content type (fuzzes the multipart parser), or a
//! well-formed multipart body whose `image` and `face` parts are fuzzed.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use webcapture_emulator_fuzz::{check_answer, send};

const BOUNDARY: &str = "fuzzboundary7MA4YWxkTrZu0gW";

/// A session id to upload into: from a real init when the endpoint exists, else a made-up one.
fn session_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let req = Request::post("/video-server/init-liveness-session")
            .header("apikey", "fuzz")
            .header("content-type", "application/json")
            .body(Body::from(r#"{"livenessMode":"LIVENESS_PASSIVE"}"#))
            .expect("a static request");
        let (res, _) = send(req);
        res.headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .and_then(|l| l.split_once("/bio-sessions/"))
            .map(|(_, id)| id.to_string())
            .unwrap_or_else(|| "00000000-0000-4000-8000-000000000000".to_string())
    })
}

fn multipart(image: &[u8], face: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"image\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    b.extend_from_slice(image);
    b.extend_from_slice(format!("\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"face\"; filename=\"face\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    b.extend_from_slice(face);
    b.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    b
}

fuzz_target!(|data: &[u8]| {
    let (flags, rest) = data.split_first().map_or((0, data), |(f, b)| (*f, b));
    let body = if flags & 1 == 0 {
        rest.to_vec()
    } else {
        // Split the rest into image and face parts at a position taken from the next byte.
        let (cut, rest) = rest
            .split_first()
            .map_or((0, rest), |(c, r)| (*c as usize, r));
        let cut = if rest.is_empty() {
            0
        } else {
            cut % (rest.len() + 1)
        };
        let (face, image) = rest.split_at(cut);
        multipart(image, face)
    };
    let uri = format!("/bioserver-app/v2/bio-sessions/{}/faces", session_id());
    let Ok(req) = Request::post(uri)
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
});
