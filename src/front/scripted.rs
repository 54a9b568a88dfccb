//! Scripted answers: the scenario's per-endpoint answers (`rest` in scenario files) applied
//! around the routes, and the `rest` transcript event of each call.
//!
//! The front door runs this for every request it classified as a scriptable endpoint, so
//! handlers stay ignorant of scenarios. It finds the scenario (the session's, or for requests
//! before a session the one selection would use), then either answers alone (an error status:
//! the handler is not run, as a real server refusing would have no side effect) or lets the
//! handler answer and alters the answer. What an answer does (status, body, merge patch,
//! headers) is `scenarios::answer`; when and to which session it applies is decided here.

use axum::{
    body::{Body, Bytes},
    extract::Request,
    http::{header, Method},
    response::Response,
};
use serde_json::{json, value::RawValue, Value};

use super::{
    creation::{CreationBody, Validated},
    endpoint::{Classified, Subject},
    handoff::{Handoff, Selected, SessionTag},
};
use crate::{
    gips::capture_session::CaptureRequest,
    scenarios::{
        answer::{alter, scripted_error, MAX_JSON},
        model::{Endpoint, RestAnswer},
        selection::{self, Chosen, Queue},
    },
    sessions::{
        store::SharedSession,
        transcript::{needs_no_escape, JsonText},
        SelectedBy,
    },
    state::AppState,
    video_server::init::InitRequest,
};

/// Largest body summary kept in a transcript, in characters of JSON.
const MAX_SUMMARY: usize = 2048;

/// What the front door knows of a request when it hands it to [`prepare`].
pub struct Facts<'a> {
    /// The endpoint (scriptable: `classified.endpoint` is `Some`) and subject.
    pub classified: &'a Classified,
    /// The session the path names, looked up once by the front door.
    pub session: Option<SharedSession>,
    /// A session-creating request's body, read once by the front door.
    pub creation: Option<CreationBody>,
    /// Whether the request passed the API-key rule.
    pub authorised: bool,
    /// The client fingerprint the watcher computed (init only), for the handler.
    pub fingerprint: Option<String>,
}

/// What [`prepare`] decided: route the request (and finish with [`after`]), or give a
/// scripted error answer instead ([`answer_alone`]).
pub enum Prepared {
    /// Run the routes (handing a creating handler the front door's [`Handing`]), then [`after`].
    Route(Pending, Option<Handing>),
    /// The scenario answers with an error status; the handler is not run.
    Alone(Alone),
}

/// What [`after`] needs once the routes answered: the scripted endpoint, the session (or the
/// session-less choice) and the scripted answer before the handler ran.
pub struct Pending {
    endpoint: Endpoint,
    session: Option<SharedSession>,
    before: Option<Chosen>,
    taken: Option<String>,
    authorised: bool,
    /// The scripted answer of a session-less request (its choice cannot change meanwhile);
    /// boxed, as few scenarios script one, to keep the front door's future small.
    sessionless: Option<Box<RestAnswer>>,
}

/// What the front door hands a creating handler: the body's verdict, the choice and the
/// fingerprint in one [`Handoff`]. The caller puts it on the request for a routed handler
/// ([`Handing::put_on`]), or hands it to a handler it calls directly.
pub enum Handing {
    /// init-liveness-session's.
    Init(Handoff<InitRequest>),
    /// A GIPS capture session's.
    Capture(Handoff<CaptureRequest>),
}

impl Handing {
    /// Puts the handoff on `req`'s extensions, where the handler's extractor takes it.
    pub fn put_on(self, req: &mut Request) {
        let extensions = req.extensions_mut();
        match self {
            Handing::Init(handoff) => {
                extensions.insert(handoff);
            }
            Handing::Capture(handoff) => {
                extensions.insert(handoff);
            }
        }
    }
}

/// A scripted error that answers instead of the handler.
pub struct Alone {
    answer: RestAnswer,
    name: String,
    session: Option<SharedSession>,
}

