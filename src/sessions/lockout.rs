//! Lockout of a client fingerprint after too many failed captures (the vendor's 429 with
//! `unlockDateTime`).

use crate::{sessions::store::SharedSession, state::AppState};

/// Records a capture outcome for the session's fingerprint.
pub fn record_outcome(state: &AppState, session: &SharedSession, success: bool) {
    let _ = (state, session, success);
}

/// When the fingerprint is locked out, the time the lock ends (channel init/startCapture answer 429).
pub fn locked_until(state: &AppState, fingerprint: Option<&str>) -> Option<time::OffsetDateTime> {
    let _ = (state, fingerprint);
    None
}
