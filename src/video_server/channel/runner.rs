//! One capture channel: the task that owns one WebSocket and walks the session's [`Plan`].
//!
//! There is exactly one task per socket and it only ever waits on the socket, a timer, the
//! session's trainer controls (a dashboard pause) or the shutdown token, so an idle channel costs
//! a parked future (no polling). Every message both ways is recorded in the session transcript;
//! every way a channel can end (`End`) leaves the session in a terminal state with the reason
//! recorded.

use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{
    self,
    protocol::{frame::coding::CloseCode, CloseFrame},
    Message,
};

use super::protocol::{self, ClientMessage, ProtocolError, ServerMessage};
use super::{ChannelSocket, HelloGate};
use crate::{
    capture,
    scenarios::{
        model::{BestImageSource, ChannelError, ClientEvent, LivenessMode, Scenario},
        plan::{self, Action, Plan, Planned},
        vendor_errors,
    },
    sessions::{gate::Gate, store::SharedSession, transcript::JsonText, SessionState},
    state::AppState,
};

/// How long a fresh socket may stay silent before its `hello` (wall clock, not scaled).
const HELLO_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the result waits for the page's camera frame when the scenario wants it.
const BEST_IMAGE_WAIT: Duration = Duration::from_secs(5);
/// After a close for a protocol violation, how long and how much the channel keeps reading (and
/// discarding) so the page receives the close frame instead of a connection reset.
const LINGER: Duration = Duration::from_secs(1);
/// See [`LINGER`].
const LINGER_BYTES: u64 = 16 * 1024 * 1024;
/// The instruction after which the session is PENDING (result being computed).
const PENDING: &str = "TRACKER_CHALLENGE_PENDING";

/// A plan step ready to play: tracking frames already serialized.
enum Prepared {
    Frame(JsonText),
    Action(Action),
}

/// One part of the plan with its tracking frames serialized, each with its unscaled delay.
fn prepare(steps: Vec<Planned>) -> Vec<(u64, Prepared)> {
    steps
        .into_iter()
        .map(|step| {
            let prepared = match step.action {
                Action::Tracking(frame) => {
                    Prepared::Frame(ServerMessage::Tracking { data: frame }.to_text())
                }
                other => Prepared::Action(other),
            };
            (step.delay_ms, prepared)
        })
        .collect()
}

/// Which part of the [`Plan`] is being walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// While `initFaceCaptureClient` is pending. Not held by the trainer controls (the page has
    /// no client yet, so nothing a trainer explains), and its `downloadProgress` frames are sent
    /// unstamped (`scheduledAt` measures the capture's tracking stream).
    Init,
    /// After `init`: every action passes the trainer controls; tracking frames are stamped.
    Capture,
}

/// How a walk of one part ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walked {
    /// The capture ended in this part (result, error or injected error sent).
    ToTheEnd,
    /// Every step was played and the capture goes on (after the init part: the page has its
    /// client).
    Through,
}

/// Frames longer than this are checked for images to leave out of the transcript.
const REDACT_ABOVE: usize = 4096;
/// Longest page-supplied string kept in the transcript as it is (a `finding`'s code, the hello's
/// user agent or hint); longer ones are cut with a marker saying how much was left out, so a page
/// cannot fill memory through the transcript (one session's reached 629 MB).
pub const MAX_PAGE_STRING: usize = 512;

/// What the channel plays, fixed when the capture starts (the session keeps this snapshot).
struct CaptureStart {
    scenario: std::sync::Arc<Scenario>,
    scenario_name: String,
    mode: LivenessMode,
    number_of_challenge: u32,
}

/// Who is on the other end, from the upgrade request.
#[derive(Debug, Clone)]
pub struct Peer {
    /// The lockout fingerprint of the upgrade request (`http::fingerprint`, the same recipe as
    /// session creation), computed once per channel.
    pub fingerprint: String,
    /// `emulator-scenario` query parameter of the channel URL (a page hint, if the page set it there).
    pub query_hint: Option<String>,
}

