//! The one error type every emulated endpoint returns.
//!
//! The vendor answers bad input with a documented status and a JSON body `{"code": N, "error": "..."}`;
//! integrators' code branches on both, so every failure path goes through [`ApiError`] and never
//! becomes a bare 500 or a panic.

use axum::{
    http::{HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

/// An error answer: an HTTP status, the numeric `code` of the body and a message that says what was wrong.
///
/// Integrator code parses the vendor's `{code, error}` body, so every failure a handler can meet
/// is one of these (returned with `?`), never a panic or axum's plain-text rejection.
///
/// ```
/// use axum::{http::StatusCode, response::IntoResponse};
/// use webcapture_emulator::internals::ApiError;
///
/// let e = ApiError::not_found("No bio-session with id 'x'");
/// assert_eq!(e.body(), serde_json::json!({"code": 404, "error": "No bio-session with id 'x'"}));
/// let response = e.into_response();
/// assert_eq!(response.status(), StatusCode::NOT_FOUND);
/// assert_eq!(response.headers()["cache-control"], "no-store");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status of the answer.
    pub status: StatusCode,
    /// Numeric `code` of the body; the HTTP status unless the vendor documents another number.
    pub code: u32,
    /// Human-readable explanation, specific enough to fix the request.
    pub message: String,
    /// Extra members merged into the body (e.g. `unlockDateTime` of a 429).
    pub extra: Option<serde_json::Map<String, serde_json::Value>>,
}

impl ApiError {
    /// An error whose body code equals its HTTP status.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: u32::from(status.as_u16()),
            message: message.into(),
            extra: None,
        }
    }

    /// 400: the request is malformed or a field has a wrong value.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401: no usable API key.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    /// 403: the key is known but not allowed.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// 404: unknown id or path.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 404 of the vendor paths for a bio-session id the emulator does not hold (never issued, or
    /// expired): the Bioserver's wording, one place for every vendor handler.
    pub fn no_bio_session(id: &str) -> Self {
        Self::not_found(format!("Unable to find a bio-session with id '{id}'"))
    }

    /// 404 of the control plane (`/__emulator/sessions/{id}/...`) for a session id it does not
    /// hold: one wording for every admin, export, findings and trainer route.
    pub fn no_session(id: &str) -> Self {
        Self::not_found(format!("No session with id '{id}'"))
    }

    /// 400 for a control-plane body that is not the JSON a route expects: what was wrong and an
    /// example of what fits, one wording for every admin, findings and trainer route.
    pub fn invalid_json_body(problem: impl std::fmt::Display, example: &str) -> Self {
        Self::bad_request(format!("Invalid JSON body: {problem}; expected {example}"))
    }

    /// 500 with an explanation; used only for the emulator's own faults, never for bad input.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// Adds a member to the JSON body (e.g. `unlockDateTime`).
    pub fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.extra
            .get_or_insert_with(Default::default)
            .insert(key.to_string(), value.into());
        self
    }

    /// The JSON body this error is sent as.
    pub fn body(&self) -> serde_json::Value {
        let mut body = json!({ "code": self.code, "error": self.message });
        if let (Some(extra), Some(obj)) = (&self.extra, body.as_object_mut()) {
            for (k, v) in extra {
                obj.insert(k.clone(), v.clone());
            }
        }
        body
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        response.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
        response
    }
}

/// The rejection of the emulator's body extractors (axum's `examples/error-handling` style):
/// either the body could not be read, or it was read and says something wrong.
///
/// Why two cases: a body that could not be read keeps axum's own rejection, so the front door
/// answers it exactly as for every other extractor (`{code, error}` with axum's text, a stalled
/// body as 408); a wrong body is the vendor's 400 naming the field.
#[derive(Debug)]
pub enum BodyRejection {
    /// Reading the body failed (too large, stalled, broken connection).
    Unread(axum::extract::rejection::BytesRejection),
    /// The body was read and is not what the endpoint accepts.
    Invalid(ApiError),
}

impl From<ApiError> for BodyRejection {
    fn from(e: ApiError) -> Self {
        BodyRejection::Invalid(e)
    }
}

impl From<axum::extract::rejection::BytesRejection> for BodyRejection {
    fn from(e: axum::extract::rejection::BytesRejection) -> Self {
        BodyRejection::Unread(e)
    }
}

impl IntoResponse for BodyRejection {
    fn into_response(self) -> Response {
        match self {
            BodyRejection::Unread(e) => e.into_response(),
            BodyRejection::Invalid(e) => e.into_response(),
        }
    }
}

/// Handlers return this so `?` turns any [`ApiError`] into the vendor's error answer.
pub type ApiResult<T> = Result<T, ApiError>;
