//! The admin API (spec §5): scenarios, default scenario, queue, sessions, pins, lockouts, reset,
//! journal.
//!
//! Tests and CI pipelines drive the emulator through these JSON endpoints, so their shapes are
//! part of the product: errors are `{code, error}` like everywhere else, and bodies are parsed by
//! hand so a malformed one gets a 400 that says what was wrong (not axum's plain-text 415/422).

use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post, put},
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::json_body::{AdminJson, BodyRefused, Example};
use crate::{
    error::{ApiError, ApiResult},
    scenarios::selection::{self, PinError},
    state::AppState,
};

/// Admin routes under `/__emulator`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/scenarios", get(list_scenarios))
        .route("/scenarios/{name}", get(get_scenario))
        .route("/scenario.schema.json", get(schema))
        .route("/default-scenario", get(get_default).put(put_default))
        .route(
            "/queue",
            get(get_queue).post(post_queue).delete(delete_queue),
        )
        .route("/sessions", get(list_sessions))
        .route("/sessions/{id}", get(get_session))
        .route("/sessions/{id}/scenario", put(pin_session))
        .route(
            "/lockouts",
            get(get_lockouts).put(put_lockouts).delete(delete_lockouts),
        )
        .route("/reset", post(reset))
        .route("/journal", get(journal))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_ADMIN_BODY))
}

/// Largest admin request body (1 MiB: a full queue of 10,000 names is ~200 KB). Smaller than
/// `--max-body` so a flood of queue POSTs cannot make the server buffer 8 MiB each.
pub const MAX_ADMIN_BODY: usize = 1024 * 1024;

/// `{"scenario": "NAME"}`.
#[derive(Deserialize)]
struct ScenarioBody {
    scenario: String,
}

impl Example for ScenarioBody {
    const EXAMPLE: &'static str = r#"{"scenario": "NAME"}"#;
}

/// Most names the one-shot queue holds (far more than any test run queues: each is one capture).
pub const MAX_QUEUE: usize = 10_000;

/// `{"scenarios": ["NAME", ...]}`.
#[derive(Deserialize)]
struct QueueBody {
    #[serde(deserialize_with = "at_most_queue")]
    scenarios: Vec<String>,
}

impl Example for QueueBody {
    const EXAMPLE: &'static str = r#"{"scenarios": ["NAME", ...]}"#;
}

/// The error text a list longer than [`MAX_QUEUE`] stops parsing with (before it is all read
/// into memory: 20 POSTs of 700,000 names once held 3.2 GB).
const QUEUE_TOO_LONG: &str = "the list is longer than the queue's limit";

/// Reads the `scenarios` array, stopping with [`QUEUE_TOO_LONG`] past [`MAX_QUEUE`] names.
fn at_most_queue<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct Names;
    impl<'de> serde::de::Visitor<'de> for Names {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of scenario names")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut names = Vec::new();
            while let Some(name) = seq.next_element::<String>()? {
                if names.len() == MAX_QUEUE {
                    return Err(serde::de::Error::custom(QUEUE_TOO_LONG));
                }
                names.push(name);
            }
            Ok(names)
        }
    }
    d.deserialize_seq(Names)
}

/// 413 for a queue that would hold more than [`MAX_QUEUE`] names.
fn queue_full(held: usize, adding: Option<usize>) -> ApiError {
    let adding = adding.map_or_else(|| format!("more than {MAX_QUEUE}"), |n| n.to_string());
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("The queue holds at most {MAX_QUEUE} scenario names; it holds {held} and this body adds {adding}. Consume or DELETE /__emulator/queue first"),
    )
}

/// `GET /scenarios`: `[{name, description, source, valid, error?}]`.
async fn list_scenarios(State(state): State<AppState>) -> Json<Value> {
    Json(Value::Array(state.scenarios.listing()))
}