/// How a channel ended.
#[derive(Debug)]
enum End {
    /// The capture reached its end (result or error sent): close normally.
    Done,
    /// The page went away (vanished, or the network failed).
    Vanished(String),
    /// The page sent a close frame: it is echoed (RFC 6455 §5.5.1), then the session fails.
    PeerClosed(String),
    /// The page cancelled the capture.
    Cancelled,
    /// The page broke the protocol: close with the reason.
    Invalid(ProtocolError),
    /// The scenario asked for an abrupt drop: no close frame.
    Dropped,
    /// The page stopped reading: nothing more can be written, the connection is dropped.
    Stalled(String),
    /// The emulator is stopping.
    Shutdown,
}

/// The state of one channel.
struct Channel {
    state: AppState,
    socket: ChannelSocket,
    peer: Peer,
    session: Option<SharedSession>,
    started: bool,
    camera_image: Option<Bytes>,
}

/// Runs one channel to its end. Never panics on input; always leaves the session terminal.
pub async fn run(state: AppState, socket: ChannelSocket, peer: Peer) {
    let mut ch = Channel {
        state,
        socket,
        peer,
        session: None,
        started: false,
        camera_image: None,
    };
    // Shutdown is watched here, once per channel: a `cancelled()` arm in every wait would
    // register with the shared token (a global lock) ten times a second per session.
    let shutdown = ch.state.shutdown.clone();
    let end = tokio::select! {
        played = ch.play() => match played {
            Ok(()) => End::Done,
            Err(end) => end,
        },
        _ = shutdown.cancelled() => End::Shutdown,
    };
    ch.finish(end).await;
}

impl Channel {
    /// The whole conversation: hello, then the session's [`Plan`] as it is: its init part, then
    /// (once the page has its client) its capture part.
    async fn play(&mut self) -> Result<(), End> {
        let Some((session, hint)) = self.accept_hello().await? else {
            return Ok(());
        };
        let capture = self.begin_capture(&session, hint.as_deref());
        self.notify();

        if let Some(until) = self.locked_until() {
            return self.send_error(vendor_errors::lockout_payload(until)).await;
        }
        let Plan {
            init,
            capture: steps,
        } = plan::plan(
            &capture.scenario,
            capture.mode,
            capture.number_of_challenge,
            &mut self.state.child_rng(),
        );
        // Tracking frames are serialized now: the session keeps its plan while it plays, and a
        // frame's text is a fifth of the size of its JSON tree (and is not serialized twice).
        let (init, steps) = (prepare(init), prepare(steps));
        if self.walk(&session, &capture, Part::Init, init).await? == Walked::ToTheEnd {
            return Ok(());
        }
        match self.walk(&session, &capture, Part::Capture, steps).await? {
            Walked::ToTheEnd => Ok(()),
            Walked::Through => {
                // A timeline without Result or Error: the capture simply ends without a verdict.
                self.record(
                    "note",
                    json!({"note": "the scenario timeline ended without a result or an error"}),
                );
                Err(End::Vanished(
                    "the scenario timeline ended without a result".into(),
                ))
            }
        }
    }

    /// Waits for the `hello` and checks its session. `None` when the session was refused (the
    /// page got its error and the close frame); otherwise the session and the page's hint.
    async fn accept_hello(&mut self) -> Result<Option<(SharedSession, Option<String>)>, End> {
        let hello = tokio::select! {
            m = self.next_message() => m?,
            _ = tokio::time::sleep(HELLO_TIMEOUT) => {
                return Err(End::Invalid(ProtocolError::out_of_order("no hello within 30 s")));
            }
        };
        let ClientMessage::Hello {
            session_id,
            scenario: hint,
            ..
        } = &hello
        else {
            return Err(End::Invalid(ProtocolError::out_of_order(format!(
                "the first message must be hello, got {}",
                hello.kind()
            ))));
        };
        let Some(session) = self.state.sessions.get(session_id) else {
            let why = format!(
                "Unknown bioSessionId '{session_id}' (create it with init-liveness-session first)"
            );
            return self.refuse_session(&why).await.map(|()| None);
        };
        // Checked and claimed under one lock: when hellos for one session race (a page that
        // initialises twice), exactly one channel plays it and the others are refused.
        let refusal = match &mut session.lock().state {
            state @ SessionState::Created => {
                *state = SessionState::Capturing;
                None
            }
            SessionState::Capturing | SessionState::Pending => Some(format!(
                "Session '{session_id}' already has a capture channel"
            )),
            _ => Some(format!(
                "Session '{session_id}' has already ended; create a new one"
            )),
        };
        if let Some(why) = refusal {
            return self.refuse_session(&why).await.map(|()| None);
        }
        self.session = Some(session.clone());
        // From now on frames are bounded by the per-type limits, not the pre-hello budget.
        self.socket.get_mut().open();
        self.record("receive", hello_for_transcript(&hello));
        let hint = hint
            .clone()
            .or_else(|| self.peer.query_hint.clone())
            .map(|h| clip(&h, MAX_PAGE_STRING).into_owned());
        Ok(Some((session, hint)))
    }

