//! What the front door hands the handlers, and the handlers hand back: request and response
//! extensions. Kept apart from the front door's steps so that handlers can name them without
//! importing (and closing a circle with) the orchestration.
//!
//! [`SessionTag`]: the session an exchange concerns. Why: the scripted answers, the request watcher and the journal all need the session a request
//! is about. Looking it up again from an id string at each step (and re-parsing `Location`, or
//! scanning every session for an identity's) cost one store lookup per step; the handler that
//! created or found the session already holds it. So the front door puts the session a path
//! names on the request, and a handler that knows its session puts a [`SessionTag`] on the
//! response: the later steps read it from there.

use crate::{
    error::ApiResult,
    scenarios::{library::Unavailable, selection::Chosen},
    sessions::store::SharedSession,
};

/// Request extension: everything the front door worked out for a session-creating request, in
/// one piece (`T` is the handler's request type: `video_server::init::InitRequest`,
/// `gips::capture_session::CaptureRequest`).
///
/// Why one extension: the body's verdict, the scenario choice and the client fingerprint were
/// three extensions (with axum's own, about nine inserts per init-liveness-session, so the map
/// was reallocated twice); one insert and one removal now carry them.
#[derive(Debug, Clone)]
pub struct Handoff<T> {
    /// The body read and validated once by the front door (`front::creation`).
    pub request: ApiResult<T>,
    /// The choice, made for a valid body only (see [`Selected`]).
    pub selected: Option<Selected>,
    /// The client fingerprint the request watcher computed (init-liveness-session only).
    pub fingerprint: Option<String>,
}

impl<T: Send + Sync + 'static> Handoff<T> {
    /// Takes the front door's handoff off a request's extensions (the handler is its only reader).
    pub fn take(extensions: &mut axum::http::Extensions) -> Option<Self> {
        extensions.remove::<Handoff<T>>()
    }
}

/// What the front door decided for a creating request whose body is valid —
/// the scenario (taken from the queue when the queue supplied it), or why the requested one
/// cannot be played — and the API key the session records. The front door chooses before the
/// handler runs because the choice decides whether a scripted error answers instead; handing the
/// choice on (rather than choosing again in the handler) is what lets parallel creations each
/// take their own queued name without a lock held across the handler.
#[derive(Debug, Clone)]
pub struct Selected {
    /// The scenario, or the 404/422 the handler answers.
    pub chosen: Result<Chosen, Unavailable>,
    /// The request's `apikey` (match rules used it; the session keeps it).
    pub api_key: Option<String>,
}

/// The [`Selected`] a creating handler was handed. Every creation passes the front door, which
/// decides for each valid body; its absence is the emulator's own fault, answered as a JSON 500.
pub fn front_door_choice(selected: Option<Selected>) -> Result<Selected, crate::error::ApiError> {
    selected.ok_or_else(|| {
        crate::error::ApiError::internal("the front door chose no scenario for this creation")
    })
}

/// Response (and request) extension: the id of the session an exchange belongs to, and the
/// session itself while it lives.
///
/// The id is kept even without the session: a GIPS portrait names its session long after the
/// session expired, and the journal line still shows which one it was.
#[derive(Clone)]
pub struct SessionTag {
    /// The session id (for the journal).
    pub id: String,
    /// The session, when it is still held (for the scripted answers and the watcher).
    pub session: Option<SharedSession>,
}

impl SessionTag {
    /// The tag of a session the handler holds.
    pub fn held(id: impl Into<String>, session: &SharedSession) -> Self {
        SessionTag {
            id: id.into(),
            session: Some(session.clone()),
        }
    }

    /// The tag of a session known by its id only (it may have expired).
    pub fn named(id: impl Into<String>) -> Self {
        SessionTag {
            id: id.into(),
            session: None,
        }
    }
}

impl std::fmt::Debug for SessionTag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionTag")
            .field("id", &self.id)
            .field("held", &self.session.is_some())
            .finish()
    }
}
