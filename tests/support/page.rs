//! A page that plays the capture channel exactly as the stub SDK does, the ordering rules of
//! integration-contract §5.10 checked on what that page received, and a compact, stable rendering
//! of a session transcript for snapshots (the end-to-end tests, `e2e_*.rs`).

use serde_json::{json, Value};

use super::{
    channel::{next, send, Got, Ws},
    emulator::TestEmulator,
};

/// The three liveness modes, in the vendor's spelling.
pub const MODES: [&str; 3] = [
    "LIVENESS_PASSIVE",
    "LIVENESS_PASSIVE_VIDEO",
    "LIVENESS_ACTIVE",
];

/// How long the page waits for the next message before deciding the channel went quiet.
const QUIET_MS: u64 = 5_000;

/// Everything a page saw during one capture attempt.
#[derive(Debug)]
pub struct Played {
    /// The session played.
    pub id: String,
    /// Messages before `init` (or before the init-phase `error`), in order.
    pub before_init: Vec<Value>,
    /// The `init` message, when the capture got that far.
    pub init: Option<Value>,
    /// Messages after the page's `startCapture` (only when `init` arrived).
    pub after_start: Vec<Value>,
    /// The `result` or `error` message that ended the capture, if any.
    pub terminal: Option<Value>,
    /// Anything received after `terminal` (the contract says: nothing).
    pub after_terminal: Vec<Value>,
    /// How the channel ended.
    pub end: Got,
    /// `liveness-challenge-result` fetched the moment the `result` message arrived.
    pub rest_at_result: Option<Value>,
}

impl Played {
    /// Every message the page received, in order.
    pub fn all(&self) -> Vec<Value> {
        let mut all = self.before_init.clone();
        all.extend(self.init.clone());
        all.extend(self.after_start.clone());
        all.extend(self.terminal.clone());
        all.extend(self.after_terminal.clone());
        all
    }

    /// How the channel ended, stably worded: `closed 1000 capture finished`, `dropped`, `quiet`.
    pub fn ending(&self) -> String {
        match &self.end {
            Got::Closed(Some((code, reason))) => format!("closed {code} {reason}"),
            Got::Closed(None) => "closed".into(),
            Got::Dropped => "dropped".into(),
            Got::Nothing => "quiet".into(),
            Got::Msg(m) => format!("message {m}"),
        }
    }
}

/// Plays session `id` as the stub SDK does: hello, wait for `init` or `error`, `startCapture`,
/// then read until `result`/`error`/close. When `result` arrives, the back end's
/// `liveness-challenge-result` is fetched at once (before reading on), as the sample app does.
pub async fn play(emu: &TestEmulator, id: &str, device: &str) -> Played {
    let mut ws = emu.channel_as(device).await;
    send(
        &mut ws,
        json!({"type": "hello", "sessionId": id, "scenario": null, "userAgent": device, "sdk": "e2e"}),
    )
    .await;
    let mut played = Played {
        id: id.to_string(),
        before_init: Vec::new(),
        init: None,
        after_start: Vec::new(),
        terminal: None,
        after_terminal: Vec::new(),
        end: Got::Nothing,
        rest_at_result: None,
    };
    loop {
        match next(&mut ws, QUIET_MS).await {
            Got::Msg(m) if m["type"] == "init" => {
                played.init = Some(m);
                break;
            }
            Got::Msg(m) if m["type"] == "error" => {
                played.terminal = Some(m);
                return read_to_end(&mut ws, played).await;
            }
            Got::Msg(m) => played.before_init.push(m),
            end => {
                played.end = end;
                return played;
            }
        }
    }
    send(&mut ws, json!({"type": "startCapture"})).await;
    loop {
        match next(&mut ws, QUIET_MS).await {
            Got::Msg(m) if m["type"] == "result" => {
                played.rest_at_result = Some(result(emu, id).await);
                played.terminal = Some(m);
                return read_to_end(&mut ws, played).await;
            }
            Got::Msg(m) if m["type"] == "error" => {
                played.terminal = Some(m);
                return read_to_end(&mut ws, played).await;
            }
            Got::Msg(m) => played.after_start.push(m),
            end => {
                played.end = end;
                return played;
            }
        }
    }
}

