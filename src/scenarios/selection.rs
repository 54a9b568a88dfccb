//! Choosing a scenario for a new session, with the precedence of the product spec §3:
//! pin, request header/field, page hint, match rules, one-shot queue, default, `success`.
//!
//! Creation applies request, match rules, queue and default ([`select_for_new_session`]); the
//! admin pin and the page hint arrive later and are applied by [`pin`] and
//! [`resolve_at_capture_start`]. Requests that belong to no session use [`for_sessionless_request`].

use std::collections::{HashMap, VecDeque};

use parking_lot::Mutex;
use serde_json::json;

use std::sync::Arc;

use crate::{
    error::ApiError,
    scenarios::{library::Unavailable, model::Scenario},
    sessions::{BioSession, SelectedBy, SessionParams, SessionState},
    state::AppState,
};

/// The mutable selection state set through the admin API and the dashboard.
#[derive(Default)]
pub struct Selection {
    /// Scenario for sessions that nothing else selects (the `--default-scenario` flag at start).
    pub default: Mutex<String>,
    /// One-shot queue: each new session takes the head.
    pub queue: Mutex<VecDeque<String>>,
    /// Pins by session id.
    pub pins: Mutex<HashMap<String, String>>,
    /// Taken by a session-creating request from the moment it sees the queue head until its
    /// session has taken it, so parallel creations never answer for the same queued name.
    pub creation: tokio::sync::Mutex<()>,
}

impl Selection {
    /// Selection state whose default is `default`.
    pub fn new(default: &str) -> Self {
        Selection {
            default: Mutex::new(default.to_string()),
            ..Default::default()
        }
    }
}

/// What the session-creating request says that can select a scenario.
#[derive(Debug, Clone, Default)]
pub struct SelectionInput {
    /// `X-Emulator-Scenario` header or `scenario` body field.
    pub requested: Option<String>,
    /// `apikey` header.
    pub api_key: Option<String>,
}

/// The scenario a request names in its `X-Emulator-Scenario` header (trimmed; blank is none).
/// One reading for every surface (init, GIPS, REST playback), so they agree on what was asked.
pub fn requested_in(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get("x-emulator-scenario")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// Extractor for handlers: [`requested_in`] of the request (without copying its header map).
#[derive(Debug, Clone, Default)]
pub struct RequestedScenario(pub Option<String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for RequestedScenario {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(RequestedScenario(requested_in(&parts.headers)))
    }
}

/// A resolved choice: the scenario and why it was chosen, recorded in the transcript so a trainer
/// can tell which selection rule applied.
#[derive(Debug, Clone)]
pub struct Chosen {
    /// The scenario snapshot the session will play.
    pub scenario: Arc<Scenario>,
    /// Its catalogue name.
    pub name: String,
    /// Why.
    pub selected_by: SelectedBy,
}

/// An explicitly requested scenario that cannot be played: unknown (404, with a "did you mean")
/// or present but invalid (422, with its `file:line:column` problems).
#[derive(Debug, Clone)]
pub struct UnknownScenario(pub Unavailable);

/// The answer for a name that cannot be played, the same on every surface (init, GIPS, admin
/// default/queue/pin, page hint endpoint): 404 for an unknown name, with `didYouMean` when one
/// is close; 422 for a scenario whose file exists but has no valid version, with its problems.
pub fn unavailable_error(u: &Unavailable) -> ApiError {
    match u {
        Unavailable::Unknown { did_you_mean, .. } => {
            let e = ApiError::not_found(u.message());
            match did_you_mean {
                Some(s) => e.with("didYouMean", s.clone()),
                None => e,
            }
        }
        Unavailable::Invalid { error, .. } => {
            ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, u.message()).with(
                "problems",
                error.lines().map(str::to_string).collect::<Vec<_>>(),
            )
        }
    }
}

/// Chooses the scenario of a new session (pins and page hints apply later, when the channel opens).
/// Consumes the head of the one-shot queue when the queue decides.
pub fn select_for_new_session(
    state: &AppState,
    input: &SelectionInput,
    params: &SessionParams,
) -> Result<Chosen, UnknownScenario> {
    if let Some(chosen) = requested_or_matched(state, input, params)? {
        return Ok(chosen);
    }
    // Pop until a known name: a queued scenario whose file was deleted meanwhile is skipped.
    loop {
        let Some(name) = state.selection.queue.lock().pop_front() else {
            break;
        };
        if let Some(scenario) = state.scenarios.get(&name) {
            return Ok(Chosen {
                scenario,
                name,
                selected_by: SelectedBy::Queue,
            });
        }
    }
    Ok(default_choice(state))
}

