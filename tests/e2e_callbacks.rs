//! Result callbacks seen by an integrator's back end: sessions created over HTTP with a
//! `callbackURL`, captured over the channel by the page; the back end's receiver reads the core
//! result from inside its callback handler, as the sample's `liveness-result-callback` does.

mod support;

use std::{sync::Arc, time::Duration};
use support::*;

use axum::{extract::State, http::StatusCode, routing::post, Json, Router};
use parking_lot::Mutex;
use serde_json::{json, Value};

/// One callback as the receiver handled it.
#[derive(Debug, Clone)]
struct Arrival {
    /// The `sessionId` of the body.
    session_id: String,
    /// The whole body.
    body: Value,
    /// `livenessStatus` of `liveness-challenge-result`, read inside the handler.
    status_read: Value,
}

#[derive(Clone)]
struct Receiver {
    /// The emulator's base URL (the receiver is a separate back end that talks HTTP to it).
    emulator: String,
    http: reqwest::Client,
    arrivals: Arc<Mutex<Vec<Arrival>>>,
}

/// The back end's callback handler: reads the result first, then answers 204 like the sample.
async fn on_callback(State(r): State<Receiver>, Json(body): Json<Value>) -> StatusCode {
    let session_id = body["sessionId"].as_str().unwrap_or_default().to_string();
    let status_read = match r
        .http
        .get(format!(
            "{}/bioserver-app/v2/bio-sessions/{session_id}/liveness-challenge-result",
            r.emulator
        ))
        .header("apikey", KEY)
        .send()
        .await
    {
        Ok(res) => res
            .json::<Value>()
            .await
            .map(|v| v["livenessStatus"].clone())
            .unwrap_or(Value::Null),
        Err(_) => Value::Null,
    };
    r.arrivals.lock().push(Arrival {
        session_id,
        body,
        status_read,
    });
    StatusCode::NO_CONTENT
}

/// Starts the receiver on 127.0.0.1:0; returns its callback URL and what it received.
async fn receiver(emu: &TestEmulator) -> (String, Arc<Mutex<Vec<Arrival>>>) {
    let r = Receiver {
        emulator: emu.url(),
        http: reqwest::Client::new(),
        arrivals: Arc::default(),
    };
    let arrivals = r.arrivals.clone();
    let app = Router::new()
        .route("/liveness-result-callback", post(on_callback))
        .with_state(r);
    let addr = serve_on_loopback(app).await;
    (format!("http://{addr}/liveness-result-callback"), arrivals)
}

/// Creates a session over HTTP with a callbackURL and an optional scenario.
async fn create(emu: &TestEmulator, mode: &str, callback: &str, scenario: Option<&str>) -> String {
    let res = init_with(
        emu,
        &format!(
            "e2e-callbacks-backend/{mode}/{}",
            scenario.unwrap_or("default")
        ),
        scenario,
        json!({"livenessMode": mode, "callbackURL": callback}),
    )
    .await;
    assert_eq!(res.status(), 201);
    session_id(&res)
}