    /// Fixes the session's scenario for good (pin > request > page hint) and marks it CAPTURING
    /// by this page's device.
    fn begin_capture(&self, session: &SharedSession, hint: Option<&str>) -> CaptureStart {
        crate::scenarios::selection::resolve_at_capture_start(&self.state.scenarios, session, hint);
        let mut s = session.lock();
        s.state = SessionState::Capturing;
        // Lockout counts the device that captures (the page), not the integrator's back end
        // that created the session, as the vendor's fingerprinting does.
        s.fingerprint = Some(self.peer.fingerprint.clone());
        let entry = json!({"state": "CAPTURING", "scenario": s.scenario_name, "fingerprint": self.peer.fingerprint.clone()});
        s.transcript.push("state", entry);
        CaptureStart {
            scenario: s.scenario.clone(),
            scenario_name: s.scenario_name.clone(),
            mode: s.params.liveness_mode,
            number_of_challenge: s.params.number_of_challenge,
        }
    }

    /// Plays one part of the plan, each action due its delay (scaled) after the previous one's
    /// due time; in the capture part each also passes the session's trainer controls first
    /// (dashboard pause/step/inject) and tracking frames carry their due time on the wire.
    /// [`Walked::ToTheEnd`] when the capture ended in it (result, error or drop).
    async fn walk(
        &mut self,
        session: &SharedSession,
        capture: &CaptureStart,
        part: Part,
        steps: Vec<(u64, Prepared)>,
    ) -> Result<Walked, End> {
        let wants_camera = capture.scenario.browser.best_image == BestImageSource::Camera;
        let control = session.lock().control.clone();
        // Each action is due at a fixed time from the start of the part (the sum of the delays
        // before it), not "delay after the previous send": a 10 fps tracking stream stays at
        // 10 fps when the server is busy instead of drifting by each frame's lag. The schedule
        // restarts from now after anything that legitimately holds the walk (the page's
        // startCapture, a dashboard pause or step), so a hold is never followed by a burst.
        let start = tokio::time::Instant::now();
        let start_epoch_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let mut due = start;
        for (delay_ms, prepared) in steps {
            let delay = self.state.scaled(delay_ms);
            if !delay.is_zero() {
                due = crate::state::instant_after(due, delay);
                self.pause_until(due).await?;
            }
            if part == Part::Capture {
                // The common case (not paused, nothing injected) without registering for wake-ups.
                let gate = match control.try_gate() {
                    Some(gate) => gate,
                    None => {
                        let gate = self.gate(&control).await?;
                        due = tokio::time::Instant::now();
                        gate
                    }
                };
                if let Gate::Inject(error) = gate {
                    self.send_scenario_error(&error).await?;
                    return Ok(Walked::ToTheEnd);
                }
            }
            let action = match prepared {
                Prepared::Frame(text) if part == Part::Capture => {
                    let offset_ms = due.saturating_duration_since(start).as_millis() as u64;
                    self.send_frame(text, start_epoch_ms + offset_ms).await?;
                    continue;
                }
                Prepared::Frame(text) => {
                    self.send_text(text).await?;
                    continue;
                }
                Prepared::Action(action) => action,
            };
            match action {
                Action::Init => {
                    self.send(ServerMessage::Init {
                        liveness_mode: capture.mode.as_str().to_string(),
                        number_of_challenge: capture.number_of_challenge,
                        scenario: capture.scenario_name.clone(),
                        browser: serde_json::to_value(&capture.scenario.browser)
                            .unwrap_or(Value::Null),
                    })
                    .await?
                }
                Action::WaitFor(ClientEvent::StartCapture) => {
                    self.wait_for_start().await?;
                    due = tokio::time::Instant::now();
                }
                Action::ClientInitEnd => self.send(ServerMessage::ClientInitEnd).await?,
                // Prepared as text above; kept so the match stays exhaustive.
                Action::Tracking(frame) => {
                    self.send(ServerMessage::Tracking { data: frame }).await?
                }
                Action::Instruction(value) => {
                    let pending = value == PENDING;
                    self.send(ServerMessage::Instruction { data: value })
                        .await?;
                    if pending {
                        self.set_pending();
                    }
                }
                Action::Error(error) => {
                    self.send_scenario_error(&error).await?;
                    return Ok(Walked::ToTheEnd);
                }
                Action::Disconnect => return Err(End::Dropped),
                Action::Result => {
                    if wants_camera && self.camera_image.is_none() {
                        self.wait_for_camera_image().await?;
                    }
                    let info = capture::finalize(&self.state, session, self.camera_image.take());
                    self.send(ServerMessage::Result {
                        data: json!({ "bestImageInfo": info }),
                    })
                    .await?;
                    return Ok(Walked::ToTheEnd);
                }
            }
        }
        Ok(Walked::Through)
    }

