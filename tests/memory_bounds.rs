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
fn a_creation_at_the_cap_evicts_one_session_in_the_same_order_as_the_sweep() {
    let store = SessionStore::new();
    let capturing = store.insert(session("capturing", SessionState::Capturing));
    store.insert(session("old-created", SessionState::Created));
    std::thread::sleep(Duration::from_millis(2));
    store.insert(session("new-created", SessionState::Created));
    let finishing = store.insert(session("finishing", SessionState::Created));
    // Touched since it was created: it goes after the other never-connected one.
    std::thread::sleep(Duration::from_millis(2));
    assert!(store.get("old-created").is_some());

    store.insert_within(session("a", SessionState::Created), 4);
    assert_eq!(store.len(), 4);
    assert!(
        store.peek("new-created").is_none(),
        "least recently touched first"
    );

    // A session that finishes goes before every never-connected one, once the store is told.
    finishing.lock().state = SessionState::Finished;
    store.reindex(&finishing);
    store.insert_within(session("b", SessionState::Created), 4);
    assert!(store.peek("finishing").is_none());
    assert!(store.peek("old-created").is_some() && store.peek("a").is_some());

    store.insert_within(session("c", SessionState::Created), 4);
    assert!(store.peek("old-created").is_none());
    store.insert_within(session("d", SessionState::Created), 2);
    assert_eq!(
        store.len(),
        2,
        "down to the cap, one creation at a time or more"
    );
    assert!(store.peek("d").is_some(), "the new session is always kept");

    // One whose capture is running is never evicted, even when nothing else can go.
    store.insert_within(session("e", SessionState::Created), 1);
    assert!(store.peek("capturing").is_some() && store.peek("e").is_some());
    assert_eq!(store.len(), 2);
    // Once it has finished it goes first.
    capturing.lock().state = SessionState::Failed;
    store.reindex(&capturing);
    store.insert_within(session("f", SessionState::Created), 2);
    assert!(store.peek("capturing").is_none());
    assert_eq!(store.len(), 2);
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
