//! `GET /bioserver-app/v2/bio-sessions/{id}`: the bio-session object.
//!
//! Not documented by the vendor in detail; it reports what the session was created with and where
//! it is in its life, which is what people debugging an integration want to see.

use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Value};

use super::{expires, find_session, rfc3339, tagged};
use crate::{error::ApiResult, sessions::BioSession, state::AppState};

/// The session object.
pub async fn get_session(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let session = find_session(&state, &id)?;
    let body = session_json(&state, &session.lock());
    Ok(tagged(
        &id,
        &session,
        Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()),
    ))
}

/// `{id, livenessMode, securityLevel, numberOfChallenge, correlationId?, evidenceId?,
/// callbackURL?, ageThreshold?, state, livenessStatus?, bestImageId?, created, expires}`.
pub fn session_json(state: &AppState, s: &BioSession) -> Value {
    let p = &s.params;
    let mut body = json!({
        "id": s.id,
        "livenessMode": p.liveness_mode,
        "securityLevel": p.security_level,
        "numberOfChallenge": p.number_of_challenge,
    });
    if let Some(obj) = body.as_object_mut() {
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                obj.insert(k.to_string(), v);
            }
        };
        put("correlationId", p.correlation_id.clone().map(Value::from));
        put("evidenceId", p.evidence_id.clone().map(Value::from));
        put("callbackURL", p.callback_url.clone().map(Value::from));
        put("ageThreshold", p.age_threshold.map(super::results::number));
        put("state", serde_json::to_value(s.state).ok());
        put(
            "livenessStatus",
            s.result
                .as_ref()
                .and_then(|r| serde_json::to_value(r.liveness_status).ok()),
        );
        put(
            "bestImageId",
            s.result
                .as_ref()
                .and_then(|r| r.best_image_id.clone())
                .map(Value::from),
        );
        put("created", Some(rfc3339(s.created).into()));
        put(
            "expires",
            Some(expires(state, time::OffsetDateTime::now_utc()).into()),
        );
    }
    body
}