    /// Sends a scripted or injected error as `errorFn`; the capture ends with it.
    async fn send_scenario_error(&mut self, error: &ChannelError) -> Result<(), End> {
        let now = time::OffsetDateTime::now_utc();
        let payload = vendor_errors::error_payload(error, now, self.lockout_seconds());
        self.send_error(payload).await
    }

    /// Answers a hello for a session that cannot be played: error to the page, then close.
    async fn refuse_session(&mut self, why: &str) -> Result<(), End> {
        tracing::warn!(reason = why, "capture channel refused");
        let msg = ServerMessage::Error {
            data: json!({"code": 400, "error": why}),
        };
        let _ = self.send(msg).await;
        Err(End::Invalid(ProtocolError::out_of_order(why.to_string())))
    }

    /// Sends an error (errorFn on the page) and ends the capture.
    async fn send_error(&mut self, data: Value) -> Result<(), End> {
        self.send(ServerMessage::Error { data: data.clone() })
            .await?;
        if let Some(session) = &self.session {
            capture::fail(&self.state, session, json!({"error": data}));
        }
        Ok(())
    }

    /// Waits at the session's trainer controls (dashboard pause/step/inject, routes in
    /// [`crate::control::trainer`]), serving the page meanwhile.
    async fn gate(
        &mut self,
        control: &crate::sessions::gate::SessionControl,
    ) -> Result<crate::sessions::gate::Gate, End> {
        loop {
            tokio::select! {
                g = control.gate() => return Ok(g),
                m = self.next_message() => { let m = m?; self.handle(m).await?; }
            }
        }
    }

    /// Blocks until the page's `startCapture` (handled messages may end the channel).
    async fn wait_for_start(&mut self) -> Result<(), End> {
        let max = Duration::from_secs(self.state.config.session_ttl.max(1));
        let deadline = crate::state::instant_after(tokio::time::Instant::now(), max);
        while !self.started {
            tokio::select! {
                m = self.next_message() => { let m = m?; self.handle(m).await?; }
                _ = tokio::time::sleep_until(deadline) => {
                    return Err(End::Vanished("no startCapture before the session expired".into()));
                }
            }
        }
        Ok(())
    }