/// `GET /scenarios/{name}`: the scenario as the emulator understood it (its last good version).
async fn get_scenario(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let scenario = state.scenarios.resolve(&name)?;
    serde_json::to_value(&*scenario)
        .map(Json)
        .map_err(|e| ApiError::internal(format!("cannot serialise scenario '{name}': {e}")))
}

/// `GET /scenario.schema.json`: the JSON Schema of scenario files (for editors).
async fn schema() -> Response {
    (
        [(header::CONTENT_TYPE, "application/schema+json")],
        crate::scenarios::schema_json(),
    )
        .into_response()
}

/// `GET /default-scenario`.
async fn get_default(State(state): State<AppState>) -> Json<Value> {
    Json(json!({"scenario": *state.selection.default.lock()}))
}

/// `PUT /default-scenario {"scenario"}`: 404 for an unknown name.
async fn put_default(
    State(state): State<AppState>,
    AdminJson(ScenarioBody { scenario }): AdminJson<ScenarioBody>,
) -> ApiResult<Json<Value>> {
    if let Err(u) = state.scenarios.resolve(&scenario) {
        return Err(ApiError::from(u));
    }
    *state.selection.default.lock() = scenario.clone();
    state.notify(json!({"type": "selection", "default": scenario}));
    Ok(Json(json!({"scenario": scenario})))
}

fn queue_json(state: &AppState) -> Value {
    json!({"scenarios": state.selection.queue.lock().iter().collect::<Vec<_>>()})
}

/// `GET /queue`: `{"scenarios": [...]}`, head first.
async fn get_queue(State(state): State<AppState>) -> Json<Value> {
    Json(queue_json(&state))
}

/// `POST /queue {"scenarios": [...]}`: appends (all or nothing: 404 if any name is unknown).
async fn post_queue(
    State(state): State<AppState>,
    body: Result<AdminJson<QueueBody>, BodyRefused>,
) -> ApiResult<Json<Value>> {
    let QueueBody { scenarios } = match body {
        Ok(AdminJson(body)) => body,
        Err(BodyRefused::NotJson(e, _)) if e.to_string().starts_with(QUEUE_TOO_LONG) => {
            return Err(queue_full(state.selection.queue.lock().len(), None))
        }
        Err(refused) => return Err(refused.into()),
    };
    if let Some(Err(u)) = scenarios
        .iter()
        .map(|n| state.scenarios.resolve(n))
        .find(Result::is_err)
    {
        return Err(ApiError::from(u));
    }
    {
        let mut queue = state.selection.queue.lock();
        if queue.len() + scenarios.len() > MAX_QUEUE {
            return Err(queue_full(queue.len(), Some(scenarios.len())));
        }
        queue.extend(scenarios);
    }
    let queue = queue_json(&state);
    state.notify(json!({"type": "selection", "queue": queue["scenarios"]}));
    Ok(Json(queue))
}

/// `DELETE /queue`: empties it.
async fn delete_queue(State(state): State<AppState>) -> Json<Value> {
    state.selection.queue.lock().clear();
    state.notify(json!({"type": "selection", "queue": []}));
    Json(queue_json(&state))
}

/// `GET /sessions`: summaries, newest first.
async fn list_sessions(State(state): State<AppState>) -> Json<Value> {
    Json(Value::Array(
        state
            .sessions
            .all()
            .iter()
            .map(|s| s.lock().summary())
            .collect(),
    ))
}

/// `GET /sessions/{id}`: the summary plus `events` (the transcript, each with `tMs`).
async fn get_session(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let session = state
        .sessions
        .peek(&id)
        .ok_or_else(|| ApiError::no_session(&id))?;
    let s = session.lock();
    let mut v = s.summary();
    v["params"] = serde_json::to_value(&s.params).unwrap_or(Value::Null);
    v["events"] = serde_json::to_value(s.transcript.events()).unwrap_or(Value::Null);
    if s.transcript.dropped() > 0 {
        v["droppedEvents"] = json!(s.transcript.dropped());
    }
    drop(s);
    crate::control::export::redact_images(&mut v, state.config.journal_images);
    Ok(Json(v))
}

