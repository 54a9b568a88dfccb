//! Result callbacks: `POST {callbackURL}` with `{"sessionId"}` once a result is final.
//!
//! [`on_final`] is called by `capture::finalize` *after* the result is final in core and GIPS, so
//! a receiver that reads the result on arrival always finds it (contract §2.4). Delivery runs in
//! its own task with a per-request timeout, so a receiver that hangs delays nobody else.
//!
//! Behaviour, per the session's scenario (`result.callback`):
//! - `skip`: no callback at all (recorded in the transcript);
//! - `delayMs`: wait before the first attempt (scaled by `--time-scale`);
//! - `failTimes`: the first N attempts are *not sent* and are recorded as simulated failures, so
//!   integrators see the retry timing without needing a failing target; a target that really
//!   fails (non-2xx, network error, timeout) is retried the same way.
//!
//! Any 2xx is a delivery. Retries back off exponentially (200 ms, 400 ms, ... capped at 5 s,
//! scaled by `--time-scale` with a 10 ms floor) for at most [`MAX_REAL_ATTEMPTS`] real attempts.
//! Every attempt is a `callback` transcript event with its status, latency and error.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::{scenarios::model::CallbackSpec, sessions::store::SharedSession, state::AppState};

/// Requests actually sent before giving up.
pub const MAX_REAL_ATTEMPTS: u32 = 6;
/// Simulated failures honoured at most (a scenario asking for more is capped).
pub const MAX_SIMULATED_FAILURES: u32 = 20;
/// How long one attempt may take before it counts as failed.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// First backoff, doubled after each failure.
const BACKOFF_START_MS: u64 = 200;
/// Largest backoff.
const BACKOFF_CAP_MS: u64 = 5_000;
/// Smallest real pause between attempts, even at `--time-scale 0`, so a failing target is never
/// hammered in a tight loop.
const BACKOFF_FLOOR: Duration = Duration::from_millis(10);

/// Starts delivering the callback of a finished session, if it has a `callbackURL`
/// (never blocks: delivery runs in its own task).
pub fn on_final(state: &AppState, session: &SharedSession) {
    let (session_id, url, spec) = {
        let mut s = session.lock();
        let Some(url) = s.params.callback_url.clone() else {
            return;
        };
        let spec = s.scenario.result.callback.clone();
        if spec.skip {
            s.transcript.push(
                "callback",
                json!({"url": url, "skipped": true, "reason": "the scenario sets result.callback.skip"}),
            );
            return;
        }
        (s.id.clone(), url, spec)
    };
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::error!(session = %session_id, "no async runtime to deliver the callback");
        return;
    };
    runtime.spawn(deliver(
        state.clone(),
        session.clone(),
        session_id,
        url,
        spec,
    ));
}

/// What one attempt gave.
struct Attempt {
    status: Option<u16>,
    error: Option<String>,
    latency_ms: Option<u64>,
    simulated: bool,
}