/// Decides, before the handler, what the scenario does with a request to a scriptable endpoint
/// (`None` for any other request, which is routed as it is): for a creation, chooses the
/// scenario once (taking the queue's head when it supplies it) and hands the choice, the
/// validated body and the fingerprint to the handler in one [`Handoff`] extension.
pub fn prepare(state: &AppState, req: &mut Request, facts: Facts<'_>) -> Option<Prepared> {
    let endpoint = facts.classified.endpoint?;
    let authorised = facts.authorised;

    // Before the handler: the session, or what selection would choose without one.
    let session = match &facts.classified.subject {
        Subject::Session(_) => facts.session,
        Subject::Identity(id) => session_of_identity(state, id),
        Subject::None => None,
    };
    // A creation with a valid body chooses its scenario here, once, taking the queue's head when
    // the queue supplies it, and hands the choice to the handler (`handoff::Handoff`): parallel
    // creations each take their own queued name, with no lock held across the handler. A body
    // the handler will refuse only peeks (no session, so nothing is taken).
    let mut taken = None;
    let mut handing = None;
    let creation_valid = facts.creation.as_ref().map(|c| c.valid);
    let created = facts.creation.map(|creation| {
        let queue = if creation.valid {
            Queue::Take
        } else {
            Queue::Peek
        };
        let chosen = selection::select(
            &state.scenarios,
            &state.selection,
            &creation.input.facts(&creation.params),
            queue,
        );
        let selected = creation.valid.then(|| {
            if let Ok(c) = &chosen {
                if c.selected_by == SelectedBy::Queue {
                    taken = Some(c.name.clone());
                }
            }
            Selected {
                chosen: chosen.clone(),
                api_key: creation.input.api_key,
            }
        });
        let fingerprint = facts.fingerprint;
        handing = Some(match creation.validated {
            Validated::Init(request) => Handing::Init(Handoff {
                request,
                selected,
                fingerprint,
            }),
            Validated::Capture(request) => Handing::Capture(Handoff {
                request,
                selected,
                fingerprint,
            }),
        });
        chosen.ok()
    });
    // Scripted answers before a session exists follow the creation's choice, or what a
    // session-less request gets; a GIPS capture session on an identity that already has a
    // session follows that session's scenario (as for the identity's other calls).
    let before = match (&session, created) {
        (Some(_), _) => None,
        (None, Some(chosen)) => chosen,
        (None, None) => {
            let header = selection::requested_in(req.headers());
            Some(selection::for_sessionless_request(
                &state.scenarios,
                &state.selection,
                header.as_deref(),
            ))
        }
    };
    let pre_answer = match (&session, &before) {
        (Some(s), _) => s.lock().scenario.rest.get(&endpoint).cloned(),
        (None, Some(chosen)) => chosen.scenario.rest.get(&endpoint).cloned(),
        _ => None,
    };

    // An error answer is given instead of the handler's.
    let pre_answer = match pre_answer {
        Some(answer) if answer.status.is_some_and(|s| s >= 400) && authorised => {
            return Some(Prepared::Alone(alone(
                state,
                answer,
                session,
                &before,
                &taken,
                creation_valid,
            )));
        }
        pre_answer => pre_answer,
    };
    // Without a session before the handler, the session-less answer is the one `pre_answer`
    // found (a creation's session, known only after the handler, is looked at in `after`).
    let sessionless = session
        .is_none()
        .then_some(pre_answer)
        .flatten()
        .map(Box::new);
    Some(Prepared::Route(
        Pending {
            endpoint,
            session,
            before,
            taken,
            authorised,
            sessionless,
        },
        handing,
    ))
}

/// The scripted error `answer` given instead of the handler's. A queued scenario that answers a
/// creation with its scripted error is used up by it, as if a session had taken it.
fn alone(
    state: &AppState,
    answer: RestAnswer,
    session: Option<SharedSession>,
    before: &Option<Chosen>,
    taken: &Option<String>,
    creation_valid: Option<bool>,
) -> Alone {
    if let (Some(chosen), None, Some(false)) = (before, taken, creation_valid) {
        if chosen.selected_by == SelectedBy::Queue {
            state.selection.consume_head(&chosen.name);
        }
    }
    if let (Some(name), Some(_)) = (taken, &session) {
        // The answer is the identity's running session's, not the taken name's: it goes back.
        state.selection.queue.lock().push_front(name.clone());
    }
    let name = match (&session, before) {
        (Some(s), _) => s.lock().scenario_name.clone(),
        (None, Some(c)) => c.name.clone(),
        _ => String::new(),
    };
    Alone {
        answer,
        name,
        session,
    }
}

/// The scripted error answer [`prepare`] chose, after its delay, recorded in the transcript.
pub async fn answer_alone(state: &AppState, alone: Alone, method: &Method, path: &str) -> Response {
    tokio::time::sleep(state.scaled(alone.answer.delay_ms)).await;
    let response = scripted_error(&alone.answer, &alone.name);
    record(alone.session.as_ref(), method, path, response, true).await
}