/// The session's `callback` transcript events, once one of them says how delivery ended.
async fn callback_events(emu: &TestEmulator, id: &str) -> Vec<Value> {
    for _ in 0..250 {
        let events: Vec<Value> = session_json(emu, id).await["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| e["kind"] == "callback")
            .map(|e| e["data"].clone())
            .collect();
        if events
            .iter()
            .any(|e| e["delivered"] == true || e["final"] == true)
        {
            return events;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the callback of {id} never ended");
}

#[tokio::test]
async fn each_finished_session_calls_back_once_and_the_result_is_already_final() {
    let emu = TestEmulator::start().await;
    let (url, arrivals) = receiver(&emu).await;
    let mut ids = Vec::new();
    for mode in MODES {
        let id = create(&emu, mode, &url, None).await;
        let played = play(&emu, &id, &format!("e2e-callbacks/{mode}")).await;
        assert_contract_order(mode, &played, mode);
        assert_eq!(
            played.terminal.as_ref().map(|t| t["type"].clone()),
            Some(json!("result"))
        );
        ids.push(id);
    }
    for id in &ids {
        let events = callback_events(&emu, id).await;
        assert_eq!(events.len(), 1, "one attempt, delivered: {events:?}");
        assert_eq!(events[0]["status"], 204);
        assert_eq!(events[0]["url"], url.as_str());
    }
    let arrivals = arrivals.lock().clone();
    for id in &ids {
        let mine: Vec<&Arrival> = arrivals.iter().filter(|a| &a.session_id == id).collect();
        assert_eq!(mine.len(), 1, "exactly one callback for {id}: {arrivals:?}");
        assert_eq!(mine[0].body, json!({"sessionId": id}));
        assert_eq!(
            mine[0].status_read, "SUCCESS",
            "the result was final when the callback arrived"
        );
    }
    assert_eq!(arrivals.len(), ids.len(), "no stray callbacks");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_capture_that_ends_in_an_error_sends_no_callback() {
    let emu = TestEmulator::start().await;
    let (url, arrivals) = receiver(&emu).await;
    let failed = create(&emu, "LIVENESS_PASSIVE", &url, Some("timeout")).await;
    let played = play(&emu, &failed, "e2e-callbacks/timeout").await;
    assert_eq!(played.terminal.as_ref().expect("error")["type"], "error");
    // A later session that finishes proves delivery works; by then the failed one had its chance.
    let ok = create(&emu, "LIVENESS_PASSIVE", &url, None).await;
    play(&emu, &ok, "e2e-callbacks/ok").await;
    callback_events(&emu, &ok).await;
    let events = session_json(&emu, &failed).await["events"].clone();
    assert!(
        !events
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["kind"] == "callback"),
        "no callback attempt for a failed capture"
    );
    let arrivals = arrivals.lock().clone();
    assert_eq!(arrivals.len(), 1, "{arrivals:?}");
    assert_eq!(arrivals[0].session_id, ok);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_capture_timeout_shows_the_result_on_the_channel_and_the_callback_finds_core_reporting_timeout(
) {
    let emu = TestEmulator::start().await;
    let (url, arrivals) = receiver(&emu).await;
    for mode in MODES {
        let id = create(&emu, mode, &url, Some("capture-timeout")).await;
        let played = play(&emu, &id, &format!("e2e-callbacks/capture-timeout/{mode}")).await;
        assert_contract_order(mode, &played, mode);
        let terminal = played.terminal.as_ref().expect("a terminal message");
        assert_eq!(
            terminal["type"], "result",
            "{mode}: the server stops the capture with showChallengeResult, not errorFn"
        );
        let read = played.rest_at_result.as_ref().expect("read at result");
        assert_eq!(read["livenessStatus"], "TIMEOUT", "{mode}: {read}");
        assert_eq!(
            read["diagnostic"],
            "The liveness test was not completed within the time permitted"
        );
        let events = callback_events(&emu, &id).await;
        assert_eq!(events.last().expect("an attempt")["delivered"], true);
        let arrivals = arrivals.lock().clone();
        let mine = arrivals
            .iter()
            .find(|a| a.session_id == id)
            .expect("the callback arrived");
        assert_eq!(
            mine.status_read, "TIMEOUT",
            "{mode}: the callback follows the result"
        );
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn a_no_face_timeout_ends_with_1301_and_core_then_reports_timeout_without_a_callback() {
    let emu = TestEmulator::start().await;
    let (url, arrivals) = receiver(&emu).await;
    let id = create(&emu, "LIVENESS_PASSIVE", &url, Some("no-face-timeout")).await;
    let played = play(&emu, &id, "e2e-callbacks/no-face-timeout").await;
    let terminal = played.terminal.as_ref().expect("an error");
    assert_eq!(terminal["type"], "error");
    assert!(terminal.to_string().contains("\"code\":1301"), "{terminal}");
    settled(&emu, &id).await;
    let result = result(&emu, &id).await;
    assert_eq!(result["livenessStatus"], "TIMEOUT");
    assert_eq!(
        result["diagnostic"],
        "Video Capture timeout: No face detected during liveness step."
    );
    assert!(result.get("bestImageId").is_none(), "{result}");
    assert!(
        arrivals.lock().is_empty(),
        "no callback after an errorFn ending"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn the_callback_failure_scenario_records_the_failed_attempts_then_one_delivery() {
    let emu = TestEmulator::start().await;
    let (url, arrivals) = receiver(&emu).await;
    let id = create(
        &emu,
        "LIVENESS_PASSIVE_VIDEO",
        &url,
        Some("callback-failure"),
    )
    .await;
    let played = play(&emu, &id, "e2e-callbacks/failure").await;
    assert_contract_order("LIVENESS_PASSIVE_VIDEO", &played, "callback-failure");

    let events = callback_events(&emu, &id).await;
    let (failed, delivered): (Vec<&Value>, Vec<&Value>) =
        events.iter().partition(|e| e["delivered"] == false);
    assert_eq!(failed.len(), 3, "three failed attempts: {events:?}");
    assert!(failed
        .iter()
        .all(|e| e["error"].is_string() && e["status"].is_null()));
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0]["status"], 204);
    let attempts: Vec<u64> = events
        .iter()
        .filter_map(|e| e["attempt"].as_u64())
        .collect();
    assert_eq!(
        attempts,
        vec![1, 2, 3, 4],
        "failures first, then the delivery"
    );

    let transcript = compact_transcript(&session_json(&emu, &id).await["events"], &[&id]);
    let callbacks: Vec<&String> = transcript
        .iter()
        .filter(|l| l.starts_with("callback"))
        .collect();
    insta::assert_snapshot!("callback-failure-attempts", format!("{callbacks:#?}"));
    let result_at = transcript
        .iter()
        .position(|l| l.starts_with("result "))
        .expect("result");
    let first_callback = transcript
        .iter()
        .position(|l| l.starts_with("callback"))
        .expect("callback");
    assert!(
        result_at < first_callback,
        "result final before any attempt"
    );

    let arrivals = arrivals.lock().clone();
    assert_eq!(arrivals.len(), 1, "only the delivery reaches the receiver");
    assert_eq!(arrivals[0].session_id, id);
    assert_eq!(arrivals[0].status_read, "SUCCESS");
    emu.shutdown().await;
}
