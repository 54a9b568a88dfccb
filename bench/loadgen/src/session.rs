//! One capture session as an integration drives it: init-liveness-session (HTTP) → the capture
//! channel (WebSocket, protocol in [`crate::protocol`]) → liveness-challenge-result (HTTP).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;

use crate::protocol::{self, Kind};
use crate::stats::Histogram;

/// Everything a session needs that is shared by all sessions.
pub struct Shared {
    /// `http://host:port` of the emulator.
    pub base: String,
    /// API key sent on REST calls.
    pub api_key: String,
    /// HTTP client (pooled; REST calls are few per session).
    pub http: reqwest::Client,
    /// Bounds concurrent REST calls so 10,000 sessions don't open 10,000 HTTP connections.
    pub http_slots: Semaphore,
    /// Give up on a session after this long.
    pub session_timeout: Duration,
    /// Nominal interval between tracking frames (for the gap method).
    pub nominal_ms: f64,
}

/// How a session ended.
#[derive(Debug)]
pub enum Outcome {
    /// The channel delivered a result and the result fetch answered this status.
    Result { result_status: u16 },
    /// The channel delivered an error (an expected outcome for failure scenarios).
    ChannelError {
        code: Option<i64>,
        result_status: u16,
    },
    /// The server closed the channel without result or error (the `disconnect` scenario).
    Closed,
    /// Something went wrong on the way; the string says what.
    Failed(String),
}

/// What one session measured.
pub struct Report {
    /// How it ended.
    pub outcome: Outcome,
    /// Scheduled-vs-actual delays (ms) when the server stamps messages.
    pub scheduled_delays: Histogram,
    /// |gap − nominal| (ms) between consecutive tracking frames, when it does not.
    pub gap_jitter: Histogram,
    /// Wall time of the whole session (init → result fetched).
    pub total_ms: f64,
    /// Messages received, by kind name (first few kinds only matter for the report).
    pub unknown_kinds: Vec<String>,
    /// Number of channel messages received.
    pub messages: u64,
    /// Milliseconds spent in each phase: init, ws connect, hello→init, init→end, result fetch.
    pub phases: [f64; 5],
}

/// Names of [`Report::phases`], for the report.
pub const PHASES: [&str; 5] = [
    "init",
    "ws-connect",
    "hello→init",
    "startCapture→end",
    "result-fetch",
];

fn now_epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// Runs one session to its end (bounded by `shared.session_timeout`).
pub async fn run(shared: &Shared, n: u64, mode: &str, scenario: Option<&str>) -> Report {
    let started = Instant::now();
    let mut report = Report {
        outcome: Outcome::Failed("not started".into()),
        scheduled_delays: Histogram::default(),
        gap_jitter: Histogram::default(),
        total_ms: 0.0,
        unknown_kinds: Vec::new(),
        messages: 0,
        phases: [0.0; 5],
    };
    let outcome = tokio::time::timeout(
        shared.session_timeout,
        drive(shared, n, mode, scenario, &mut report),
    )
    .await
    .unwrap_or_else(|_| Outcome::Failed("session timeout".into()));
    report.outcome = outcome;
    report.total_ms = started.elapsed().as_secs_f64() * 1000.0;
    report
}