impl Attempt {
    fn delivered(&self) -> bool {
        !self.simulated && self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Delivers one callback: delay, attempts with backoff, transcript entries. Stops on shutdown.
async fn deliver(
    state: AppState,
    session: SharedSession,
    session_id: String,
    url: String,
    spec: CallbackSpec,
) {
    let target = match reqwest::Url::parse(&url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u,
        _ => {
            record_gave_up(
                &state,
                &session,
                &url,
                format!("callbackURL '{url}' is not an http(s) URL; nothing was sent"),
            );
            crate::findings::on_callback_unreachable(&state, &session, "not an http(s) URL");
            return;
        }
    };
    if !pause(&state, state.scaled(spec.delay_ms)).await {
        return;
    }
    let client = match client(&state) {
        Ok(c) => c.clone(),
        Err(e) => {
            record_gave_up(&state, &session, &url, e.clone());
            return;
        }
    };
    let simulated = spec.fail_times.min(MAX_SIMULATED_FAILURES);
    let total = simulated + MAX_REAL_ATTEMPTS;
    for number in 1..=total {
        let attempt = if number <= simulated {
            Attempt {
                status: None,
                error: Some(format!(
                    "simulated failure {number} of {simulated} (scenario result.callback.failTimes); not sent"
                )),
                latency_ms: None,
                simulated: true,
            }
        } else {
            let request = send(&client, target.clone(), &session_id);
            tokio::select! {
                _ = state.shutdown.cancelled() => return,
                attempt = request => attempt,
            }
        };
        let delivered = attempt.delivered();
        record_attempt(&state, &session, &url, number, &attempt);
        if let (false, None, Some(error)) = (attempt.simulated, attempt.status, &attempt.error) {
            // No HTTP answer at all: the integrator's callback endpoint cannot be reached.
            crate::findings::on_callback_unreachable(&state, &session, error);
        }
        if delivered {
            return;
        }
        if number == total {
            break;
        }
        if !pause(&state, backoff(&state, number)).await {
            return;
        }
    }
    record_gave_up(
        &state,
        &session,
        &url,
        format!("gave up after {MAX_REAL_ATTEMPTS} attempts"),
    );
}

/// One real POST.
async fn send(client: &reqwest::Client, url: reqwest::Url, session_id: &str) -> Attempt {
    let started = Instant::now();
    let result = client
        .post(url)
        .json(&json!({"sessionId": session_id}))
        .send()
        .await;
    let latency_ms = Some(started.elapsed().as_millis() as u64);
    match result {
        Ok(response) => {
            let status = response.status();
            Attempt {
                status: Some(status.as_u16()),
                error: (!status.is_success()).then(|| format!("the target answered {status}")),
                latency_ms,
                simulated: false,
            }
        }
        Err(e) => Attempt {
            status: None,
            error: Some(describe(&e)),
            latency_ms,
            simulated: false,
        },
    }
}

/// A reqwest error with its causes (the top-level text alone is often just "error sending request").
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let mut text = format!("{kind}: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// The pause after failed attempt `number` (1-based).
fn backoff(state: &AppState, number: u32) -> Duration {
    let ms = BACKOFF_START_MS
        .saturating_mul(1u64 << (number - 1).min(16))
        .min(BACKOFF_CAP_MS);
    state.scaled(ms).max(BACKOFF_FLOOR)
}

/// Sleeps unless the emulator shuts down first; false on shutdown.
async fn pause(state: &AppState, duration: Duration) -> bool {
    if duration.is_zero() {
        return !state.shutdown.is_cancelled();
    }
    tokio::select! {
        _ = state.shutdown.cancelled() => false,
        _ = tokio::time::sleep(duration) => true,
    }
}

fn record_attempt(
    state: &AppState,
    session: &SharedSession,
    url: &str,
    number: u32,
    attempt: &Attempt,
) {
    let event = json!({
        "url": url,
        "attempt": number,
        "status": attempt.status,
        "latencyMs": attempt.latency_ms,
        "error": attempt.error,
        "simulated": attempt.simulated,
        "delivered": attempt.delivered(),
    });
    push(state, session, event);
}

/// The last transcript entry of a callback that was never delivered, saying why.
fn record_gave_up(state: &AppState, session: &SharedSession, url: &str, error: String) {
    let event = json!({"delivered": false, "error": error, "url": url, "final": true});
    push(state, session, event);
}

fn push(state: &AppState, session: &SharedSession, event: Value) {
    let session_id = {
        let mut s = session.lock();
        s.transcript.push("callback", event.clone());
        s.id.clone()
    };
    state.notify(json!({"type": "callback", "sessionId": session_id, "callback": event}));
}

/// The shared client: `--callback-insecure` decides whether self-signed targets are accepted; no
/// proxy from the environment (targets are usually local); a timeout per attempt.
fn client(state: &AppState) -> Result<&reqwest::Client, String> {
    let insecure = state.config.callback_insecure;
    state
        .callback_client
        .get_or_init(|| {
            reqwest::Client::builder()
                .danger_accept_invalid_certs(insecure)
                .timeout(ATTEMPT_TIMEOUT)
                .connect_timeout(ATTEMPT_TIMEOUT)
                .no_proxy()
                .user_agent(concat!("webcapture-emulator/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| format!("cannot build the callback HTTP client: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}
