//! Faces of a bio-session: create one from an upload, read it, fetch its image.
//!
//! `POST .../faces` takes the multipart form the sample app sends: an `image` part with the raw
//! bytes (always `application/octet-stream`, so JPEG/PNG are recognised from the bytes) and a
//! `face` part holding JSON *whatever its content type*, which may be empty or missing.

use axum::{
    extract::{multipart::MultipartRejection, Multipart, Path, Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use std::collections::HashMap;

use serde_json::Value;

use super::{face_json::face_json, face_not_found, find_session, tagged};
use crate::{
    error::{ApiError, ApiResult},
    fixtures,
    sessions::Face,
    state::AppState,
};

/// Faces one session may hold, so uploads cannot grow memory without bound.
pub const MAX_FACES_PER_SESSION: usize = 64;

/// JPEG quality of `?compression=true`.
const COMPRESSED_QUALITY: u8 = 70;

/// Re-encodings (`?compression=true`) that may run at once: each decodes a whole image (up to
/// [`fixtures::MAX_PIXELS`]), so a burst of them must not multiply that memory by the number of
/// requests. Two keeps both cores busy; the others wait their turn.
pub const MAX_CONCURRENT_REENCODES: usize = 2;
/// How long a re-encoding waits for its turn before it is answered 429.
const REENCODE_WAIT: std::time::Duration = std::time::Duration::from_secs(30);
/// The permits of [`MAX_CONCURRENT_REENCODES`] (process-wide, like the CPU they stand for).
static REENCODES: tokio::sync::Semaphore =
    tokio::sync::Semaphore::const_new(MAX_CONCURRENT_REENCODES);

/// Re-encodings running now (for `GET /__emulator/memory`).
pub fn reencodes_running() -> usize {
    MAX_CONCURRENT_REENCODES.saturating_sub(REENCODES.available_permits())
}

/// What the `face` part says (all optional).
#[derive(Debug, Clone, PartialEq)]
pub struct FaceFields {
    /// SELFIE (default), ID_DOCUMENT, ...
    pub image_type: String,
    /// A name for people.
    pub friendly_name: Option<String>,
    /// Whether the vendor may rotate the image (accepted as a bool or `"true"`/`"false"`).
    pub image_rotation_enabled: bool,
}

/// Parses the `face` part: empty means defaults; otherwise a JSON object whose known members
/// have the right types (unknown members are ignored).
pub fn parse_face_part(bytes: &[u8]) -> ApiResult<FaceFields> {
    let mut fields = FaceFields {
        image_type: "SELFIE".into(),
        friendly_name: None,
        image_rotation_enabled: false,
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(fields);
    }
    let value = crate::http::body::known_members(
        bytes,
        &["imageType", "friendlyName", "imageRotationEnabled"],
    )
    .map_err(|e| ApiError::bad_request(format!("The 'face' part is not valid JSON: {e}")))?;
    let Value::Object(obj) = value else {
        return Err(ApiError::bad_request(
            "The 'face' part must be a JSON object such as {\"imageType\":\"SELFIE\"}",
        ));
    };
    let get = |k: &str| obj.get(k).filter(|v| !v.is_null());
    match get("imageType") {
        None => {}
        Some(Value::String(s)) if is_image_type(s) => fields.image_type = s.clone(),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "\"imageType\" of the 'face' part must be an upper-case name such as SELFIE or ID_DOCUMENT (got {other})"
            )))
        }
    }
    match get("friendlyName") {
        None => {}
        Some(Value::String(s)) if s.len() <= 1024 => fields.friendly_name = Some(s.clone()),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "\"friendlyName\" of the 'face' part must be a string of at most 1024 characters (got {})",
                short(other)
            )))
        }
    }
    match get("imageRotationEnabled") {
        None => {}
        Some(Value::Bool(b)) => fields.image_rotation_enabled = *b,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => fields.image_rotation_enabled = true,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => fields.image_rotation_enabled = false,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "\"imageRotationEnabled\" of the 'face' part must be true or false, as a boolean or a string (got {other})"
            )))
        }
    }
    Ok(fields)
}

fn is_image_type(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_uppercase() || c == '_')
}

