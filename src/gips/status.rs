//! `GET /identities/{id}/status/{portraitId}`: the portrait's status, derived from the scenario of
//! the bio-session that captures it.
//!
//! PROCESSING until that session is terminal; then VERIFIED / NOT_VERIFIED / INVALID with a
//! strength, or `errors[]` when the scenario rejects the portrait (`result.gips.errors`) or the
//! capture failed. The sample app treats `errors[]` as the only failure (contract §2.3.4).

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::store::{PortraitImage, SharedIdentity, Verdict};
use crate::{
    error::{ApiError, ApiResult},
    front::handoff::SessionTag,
    scenarios::model::{GipsStatus, LivenessStatus},
    sessions::{BioSession, SessionState},
    state::AppState,
};

/// Where a portrait is: the GIPS status answer differs while the capture runs, once it is final,
/// and when the session is gone, so the handler decides on this first.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The capture is still running.
    Processing,
    /// The capture is over.
    Final(Verdict),
}

/// The outcome of `portrait_id` and the id of its session; `None` when the identity never issued
/// that portrait. A final verdict is cached in the identity so it outlives the session.
pub fn outcome(
    state: &AppState,
    identity: &SharedIdentity,
    portrait_id: &str,
) -> Option<(Outcome, String)> {
    let portrait = identity.lock().portrait(portrait_id).cloned()?;
    if let Some(verdict) = portrait.verdict {
        return Some((Outcome::Final(verdict), portrait.session_id));
    }
    let verdict = match state.sessions.get(&portrait.session_id) {
        Some(session) => verdict_of(&session.lock()),
        None => Some(expired()),
    };
    let Some(verdict) = verdict else {
        return Some((Outcome::Processing, portrait.session_id));
    };
    if let Some(p) = identity.lock().portrait_mut(portrait_id) {
        p.verdict = Some(verdict.clone());
    }
    Some((Outcome::Final(verdict), portrait.session_id))
}

/// The verdict of a terminal session (`None` while it runs).
///
/// `result.gips` decides; when the liveness result itself is not SUCCESS and the scenario leaves
/// the GIPS status at its default, the portrait follows the liveness: SPOOF → INVALID, other
/// failures → `errors[]`, so a spoof scenario played in GIPS mode never reads as VERIFIED.
pub fn verdict_of(s: &BioSession) -> Option<Verdict> {
    let gips = &s.scenario.result.gips;
    match s.state {
        SessionState::Failed => Some(Verdict {
            status: "INVALID",
            strength: gips.strength.clone(),
            errors: vec![json!({
                "code": "CAPTURE_FAILED",
                "message": "The live capture ended without a result (error or disconnection on the capture channel)",
            })],
            score: 0.0,
            evaluated: OffsetDateTime::now_utc(),
            image: None,
        }),
        SessionState::Finished => {
            let result = s.result.as_ref()?;
            let image = result
                .best_image_id
                .as_ref()
                .and_then(|id| s.faces.get(id))
                .map(|f| PortraitImage {
                    bytes: f.image.clone(),
                    content_type: f.content_type.clone(),
                });
            let mut verdict = Verdict {
                status: status_name(gips.status),
                strength: gips.strength.clone(),
                errors: gips.errors.clone(),
                score: s.scenario.result.match_score,
                evaluated: result.finished,
                image,
            };
            let follows_liveness = result.liveness_status != LivenessStatus::Success
                && gips.status == GipsStatus::Verified
                && gips.errors.is_empty();
            if follows_liveness {
                if result.liveness_status == LivenessStatus::Spoof {
                    verdict.status = "INVALID";
                } else {
                    let status =
                        serde_json::to_value(result.liveness_status).unwrap_or(Value::Null);
                    verdict.errors = vec![json!({
                        "code": format!("LIVENESS_{}", status.as_str().unwrap_or("FAILED")),
                        "message": result.diagnostic.clone().unwrap_or_else(|| "Liveness check failed".into()),
                    })];
                }
            }
            if !verdict.errors.is_empty() {
                verdict.status = "INVALID";
            }
            if verdict.status != "VERIFIED" {
                verdict.score = 0.0;
            }
            Some(verdict)
        }
        _ => None,
    }
}

/// The verdict of a portrait whose session expired before anyone asked.
fn expired() -> Verdict {
    Verdict {
        status: "INVALID",
        strength: "LEVEL1".into(),
        errors: vec![json!({
            "code": "SESSION_EXPIRED",
            "message": "The capture session expired before its result was read",
        })],
        score: 0.0,
        evaluated: OffsetDateTime::now_utc(),
        image: None,
    }
}

/// The vendor's spelling of a GIPS status.
pub fn status_name(status: GipsStatus) -> &'static str {
    match status {
        GipsStatus::Verified => "VERIFIED",
        GipsStatus::NotVerified => "NOT_VERIFIED",
        GipsStatus::Invalid => "INVALID",
    }
}

/// The status answer for a portrait.
pub fn status_body(portrait_id: &str, outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Processing => {
            json!({"id": portrait_id, "status": "PROCESSING", "type": "PORTRAIT"})
        }
        Outcome::Final(v) if !v.errors.is_empty() => json!({
            "id": portrait_id, "status": v.status, "type": "PORTRAIT", "errors": v.errors,
        }),
        Outcome::Final(v) if v.status == "VERIFIED" => json!({
            "id": portrait_id, "status": v.status, "type": "PORTRAIT", "strength": v.strength,
        }),
        Outcome::Final(v) => json!({"id": portrait_id, "status": v.status, "type": "PORTRAIT"}),
    }
}

/// The identity's level of assurance after this verdict: a VERIFIED portrait gives LOA1, or LOA2
/// when its strength is LEVEL3 or LEVEL4; anything else leaves LOA0.
pub fn level_of_assurance(verdict: &Verdict) -> u8 {
    if verdict.status != "VERIFIED" || !verdict.errors.is_empty() {
        return 0;
    }
    match verdict.strength.as_str() {
        "LEVEL3" | "LEVEL4" => 2,
        _ => 1,
    }
}

/// `GET /identities/{id}/status/{portraitId}`.
pub async fn portrait_status(
    State(state): State<AppState>,
    Path((id, portrait_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let identity = super::identity(&state, &id)?;
    let (outcome, session_id) = outcome(&state, &identity, &portrait_id).ok_or_else(|| {
        ApiError::not_found(format!(
            "Unknown portrait '{portrait_id}' of identity '{id}': start one with POST .../attributes/portrait/live-capture-session"
        ))
    })?;
    let mut response = Json(status_body(&portrait_id, &outcome)).into_response();
    response
        .extensions_mut()
        .insert(SessionTag::named(session_id));
    Ok(response)
}
