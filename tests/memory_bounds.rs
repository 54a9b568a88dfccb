//! Memory stays bounded without losing what matters: the session cap evicts finished sessions
//! first and never a capture in progress, and a polling loop does not grow a transcript.

mod support;

use std::{sync::Arc, time::Duration};

use serde_json::json;
use support::internals::{
    BioSession, LivenessMode, Scenario, SelectedBy, SessionParams, SessionState, SessionStore,
    Transcript,
};

fn session(id: &str, state: SessionState) -> BioSession {
    let mut s = BioSession::new(
        id.to_string(),
        SessionParams {
            liveness_mode: LivenessMode::LivenessPassive,
            security_level: "HIGH".into(),
            number_of_challenge: 2,
            correlation_id: None,
            evidence_id: None,
            callback_url: None,
            age_threshold: None,
        },
        Arc::new(Scenario::default()),
        "success".into(),
        SelectedBy::Default,
    );
    s.state = state;
    s
}

#[test]
fn the_cap_evicts_finished_then_never_connected_sessions_and_keeps_open_channels() {
    let store = SessionStore::new();
    store.insert(session("capturing", SessionState::Capturing));
    store.insert(session("pending", SessionState::Pending));
    store.insert(session("created", SessionState::Created));
    store.insert(session("finished", SessionState::Finished));
    store.insert(session("failed", SessionState::Failed));

    let ttl = Duration::from_secs(3600);
    assert_eq!(store.sweep(ttl, 3), 2);
    assert!(store.peek("finished").is_none() && store.peek("failed").is_none());
    assert!(store.peek("created").is_some());

    assert_eq!(store.sweep(ttl, 0), 1, "only the never-connected one goes");
    assert!(store.peek("created").is_none());
    assert!(store.peek("capturing").is_some() && store.peek("pending").is_some());
}

#[test]
fn identical_repeated_calls_are_counted_on_one_transcript_event() {
    let mut t = Transcript::new(std::time::Instant::now());
    t.push_keyed("rest", json!({"path": "/result"}), 7);
    assert!(t.repeat_last(7));
    assert!(t.repeat_last(7));
    assert!(!t.repeat_last(8), "a different answer is not a repeat");
    assert_eq!(t.events().len(), 1);
    assert_eq!(
        t.events().get(0).map(|e| e.data()["count"].clone()),
        Some(3.into())
    );

    t.push("send", json!({"type": "tracking"}));
    assert!(!t.repeat_last(7), "another event in between ends the run");
}