/// `PUT /sessions/{id}/scenario {"scenario"}`: pins it; 409 once the capture started.
async fn pin_session(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminJson(ScenarioBody { scenario }): AdminJson<ScenarioBody>,
) -> ApiResult<Json<Value>> {
    let session = state
        .sessions
        .get(&id)
        .ok_or_else(|| ApiError::no_session(&id))?;
    let summary = selection::pin(&state.scenarios, &session, &scenario).map_err(|e| match e {
            PinError::UnknownScenario(u) => ApiError::from(u),
            PinError::AlreadyStarted(st) => ApiError::new(
                StatusCode::CONFLICT,
                format!("Session {id} is {st:?}: its capture already started, and a running session keeps its scenario"),
            ),
        })?;
    state.notify(json!({"type": "session", "session": summary}));
    Ok(Json(summary))
}

/// `{"enabled": bool}`.
#[derive(Deserialize)]
struct LockoutBody {
    enabled: bool,
}

impl Example for LockoutBody {
    const EXAMPLE: &'static str = r#"{"enabled": true|false}"#;
}

/// What `/lockouts` answers: whether lockout is on, its settings and the clients locked out now.
fn lockouts_json(state: &AppState) -> Value {
    let now = time::OffsetDateTime::now_utc();
    let locked: Vec<Value> = state
        .lockouts
        .locked(now)
        .into_iter()
        .map(|l| {
            json!({
                "fingerprint": l.fingerprint,
                "unlockDateTime": crate::time_format::iso_millis(l.until),
            })
        })
        .collect();
    json!({
        "enabled": state.lockouts.enabled(),
        "attempts": state.config.lockout_attempts,
        "windowSeconds": state.config.lockout_seconds,
        "locked": locked,
    })
}

/// `GET /lockouts`: `{enabled, attempts, windowSeconds, locked: [{fingerprint, unlockDateTime}]}`.
async fn get_lockouts(State(state): State<AppState>) -> Json<Value> {
    Json(lockouts_json(&state))
}

/// `PUT /lockouts {"enabled": bool}`: turns counted lockout on or off (off also lifts every lock).
async fn put_lockouts(
    State(state): State<AppState>,
    AdminJson(LockoutBody { enabled }): AdminJson<LockoutBody>,
) -> ApiResult<Json<Value>> {
    state.lockouts.set_enabled(enabled);
    let v = lockouts_json(&state);
    state.notify(json!({"type": "lockouts", "lockouts": v.clone()}));
    Ok(Json(v))
}

/// `DELETE /lockouts`: lifts every lock and forgets every count (lockout stays on or off).
async fn delete_lockouts(State(state): State<AppState>) -> Json<Value> {
    state.lockouts.clear();
    let v = lockouts_json(&state);
    state.notify(json!({"type": "lockouts", "lockouts": v.clone()}));
    Json(v)
}

/// `POST /reset`: forgets sessions, pins, queue, lockouts and the journal; the default scenario
/// returns to `--default-scenario` and lockout to on or off as `--lockout` says.
async fn reset(State(state): State<AppState>) -> Json<Value> {
    state.sessions.clear();
    state.selection.queue.lock().clear();
    *state.selection.default.lock() = state.config.default_scenario.clone();
    state.lockouts.clear();
    state.lockouts.set_enabled(state.config.lockout);
    state.gips.clear();
    state.journal.clear();
    state
        .resets
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    state.notify(json!({"type": "reset"}));
    Json(json!({"status": "reset"}))
}

/// `GET /journal`: the recent requests, oldest first.
async fn journal(State(state): State<AppState>) -> Json<Value> {
    Json(serde_json::to_value(state.journal.entries()).unwrap_or(Value::Array(Vec::new())))
}
