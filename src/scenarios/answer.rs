//! Scripted REST answers: what a scenario's `rest` entry does to an answer (status, body, JSON
//! merge patch, headers), as pure functions over a [`RestAnswer`].
//!
//! Why here, beside the model: these are the meaning of the `rest` part of a scenario file,
//! tested without a server. When they apply (which endpoint, which session, before or after the
//! handler) is the front door's business (`crate::front::scripted`).

use axum::{
    body::Body,
    http::{header, HeaderName, HeaderValue, StatusCode},
    response::Response,
};
use serde_json::{json, Value};

use super::{merge_patch::merge, model::RestAnswer};

/// Largest JSON answer that is buffered to be patched.
pub const MAX_JSON: usize = 4 * 1024 * 1024;

/// The answer of a scripted error status: the file's body, else the vendor's `{code, error}`.
pub fn scripted_error(answer: &RestAnswer, scenario: &str) -> Response {
    let status = StatusCode::from_u16(answer.status.unwrap_or(500))
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut body = answer.body.clone().unwrap_or_else(|| {
        json!({
            "code": status.as_u16(),
            "error": format!("{} (scripted by scenario '{scenario}')", status.canonical_reason().unwrap_or("Error")),
        })
    });
    if let Some(patch) = &answer.patch {
        merge(&mut body, patch);
    }
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    add_headers(&mut response, answer);
    response
}

/// Applies status, body, patch and headers to the handler's answer.
pub async fn alter(response: Response, answer: &RestAnswer) -> Response {
    let (mut parts, body) = response.into_parts();
    if let Some(status) = answer.status.and_then(|s| StatusCode::from_u16(s).ok()) {
        parts.status = status;
    }
    let body = if let Some(replacement) = &answer.body {
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Body::from(replacement.to_string())
    } else if let Some(patch) = answer.patch.as_ref().filter(|_| is_json(&parts.headers)) {
        match axum::body::to_bytes(body, MAX_JSON).await {
            Ok(bytes) => {
                let mut value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                merge(&mut value, patch);
                parts.headers.remove(header::CONTENT_LENGTH);
                Body::from(value.to_string())
            }
            Err(_) => Body::empty(),
        }
    } else {
        body
    };
    let mut response = Response::from_parts(parts, body);
    add_headers(&mut response, answer);
    response
}

/// Sets the answer's scripted headers (names or values that are not valid HTTP are skipped).
pub fn add_headers(response: &mut Response, answer: &RestAnswer) {
    for (name, value) in &answer.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().insert(n, v);
        }
    }
}

/// Whether an answer says it is JSON (only those are patched or summarised).
pub fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scripted_error_without_body_gets_the_vendor_shape() {
        let answer = RestAnswer {
            status: Some(429),
            ..Default::default()
        };
        let r = scripted_error(&answer, "x");
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    }
}
