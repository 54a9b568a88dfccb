//! `POST /identities/{id}/consents`: records the user's consents.
//!
//! The answer is a JSON **array** echoing each requested consent with its new `consentId`: the
//! sample app reads element 0 and needs `type: "PORTRAIT"` there; the documentation's single-object
//! example would break it (contract §2.3.2). A single object in the request is accepted as a
//! one-element list.

use axum::{
    extract::{FromRequest, Path, Request, State},
    Json,
};
use bytes::Bytes;
use serde_json::{json, Value};

use super::store::MAX_CONSENTS;
use crate::{
    error::{ApiError, ApiResult, BodyRejection},
    state::AppState,
};

/// Handler of `POST /identities/{id}/consents` (the body is read as JSON whatever its content type).
pub async fn create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    requested: Result<ConsentsRequest, BodyRejection>,
) -> Result<Json<Value>, BodyRejection> {
    // The identity is checked first: an unknown one is a 404 whatever the body.
    let identity = super::identity(&state, &id)?;
    let ConsentsRequest(requested) = requested?;
    let today = super::timestamp(time::OffsetDateTime::now_utc())
        .chars()
        .take(10)
        .collect::<String>();
    let consents: Vec<Value> = requested
        .into_iter()
        .map(|c| {
            json!({
                "consentId": state.new_id(),
                "approved": c.approved,
                "type": c.kind,
                "validityPeriod": c.validity_period.unwrap_or_else(|| json!({"from": today})),
            })
        })
        .collect();
    let mut identity = identity.lock();
    if identity.consents.len() + consents.len() > MAX_CONSENTS {
        return Err(ApiError::bad_request(format!(
            "Identity '{id}' already has {} consents (at most {MAX_CONSENTS} are kept)",
            identity.consents.len()
        ))
        .into());
    }
    identity.consents.extend(consents.iter().cloned());
    Ok(Json(Value::Array(consents)))
}

/// The validated consents body, as an extractor whose rejection is the vendor's `{code, error}`
/// 400 naming what is wrong (axum's `examples/error-handling` style: the handler never parses
/// by hand).
pub struct ConsentsRequest(Vec<Requested>);

impl<S: Send + Sync> FromRequest<S> for ConsentsRequest {
    type Rejection = BodyRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, BodyRejection> {
        let body = Bytes::from_request(req, state).await?;
        Ok(ConsentsRequest(parse_request(&body)?))
    }
}

/// One requested consent.
struct Requested {
    approved: bool,
    kind: String,
    validity_period: Option<Value>,
}

/// Parses `[{approved, type, validityPeriod}, ...]` (or one object), saying what is wrong otherwise.
fn parse_request(body: &[u8]) -> ApiResult<Vec<Requested>> {
    const SHAPE: &str =
        r#"[{"approved": true, "type": "PORTRAIT", "validityPeriod": {"from": "2018-01-01"}}]"#;
    let parsed =
        crate::http::body::known_members_list(body, &["approved", "type", "validityPeriod"])
            .map_err(|e| {
                ApiError::bad_request(format!("The consents body must be JSON like {SHAPE}: {e}"))
            })?;
    let items = match parsed {
        Value::Array(items) => items,
        Value::Object(obj) => vec![Value::Object(obj)],
        _ => {
            return Err(ApiError::bad_request(format!(
                "The consents body must be a JSON array like {SHAPE}"
            )))
        }
    };
    if items.is_empty() {
        return Err(ApiError::bad_request(
            "The consents array is empty: send at least one consent",
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| parse_item(i, item))
        .collect()
}

fn parse_item(i: usize, item: &Value) -> ApiResult<Requested> {
    let obj = item
        .as_object()
        .ok_or_else(|| ApiError::bad_request(format!("Consent #{i} must be a JSON object")))?;
    let approved = match obj.get("approved") {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "Consent #{i}: 'approved' must be true or false, got {other}"
            )))
        }
    };
    let kind = match obj.get("type") {
        None => "PORTRAIT".to_string(),
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "Consent #{i}: 'type' must be a consent type such as \"PORTRAIT\", got {other}"
            )))
        }
    };
    let validity_period = match obj.get("validityPeriod") {
        None => None,
        Some(v @ Value::Object(_)) => Some(v.clone()),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "Consent #{i}: 'validityPeriod' must be an object like {{\"from\": \"2018-01-01\"}}, got {other}"
            )))
        }
    };
    Ok(Requested {
        approved,
        kind,
        validity_period,
    })
}
