//! `GET /bioserver-app/v2/bio-sessions/{id}/liveness-challenge-result`.
//!
//! Once the capture is final the answer has every documented field; the sample app reads
//! `livenessStatus`, `bestImageId`, `diagnostic` and the undocumented `age`. Before that, the
//! answer is 200 with `"livenessStatus": "PENDING"` (the vendor leaves this case open; a non-final
//! status lets pollers keep polling). A capture that ended without a result (error sent to the
//! page, or the channel dropped) reports `FAILED`.

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};
use serde_json::{Map, Value};

use super::{device_info::device_info, find_session, tagged};
use crate::{
    error::ApiResult,
    scenarios::model::LivenessMode,
    sessions::{BioSession, SessionState},
    signing,
    state::AppState,
};

/// Bucket named in `imageStorage` / `videoStorage` (nothing is uploaded anywhere).
const BUCKET: &str = "webcapture-emulator-storage";

/// Region named in `imageStorage` / `videoStorage`.
const REGION: &str = "local";

/// The result, signed when final.
pub async fn get_result(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let session = find_session(&state, &id)?;
    let (cached, mut body, signature, cacheable) = {
        let s = session.lock();
        match &s.result_body {
            Some(bytes) => (
                Some(bytes.clone()),
                Value::Null,
                s.scenario.result.signature,
                false,
            ),
            None => (
                None,
                result_json(&s),
                s.scenario.result.signature,
                s.state == SessionState::Finished,
            ),
        }
    };
    let bytes = match cached {
        Some(bytes) => bytes,
        None => {
            let is_final = body.get("livenessStatus").and_then(Value::as_str) != Some("PENDING");
            if is_final {
                signing::attach(&state.signer, &mut body, signature);
            }
            let bytes = Bytes::from(body.to_string());
            if cacheable {
                session.lock().result_body = Some(bytes.clone());
            }
            bytes
        }
    };
    let headers = [
        (header::CACHE_CONTROL, "no-store"),
        (header::CONTENT_TYPE, "application/json"),
    ];
    Ok(tagged(&id, &session, Ok((headers, bytes).into_response())))
}

/// The body for the session as it is now (without `signature`).
pub fn result_json(s: &BioSession) -> Value {
    let mut body = Map::new();
    let p = &s.params;
    let status = match (&s.result, s.state) {
        (Some(r), _) => serde_json::to_value(r.liveness_status).unwrap_or(Value::Null),
        (None, SessionState::Failed) => "FAILED".into(),
        (None, _) => "PENDING".into(),
    };
    body.insert("livenessStatus".into(), status);
    if let Some(r) = &s.result {
        if let Some(d) = &r.diagnostic {
            body.insert("diagnostic".into(), d.clone().into());
        }
        if let Some(best) = &r.best_image_id {
            body.insert("bestImageId".into(), best.clone().into());
        }
    } else if s.state == SessionState::Failed {
        body.insert(
            "diagnostic".into(),
            "The capture ended without a result (error or disconnect)".into(),
        );
    }
    body.insert("livenessMode".into(), p.liveness_mode.as_str().into());
    if p.liveness_mode == LivenessMode::LivenessActive {
        body.insert("numberOfChallenge".into(), p.number_of_challenge.into());
    }
    body.insert("securityLevel".into(), p.security_level.clone().into());
    if !s.state.is_terminal() {
        return Value::Object(body);
    }
    let agent = s
        .fingerprint
        .as_deref()
        .and_then(|f| f.split_once('|'))
        .map_or("", |(_, ua)| ua);
    body.insert("deviceInfo".into(), device_info(agent));
    let best = s
        .result
        .as_ref()
        .and_then(|r| r.best_image_id.as_ref())
        .and_then(|id| s.faces.get(id));
    if let (Some(face), true) = (best, s.scenario.result.image_storage) {
        let hash = &face.digest;
        let ext = if face.content_type == "image/png" {
            "png"
        } else {
            "jpeg"
        };
        body.insert(
            "videoStorage".into(),
            storage(&format!("{}/{}.webm", s.id, s.id), hash, "video/webm"),
        );
        body.insert(
            "imageStorage".into(),
            storage(
                &format!("{}/{}.{ext}", s.id, face.id),
                hash,
                &face.content_type,
            ),
        );
    }
    if let (Some(threshold), Some(_), SessionState::Finished) =
        (p.age_threshold, &s.result, s.state)
    {
        let estimated = s.scenario.result.age;
        let mut age = Map::new();
        age.insert("aboveThreshold".into(), (estimated >= threshold).into());
        age.insert("ageEstimated".into(), number(estimated));
        age.insert("threshold".into(), number(threshold));
        body.insert("age".into(), Value::Object(age));
    }
    Value::Object(body)
}

/// The documented `ImageStorage` / `VideoStorage` shape.
fn storage(key: &str, hash: &str, content_type: &str) -> Value {
    serde_json::json!({
        "region": REGION,
        "bucketName": BUCKET,
        "key": key,
        "hash": hash,
        "hashAlgorithm": "SHA_256",
        "contentType": content_type,
    })
}

/// A JSON number that prints whole values without `.0` (`18`, not `18.0`), as integrators expect.
pub fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        Value::from(x as i64)
    } else {
        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}