/// What creation would choose, without consuming the queue (the REST layer uses it to answer
/// init-liveness-session before a session exists). `from_queue` tells whether the queue decided.
pub fn preview_for_new_session(
    state: &AppState,
    input: &SelectionInput,
    params: &SessionParams,
) -> Result<(Chosen, bool), UnknownScenario> {
    if let Some(chosen) = requested_or_matched(state, input, params)? {
        return Ok((chosen, false));
    }
    if let Some(chosen) = queue_head(state) {
        return Ok((chosen, true));
    }
    Ok((default_choice(state), false))
}

fn requested_or_matched(
    state: &AppState,
    input: &SelectionInput,
    params: &SessionParams,
) -> Result<Option<Chosen>, UnknownScenario> {
    if let Some(name) = &input.requested {
        return state
            .scenarios
            .resolve(name)
            .map(|scenario| {
                Some(Chosen {
                    scenario,
                    name: name.clone(),
                    selected_by: SelectedBy::Request,
                })
            })
            .map_err(UnknownScenario);
    }
    Ok(matched(state, input, params))
}

/// The first scenario (by name) with a match rule that fits the request.
fn matched(state: &AppState, input: &SelectionInput, params: &SessionParams) -> Option<Chosen> {
    state.scenarios.find_map(|entry| {
        let scenario = entry.scenario.as_ref()?;
        let fits = scenario.match_rules.iter().any(|rule| {
            let eq = |want: &Option<String>, have: Option<&String>| {
                want.as_ref().is_none_or(|w| have == Some(w))
            };
            eq(&rule.correlation_id, params.correlation_id.as_ref())
                && eq(&rule.evidence_id, params.evidence_id.as_ref())
                && eq(&rule.api_key, input.api_key.as_ref())
                && rule.liveness_mode.is_none_or(|m| m == params.liveness_mode)
        });
        fits.then(|| Chosen {
            scenario: scenario.clone(),
            name: entry.name.clone(),
            selected_by: SelectedBy::MatchRule,
        })
    })
}

/// The queue's head, not consumed.
fn queue_head(state: &AppState) -> Option<Chosen> {
    let queue = state.selection.queue.lock();
    queue.iter().find_map(|name| {
        state.scenarios.get(name).map(|scenario| Chosen {
            scenario,
            name: name.clone(),
            selected_by: SelectedBy::Queue,
        })
    })
}

/// Removes the queue's head if it is `name` (after a preview decided by the queue was used).
pub fn consume_queue_head(state: &AppState, name: &str) {
    let mut queue = state.selection.queue.lock();
    if queue.front().map(String::as_str) == Some(name) {
        queue.pop_front();
    }
}

/// The default scenario (falling back to `success`, then to an empty scenario, which is a success).
pub fn default_choice(state: &AppState) -> Chosen {
    let name = state.selection.default.lock().clone();
    let (scenario, name) = match state.scenarios.get(&name) {
        Some(s) => (s, name),
        None => (
            state.scenarios.get("success").unwrap_or_default(),
            "success".to_string(),
        ),
    };
    Chosen {
        scenario,
        name,
        selected_by: SelectedBy::Default,
    }
}

/// The scenario of a request that belongs to no session (capabilities, network check, GIPS calls
/// before a capture session): its own `X-Emulator-Scenario` header when known, else the queue's
/// head (not consumed), else the default.
pub fn for_sessionless_request(state: &AppState, header: Option<&str>) -> Chosen {
    if let Some(name) = header {
        if let Some(scenario) = state.scenarios.get(name) {
            return Chosen {
                scenario,
                name: name.to_string(),
                selected_by: SelectedBy::Request,
            };
        }
    }
    queue_head(state).unwrap_or_else(|| default_choice(state))
}

/// Why a pin was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinError {
    /// No session with that id.
    UnknownSession,
    /// No playable scenario with that name.
    UnknownScenario(Unavailable),
    /// The capture already started: a running session keeps its scenario.
    AlreadyStarted(SessionState),
    /// As many pins as `--max-sessions` wait for their captures already.
    TooMany(usize),
}