/// What is left to do after the handler answered, once [`settle`] did what needs no waiting.
pub enum Settled {
    /// Nothing: no session to record in, no scripted answer to apply.
    Done(Response),
    /// The scripted answer (if any) to apply, and the call to record in the session's
    /// transcript: [`finish`].
    Record(Recording),
}

/// The waiting part of the step after the handler (see [`finish`]).
pub struct Recording {
    session: Option<SharedSession>,
    answer: Option<RestAnswer>,
    response: Response,
}

/// After the handler answered: gives back a queued name no session took, finds the session
/// (the handler's [`SessionTag`] for a creation) and the scripted answer that applies. What
/// remains needs waiting only when there is a session to record in or an answer to apply;
/// otherwise the answer is final now, and no future is made for it.
pub fn settle(
    state: &AppState,
    pending: Pending,
    response: Response,
    given: Option<&SessionTag>,
) -> Settled {
    let Pending {
        endpoint,
        mut session,
        before,
        taken,
        authorised,
        sessionless,
    } = pending;
    if let Some(name) = taken.filter(|_| !response.status().is_success()) {
        // The handler created no session (unknown identity, too many portraits...): the queued
        // name goes back to the head for the next creation.
        state.selection.queue.lock().push_front(name);
    }

    if session.is_none() {
        session = given
            .or_else(|| response.extensions().get::<SessionTag>())
            .and_then(|t| t.session.clone().or_else(|| state.sessions.peek(&t.id)));
    }
    let answer = match (&session, &before) {
        (Some(s), _) => s.lock().scenario.rest.get(&endpoint).cloned(),
        (None, Some(_)) => sessionless.map(|answer| *answer),
        _ => None,
    };
    let answer = answer.filter(|_| authorised && !response.status().is_client_error());
    if session.is_none() && answer.is_none() {
        // `record` has nowhere to write.
        return Settled::Done(response);
    }
    Settled::Record(Recording {
        session,
        answer,
        response,
    })
}

/// Applies the scenario's scripted answer to the handler's (status, body, headers, delay), and
/// records the call in the session's transcript.
pub async fn finish(
    state: &AppState,
    recording: Recording,
    method: &Method,
    path: &str,
) -> Response {
    let Recording {
        session,
        answer,
        response,
    } = recording;
    let Some(answer) = answer else {
        return record(session.as_ref(), method, path, response, false).await;
    };
    tokio::time::sleep(state.scaled(answer.delay_ms)).await;
    let response = alter(response, &answer).await;
    record(session.as_ref(), method, path, response, true).await
}

/// [`finish`] done in place, when it needs no waiting: no scripted answer to apply, and the
/// answer's body (if JSON) at hand ([`body_at_hand`]). `Err` gives the recording back, intact,
/// for [`finish`].
///
/// `own_json`: the answer is the emulator's own text (a handler the front door called directly
/// wrote it), so its JSON body needs no checking before it goes into the transcript.
///
/// [`body_at_hand`]: crate::http::layers::body_at_hand
#[allow(clippy::result_large_err)] // the recording goes back as it came, not boxed: no allocation
pub fn finish_now(
    recording: Recording,
    method: &Method,
    path: &str,
    own_json: bool,
    cx: &mut std::task::Context<'_>,
) -> Result<Response, Recording> {
    use crate::http::layers::{body_at_hand, says_json, AtHand};
    let (Some(session), None) = (&recording.session, &recording.answer) else {
        return Err(recording);
    };
    let (parts, body) = recording.response.into_parts();
    if !says_json(&parts.headers) {
        let written = Written::Checked;
        return Ok(write_rest(
            session,
            method,
            path,
            parts,
            None,
            Some(body),
            written,
        ));
    }
    let json = match body_at_hand(body, MAX_JSON, cx) {
        AtHand::Whole(bytes) => Some(bytes),
        AtHand::Failed(_) => None,
        AtHand::Later(body) => {
            return Err(Recording {
                response: Response::from_parts(parts, body),
                ..recording
            })
        }
    };
    let written = if own_json {
        Written::Own
    } else {
        Written::Checked
    };
    Ok(write_rest(
        session,
        method,
        path,
        parts,
        Some(json),
        None,
        written,
    ))
}

