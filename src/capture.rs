//! The life of one capture session across the three services: creation (video-server init or
//! GIPS capture session), the final result (played by the channel), and failure — and what an
//! outcome means for lockout ([`locked_until`]; the table itself is `sessions::lockout`, which
//! knows nothing of the flags or the state).
//!
//! Ordering invariant (integration contract §5.10): the result is final in core and GIPS *before*
//! the callback is sent and *before* the page gets `showChallengeResult`. [`finalize`] does the
//! first two; the channel sends `showChallengeResult` only after it returns.

use serde_json::{json, Value};

use crate::{
    error::ApiError,
    scenarios::{
        model::LivenessStatus,
        selection::{select, Chosen, Queue, SelectionInput},
    },
    sessions::{
        store::SharedSession,
        transcript::{needs_no_escape, JsonText},
        BioSession, Face, LivenessResult, SelectedBy, SessionParams, SessionState,
    },
    state::AppState,
};

/// Creates and stores a session with the scenario the request selects.
pub fn create_session(
    state: &AppState,
    params: SessionParams,
    input: SelectionInput,
    fingerprint: Option<String>,
) -> Result<SharedSession, ApiError> {
    let chosen = select(
        &state.scenarios,
        &state.selection,
        &input.facts(&params),
        Queue::Take,
    )?;
    Ok(create_session_as(
        state,
        params,
        chosen,
        input.api_key,
        fingerprint,
    ))
}

/// Creates and stores a session playing `chosen`: what the handlers call with the front door's
/// choice (`front::handoff::Selected`), so selection runs once per creation.
pub fn create_session_as(
    state: &AppState,
    params: SessionParams,
    chosen: Chosen,
    api_key: Option<String>,
    fingerprint: Option<String>,
) -> SharedSession {
    let id = state.new_id();
    let mut session = BioSession::new(id, params, chosen.scenario, chosen.name, chosen.selected_by);
    session.fingerprint = fingerprint;
    session.api_key = api_key;
    push_created(&mut session);
    // A flood of creations (thousands a second) is bounded here: each creation at the cap evicts
    // the session that goes first (about one, found in O(1)); the once-a-second sweeper expires
    // sessions past their TTL.
    let shared = state
        .sessions
        .insert_within(session, state.config.max_sessions);
    // Locked only when a dashboard listens.
    if state.has_listeners() {
        state.notify_session(&shared.lock());
    }
    shared
}

/// The first transcript event, as serde writes it: `{"state": "CREATED", "scenario",
/// "selectedBy", "params"}`. [`push_created`] writes the same text by hand when it can.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Created<'a> {
    state: &'static str,
    scenario: &'a str,
    selected_by: SelectedBy,
    params: &'a SessionParams,
}

impl<'a> Created<'a> {
    fn of(session: &'a BioSession) -> Self {
        Created {
            state: "CREATED",
            scenario: &session.scenario_name,
            selected_by: session.selected_by,
            params: &session.params,
        }
    }
}

/// Records the session's creation as its first transcript event. Every session gets it, and
/// serde's escaping of each key and string was a third of the cost of creating one: when no
/// string needs escaping and there is no age threshold (a float, left to serde's formatting), the
/// text is written by hand from pieces, byte for byte what serde writes (pinned by a test below).
fn push_created(session: &mut BioSession) {
    let p = &session.params;
    let plain = |s: &Option<String>| s.as_deref().is_none_or(needs_no_escape);
    let by_hand = p.age_threshold.is_none()
        && needs_no_escape(&session.scenario_name)
        && needs_no_escape(&p.security_level)
        && plain(&p.correlation_id)
        && plain(&p.evidence_id)
        && plain(&p.callback_url);
    if !by_hand {
        let created = Created::of(session);
        let text = JsonText::of(&created);
        session.transcript.push_json("state", &text);
        return;
    }
    let mut digits = itoa::Buffer::new();
    // Filled in order, absent members left out: fewer pieces, fewer copies.
    let mut pieces = [""; 20];
    let fixed = [
        "{\"state\":\"CREATED\",\"scenario\":\"",
        &session.scenario_name,
        "\",\"selectedBy\":\"",
        session.selected_by.as_str(),
        "\",\"params\":{\"livenessMode\":\"",
        p.liveness_mode.as_str(),
        "\",\"securityLevel\":\"",
        &p.security_level,
        "\",\"numberOfChallenge\":",
        digits.format(p.number_of_challenge),
    ];
    pieces[..fixed.len()].copy_from_slice(&fixed);
    let mut n = fixed.len();
    let optional = [
        (",\"correlationId\":\"", &p.correlation_id),
        (",\"evidenceId\":\"", &p.evidence_id),
        (",\"callbackURL\":\"", &p.callback_url),
    ];
    for (prefix, value) in optional {
        if let Some(value) = value {
            pieces[n..n + 3].copy_from_slice(&[prefix, value, "\""]);
            n += 3;
        }
    }
    pieces[n] = "}}";
    session.transcript.push_json_pieces("state", &pieces[..=n]);
}