/// Most pins held at once: `--max-sessions` plus an eighth (a pin waits for a session that has
/// not started its capture, a session holds at most one, and the store may briefly hold a
/// sixteenth more sessions than its cap). Pins leave the map when their capture starts, and pins
/// of sessions that are gone are pruned when the map is full.
pub fn max_pins(state: &AppState) -> usize {
    let max = state.config.max_sessions.max(1);
    max.saturating_add(max / 8)
}

/// Forgets pins whose session is gone or has started (no lock held on both at once: capture
/// start takes the session's lock, then the pins').
fn prune_pins(state: &AppState) {
    let ids: Vec<String> = state.selection.pins.lock().keys().cloned().collect();
    let stale: Vec<String> = ids
        .into_iter()
        .filter(|id| {
            state
                .sessions
                .peek(id)
                .is_none_or(|s| s.lock().state != SessionState::Created)
        })
        .collect();
    let mut pins = state.selection.pins.lock();
    for id in &stale {
        pins.remove(id);
    }
}

/// Pins `name` on session `id` (admin API): the session plays it, whatever else selects.
pub fn pin(state: &AppState, id: &str, name: &str) -> Result<serde_json::Value, PinError> {
    let session = state.sessions.get(id).ok_or(PinError::UnknownSession)?;
    let scenario = state
        .scenarios
        .resolve(name)
        .map_err(PinError::UnknownScenario)?;
    let summary = {
        let mut s = session.lock();
        if s.state != SessionState::Created {
            return Err(PinError::AlreadyStarted(s.state));
        }
        play(&mut s, name, scenario, SelectedBy::Pin);
        s.transcript.push(
            "state",
            json!({"scenario": name, "selectedBy": SelectedBy::Pin}),
        );
        s.summary()
    };
    let cap = max_pins(state);
    if state.selection.pins.lock().len() >= cap {
        prune_pins(state);
    }
    {
        let mut pins = state.selection.pins.lock();
        if pins.len() >= cap && !pins.contains_key(id) {
            return Err(PinError::TooMany(cap));
        }
        pins.insert(id.to_string(), name.to_string());
    }
    state.notify(json!({"type": "session", "session": summary}));
    Ok(summary)
}

/// Makes the session play `scenario` (a late choice, before the channel starts playing).
fn play(s: &mut BioSession, name: &str, scenario: Arc<Scenario>, by: SelectedBy) {
    s.scenario = scenario;
    s.scenario_name = name.to_string();
    s.selected_by = by;
}

/// Applies the late selection means when the capture channel opens: an admin pin wins over
/// everything; a page hint wins over match rules, queue and default (not over an explicit request).
/// After this the session's scenario never changes.
pub fn resolve_at_capture_start(
    state: &AppState,
    session: &crate::sessions::store::SharedSession,
    page_hint: Option<&str>,
) {
    let mut s = session.lock();
    // Taken out: the pin has done its work once the capture starts.
    let pinned = state.selection.pins.lock().remove(&s.id);
    if let Some(name) = pinned {
        if s.selected_by != SelectedBy::Pin || s.scenario_name != name {
            if let Some(scenario) = state.scenarios.get(&name) {
                play(&mut s, &name, scenario, SelectedBy::Pin);
            }
        }
        return;
    }
    let Some(hint) = page_hint.map(str::trim).filter(|h| !h.is_empty()) else {
        return;
    };
    if matches!(s.selected_by, SelectedBy::Pin | SelectedBy::Request) {
        let why = format!(
            "the scenario was selected by {:?}, which wins over the page hint",
            s.selected_by
        );
        s.transcript
            .push("note", json!({"pageHint": hint, "ignored": why}));
        return;
    }
    match state.scenarios.get(hint) {
        Some(scenario) => {
            play(&mut s, hint, scenario, SelectedBy::PageHint);
            s.transcript.push(
                "state",
                json!({"scenario": hint, "selectedBy": SelectedBy::PageHint}),
            );
        }
        None => {
            let why = match state.scenarios.resolve(hint) {
                Err(u) => format!("{}; keeping '{}'", u.message(), s.scenario_name),
                Ok(_) => format!("unknown scenario '{hint}'; keeping '{}'", s.scenario_name),
            };
            s.transcript
                .push("note", json!({"pageHint": hint, "ignored": why}));
        }
    }
}