    /// Waits (bounded) for the page's camera frame.
    async fn wait_for_camera_image(&mut self) -> Result<(), End> {
        let deadline = tokio::time::Instant::now() + BEST_IMAGE_WAIT;
        while self.camera_image.is_none() {
            tokio::select! {
                m = self.next_message() => { let m = m?; self.handle(m).await?; }
                _ = tokio::time::sleep_until(deadline) => {
                    self.record("note", json!({"note": "no bestImage from the page in time; using the scenario's fixture"}));
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Sleeps until `deadline` while still serving the page's messages (past: no waiting).
    async fn pause_until(&mut self, deadline: tokio::time::Instant) -> Result<(), End> {
        if deadline <= tokio::time::Instant::now() {
            return Ok(());
        }
        loop {
            tokio::select! {
                m = self.next_message() => { let m = m?; self.handle(m).await?; }
                _ = tokio::time::sleep_until(deadline) => return Ok(()),
            }
        }
    }

    /// Reacts to a message received after `hello`.
    async fn handle(&mut self, message: ClientMessage) -> Result<(), End> {
        match message {
            ClientMessage::Hello { .. } => {
                self.record("receive", hello_for_transcript(&message));
                Err(End::Invalid(ProtocolError::out_of_order(
                    "hello sent twice on one channel",
                )))
            }
            ClientMessage::StartCapture => {
                self.record("receive", json!({"type": "startCapture"}));
                if self.started {
                    return Ok(());
                }
                self.started = true;
                if let Some(until) = self.locked_until() {
                    self.send_error(vendor_errors::lockout_payload(until))
                        .await?;
                    return Err(End::Done);
                }
                Ok(())
            }
            ClientMessage::Cancel => {
                self.record("receive", json!({"type": "cancel"}));
                Err(End::Cancelled)
            }
            ClientMessage::BestImage { data } => {
                let size = data.len();
                let bytes = match protocol::decode_best_image(&data) {
                    Ok(b) => b,
                    Err(e) => {
                        self.record("receive", json!({"type": "bestImage", "bytes": size}));
                        return Err(End::Invalid(e));
                    }
                };
                let recorded = if self.state.config.journal_images {
                    json!({"type": "bestImage", "data": data})
                } else {
                    json!({"type": "bestImage", "bytes": bytes.len()})
                };
                self.record("receive", recorded);
                self.camera_image = Some(bytes);
                Ok(())
            }
            ClientMessage::Finding {
                code,
                message,
                data,
            } => {
                let _ = data;
                let code = code.as_deref().map(|c| clip(c, MAX_PAGE_STRING));
                self.record("receive", json!({"type": "finding", "rule": code}));
                if let Some(session) = &self.session {
                    let message = message.as_deref().map(|m| clip(m, MAX_PAGE_STRING));
                    let report = json!({"rule": code, "detail": message});
                    let _ = crate::findings::on_page_report(&self.state, session, &report);
                }
                Ok(())
            }
        }
    }

    /// The next valid message; any way the socket ends or misbehaves becomes an [`End`].
    async fn next_message(&mut self) -> Result<ClientMessage, End> {
        loop {
            let frame = match self.socket.next().await {
                None => return Err(End::Vanished("the page closed the connection".into())),
                Some(Err(e)) => return Err(self.read_failed(e)),
                Some(Ok(frame)) => frame,
            };
            match frame {
                Message::Text(text) => {
                    return protocol::parse_text(text.as_str()).map_err(|e| {
                        let preview: String = text.as_str().chars().take(200).collect();
                        self.record(
                            "receive",
                            json!({"invalid": e.reason, "preview": preview, "bytes": text.len()}),
                        );
                        End::Invalid(e)
                    })
                }
                Message::Binary(b) => {
                    self.record(
                        "receive",
                        json!({"invalid": "binary frame", "bytes": b.len()}),
                    );
                    return Err(End::Invalid(ProtocolError {
                        close_code: 1003,
                        reason: "binary frames are not part of the protocol; send JSON text".into(),
                    }));
                }
                Message::Close(frame) => {
                    let (code, reason) = frame
                        .map(|f| (u16::from(f.code), clip(&f.reason, 123).into_owned()))
                        .unwrap_or((1005, String::new()));
                    return Err(End::PeerClosed(format!(
                        "the page closed the channel (code {code}{}{reason})",
                        if reason.is_empty() { "" } else { ": " }
                    )));
                }
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
            }
        }
    }

    /// What a failed read means: a WebSocket protocol violation (close 1002), text that is not
    /// UTF-8 (1007), a frame over the limits or over the pre-hello budget (1009), else the page
    /// went away. The close frame is still sent after a violation, so the page learns why.
    fn read_failed(&self, e: tungstenite::Error) -> End {
        let invalid = |close_code, reason: String| {
            self.record("receive", json!({"invalid": reason}));
            End::Invalid(ProtocolError { close_code, reason })
        };
        match e {
            tungstenite::Error::Protocol(
                tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
            ) => End::Vanished("connection lost: the page went away without a close frame".into()),
            tungstenite::Error::Protocol(p) => {
                invalid(1002, format!("WebSocket protocol error: {p}"))
            }
            tungstenite::Error::Utf8(why) => {
                invalid(1007, format!("text frame is not UTF-8: {why}"))
            }
            tungstenite::Error::Capacity(c) => invalid(
                1009,
                format!(
                    "{c} (frames are limited to {} MB)",
                    protocol::MAX_FRAME >> 20
                ),
            ),
            tungstenite::Error::Io(io) if HelloGate::<()>::is_over_budget(&io) => invalid(
                1009,
                format!(
                    "more than {} KiB sent before hello; send hello first",
                    super::MAX_BYTES_BEFORE_HELLO >> 10
                ),
            ),
            other => End::Vanished(format!("connection lost: {other}")),
        }
    }

    /// Sends one message and records it (frames before `hello` have no session to record in).
    async fn send(&mut self, message: ServerMessage) -> Result<(), End> {
        self.send_text(message.to_text()).await
    }

    /// Sends a prepared tracking frame stamped with the time it was due
    /// ([`protocol::stamped`]); the transcript keeps it as prepared (its event time says when).
    async fn send_frame(&mut self, text: JsonText, scheduled_at_ms: u64) -> Result<(), End> {
        let wire = protocol::stamped(text.as_str(), scheduled_at_ms);
        self.record_sent(&text);
        self.put(wire).await
    }

    /// Sends one already serialized message and records it.
    async fn send_text(&mut self, text: JsonText) -> Result<(), End> {
        self.record_sent(&text);
        self.put(text.into_string()).await
    }

    /// The `send` transcript event of a frame.
    fn record_sent(&mut self, text: &JsonText) {
        if text.as_str().len() > REDACT_ABOVE && !self.state.config.journal_images {
            // An image in base64 is ~100 KB: kept in the transcript only with --journal-images
            // (the export would redact it anyway), so a finished capture costs a few KB.
            let mut json: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
            crate::control::export::redact_images(&mut json, false);
            self.record("send", json);
        } else if let Some(session) = &self.session {
            // The hot path (10 tracking frames a second per session): serialized once, stored
            // without being parsed again.
            session.lock().transcript.push_json("send", text);
        }
    }

    /// Writes one text frame to the socket, giving up after `--channel-write-timeout` (a page
    /// that stopped reading: the session fails with that reason instead of staying CAPTURING).
    async fn put(&mut self, text: String) -> Result<(), End> {
        let limit = self.write_timeout();
        match tokio::time::timeout(limit, self.socket.send(Message::Text(text.into()))).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(End::Vanished(format!("connection lost while sending: {e}"))),
            Err(_) => Err(End::Stalled(format!(
                "the page stopped reading: a frame could not be sent within {} s (--channel-write-timeout)",
                limit.as_secs()
            ))),
        }
    }

    fn write_timeout(&self) -> Duration {
        Duration::from_secs(self.state.config.channel_write_timeout.max(1))
    }

    /// Closes the socket as `end` says and leaves the session terminal.
    async fn finish(mut self, end: End) {
        let (close, reason): (Option<(u16, String)>, Option<String>) = match &end {
            End::Done => (Some((1000, "capture finished".into())), None),
            End::Vanished(why) | End::Stalled(why) => (None, Some(why.clone())),
            End::PeerClosed(why) => {
                self.record("close", json!({"echoed": true}));
                // Flushes the close frame tungstenite queued in answer to the page's.
                // (`flush`, not `close`: writing anything after the peer's close is refused.)
                let _ = tokio::time::timeout(self.write_timeout(), self.socket.flush()).await;
                (None, Some(why.clone()))
            }
            End::Cancelled => (
                Some((1000, "capture cancelled".into())),
                Some("cancelled by the page".into()),
            ),
            End::Invalid(e) => (
                Some((e.close_code, e.close_reason())),
                Some(format!("protocol error: {}", e.reason)),
            ),
            End::Dropped => (None, Some("scenario dropped the channel".into())),
            End::Shutdown => (
                Some((1001, "emulator shutting down".into())),
                Some("emulator shut down".into()),
            ),
        };
        if let Some((code, text)) = close {
            let frame = CloseFrame {
                code: CloseCode::from(code),
                reason: text.clone().into(),
            };
            // Recorded before it is sent, so a page that saw the close finds it in the transcript.
            self.record("close", json!({"code": code, "reason": text}));
            let limit = self.write_timeout();
            let _ = tokio::time::timeout(limit, self.socket.close(Some(frame))).await;
            if matches!(end, End::Invalid(_)) {
                // The page may still be sending (a frame over a limit): read and discard a
                // bounded amount before dropping the connection, so it gets the close frame
                // rather than a reset that discards it.
                self.socket.get_mut().drain(LINGER_BYTES, LINGER).await;
            }
        }
        if let (Some(session), End::Vanished(_) | End::PeerClosed(_) | End::Cancelled) =
            (&self.session, &end)
        {
            crate::findings::on_channel_closed(&self.state, session);
        }
        if let (Some(session), Some(reason)) = (&self.session, reason) {
            capture::fail(&self.state, session, json!(reason));
        }
        // Dropping the socket ends the TCP connection (abruptly for `Dropped` and `Vanished`).
        drop(self.socket);
    }

    fn locked_until(&self) -> Option<time::OffsetDateTime> {
        let fp = self.peer.fingerprint.clone();
        crate::capture::locked_until(&self.state, Some(&fp))
    }

    fn lockout_seconds(&self) -> i64 {
        i64::try_from(self.state.config.lockout_seconds).unwrap_or(300)
    }

    fn set_pending(&self) {
        if let Some(session) = &self.session {
            let mut s = session.lock();
            if s.state == SessionState::Capturing {
                s.state = SessionState::Pending;
                s.transcript.push("state", json!({"state": "PENDING"}));
            }
        }
        self.notify();
    }

    fn record(&self, kind: &'static str, data: Value) {
        match &self.session {
            Some(session) => session.lock().transcript.push(kind, data),
            None => tracing::debug!(kind, %data, "channel message before hello"),
        }
    }

    fn notify(&self) {
        if let Some(session) = &self.session {
            self.state.notify_session(&session.lock());
        }
    }
}

/// `text` cut to at most `max` bytes (on a character boundary) with a marker saying how many
/// bytes were left out; borrowed as it is when it fits (the normal case allocates nothing).
pub fn clip(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    std::borrow::Cow::Owned(format!(
        "{}…[{} more bytes cut]",
        &text[..end],
        text.len() - end
    ))
}

/// The hello as recorded (the user agent is kept: it explains environment-detection outcomes);
/// its page-supplied strings are [`clip`]ped.
fn hello_for_transcript(hello: &ClientMessage) -> Value {
    let clipped = |v: &Option<String>| v.as_deref().map(|t| clip(t, MAX_PAGE_STRING).into_owned());
    match hello {
        ClientMessage::Hello {
            session_id,
            scenario,
            user_agent,
            sdk,
        } => {
            json!({"type": "hello", "sessionId": session_id, "scenario": clipped(scenario), "userAgent": clipped(user_agent), "sdk": clipped(sdk)})
        }
        other => json!({ "type": other.kind() }),
    }
}
