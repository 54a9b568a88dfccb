//! Lockout of a client fingerprint after too many failed captures (the vendor's 429 with
//! `unlockDateTime`).
//!
//! The real service counts failed captures per client (IP + User-Agent) in a window and, after
//! `--lockout-attempts` of them, refuses new captures until the window has passed. Integrators must
//! show a countdown, so the emulator reproduces it. Memory stays bounded: failures older than the
//! window are forgotten and a fingerprint with nothing recent is dropped.

use std::{
    collections::{HashMap, VecDeque},
    time::Duration,
};

use parking_lot::Mutex;
use time::OffsetDateTime;

use crate::{sessions::store::SharedSession, state::AppState};

/// Most fingerprints tracked at once; beyond it the stalest are dropped first.
const MAX_FINGERPRINTS: usize = 100_000;

/// Failure times and lock end per fingerprint.
#[derive(Default)]
pub struct Lockouts {
    inner: Mutex<HashMap<String, Record>>,
}

#[derive(Default)]
struct Record {
    failures: VecDeque<OffsetDateTime>,
    locked_until: Option<OffsetDateTime>,
}

impl Record {
    fn last_activity(&self) -> Option<OffsetDateTime> {
        self.failures.back().copied().max(self.locked_until)
    }
}

impl Lockouts {
    /// Records a failure at `now`; returns the lock end when this failure locks the fingerprint.
    /// Failures during a lock are not counted (the lock does not extend itself).
    pub fn record_failure(
        &self,
        fingerprint: &str,
        now: OffsetDateTime,
        attempts: u32,
        window: Duration,
    ) -> Option<OffsetDateTime> {
        if attempts == 0 {
            return None;
        }
        let mut map = self.inner.lock();
        if map.len() >= MAX_FINGERPRINTS && !map.contains_key(fingerprint) {
            prune(&mut map, now, window);
        }
        let record = map.entry(fingerprint.to_string()).or_default();
        if record.locked_until.is_some_and(|until| until > now) {
            return None;
        }
        record.locked_until = None;
        record.failures.push_back(now);
        while record.failures.front().is_some_and(|t| now - *t > window) {
            record.failures.pop_front();
        }
        while record.failures.len() > attempts as usize {
            record.failures.pop_front();
        }
        if record.failures.len() >= attempts as usize {
            let until = now + window;
            record.locked_until = Some(until);
            record.failures.clear();
            return Some(until);
        }
        None
    }

    /// The lock end of `fingerprint` if it is locked at `now`.
    pub fn locked_until(&self, fingerprint: &str, now: OffsetDateTime) -> Option<OffsetDateTime> {
        self.inner
            .lock()
            .get(fingerprint)
            .and_then(|r| r.locked_until)
            .filter(|until| *until > now)
    }

    /// Number of fingerprints tracked.
    pub fn len(&self) -> usize {
        self.inner.lock().len()
    }

    /// Whether nothing is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets everything (admin reset).
    pub fn clear(&self) {
        self.inner.lock().clear();
    }
}

/// Drops fingerprints with nothing recent; if still full, the stalest half.
impl Lockouts {
    /// Forgets fingerprints with no failure within `window` and no lock still running (the
    /// sweeper calls it every second), so a stream of distinct clients costs memory for one
    /// window, not until the 100,000-fingerprint cap. Returns how many were forgotten.
    pub fn expire(&self, now: OffsetDateTime, window: Duration) -> usize {
        let mut map = self.inner.lock();
        let before = map.len();
        forget_quiet(&mut map, now, window);
        before - map.len()
    }
}

/// Drops records with no failure within `window` and no lock still running.
fn forget_quiet(map: &mut HashMap<String, Record>, now: OffsetDateTime, window: Duration) {
    map.retain(|_, r| r.last_activity().is_some_and(|t| now - t <= window));
}

fn prune(map: &mut HashMap<String, Record>, now: OffsetDateTime, window: Duration) {
    forget_quiet(map, now, window);
    if map.len() >= MAX_FINGERPRINTS {
        let mut by_age: Vec<(OffsetDateTime, String)> = map
            .iter()
            .map(|(k, r)| (r.last_activity().unwrap_or(now), k.clone()))
            .collect();
        by_age.sort();
        for (_, k) in by_age.into_iter().take(MAX_FINGERPRINTS / 2) {
            map.remove(&k);
        }
    }
}

