//! `GET /identities/{id}/attributes/portrait/capture`: the captured portrait as multipart.
//!
//! The sample app parses this with `parse-multipart@1.0.4`, whose parser is strict (contract
//! §2.3.6), so the layout is fixed: an unquoted boundary in `Content-Type`, the opening line
//! `--<b>` (not the documentation's `--<b>--`), exactly two part headers — `Content-Disposition`
//! with a third `filename="..."` segment, then `Content-Type` — one blank line, the image bytes,
//! and CRLF `--<b>--`. The image is the first and only part.

use axum::{
    extract::{Path, State},
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};

use super::status::{self, Outcome};
use super::store::PortraitImage;
use crate::{
    error::{ApiError, ApiResult},
    front::handoff::SessionTag,
    state::AppState,
};

/// Handler (GET as the sample app calls it; POST as the documentation shows it).
pub async fn capture(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let identity = super::identity(&state, &id)?;
    let newest_first: Vec<String> = identity
        .lock()
        .portraits
        .iter()
        .rev()
        .map(|p| p.id.clone())
        .collect();
    for portrait_id in newest_first {
        if let Some((Outcome::Final(verdict), session_id)) =
            status::outcome(&state, &identity, &portrait_id)
        {
            if let Some(image) = verdict.image {
                let boundary = state.new_id();
                let mut response = multipart(&boundary, &image);
                response
                    .extensions_mut()
                    .insert(SessionTag::named(session_id));
                return Ok(response);
            }
        }
    }
    Err(ApiError::not_found(format!(
        "Identity '{id}' has no captured portrait yet: the capture must finish with a best image first"
    )))
}

/// The multipart answer carrying `image` as part `Portrait`.
pub fn multipart(boundary: &str, image: &PortraitImage) -> Response {
    let body = multipart_body(boundary, image);
    let mut response = body.into_response();
    let content_type = format!("multipart/form-data; boundary={boundary}");
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

/// The exact bytes of the multipart body (see the module docs for why each byte is where it is).
pub fn multipart_body(boundary: &str, image: &PortraitImage) -> Vec<u8> {
    let extension = if image.content_type == "image/png" {
        "png"
    } else {
        "jpg"
    };
    let head = format!(
        "--{boundary}\r\n\
         Content-Disposition: form-data; name=\"Portrait\"; filename=\"portrait.{extension}\"\r\n\
         Content-Type: {}\r\n\
         \r\n",
        image.content_type
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    let mut body = Vec::with_capacity(head.len() + image.bytes.len() + tail.len());
    body.extend_from_slice(head.as_bytes());
    body.extend_from_slice(&image.bytes);
    body.extend_from_slice(tail.as_bytes());
    body
}
