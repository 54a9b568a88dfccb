//! `POST /video-server/init-liveness-session` with any body, through the whole router (layers,
//! API-key middleware, extractors, handler) as the server runs it. Bad bodies must get a 4xx JSON
//! `{code, error}` — never a panic, a 5xx, or a non-JSON error. The first input byte picks the
//! content type and whether a scenario header is sent, so header handling is covered too.
#![no_main]

use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use webcapture_emulator_fuzz::{check_answer, send};

fuzz_target!(|data: &[u8]| {
    let (flags, body) = data.split_first().map_or((0, data), |(f, b)| (*f, b));
    let content_type = match flags & 3 {
        0 => "application/json",
        1 => "application/json; charset=utf-8",
        2 => "text/plain",
        _ => "application/x-www-form-urlencoded",
    };
    let mut req = Request::post("/video-server/init-liveness-session")
        .header("apikey", "fuzz")
        .header("content-type", content_type);
    if flags & 4 != 0 {
        req = req.header("x-emulator-scenario", "spoof");
    }
    let Ok(req) = req.body(Body::from(body.to_vec())) else {
        return;
    };
    let (res, bytes) = send(req);
    check_answer("init-liveness-session", &res, &bytes);
});