/// Records a capture outcome for the session's fingerprint.
pub fn record_outcome(state: &AppState, session: &SharedSession, success: bool) {
    if success {
        return;
    }
    let Some(fingerprint) = session.lock().fingerprint.clone() else {
        return;
    };
    let locked = state.lockouts.record_failure(
        &fingerprint,
        OffsetDateTime::now_utc(),
        state.config.lockout_attempts,
        Duration::from_secs(state.config.lockout_seconds),
    );
    if let Some(until) = locked {
        let when = until
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        session.lock().transcript.push(
            "finding",
            serde_json::json!({"lockout": format!("{} failed captures from this client: new captures get 429 until {when}", state.config.lockout_attempts), "unlockDateTime": when}),
        );
    }
}

/// When the fingerprint is locked out, the time the lock ends (channel init/startCapture answer 429).
pub fn locked_until(state: &AppState, fingerprint: Option<&str>) -> Option<OffsetDateTime> {
    if state.config.lockout_attempts == 0 {
        return None;
    }
    state
        .lockouts
        .locked_until(fingerprint?, OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_secs(300);

    fn at(secs: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(1_700_000_000 + secs)
    }

    #[test]
    fn the_nth_failure_within_the_window_locks_until_the_window_has_passed() {
        let l = Lockouts::default();
        for i in 0..4 {
            assert_eq!(l.record_failure("fp", at(i), 5, WINDOW), None);
            assert_eq!(l.locked_until("fp", at(i)), None);
        }
        assert_eq!(l.record_failure("fp", at(4), 5, WINDOW), Some(at(304)));
        assert_eq!(l.locked_until("fp", at(10)), Some(at(304)));
        assert_eq!(l.locked_until("other", at(10)), None);
        assert_eq!(l.locked_until("fp", at(305)), None);
    }

    #[test]
    fn expiry_forgets_quiet_fingerprints_and_keeps_running_locks() {
        let l = Lockouts::default();
        l.record_failure("quiet", at(0), 5, WINDOW);
        l.record_failure("locked", at(0), 1, WINDOW); // locked until at(300)
        l.record_failure("recent", at(250), 5, WINDOW);
        assert_eq!(l.expire(at(299), WINDOW), 0);
        assert_eq!(l.expire(at(301), WINDOW), 1, "only the quiet one goes");
        assert_eq!(l.locked_until("locked", at(299)), Some(at(300)));
        assert_eq!(l.expire(at(700), WINDOW), 2);
    }

    #[test]
    fn failures_older_than_the_window_do_not_count() {
        let l = Lockouts::default();
        l.record_failure("fp", at(0), 2, WINDOW);
        assert_eq!(l.record_failure("fp", at(400), 2, WINDOW), None);
        assert_eq!(l.record_failure("fp", at(401), 2, WINDOW), Some(at(701)));
    }

    #[test]
    fn failures_during_a_lock_do_not_extend_it_and_counting_restarts_after() {
        let l = Lockouts::default();
        l.record_failure("fp", at(0), 1, WINDOW);
        assert_eq!(l.record_failure("fp", at(100), 1, WINDOW), None);
        assert_eq!(l.locked_until("fp", at(100)), Some(at(300)));
        assert_eq!(l.record_failure("fp", at(301), 1, WINDOW), Some(at(601)));
    }

    #[test]
    fn zero_attempts_disables_lockout() {
        let l = Lockouts::default();
        for i in 0..10 {
            assert_eq!(l.record_failure("fp", at(i), 0, WINDOW), None);
        }
        assert!(l.is_empty());
    }

    #[test]
    fn stale_fingerprints_are_dropped_when_the_map_is_full() {
        let mut map = HashMap::new();
        for i in 0..10 {
            let mut r = Record::default();
            r.failures.push_back(at(i * 100));
            map.insert(format!("fp{i}"), r);
        }
        prune(&mut map, at(1000), WINDOW);
        assert_eq!(map.len(), 3, "only failures within 300 s of t=1000 remain");
    }

    #[test]
    fn reset_forgets_locks() {
        let l = Lockouts::default();
        l.record_failure("fp", at(0), 1, WINDOW);
        l.clear();
        assert_eq!(l.locked_until("fp", at(1)), None);
    }
}
