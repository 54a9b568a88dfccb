//! The control plane's JSON bodies: one extractor, [`AdminJson`], so every admin, findings and
//! trainer route reads its body the same way and refuses a misfit with the same wording
//! ([`ApiError::invalid_json_body`]) and an example of what fits ([`Example`]).
//!
//! Why not axum's `Json`: its rejection is plain text and asks for a `Content-Type` header; the
//! control plane answers `{code, error}` like every vendor route, and the front door's guard
//! already insists on JSON there.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A body type's example, shown when a body does not fit it.
pub trait Example {
    /// E.g. `{"scenario": "NAME"}`.
    const EXAMPLE: &'static str;
}

/// Extractor: the request body parsed as `T`, or a 400 naming the problem and `T::EXAMPLE`.
pub struct AdminJson<T>(pub T);

/// Why an [`AdminJson`] body was refused: the body could not be read (its status kept: 413,
/// 408...), or the parse error (kept so a route can tell a known error apart, e.g. a queue that
/// is too long).
pub enum BodyRefused {
    /// The body could not be read.
    Unread(ApiError),
    /// The body is not `T`.
    NotJson(serde_json::Error, &'static str),
}

impl From<BodyRefused> for ApiError {
    fn from(refused: BodyRefused) -> Self {
        match refused {
            BodyRefused::Unread(e) => e,
            BodyRefused::NotJson(e, example) => ApiError::invalid_json_body(e, example),
        }
    }
}

impl axum::response::IntoResponse for BodyRefused {
    fn into_response(self) -> axum::response::Response {
        ApiError::from(self).into_response()
    }
}

impl<T, S> FromRequest<S> for AdminJson<T>
where
    T: DeserializeOwned + Example,
    S: Send + Sync,
{
    type Rejection = BodyRefused;

    async fn from_request(req: Request, state: &S) -> Result<Self, BodyRefused> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| BodyRefused::Unread(ApiError::new(e.status(), e.body_text())))?;
        serde_json::from_slice(&bytes)
            .map(AdminJson)
            .map_err(|e| BodyRefused::NotJson(e, T::EXAMPLE))
    }
}