/// Makes the result final: stores the best image as a face, sets the core result, records the
/// outcome for lockout, and starts the callback. Returns the `bestImageInfo` for `showChallengeResult`.
///
/// `camera_image` is a frame the stub grabbed from the real camera (scenario `bestImage: camera`).
pub fn finalize(
    state: &AppState,
    session: &SharedSession,
    camera_image: Option<bytes::Bytes>,
) -> Value {
    let face_id = state.new_id();
    let info = {
        let mut s = session.lock();
        if s.state == SessionState::Finished {
            return best_image_info(&s);
        }
        let spec = s.scenario.result.clone();
        let image = match camera_image {
            Some(bytes) => crate::fixtures::from_bytes(bytes),
            None if spec.best_image == "none" => None,
            None => crate::fixtures::image(&spec.best_image),
        };
        let best_image_id = image.map(|img| {
            s.faces.insert(
                face_id.clone(),
                Face {
                    id: face_id.clone(),
                    image: img.bytes,
                    digest: img.digest,
                    content_type: img.content_type,
                    width: img.width,
                    height: img.height,
                    image_type: "SELFIE".into(),
                    friendly_name: Some("best image".into()),
                    created: time::OffsetDateTime::now_utc(),
                },
            );
            face_id.clone()
        });
        s.result = Some(LivenessResult {
            liveness_status: spec.liveness_status,
            diagnostic: spec.diagnostic.clone(),
            best_image_id,
            finished: time::OffsetDateTime::now_utc(),
        });
        s.state = SessionState::Finished;
        // The result stays readable for the full --session-ttl after the capture ends.
        s.touched_at = std::time::Instant::now();
        let result_json = serde_json::to_value(&s.result).unwrap_or(Value::Null);
        s.transcript.push("result", result_json);
        state.notify_session(&s);
        best_image_info(&s)
    };
    // Finished: it now goes first when the store is over its cap.
    state.sessions.reindex(session);
    let user_failure = session
        .lock()
        .result
        .as_ref()
        .is_some_and(|r| crate::sessions::lockout::is_user_failure_status(r.liveness_status));
    record_outcome(state, session, user_failure);
    crate::callbacks::on_final(state, session);
    info
}

/// Ends a capture without a played result (error sent to the page, or the channel dropped).
///
/// `reason` is recorded as is; when it carries an error code (`{"error": {"code"}}`, as the
/// channel sends it) that is the user's failure (1301, 1303), the attempt counts
/// towards lockout. A vanished page, a cancel, a 429, a 503 or a server error does not.
pub fn fail(state: &AppState, session: &SharedSession, reason: Value) {
    let code = reason.pointer("/error/code").and_then(Value::as_u64);
    let user_failure = code.is_some_and(crate::sessions::lockout::is_user_failure_code);
    {
        let mut s = session.lock();
        if s.state.is_terminal() {
            return;
        }
        s.state = SessionState::Failed;
        s.touched_at = std::time::Instant::now();
        // Error 1301 is the vendor's "Video Capture timeout: No face detected during liveness
        // step": the liveness test was not completed within the time permitted, which core's
        // result calls TIMEOUT ("Returning the Results"). Other errors and disconnections leave
        // no result (core reports FAILED).
        if code == Some(1301) {
            s.result = Some(LivenessResult {
                liveness_status: LivenessStatus::Timeout,
                diagnostic: Some(
                    crate::scenarios::vendor_errors::vendor_error_text(1301).to_string(),
                ),
                best_image_id: None,
                finished: time::OffsetDateTime::now_utc(),
            });
        }
        s.transcript
            .push("state", json!({"state": "FAILED", "reason": reason}));
        state.notify_session(&s);
    }
    state.sessions.reindex(session);
    record_outcome(state, session, user_failure);
}