/// A value shortened for an error message.
fn short(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

/// `POST .../faces` → 201 with `Location: /v2/bio-sessions/<sid>/faces/<fid>` and the Face JSON.
pub async fn create_face(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    let session = find_session(&state, &id)?;
    let answer = create(&state, &session, &id, form).await;
    Ok(tagged(&id, &session, answer))
}

async fn create(
    state: &AppState,
    session: &crate::sessions::store::SharedSession,
    sid: &str,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    let mut form = form.map_err(|e| {
        ApiError::new(
            e.status(),
            format!(
                "Send the face as multipart/form-data with an 'image' part (and optionally a 'face' JSON part): {}",
                e.body_text()
            ),
        )
    })?;
    let mut image = None;
    let mut face_part = None;
    loop {
        let field = form.next_field().await.map_err(multipart_error)?;
        let Some(field) = field else { break };
        let name = field.name().unwrap_or("").to_string();
        let bytes = field.bytes().await.map_err(multipart_error)?;
        match name.as_str() {
            "image" => image = Some(bytes),
            "face" => face_part = Some(bytes),
            _ => {}
        }
    }
    let image = image.ok_or_else(|| {
        ApiError::bad_request("The multipart body has no 'image' part: send the picture's bytes in a part named 'image'")
    })?;
    let fields = parse_face_part(face_part.as_deref().unwrap_or_default())?;
    let len = image.len();
    let image = fixtures::describe(image)
        .map_err(|why| ApiError::bad_request(format!("The 'image' part ({len} bytes) is {why}")))?;
    let face = Face {
        id: state.new_id(),
        image: image.bytes,
        digest: image.digest,
        content_type: image.content_type,
        width: image.width,
        height: image.height,
        image_type: fields.image_type,
        friendly_name: fields.friendly_name,
        created: time::OffsetDateTime::now_utc(),
    };
    let body = face_json(state, &face);
    let location = format!("/v2/bio-sessions/{sid}/faces/{}", face.id);
    {
        let mut s = session.lock();
        if s.faces.len() >= MAX_FACES_PER_SESSION {
            return Err(ApiError::bad_request(format!(
                "Bio-session '{sid}' already holds {MAX_FACES_PER_SESSION} faces, the most the emulator keeps per session"
            )));
        }
        s.faces.insert(face.id.clone(), face);
    }
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(body),
    )
        .into_response())
}

/// A broken, stalled or oversized multipart body: 413 stays 413, a stall past `--body-timeout`
/// is 408, anything else is 400.
fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if crate::http::layers::is_body_timeout(&e) {
        return crate::http::layers::body_stalled();
    }
    let status = match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::BAD_REQUEST,
    };
    ApiError::new(
        status,
        format!("The multipart body could not be read: {}", e.body_text()),
    )
}

/// The stored face `face_id` of `session` (whose id is `sid`), cloned out of the lock.
fn face_of(
    session: &crate::sessions::store::SharedSession,
    sid: &str,
    face_id: &str,
) -> ApiResult<(Face, bool)> {
    let s = session.lock();
    let face = s
        .faces
        .get(face_id)
        .cloned()
        .ok_or_else(|| face_not_found(sid, face_id))?;
    Ok((face, s.scenario.result.image_storage))
}

/// `GET .../faces/{faceId}` → the Face JSON.
pub async fn get_face(
    State(state): State<AppState>,
    Path((id, face_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let session = find_session(&state, &id)?;
    let answer = face_of(&session, &id, &face_id)
        .map(|(face, _)| Json(face_json(&state, &face)).into_response());
    Ok(tagged(&id, &session, answer))
}

/// `GET .../faces/{faceId}/image[?compression=true]` → the stored bytes, a JPEG re-encoding, or
/// 204 when the session's scenario disables image storage.
pub async fn get_face_image(
    State(state): State<AppState>,
    Path((id, face_id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let session = find_session(&state, &id)?;
    let answer = image(&session, &id, &face_id, &query).await;
    Ok(tagged(&id, &session, answer))
}

async fn image(
    session: &crate::sessions::store::SharedSession,
    sid: &str,
    face_id: &str,
    query: &HashMap<String, String>,
) -> ApiResult<Response> {
    let compression = match query.get("compression").map(String::as_str) {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") | Some("") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "Query parameter 'compression' must be true or false (got '{other}')"
            )))
        }
    };
    let (face, storage) = face_of(session, sid, face_id)?;
    if !storage {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let (bytes, content_type) = if compression {
        let original = face.image.clone();
        let _turn = tokio::time::timeout(REENCODE_WAIT, REENCODES.acquire())
            .await
            .ok()
            .and_then(Result::ok)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("{MAX_CONCURRENT_REENCODES} images are being re-encoded and others waited {} s for their turn; retry later", REENCODE_WAIT.as_secs()),
                )
            })?;
        let encoded =
            tokio::task::spawn_blocking(move || fixtures::to_jpeg(&original, COMPRESSED_QUALITY))
                .await
                .map_err(|e| ApiError::internal(format!("image compression task failed: {e}")))?
                .map_err(|e| {
                    ApiError::bad_request(format!(
                "The image of face '{face_id}' cannot be decoded, so it cannot be compressed: {e}"
            ))
                })?;
        (bytes::Bytes::from(encoded), "image/jpeg".to_string())
    } else {
        (face.image, face.content_type)
    };
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}