/// The newest live session of identity `id`: its portraits list their sessions, newest last.
fn session_of_identity(state: &AppState, id: &str) -> Option<SharedSession> {
    let identity = state.gips.peek(id)?;
    let sessions: Vec<String> = identity
        .lock()
        .portraits
        .iter()
        .rev()
        .map(|p| p.session_id.clone())
        .collect();
    sessions.iter().find_map(|s| state.sessions.peek(s))
}

/// Appends the `rest` transcript event to the session (if any) and returns the response.
///
/// The same call answered the same way as the session's last event (a poll loop) is counted on
/// that event (`count`) instead of being recorded again.
async fn record(
    session: Option<&SharedSession>,
    method: &Method,
    path: &str,
    response: Response,
    scripted: bool,
) -> Response {
    let Some(session) = session else {
        return response;
    };
    let (parts, body) = response.into_parts();
    // JSON bodies are buffered (to be summarised); others pass through untouched.
    let (json, body) = if crate::http::layers::says_json(&parts.headers) {
        let bytes = crate::http::layers::to_bytes(body, MAX_JSON).await.ok();
        (Some(bytes), None)
    } else {
        (None, Some(body))
    };
    let written = if scripted {
        Written::Scripted
    } else {
        Written::Checked
    };
    write_rest(session, method, path, parts, json, body, written)
}

/// Who wrote an answer recorded by [`write_rest`].
#[derive(Clone, Copy, PartialEq)]
enum Written {
    /// A handler; its JSON body is checked before it goes into the transcript.
    Checked,
    /// The emulator's own text (a handler the front door called directly): valid JSON as it is.
    Own,
    /// The scenario (`scripted: true` in the event); checked.
    Scripted,
}

/// Writes the `rest` event of an answer whose JSON body was read (`json`: `Some(None)` when it
/// could not be), or whose other `body` passes through, and puts the answer back together.
fn write_rest(
    session: &SharedSession,
    method: &Method,
    path: &str,
    parts: axum::http::response::Parts,
    json: Option<Option<Bytes>>,
    body: Option<Body>,
    written: Written,
) -> Response {
    let scripted = written == Written::Scripted;
    let key = {
        use std::hash::{BuildHasher, Hash, Hasher};
        // Compared only with the session's previous key: a fast hash is enough.
        let mut h = foldhash::fast::FixedState::with_seed(0).build_hasher();
        (method.as_str(), path, parts.status.as_u16(), scripted).hash(&mut h);
        match &json {
            Some(bytes) => bytes.as_deref().hash(&mut h),
            None => (
                parts.headers.get(header::CONTENT_TYPE),
                parts.headers.get(header::CONTENT_LENGTH),
            )
                .hash(&mut h),
        }
        h.finish()
    };
    // One event around the (already checked) body text: no value tree, one allocation, and the
    // session locked once.
    let mut transcript_owner = session.lock();
    let transcript = &mut transcript_owner.transcript;
    if !transcript.repeat_last(key) {
        let status = parts.status;
        let own = match &json {
            Some(Some(bytes)) if written == Written::Own && bytes.len() <= MAX_SUMMARY => {
                std::str::from_utf8(bytes).ok()
            }
            _ => None,
        };
        let own_pieces =
            own.and_then(|text| rest_pieces(method.as_str(), path, status.as_str(), text, false));
        if let Some(pieces) = own_pieces {
            transcript.push_json_pieces_keyed("rest", &pieces, key);
            drop(transcript_owner);
            return answer_of(parts, json, body);
        }
        let summary;
        let body: &RawValue = match &json {
            Some(Some(bytes)) => match small_json(bytes) {
                Some(raw) => raw,
                None => {
                    summary = summarise(bytes);
                    &summary
                }
            },
            Some(None) => NULL.as_ref(),
            None => {
                summary = raw(json!({
                    "contentType": parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()),
                    "bytes": parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok()),
                }));
                &summary
            }
        };
        match rest_pieces(method.as_str(), path, status.as_str(), body.get(), scripted) {
            Some(pieces) => transcript.push_json_pieces_keyed("rest", &pieces, key),
            None => {
                let event = JsonText::of(&RestEvent {
                    method: method.as_str(),
                    path,
                    status: status.as_u16(),
                    body,
                    scripted,
                });
                transcript.push_json_keyed("rest", &event, key);
            }
        }
    }
    drop(transcript_owner);
    answer_of(parts, json, body)
}

