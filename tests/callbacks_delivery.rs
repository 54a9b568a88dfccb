//! Result callbacks against a real receiver: order (the result is final when the callback
//! arrives), retries, simulated failures, skip, self-signed HTTPS, isolation from a hanging
//! receiver, and the transcript of every attempt.

mod support;

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    routing::post,
    Json, Router,
};
use parking_lot::Mutex;
use serde_json::{json, Value};
use support::{
    internals::{AppState, LivenessMode, Scenario, SessionState, SharedSession, MAX_REAL_ATTEMPTS},
    *,
};
use tokio::sync::mpsc;

/// What the receiver saw for one request.
#[derive(Debug, Clone)]
struct Arrival {
    path: String,
    body: Value,
    content_type: String,
    /// Whether the session's result was already final in the emulator when the request arrived.
    result_was_final: bool,
}

#[derive(Clone)]
struct Receiver {
    emulator: AppState,
    arrivals: Arc<Mutex<Vec<Arrival>>>,
    tx: mpsc::UnboundedSender<Arrival>,
    flaky_calls: Arc<AtomicUsize>,
}

async fn receive(
    State(r): State<Receiver>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> StatusCode {
    let session_id = body["sessionId"].as_str().unwrap_or_default().to_string();
    let result_was_final = r.emulator.sessions.get(&session_id).is_some_and(|s| {
        let s = s.lock();
        s.state == SessionState::Finished && s.result.is_some()
    });
    let arrival = Arrival {
        path: kind.clone(),
        body,
        content_type: headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        result_was_final,
    };
    r.arrivals.lock().push(arrival.clone());
    let _ = r.tx.send(arrival);
    match kind.as_str() {
        "hang" => std::future::pending().await,
        "always-500" => StatusCode::INTERNAL_SERVER_ERROR,
        "fail-twice" if r.flaky_calls.fetch_add(1, Ordering::SeqCst) < 2 => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        _ => StatusCode::NO_CONTENT,
    }
}

/// Starts a receiver on 127.0.0.1:0; returns its base URL, the arrivals and a stream of them.
async fn receiver(
    emu: &TestEmulator,
) -> (
    String,
    Arc<Mutex<Vec<Arrival>>>,
    mpsc::UnboundedReceiver<Arrival>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let r = Receiver {
        emulator: emu.state().clone(),
        arrivals: Arc::default(),
        tx,
        flaky_calls: Arc::default(),
    };
    let arrivals = r.arrivals.clone();
    let app = Router::new()
        .route("/cb/{kind}", post(receive))
        .with_state(r);
    let addr = serve_on_loopback(app).await;
    (format!("http://{addr}/cb"), arrivals, rx)
}

fn session_with_callback(emu: &TestEmulator, url: &str, scenario: Option<&str>) -> SharedSession {
    emu.new_session(
        NewSession::new(LivenessMode::LivenessPassive)
            .callback(url)
            .scenario(scenario),
    )
}

fn callback_events(session: &SharedSession) -> Vec<Value> {
    session
        .lock()
        .transcript
        .events()
        .iter()
        .filter(|e| e.kind == "callback")
        .map(|e| e.data())
        .collect()
}

/// Waits (bounded, so a regression fails instead of hanging) until the transcript has an event
/// that ends the delivery.
async fn delivery_outcome(session: &SharedSession) -> Vec<Value> {
    for _ in 0..1000 {
        let events = callback_events(session);
        if events
            .iter()
            .any(|e| e["delivered"] == true || e["final"] == true)
        {
            return events;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "the callback delivery never ended: {:?}",
        callback_events(session)
    );
}

async fn next_arrival(rx: &mut mpsc::UnboundedReceiver<Arrival>) -> Arrival {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("a callback arrives")
        .expect("receiver alive")
}

#[tokio::test]
async fn the_callback_arrives_after_the_result_is_final_with_the_session_id() {
    let emu = TestEmulator::start().await;
    let (base, _, mut rx) = receiver(&emu).await;
    let session = session_with_callback(&emu, &format!("{base}/ok"), None);
    let id = session.lock().id.clone();
    emu.finalize(&session, None);

    let arrival = next_arrival(&mut rx).await;
    assert_eq!(arrival.body, json!({"sessionId": id}));
    assert!(arrival.content_type.starts_with("application/json"));
    assert!(
        arrival.result_was_final,
        "core already has the final result when the callback lands"
    );

    let events = delivery_outcome(&session).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["status"], 204);
    assert_eq!(events[0]["delivered"], true);
    assert_eq!(events[0]["attempt"], 1);
    assert!(events[0]["latencyMs"].is_u64());
    assert_eq!(events[0]["url"], format!("{base}/ok"));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_target_answering_5xx_is_retried_until_it_accepts_and_every_attempt_is_recorded() {
    let emu = TestEmulator::start().await;
    let (base, arrivals, _rx) = receiver(&emu).await;
    let session = session_with_callback(&emu, &format!("{base}/fail-twice"), None);
    emu.finalize(&session, None);

    let events = delivery_outcome(&session).await;
    let statuses: Vec<Value> = events.iter().map(|e| e["status"].clone()).collect();
    assert_eq!(statuses, vec![json!(503), json!(503), json!(204)]);
    assert!(events[0]["error"]
        .as_str()
        .is_some_and(|e| e.contains("503")));
    assert_eq!(events[2]["delivered"], true);
    assert_eq!(arrivals.lock().len(), 3, "the target saw every attempt");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_target_that_never_accepts_is_given_up_after_a_bounded_number_of_attempts() {
    let emu = TestEmulator::start().await;
    let (base, arrivals, _rx) = receiver(&emu).await;
    let session = session_with_callback(&emu, &format!("{base}/always-500"), None);
    emu.finalize(&session, None);

    let events = delivery_outcome(&session).await;
    let attempts = MAX_REAL_ATTEMPTS as usize;
    assert_eq!(events.len(), attempts + 1, "{events:?}");
    assert!(events[..attempts]
        .iter()
        .all(|e| e["status"] == 500 && e["delivered"] == false));
    assert_eq!(events[attempts]["final"], true);
    assert_eq!(events[attempts]["delivered"], false);
    assert_eq!(arrivals.lock().len(), attempts);
    emu.shutdown().await;
}

#[tokio::test]
async fn fail_times_records_simulated_failures_and_the_target_sees_only_real_attempts() {
    let emu = TestEmulator::start().await;
    let mut scenario = Scenario::default();
    scenario.result.callback.fail_times = 2;
    emu.add_scenario("test-callback-fail-twice", scenario);
    let (base, arrivals, _rx) = receiver(&emu).await;
    let session = session_with_callback(
        &emu,
        &format!("{base}/ok"),
        Some("test-callback-fail-twice"),
    );
    emu.finalize(&session, None);

    let events = delivery_outcome(&session).await;
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(events[..2]
        .iter()
        .all(|e| e["simulated"] == true && e["delivered"] == false));
    assert_eq!(events[2]["simulated"], false);
    assert_eq!(events[2]["delivered"], true);
    assert_eq!(arrivals.lock().len(), 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn skip_sends_nothing_and_the_transcript_says_why() {
    let emu = TestEmulator::start().await;
    let mut scenario = Scenario::default();
    scenario.result.callback.skip = true;
    emu.add_scenario("test-callback-skip", scenario);
    let (base, arrivals, _rx) = receiver(&emu).await;
    let session = session_with_callback(&emu, &format!("{base}/ok"), Some("test-callback-skip"));
    emu.finalize(&session, None);

    let events = callback_events(&session);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["skipped"], true);
    // A session finished afterwards proves the receiver works and nothing came for the skipped one.
    let control = session_with_callback(&emu, &format!("{base}/ok"), None);
    emu.finalize(&control, None);
    delivery_outcome(&control).await;
    let control_id = control.lock().id.clone();
    let seen: Vec<Value> = arrivals
        .lock()
        .iter()
        .map(|a| a.body["sessionId"].clone())
        .collect();
    assert_eq!(seen, vec![json!(control_id)]);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_hanging_receiver_does_not_delay_another_sessions_callback() {
    let emu = TestEmulator::start().await;
    let (base, _, mut rx) = receiver(&emu).await;
    let stuck = session_with_callback(&emu, &format!("{base}/hang"), None);
    emu.finalize(&stuck, None);
    let first = next_arrival(&mut rx).await;
    assert_eq!(first.path, "hang");

    let other = session_with_callback(&emu, &format!("{base}/ok"), None);
    let other_id = other.lock().id.clone();
    emu.finalize(&other, None);
    let second = next_arrival(&mut rx).await;
    assert_eq!(second.body, json!({"sessionId": other_id}));
    let events = delivery_outcome(&other).await;
    assert_eq!(events[0]["delivered"], true);
    assert!(
        callback_events(&stuck).is_empty(),
        "the hanging attempt is still pending while the other session was delivered"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn a_self_signed_https_target_is_accepted() {
    let emu = TestEmulator::start().await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("cert");
    let tls = axum_server::tls_rustls::RustlsConfig::from_pem(
        cert.cert.pem().into_bytes(),
        cert.signing_key.serialize_pem().into_bytes(),
    )
    .await
    .expect("TLS config");
    let (tx, mut rx) = mpsc::unbounded_channel::<Value>();
    let app = Router::new().route(
        "/cb",
        post(move |Json(body): Json<Value>| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(body);
                StatusCode::OK
            }
        }),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(axum_server::from_tcp_rustls(listener, tls).serve(app.into_make_service()));

    let session = session_with_callback(&emu, &format!("https://localhost:{port}/cb"), None);
    let id = session.lock().id.clone();
    emu.finalize(&session, None);
    let body = tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("arrives")
        .expect("alive");
    assert_eq!(body, json!({"sessionId": id}));
    assert_eq!(delivery_outcome(&session).await[0]["status"], 200);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_callback_url_that_is_not_http_is_reported_not_retried() {
    let emu = TestEmulator::start().await;
    let session = session_with_callback(&emu, "ftp://example.invalid/cb", None);
    emu.finalize(&session, None);
    let events = delivery_outcome(&session).await;
    assert_eq!(events.len(), 1);
    assert!(events[0]["error"]
        .as_str()
        .is_some_and(|e| e.contains("not an http(s) URL")));
    emu.shutdown().await;
}