/// Records a capture outcome for the session's fingerprint: `user_failure` says whether it was
/// a failed attempt of the user's (only those count, and only while lockout is on).
fn record_outcome(state: &AppState, session: &SharedSession, user_failure: bool) {
    if !user_failure || !state.lockouts.enabled() {
        return;
    }
    let Some(fingerprint) = session.lock().fingerprint.clone() else {
        return;
    };
    let locked = state.lockouts.record_failure(
        &fingerprint,
        time::OffsetDateTime::now_utc(),
        state.config.lockout_attempts,
        std::time::Duration::from_secs(state.config.lockout_seconds),
    );
    if let Some(until) = locked {
        let when = crate::time_format::rfc3339(until);
        session.lock().transcript.push(
            "finding",
            serde_json::json!({"lockout": format!("{} failed captures from this client: new captures get 429 until {when}", state.config.lockout_attempts), "unlockDateTime": when}),
        );
        // The dashboard reloads its list of locked clients.
        state.notify(serde_json::json!({"type": "lockouts"}));
    }
}

/// When the fingerprint is locked out, the time the lock ends (channel init/startCapture answer 429).
/// Always `None` while lockout is off.
pub fn locked_until(state: &AppState, fingerprint: Option<&str>) -> Option<time::OffsetDateTime> {
    if state.config.lockout_attempts == 0 || !state.lockouts.enabled() {
        return None;
    }
    state
        .lockouts
        .locked_until(fingerprint?, time::OffsetDateTime::now_utc())
}

/// `{w, h, boxX, boxY, boxW, boxH}` of the best image (what `showChallengeResult` carries).
pub fn best_image_info(s: &BioSession) -> Value {
    let face = s
        .result
        .as_ref()
        .and_then(|r| r.best_image_id.as_ref())
        .and_then(|id| s.faces.get(id));
    match face {
        Some(f) => {
            let b = crate::fixtures::face_box(f.width, f.height);
            json!({"w": f.width, "h": f.height, "boxX": b.x, "boxY": b.y, "boxW": b.width, "boxH": b.height})
        }
        None => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios::model::{LivenessMode, Scenario};
    use std::sync::Arc;

    fn session(name: &str, by: SelectedBy, params: SessionParams) -> BioSession {
        BioSession::new(
            "id".into(),
            params,
            Arc::new(Scenario::default()),
            name.into(),
            by,
        )
    }

    #[test]
    fn the_creation_event_written_by_hand_is_what_serde_writes() {
        let full = SessionParams {
            correlation_id: Some("tx-1 é".into()),
            evidence_id: Some("ev".into()),
            callback_url: Some("https://example.test/cb?a=1&b=2".into()),
            number_of_challenge: 4_294_967_295,
            security_level: "LOW".into(),
            ..SessionParams::new(LivenessMode::LivenessActive)
        };
        let cases = [
            session(
                "success",
                SelectedBy::Default,
                SessionParams::new(LivenessMode::LivenessPassive),
            ),
            session("spoof", SelectedBy::Request, full.clone()),
            session(
                "x",
                SelectedBy::PageHint,
                SessionParams {
                    number_of_challenge: 0,
                    evidence_id: Some("e".into()),
                    ..SessionParams::new(LivenessMode::LivenessPassiveVideo)
                },
            ),
            // Left to serde: a string to escape, an age threshold.
            session("quo\"te\\ \n", SelectedBy::MatchRule, full.clone()),
            session(
                "aged",
                SelectedBy::Queue,
                SessionParams {
                    age_threshold: Some(18.5),
                    callback_url: Some("tab\there".into()),
                    ..full
                },
            ),
            session(
                "pinned",
                SelectedBy::Pin,
                SessionParams::new(LivenessMode::LivenessPassive),
            ),
        ];
        for mut s in cases {
            let expected = serde_json::to_string(&Created::of(&s)).unwrap();
            push_created(&mut s);
            let events = s.transcript.events();
            let event = events.get(0).unwrap();
            assert_eq!((event.kind, event.raw.get()), ("state", expected.as_str()));
        }
    }
}