async fn drive(
    shared: &Shared,
    n: u64,
    mode: &str,
    scenario: Option<&str>,
    report: &mut Report,
) -> Outcome {
    // Each session has its own User-Agent: the emulator's lockout fingerprints IP + User-Agent,
    // and a failure-heavy mix from one fingerprint would otherwise be locked out (429).
    let user_agent = format!("loadgen/{n}");
    let mut mark = Instant::now();
    let mut lap = |report: &mut Report, i: usize| {
        let now = Instant::now();
        report.phases[i] = now.duration_since(mark).as_secs_f64() * 1000.0;
        mark = now;
    };
    let id = match init(shared, n, mode, scenario, &user_agent).await {
        Ok(id) => id,
        Err(e) => return Outcome::Failed(e),
    };
    lap(report, 0);
    let url = protocol::ws_url(&shared.base, &id);
    let request =
        match tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
            url.as_str(),
        ) {
            Ok(mut r) => {
                if let Ok(v) = user_agent.parse() {
                    r.headers_mut().insert("user-agent", v);
                }
                r
            }
            Err(e) => return Outcome::Failed(format!("ws url: {e}")),
        };
    // Nagle off, as browsers do for WebSockets: small frames must not wait for delayed ACKs.
    // Small buffers: tungstenite's default 128 KiB read buffer per socket would make 10,000
    // sessions cost the load generator 1.3 GB and compete with the server for memory bandwidth.
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0);
    let (mut ws, _) =
        match tokio_tungstenite::connect_async_with_config(request, Some(config), true).await {
            Ok(c) => c,
            Err(e) => return Outcome::Failed(format!("ws connect: {}", short(&e.to_string()))),
        };
    lap(report, 1);
    if let Err(e) = ws.send(Message::text(protocol::hello(&id))).await {
        return Outcome::Failed(format!("ws send hello: {e}"));
    }
    let mut started_capture = false;
    let mut last_tracking: Option<Instant> = None;
    let terminal = loop {
        let msg = match ws.next().await {
            None => break None,
            // The `disconnect` scenario drops TCP without a close frame: that is an end, not a
            // harness failure (reported as "closed by server"; a non-disconnect mix expects 0).
            Some(Err(tokio_tungstenite::tungstenite::Error::Protocol(
                tokio_tungstenite::tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
            )))
            | Some(Err(tokio_tungstenite::tungstenite::Error::ConnectionClosed)) => break None,
            Some(Err(tokio_tungstenite::tungstenite::Error::Io(e)))
                if e.kind() == std::io::ErrorKind::ConnectionReset =>
            {
                break None
            }
            Some(Err(e)) => {
                return Outcome::Failed(format!("ws receive: {}", short(&e.to_string())))
            }
            Some(Ok(m)) => m,
        };
        let text: std::borrow::Cow<'_, str> = match &msg {
            Message::Text(t) => std::borrow::Cow::Borrowed(t.as_str()),
            Message::Binary(b) => String::from_utf8_lossy(b),
            Message::Close(_) => break None,
            _ => continue,
        };
        report.messages += 1;
        let now = Instant::now();
        let m = protocol::classify(&text);
        if let Some(at) = m.scheduled_epoch_ms {
            report.scheduled_delays.record(now_epoch_ms() - at);
        }
        match m.kind {
            Kind::Ping => {
                let _ = ws.send(Message::text(protocol::pong())).await;
            }
            Kind::InitDone if !started_capture => {
                started_capture = true;
                lap(report, 2);
                if let Err(e) = ws.send(Message::text(protocol::start_capture())).await {
                    return Outcome::Failed(format!("ws send startCapture: {e}"));
                }
            }
            Kind::Tracking => {
                if let Some(prev) = last_tracking {
                    let gap = now.duration_since(prev).as_secs_f64() * 1000.0;
                    report.gap_jitter.record((gap - shared.nominal_ms).abs());
                }
                last_tracking = Some(now);
            }
            Kind::Instruction | Kind::UploadProgress => last_tracking = None,
            Kind::Result => break Some((Kind::Result, None)),
            Kind::Error => break Some((Kind::Error, m.error_code)),
            Kind::Other
                if report.unknown_kinds.len() < 8
                    && !report.unknown_kinds.contains(&m.type_name) =>
            {
                report.unknown_kinds.push(m.type_name);
            }
            _ => {}
        }
    };
    lap(report, 3);
    let _ = ws.close(None).await;
    match terminal {
        None => Outcome::Closed,
        Some((kind, code)) => {
            let result_status = match fetch_result(shared, &id, &user_agent).await {
                Ok(s) => s,
                Err(e) => return Outcome::Failed(e),
            };
            lap(report, 4);
            if result_status >= 500 {
                return Outcome::Failed(format!("result fetch answered {result_status}"));
            }
            if code == Some(400) {
                // The server refused the session (unknown/used id): a harness failure.
                return Outcome::Failed("channel refused the session (error 400)".into());
            }
            if kind == Kind::Result {
                Outcome::Result { result_status }
            } else {
                Outcome::ChannelError {
                    code,
                    result_status,
                }
            }
        }
    }
}

/// `POST /video-server/init-liveness-session`; returns the session id from `Location`.
async fn init(
    shared: &Shared,
    n: u64,
    mode: &str,
    scenario: Option<&str>,
    user_agent: &str,
) -> Result<String, String> {
    let _slot = shared
        .http_slots
        .acquire()
        .await
        .map_err(|e| e.to_string())?;
    let mut req = shared
        .http
        .post(format!(
            "{}/video-server/init-liveness-session",
            shared.base
        ))
        .header("apikey", &shared.api_key)
        .header("user-agent", user_agent)
        .json(&serde_json::json!({
            "livenessMode": mode,
            "numberOfChallenge": 2,
            "correlationId": format!("loadgen-{n}"),
            "evidenceId": "loadgen-evidence",
        }));
    if let Some(s) = scenario {
        req = req.header("X-Emulator-Scenario", s);
    }
    let res = req
        .send()
        .await
        .map_err(|e| format!("init: {}", short(&e.to_string())))?;
    let status = res.status().as_u16();
    if !res.status().is_success() {
        return Err(format!("init answered {status}"));
    }
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or("init: no Location header")?;
    location
        .split_once("/bio-sessions/")
        .map(|(_, id)| id.to_string())
        .filter(|id| !id.is_empty())
        .ok_or_else(|| format!("init: Location without /bio-sessions/<id>: {location}"))
}

/// `GET .../liveness-challenge-result`; returns its status.
async fn fetch_result(shared: &Shared, id: &str, user_agent: &str) -> Result<u16, String> {
    let _slot = shared
        .http_slots
        .acquire()
        .await
        .map_err(|e| e.to_string())?;
    let res = shared
        .http
        .get(format!(
            "{}/bioserver-app/v2/bio-sessions/{id}/liveness-challenge-result",
            shared.base
        ))
        .header("apikey", &shared.api_key)
        .header("user-agent", user_agent)
        .send()
        .await
        .map_err(|e| format!("result: {}", short(&e.to_string())))?;
    Ok(res.status().as_u16())
}

/// Error texts can embed ids and addresses; keep the first words so they group in the report.
fn short(s: &str) -> String {
    s.chars().take(80).collect()
}