/// The answer put back together once recorded: its JSON bytes, or its other body.
fn answer_of(
    parts: axum::http::response::Parts,
    json: Option<Option<Bytes>>,
    body: Option<Body>,
) -> Response {
    let body = match (json, body) {
        (Some(Some(bytes)), _) => Body::from(bytes),
        (_, Some(body)) => body,
        _ => Body::empty(),
    };
    Response::from_parts(parts, body)
}

/// A `rest` transcript event: one REST call to a session and its answer.
#[derive(serde::Serialize)]
struct RestEvent<'a> {
    method: &'a str,
    path: &'a str,
    status: u16,
    body: &'a RawValue,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    scripted: bool,
}

/// The text serde writes for a [`RestEvent`], as pieces, when `path` needs no escaping (the
/// method is an HTTP token, the status three digits, the body JSON text: checked, or the
/// emulator's own): the common case, at about a fifth of serde's cost per request. `None`: let
/// serde write it.
fn rest_pieces<'a>(
    method: &'a str,
    path: &'a str,
    status: &'a str,
    body: &'a str,
    scripted: bool,
) -> Option<[&'a str; 9]> {
    if !needs_no_escape(path) || !needs_no_escape(method) {
        return None;
    }
    Some([
        "{\"method\":\"",
        method,
        "\",\"path\":\"",
        path,
        "\",\"status\":",
        status,
        ",\"body\":",
        body,
        if scripted { ",\"scripted\":true}" } else { "}" },
    ])
}

/// The JSON `null`, for an answer whose body could not be read.
static NULL: std::sync::LazyLock<Box<RawValue>> = std::sync::LazyLock::new(|| raw(Value::Null));

/// `value` as raw JSON text.
fn raw(value: Value) -> Box<RawValue> {
    serde_json::value::to_raw_value(&value).unwrap_or_else(|_| NULL.clone())
}

/// A body of at most [`MAX_SUMMARY`] bytes that is valid JSON, as it was sent (checked, not
/// parsed into a tree).
fn small_json(bytes: &Bytes) -> Option<&RawValue> {
    if bytes.len() > MAX_SUMMARY {
        return None;
    }
    serde_json::from_slice::<&RawValue>(bytes).ok()
}

/// What a `rest` event shows for a JSON answer [`small_json`] does not keep: its size, and
/// for a large one its top-level shape.
fn summarise(bytes: &Bytes) -> Box<RawValue> {
    if bytes.len() <= MAX_SUMMARY {
        return raw(json!({"bytes": bytes.len()}));
    }
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
        return raw(json!({"bytes": bytes.len()}));
    };
    raw(match &value {
        Value::Object(map) => json!({"bytes": bytes.len(), "keys": map.keys().collect::<Vec<_>>()}),
        Value::Array(items) => json!({"bytes": bytes.len(), "items": items.len()}),
        _ => json!({"bytes": bytes.len()}),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rest_event_by_hand_is_what_serde_writes() {
        let bodies = [
            r#"{"id":"4c1b"}"#,
            "null",
            r#"[1, {"a": "é\u0001"}]"#,
            r#""x""#,
        ];
        let paths = [
            "/video-server/init-liveness-session",
            "/bioserver-app/v2/bio-sessions/ab%22c/faces",
        ];
        for body in bodies {
            let body: &RawValue = serde_json::from_str(body).expect("test body is JSON");
            for path in paths {
                for (status, scripted) in [(201, false), (429, true), (200, true)] {
                    let status = axum::http::StatusCode::from_u16(status).expect("status");
                    let by_hand = rest_pieces("POST", path, status.as_str(), body.get(), scripted)
                        .expect("a plain path is written by hand")
                        .concat();
                    let by_serde = serde_json::to_string(&RestEvent {
                        method: "POST",
                        path,
                        status: status.as_u16(),
                        body,
                        scripted,
                    })
                    .expect("serializable");
                    assert_eq!(by_hand, by_serde);
                }
            }
        }
        let null: &RawValue = serde_json::from_str("null").expect("JSON");
        assert!(rest_pieces("GET", "/a\"b", "200", null.get(), false).is_none());
    }

    #[test]
    fn a_small_json_body_is_kept_as_sent() {
        let body = Bytes::from_static(br#" {"a": 1} "#);
        assert_eq!(small_json(&body).map(RawValue::get), Some(r#"{"a": 1}"#));
        let broken = Bytes::from_static(br#"{"a": "#);
        assert!(small_json(&broken).is_none());
        assert_eq!(summarise(&broken).get(), r#"{"bytes":6}"#);
    }
}
