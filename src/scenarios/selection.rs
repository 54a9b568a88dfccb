//! Choosing the scenario a request plays, with the precedence of the product spec §3 written once
//! in [`select`]: request header/field, match rules (session-creating requests only), one-shot
//! queue, default, `success`.
//!
//! Every caller uses [`select`]: a creation with a valid body takes the queue's head
//! ([`Queue::Take`], once, in the front door's scripted answers, which hand the choice to the
//! handler); session-less requests, the served scripts and a body the handler will refuse only
//! look at it ([`Queue::Peek`]). The admin pin and the page hint arrive later, once a session exists: [`pin`]
//! writes the pin into the session itself (so it is pruned with the session), and
//! [`resolve_at_capture_start`] applies pin > request > page hint when the channel opens.
//!
//! This module knows the catalogue, the selection state and the session, never the whole
//! application state: it sits below `state.rs`, which holds a [`Selection`].

use std::collections::VecDeque;
use std::sync::Arc;

use parking_lot::Mutex;
use serde_json::json;

use crate::{
    scenarios::{
        library::{ScenarioLibrary, Unavailable},
        model::Scenario,
    },
    sessions::{store::SharedSession, BioSession, SelectedBy, SessionParams, SessionState},
};

/// The mutable selection state set through the admin API and the dashboard.
#[derive(Default)]
pub struct Selection {
    /// Scenario for sessions that nothing else selects (the `--default-scenario` flag at start).
    pub default: Mutex<String>,
    /// One-shot queue: each new session takes the head.
    pub queue: Mutex<VecDeque<String>>,
}

impl Selection {
    /// Selection state whose default is `default`.
    pub fn new(default: &str) -> Self {
        Selection {
            default: Mutex::new(default.to_string()),
            ..Default::default()
        }
    }

    /// Removes the queue's head if it is `name`: a [`Queue::Peek`] decided by the queue was used
    /// (a scripted error answered for it), so the next creation must not get it again.
    pub fn consume_head(&self, name: &str) {
        let mut queue = self.queue.lock();
        if queue.front().map(String::as_str) == Some(name) {
            queue.pop_front();
        }
    }
}

/// What the session-creating request says that can select a scenario (owned, for handlers).
#[derive(Debug, Clone, Default)]
pub struct SelectionInput {
    /// `X-Emulator-Scenario` header or `scenario` body field.
    pub requested: Option<String>,
    /// `apikey` header.
    pub api_key: Option<String>,
}

impl SelectionInput {
    /// The facts [`select`] reads, for a request creating a session with `params`.
    pub fn facts<'a>(&'a self, params: &'a SessionParams) -> RequestFacts<'a> {
        RequestFacts {
            requested: self.requested.as_deref(),
            api_key: self.api_key.as_deref(),
            creating: Some(params),
        }
    }
}

/// The request facts that can select a scenario: one type for every caller of [`select`].
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestFacts<'a> {
    /// The scenario the request names (`X-Emulator-Scenario`, `scenario` field, script URL).
    pub requested: Option<&'a str>,
    /// Its `apikey` header (match rules may name one).
    pub api_key: Option<&'a str>,
    /// The parameters of the session it creates: match rules apply only to creating requests.
    pub creating: Option<&'a SessionParams>,
}

impl<'a> RequestFacts<'a> {
    /// A request that belongs to no session and creates none, naming `requested` (or nothing).
    pub fn sessionless(requested: Option<&'a str>) -> Self {
        RequestFacts {
            requested,
            ..Default::default()
        }
    }
}

/// Whether selecting takes the one-shot queue's head or only looks at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// A session is created now: the head is its, the next one gets the next name.
    Take,
    /// Nothing is created (or not yet): the head stays for the next creation.
    Peek,
}

/// The `X-Emulator-Scenario` header, as a ready name (a lookup by `&str` parses the name again
/// on every call, and every creation and scripted answer looks it up).
static SCENARIO_HEADER: axum::http::HeaderName =
    axum::http::HeaderName::from_static("x-emulator-scenario");