/// Records whatever follows the terminal message, then how the channel ended.
async fn read_to_end(ws: &mut Ws, mut played: Played) -> Played {
    loop {
        match next(ws, QUIET_MS).await {
            Got::Msg(m) => played.after_terminal.push(m),
            end => {
                played.end = end;
                return played;
            }
        }
    }
}

/// `GET liveness-challenge-result` as the integrator's back end calls it (asserting 200).
pub async fn result(emu: &TestEmulator, id: &str) -> Value {
    emu.json(&format!(
        "/bioserver-app/v2/bio-sessions/{id}/liveness-challenge-result"
    ))
    .await
}

/// `GET /__emulator/sessions/{id}` (summary + `events`).
pub async fn session_json(emu: &TestEmulator, id: &str) -> Value {
    emu.json(&format!("/__emulator/sessions/{id}")).await
}

/// Waits (bounded) until the admin API reports the session in a terminal state: the channel task
/// ends asynchronously after the page saw the close.
pub async fn settled(emu: &TestEmulator, id: &str) -> Value {
    for _ in 0..250 {
        let s = session_json(emu, id).await;
        if matches!(s["state"].as_str(), Some("FINISHED" | "FAILED" | "EXPIRED")) {
            return s;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!(
        "session {id} never settled: {}",
        session_json(emu, id).await
    );
}

/// Creates a session over HTTP with `X-Emulator-Scenario` (when given), as the back end whose
/// `User-Agent` is `backend` (the emulator's findings tell clients apart by IP + User-Agent, so
/// each simulated back end has its own); returns the response.
pub async fn init_with(
    emu: &TestEmulator,
    backend: &str,
    scenario: Option<&str>,
    body: Value,
) -> reqwest::Response {
    let mut req = emu
        .post("/video-server/init-liveness-session")
        .header("user-agent", backend)
        .json(&body);
    if let Some(name) = scenario {
        req = req.header("X-Emulator-Scenario", name);
    }
    req.send().await.expect("init-liveness-session")
}

/// The `type` of a message, with the instruction value or error code appended.
pub fn label(m: &Value) -> String {
    match m["type"].as_str().unwrap_or("?") {
        "instruction" => format!("instruction {}", m["data"].as_str().unwrap_or("?")),
        "error" => format!("error {}", m["data"]["code"]),
        "tracking" => format!("tracking {}", frame_kind(&m["data"])),
        "result" => match &m["data"]["bestImageInfo"] {
            Value::Null => "result bestImageInfo=null".into(),
            info => format!("result bestImage {}x{}", info["w"], info["h"]),
        },
        "init" => format!(
            "init {} n={}",
            m["livenessMode"].as_str().unwrap_or("?"),
            m["numberOfChallenge"]
        ),
        t => t.to_string(),
    }
}

/// What a tracking frame is about, without its random numbers.
pub fn frame_kind(frame: &Value) -> String {
    if frame.get("downloadProgress").is_some() {
        return "downloadProgress".into();
    }
    if frame.get("uploadProgress").is_some() {
        return "uploadProgress".into();
    }
    if let Some(active) = frame.get("livenessActive") {
        return format!("challenge target={}", active["targetChallengeIndex"]);
    }
    if frame.get("phoneNotVertical").is_some() {
        return "phoneNotVertical".into();
    }
    let position = frame["positionInfo"]
        .as_str()
        .map(|p| format!(" {}", p.trim_start_matches("TRACKER_POSITION_INFO_")))
        .unwrap_or_default();
    match frame["facew"].as_f64() {
        Some(w) if w > 0.0 => format!("face{position}"),
        _ => format!("noFace{position}"),
    }
}

/// Whether a tracking frame is position/tracking feedback (a face, or the lack of one).
fn is_feedback(m: &Value) -> bool {
    m["type"] == "tracking"
        && m["data"].get("downloadProgress").is_none()
        && m["data"].get("uploadProgress").is_none()
}

fn position(msgs: &[Value], instruction: &str) -> Option<usize> {
    msgs.iter()
        .position(|m| m["type"] == "instruction" && m["data"] == instruction)
}

/// Asserts the ordering rules of integration-contract §5.10 on what the page received in `mode`.
pub fn assert_contract_order(mode: &str, p: &Played, what: &str) {
    // 1. Nothing but downloadProgress before init (and so before startCapture).
    for m in &p.before_init {
        assert!(
            m["type"] == "tracking"
                && m["data"].as_object().is_some_and(|o| o.len() == 1)
                && m["data"]["downloadProgress"].is_number(),
            "{what}: only downloadProgress may precede startCapture, got {m}"
        );
    }
    // 7. Nothing after the result or error.
    assert!(
        p.after_terminal.is_empty(),
        "{what}: messages after {:?}: {:?}",
        p.terminal,
        p.after_terminal
    );
    if let Some(t) = &p.terminal {
        assert!(
            matches!(p.end, Got::Closed(Some((1000, _)))),
            "{what}: after {t} the channel closes normally, got {:?}",
            p.end
        );
    }
    let msgs = &p.after_start;
    // downloadProgress belongs to init only; init comes once.
    for m in msgs {
        assert!(
            m["data"].get("downloadProgress").is_none() && m["type"] != "init",
            "{what}: {m} after startCapture"
        );
    }
    // 2. clientInitEnd after startCapture (all of after_start is), at most once.
    assert!(
        msgs.iter().filter(|m| m["type"] == "clientInitEnd").count() <= 1,
        "{what}: clientInitEnd twice"
    );
    // 3. Tracking feedback before DONT_MOVE.
    if let Some(dont_move) = position(msgs, "TRACKER_CHALLENGE_DONT_MOVE") {
        assert!(
            msgs[..dont_move].iter().any(is_feedback),
            "{what}: no tracking before DONT_MOVE"
        );
    }
    let pending = position(msgs, "TRACKER_CHALLENGE_PENDING");
    let uploads: Vec<usize> = msgs
        .iter()
        .enumerate()
        .filter(|(_, m)| m["data"].get("uploadProgress").is_some())
        .map(|(i, _)| i)
        .collect();
    if mode == "LIVENESS_ACTIVE" {
        // No upload screen in active mode; the challenge instruction precedes the dots.
        assert!(uploads.is_empty(), "{what}: uploadProgress in active mode");
        assert!(
            position(msgs, "TRACKER_CHALLENGE_DONT_MOVE").is_none(),
            "{what}: DONT_MOVE in active mode"
        );
        if let Some(first_dot) = msgs
            .iter()
            .position(|m| m["data"].get("livenessActive").is_some())
        {
            let challenge = position(msgs, "FACEFLOW_CHALLENGE_2D");
            assert!(
                challenge.is_some_and(|c| c < first_dot),
                "{what}: livenessActive before FACEFLOW_CHALLENGE_2D"
            );
        }
    } else if let Some(first) = uploads.first() {
        // 4. PENDING before uploadProgress.
        assert!(
            pending.is_some_and(|p| p < *first),
            "{what}: uploadProgress before PENDING"
        );
    }
    if let Some(dont_move) = position(msgs, "TRACKER_CHALLENGE_DONT_MOVE") {
        assert!(
            pending.is_none_or(|p| dont_move < p),
            "{what}: PENDING before DONT_MOVE"
        );
    }
    // 5. The result is last, and final in core when it arrives.
    if p.terminal.as_ref().is_some_and(|t| t["type"] == "result") {
        let rest = p.rest_at_result.as_ref().expect("fetched at result");
        let status = rest["livenessStatus"].as_str().unwrap_or("?");
        assert!(
            !matches!(status, "PENDING" | "?") && rest["deviceInfo"].is_object(),
            "{what}: liveness-challenge-result was {status} when the result message arrived"
        );
    }
}

/// Whether a transcript event is the back end reading `liveness-challenge-result`. The page's
/// reader fetches it while the emulator closes the channel, so where it lands relative to
/// `close` is a race: snapshots leave it out and tests assert it on its own.
pub fn is_result_read(e: &Value) -> bool {
    e["kind"] == "rest"
        && e["data"]["method"] == "GET"
        && e["data"]["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("/liveness-challenge-result"))
}

/// One line per transcript event, with ids, dates, timings and random numbers left out (and the
/// racy [`is_result_read`] events); runs of identical lines are folded into `line ×N`.
pub fn compact_transcript(events: &Value, ids: &[&str]) -> Vec<String> {
    let lines: Vec<String> = events
        .as_array()
        .expect("events array")
        .iter()
        .filter(|e| !is_result_read(e))
        .map(|e| compact_event(e, ids))
        .collect();
    fold(lines)
}

/// Folds runs of identical lines.
pub fn fold(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for line in lines {
        match out.last_mut() {
            Some((last, n)) if *last == line => *n += 1,
            _ => out.push((line, 1)),
        }
    }
    out.into_iter()
        .map(|(l, n)| if n > 1 { format!("{l} ×{n}") } else { l })
        .collect()
}

/// Replaces each of `ids` in `text` with `{id}`.
pub fn redact_ids(text: &str, ids: &[&str]) -> String {
    ids.iter()
        .filter(|id| !id.is_empty())
        .fold(text.to_string(), |t, id| t.replace(id, "{id}"))
}

fn compact_event(e: &Value, ids: &[&str]) -> String {
    let d = &e["data"];
    let kind = e["kind"].as_str().unwrap_or("?");
    let text = match kind {
        "state" => {
            let mut s = format!("state {}", d["state"].as_str().unwrap_or("-"));
            if let Some(name) = d["scenario"].as_str() {
                s.push_str(&format!(" scenario={name}"));
            }
            if let Some(by) = d["selectedBy"].as_str() {
                s.push_str(&format!(" selectedBy={by}"));
            }
            match &d["reason"] {
                Value::Null => {}
                Value::String(r) => s.push_str(&format!(" reason={r:?}")),
                r => s.push_str(&format!(" reason=error {}", r["error"]["code"])),
            }
            s
        }
        "rest" => format!(
            "rest {} {} → {}{}",
            d["method"].as_str().unwrap_or("?"),
            d["path"].as_str().unwrap_or("?"),
            d["status"],
            if d["scripted"] == true {
                " (scripted)"
            } else {
                ""
            }
        ),
        "send" => format!("send {}", label(d)),
        "receive" => format!("receive {}", d["type"].as_str().unwrap_or("invalid")),
        "result" => format!(
            "result {} bestImage={}",
            d["livenessStatus"].as_str().unwrap_or("?"),
            if d["bestImageId"].is_string() {
                "yes"
            } else {
                "no"
            }
        ),
        "close" => format!("close {} {}", d["code"], d["reason"].as_str().unwrap_or("")),
        "callback" if d["final"] == true => format!("callback final delivered={}", d["delivered"]),
        "callback" if d["skipped"] == true => "callback skipped".into(),
        "callback" => format!(
            "callback attempt {} status={} simulated={} delivered={}",
            d["attempt"], d["status"], d["simulated"], d["delivered"]
        ),
        "finding" if d.get("lockout").is_some() => "finding lockout".into(),
        "finding" if d["rule"].is_string() => {
            format!("finding {}", d["rule"].as_str().unwrap_or(""))
        }
        other => format!("{other} {}", d),
    };
    redact_ids(&text, ids)
}
