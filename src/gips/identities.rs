//! `POST /identities` (create) and `GET /identities/{id}` (global status).
//!
//! Level of assurance and identity status, as the emulator models the real service:
//! - no portrait yet: `EXPECTING_INPUT`, LOA0;
//! - the latest portrait is still being captured: `PROCESSING`, LOA0 (unless an earlier portrait
//!   already raised it);
//! - some portrait is VERIFIED: `VERIFIED`, LOA1 (strength LEVEL1/LEVEL2) or LOA2 (LEVEL3/LEVEL4);
//! - only rejected portraits: back to `EXPECTING_INPUT`, LOA0 (another capture may be submitted).
//!
//! `upgradePaths` lists, for each higher level, the submission that would reach it.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::{
    status::{self, Outcome},
    store::{Identity, SharedIdentity},
    timestamp,
};
use crate::{error::ApiResult, front::handoff::SessionTag, state::AppState};

/// `POST /identities`: creates an identity. The body and its content type are ignored on purpose:
/// the sample app sends JSON text labelled `multipart/form-data` without a boundary (contract §2.3.1).
pub async fn create(State(state): State<AppState>) -> Json<Value> {
    let identity = Identity::new(state.new_id());
    let body = identity_status(
        &identity.id,
        0,
        "EXPECTING_INPUT",
        identity.created,
        identity.created,
    );
    state.gips.insert(identity);
    Json(body)
}

/// `GET /identities/{id}`: the identity with its consents and latest portrait evidence
/// (always 2xx for an issued id: the sample app exits on anything else).
pub async fn global_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let identity = super::identity(&state, &id)?;
    let (body, session_id) = describe(&state, &identity);
    let mut response = Json(body).into_response();
    if let Some(session_id) = session_id {
        response
            .extensions_mut()
            .insert(SessionTag::named(session_id));
    }
    Ok(response)
}

/// The global-status document and the session of the latest portrait.
fn describe(state: &AppState, identity: &SharedIdentity) -> (Value, Option<String>) {
    let (id, created, consents, portraits) = {
        let i = identity.lock();
        (
            i.id.clone(),
            i.created,
            i.consents.clone(),
            i.portraits.clone(),
        )
    };
    let outcomes: Vec<_> = portraits
        .iter()
        .filter_map(|p| status::outcome(state, identity, &p.id).map(|(o, _)| (p, o)))
        .collect();
    let finals = || {
        outcomes.iter().filter_map(|(_, o)| match o {
            Outcome::Final(v) => Some(v),
            Outcome::Processing => None,
        })
    };
    let loa = finals().map(status::level_of_assurance).max().unwrap_or(0);
    let latest = outcomes.last();
    let overall = if loa > 0 {
        "VERIFIED"
    } else if matches!(latest, Some((_, Outcome::Processing))) {
        "PROCESSING"
    } else {
        "EXPECTING_INPUT"
    };
    let evaluated = finals().map(|v| v.evaluated).max().unwrap_or(created);
    let mut body = json!({
        "globalStatus": identity_status(&id, loa, overall, created, evaluated),
        "consents": consents,
    });
    if let (Some((portrait, outcome)), Some(obj)) = (latest, body.as_object_mut()) {
        obj.insert(
            "portrait".into(),
            evidence(&portrait.id, portrait.submitted, outcome),
        );
    }
    (body, latest.map(|(p, _)| p.session_id.clone()))
}

/// `{id, status, levelOfAssurance, creationDateTime, evaluationDateTime, upgradePaths}`.
fn identity_status(
    id: &str,
    loa: u8,
    status: &str,
    created: OffsetDateTime,
    evaluated: OffsetDateTime,
) -> Value {
    json!({
        "id": id,
        "status": status,
        "levelOfAssurance": format!("LOA{loa}"),
        "creationDateTime": timestamp(created),
        "evaluationDateTime": timestamp(evaluated),
        "upgradePaths": upgrade_paths(loa),
    })
}

/// The submissions that would raise the identity above `loa`.
fn upgrade_paths(loa: u8) -> Value {
    let mut paths = Map::new();
    for (level, strength) in [(1u8, "LEVEL1"), (2, "LEVEL3")] {
        if loa < level {
            paths.insert(
                format!("LOA{level}"),
                json!({"paths": [[{"type": "PORTRAIT", "status": "VERIFIED", "minimumStrength": strength}]]}),
            );
        }
    }
    Value::Object(paths)
}

/// The portrait evidence of the global status.
fn evidence(portrait_id: &str, submitted: OffsetDateTime, outcome: &Outcome) -> Value {
    let mut evidence = json!({
        "evidenceId": portrait_id,
        "submitDateTime": timestamp(submitted),
        "type": "PORTRAIT",
    });
    let (evidence_status, quality) = match outcome {
        Outcome::Processing => (
            json!({"evaluationDateTime": timestamp(submitted), "status": "PROCESSING", "isAdjudicable": false}),
            None,
        ),
        Outcome::Final(v) => {
            let mut s = json!({
                "evaluationDateTime": timestamp(v.evaluated),
                "status": v.status,
                "strength": v.strength,
                "score": v.score,
                "isAdjudicable": false,
            });
            if let (false, Some(obj)) = (v.errors.is_empty(), s.as_object_mut()) {
                obj.insert("errors".into(), Value::Array(v.errors.clone()));
            }
            let quality = if v.status == "VERIFIED" {
                "GOOD"
            } else {
                "POOR"
            };
            (s, Some(quality))
        }
    };
    if let Some(obj) = evidence.as_object_mut() {
        obj.insert("evidenceStatus".into(), evidence_status);
        if let Some(q) = quality {
            obj.insert("portraitQuality".into(), json!(q));
        }
        obj.insert(
            "portraitData".into(),
            json!({"source": "LIVE_CAPTURE_VIDEO", "channel": "webSDK"}),
        );
    }
    evidence
}
