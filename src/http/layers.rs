//! Layers applied to the whole router.

use std::time::Instant;

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{control::journal::JournalEntry, error::ApiError, state::AppState};

/// Largest non-JSON error body that is rewrapped (axum's rejections are short texts).
const MAX_REWRAP: usize = 16 * 1024;

/// Guarantees the invariant "every error answer is `{code, error}` JSON": axum's own rejections
/// (405 wrong method, 413 body too large, 415, 422, unknown routes...) are plain text or empty,
/// so they are rewrapped here with their text as the message.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let uri = req.uri().clone();
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if is_json {
        return response;
    }
    let path = uri.path();
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_REWRAP)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = match (status, text.is_empty()) {
        (StatusCode::METHOD_NOT_ALLOWED, _) => {
            format!("Method {method} is not allowed on {path}")
        }
        (StatusCode::NOT_FOUND, true) => format!("No such endpoint: {method} {path}"),
        (StatusCode::PAYLOAD_TOO_LARGE, _) => {
            format!("Request body too large for {path}: {text}")
        }
        (_, true) => status
            .canonical_reason()
            .unwrap_or("request failed")
            .to_string(),
        (_, false) => text,
    };
    let mut rewrapped = ApiError::new(status, message).into_response();
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        rewrapped.headers_mut().insert(header::ALLOW, allow.clone());
    }
    rewrapped
}

/// Adds CORS and `Cross-Origin-Resource-Policy: cross-origin` to every answer and answers
/// preflights, because integrator pages are cross-origin and often cross-origin isolated
/// (COEP `require-corp`), and WebSocket/fetch calls come from the page's origin.
pub async fn cors(req: Request, next: Next) -> Response {
    if req.method() == axum::http::Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        let mut res = StatusCode::NO_CONTENT.into_response();
        let requested = req
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .cloned()
            .unwrap_or(HeaderValue::from_static("*"));
        let h = res.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        add_cors_headers(h);
        return res;
    }
    let mut res = next.run(req).await;
    add_cors_headers(res.headers_mut());
    res
}

fn add_cors_headers(h: &mut axum::http::HeaderMap) {
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Location"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
}

/// Records every request in the journal (method, path, status, time).
pub async fn journal(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.config.journal_size == 0 {
        return next.run(req).await;
    }
    let started = Instant::now();
    let method = req.method().to_string();
    let uri = req.uri().to_string();
    let response = next.run(req).await;
    let session_id = response
        .extensions()
        .get::<SessionTag>()
        .map(|t| t.0.clone());
    state.journal.record(JournalEntry {
        seq: 0,
        time: time::OffsetDateTime::now_utc(),
        method,
        uri,
        status: response.status().as_u16(),
        micros: started.elapsed().as_micros() as u64,
        session_id,
    });
    response
}

/// A request body already parsed as JSON by an outer layer (the findings observer reads the
/// init-liveness-session body), so inner layers don't parse it again.
#[derive(Debug, Clone)]
pub struct ParsedJson(pub std::sync::Arc<serde_json::Value>);

/// Response extension a handler may set so the journal line names the session.
#[derive(Debug, Clone)]
pub struct SessionTag(pub String);

/// Turns a panic in a handler into a JSON 500 (a last resort: handlers must not panic).
pub fn panic_to_json(err: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let detail = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown".into());
    tracing::error!(%detail, "handler panicked");
    ApiError::internal(format!("internal emulator error: {detail}")).into_response()
}