/// The scenario a request names in its `X-Emulator-Scenario` header (trimmed; blank is none).
/// One reading for every surface (init, GIPS, scripted REST answers), so they agree on what was asked.
pub fn requested_in(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(&SCENARIO_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
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

/// The one selection order: the requested name (an error when it cannot be played), else the
/// first match rule that fits a creating request, else the queue's first playable name, else the
/// default. Every surface calls this, so they never disagree on what a request gets.
pub fn select(
    library: &ScenarioLibrary,
    selection: &Selection,
    facts: &RequestFacts,
    queue: Queue,
) -> Result<Chosen, Unavailable> {
    match facts.requested {
        Some(name) => library.resolve(name).map(|scenario| Chosen {
            scenario,
            name: name.to_string(),
            selected_by: SelectedBy::Request,
        }),
        None => Ok(unrequested(library, selection, facts, queue)),
    }
}

/// What a request gets when it names no (playable) scenario: the first match rule that fits a
/// creating request, else the queue's first playable name (names whose file was deleted meanwhile
/// are skipped, and dropped when taking), else the default.
fn unrequested(
    library: &ScenarioLibrary,
    selection: &Selection,
    facts: &RequestFacts,
    queue: Queue,
) -> Chosen {
    if let Some(chosen) = facts
        .creating
        .and_then(|params| matched(library, facts.api_key, params))
    {
        return chosen;
    }
    let head = {
        let mut names = selection.queue.lock();
        match queue {
            Queue::Take => std::iter::from_fn(|| names.pop_front())
                .find_map(|name| library.get(&name).map(|s| (name, s))),
            Queue::Peek => names
                .iter()
                .find_map(|name| library.get(name).map(|s| (name.clone(), s))),
        }
    };
    if let Some((name, scenario)) = head {
        return Chosen {
            scenario,
            name,
            selected_by: SelectedBy::Queue,
        };
    }
    default_choice(library, selection)
}

/// The scenario of a request that belongs to no session (capabilities, network check, GIPS calls
/// before a capture session): [`select`] with the queue peeked, and a name it cannot play ignored.
pub fn for_sessionless_request(
    library: &ScenarioLibrary,
    selection: &Selection,
    header: Option<&str>,
) -> Chosen {
    let facts = RequestFacts::sessionless(header);
    select(library, selection, &facts, Queue::Peek)
        .unwrap_or_else(|_| unrequested(library, selection, &facts, Queue::Peek))
}

/// The first scenario (by name) with a match rule that fits the creating request.
fn matched(
    library: &ScenarioLibrary,
    api_key: Option<&str>,
    params: &SessionParams,
) -> Option<Chosen> {
    library.find_with_match_rules(|(name, scenario)| {
        let fits = scenario.match_rules.iter().any(|rule| {
            let eq = |want: &Option<String>, have: Option<&str>| {
                want.as_deref().is_none_or(|w| have == Some(w))
            };
            eq(&rule.correlation_id, params.correlation_id.as_deref())
                && eq(&rule.evidence_id, params.evidence_id.as_deref())
                && eq(&rule.api_key, api_key)
                && rule.liveness_mode.is_none_or(|m| m == params.liveness_mode)
        });
        fits.then(|| Chosen {
            scenario: scenario.clone(),
            name: name.clone(),
            selected_by: SelectedBy::MatchRule,
        })
    })
}

/// The default scenario (falling back to `success`, then to an empty scenario, which is a success).
fn default_choice(library: &ScenarioLibrary, selection: &Selection) -> Chosen {
    let name = selection.default.lock().clone();
    let (scenario, name) = match library.get(&name) {
        Some(s) => (s, name),
        None => (
            library.get("success").unwrap_or_default(),
            "success".to_string(),
        ),
    };
    Chosen {
        scenario,
        name,
        selected_by: SelectedBy::Default,
    }
}

/// Why a pin was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinError {
    /// No playable scenario with that name.
    UnknownScenario(Unavailable),
    /// The capture already started: a running session keeps its scenario.
    AlreadyStarted(SessionState),
}

/// Pins `name` on `session` (admin API): the session plays it, whatever else selects. The pin is
/// kept in the session alone (`selected_by: Pin`), so it goes when the session goes. Returns the
/// session's summary.
pub fn pin(
    library: &ScenarioLibrary,
    session: &SharedSession,
    name: &str,
) -> Result<serde_json::Value, PinError> {
    let scenario = library.resolve(name).map_err(PinError::UnknownScenario)?;
    let mut s = session.lock();
    if s.state != SessionState::Created {
        return Err(PinError::AlreadyStarted(s.state));
    }
    play(&mut s, name, scenario, SelectedBy::Pin);
    s.transcript.push(
        "state",
        json!({"scenario": name, "selectedBy": SelectedBy::Pin}),
    );
    Ok(s.summary())
}

/// Whether `session` waits for its capture with a pinned scenario (counted by `/memory`).
pub fn is_pinned(session: &BioSession) -> bool {
    session.selected_by == SelectedBy::Pin && session.state == SessionState::Created
}

/// Makes the session play `scenario` (a late choice, before the channel starts playing).
fn play(s: &mut BioSession, name: &str, scenario: Arc<Scenario>, by: SelectedBy) {
    s.scenario = scenario;
    s.scenario_name = name.to_string();
    s.selected_by = by;
}

/// Applies the late selection means when the capture channel opens: an admin pin wins over
/// everything (it is already in the session); a page hint wins over match rules, queue and
/// default (not over an explicit request). After this the session's scenario never changes.
pub fn resolve_at_capture_start(
    library: &ScenarioLibrary,
    session: &SharedSession,
    page_hint: Option<&str>,
) {
    let mut s = session.lock();
    if s.selected_by == SelectedBy::Pin {
        return;
    }
    let Some(hint) = page_hint.map(str::trim).filter(|h| !h.is_empty()) else {
        return;
    };
    if s.selected_by == SelectedBy::Request {
        let why = format!(
            "the scenario was selected by {:?}, which wins over the page hint",
            s.selected_by
        );
        s.transcript
            .push("note", json!({"pageHint": hint, "ignored": why}));
        return;
    }
    match library.resolve(hint) {
        Ok(scenario) => {
            play(&mut s, hint, scenario, SelectedBy::PageHint);
            s.transcript.push(
                "state",
                json!({"scenario": hint, "selectedBy": SelectedBy::PageHint}),
            );
        }
        Err(u) => {
            let why = format!("{}; keeping '{}'", u.message(), s.scenario_name);
            s.transcript
                .push("note", json!({"pageHint": hint, "ignored": why}));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios::model::LivenessMode;

    fn queued(names: &[&str]) -> Selection {
        let selection = Selection::new("success");
        selection
            .queue
            .lock()
            .extend(names.iter().map(|n| n.to_string()));
        selection
    }

    #[test]
    fn every_caller_skips_a_queued_name_that_is_gone_and_only_creation_takes_the_head() {
        let library = ScenarioLibrary::load(None);
        let selection = queued(&["no-longer-in-the-catalogue", "spoof"]);
        // The served scripts and session-less requests look at the queue without taking it.
        let peeked = select(
            &library,
            &selection,
            &RequestFacts::sessionless(None),
            Queue::Peek,
        );
        assert_eq!(peeked.map(|c| c.name).ok().as_deref(), Some("spoof"));
        assert_eq!(
            for_sessionless_request(&library, &selection, None).name,
            "spoof"
        );
        assert_eq!(selection.queue.lock().len(), 2);
        // The creating request takes the same name, dropping the stale one before it.
        let params = SessionParams::new(LivenessMode::LivenessPassive);
        let input = SelectionInput::default();
        let taken = select(&library, &selection, &input.facts(&params), Queue::Take);
        let taken = taken.ok().map(|c| (c.name, c.selected_by));
        assert_eq!(taken, Some(("spoof".to_string(), SelectedBy::Queue)));
        assert!(selection.queue.lock().is_empty());
        assert_eq!(
            for_sessionless_request(&library, &selection, None).selected_by,
            SelectedBy::Default
        );
    }

    #[test]
    fn a_requested_name_that_cannot_be_played_is_an_error_except_for_sessionless_requests() {
        let library = ScenarioLibrary::load(None);
        let selection = queued(&["timeout"]);
        let facts = RequestFacts::sessionless(Some("no-such-scenario"));
        let err = select(&library, &selection, &facts, Queue::Peek).err();
        assert!(matches!(err, Some(Unavailable::Unknown { .. })), "{err:?}");
        let fallback = for_sessionless_request(&library, &selection, Some("no-such-scenario"));
        assert_eq!(fallback.name, "timeout");
    }
}
