//! Lockout of a client fingerprint after too many failed captures (the vendor's 429 with
//! `unlockDateTime`).
//!
//! The real service, when its back-end fingerprinting option is enabled ("Fingerprinting feature
//! should be enable on backend", Global Error Codes), counts a user's incorrect liveness attempts
//! per client (IP + User-Agent) in a window and, after `--lockout-attempts` of them, refuses new
//! captures until the window has passed (the table is here; `capture::record_outcome` and
//! `capture::locked_until` apply it with the flags). Integrators must show a countdown, so the emulator
//! reproduces it, but only when asked (`--lockout` or the dashboard): a test suite that runs its
//! failure cases before its success cases must not find its success capture locked out. Only the
//! user's failures count ([`is_user_failure_code`], [`is_user_failure_status`]): a capacity
//! refusal (503), a scripted 429 or a server error is not the user's attempt. Memory stays
//! bounded: failures older than the window are forgotten and a fingerprint with nothing recent is
//! dropped.
//!
//! A long-running emulator sees many distinct clients with one failure each (every soak session
//! has its own User-Agent), so a record is small and lives inside the map's table: the fingerprint
//! is kept as a 64-bit hash (two clients colliding would share a lockout, a 1-in-2⁶⁴ chance per
//! pair) and the latest failure inline; only a client with several failures in the window
//! allocates a list for the earlier ones. Scattered small allocations that die one window later
//! were what kept a 30-minute soak's memory climbing after the window had filled.

use std::{
    collections::{hash_map::RandomState, HashMap, VecDeque},
    hash::BuildHasher,
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use parking_lot::Mutex;
use time::OffsetDateTime;

use crate::scenarios::model::LivenessStatus;

/// Most fingerprints tracked at once; beyond it the stalest are dropped first.
const MAX_FINGERPRINTS: usize = 100_000;

/// Failure times and lock end per fingerprint (by hash), and whether lockout is on.
#[derive(Default)]
pub struct Lockouts {
    inner: Mutex<HashMap<u64, Record>>,
    hasher: RandomState,
    /// Counting and refusing happen only when on (`--lockout`, or the dashboard's toggle).
    enabled: AtomicBool,
}

/// One fingerprint locked out now (what the dashboard and `GET /__emulator/lockouts` list).
#[derive(Debug, Clone, PartialEq)]
pub struct Locked {
    /// The fingerprint (`IP|User-Agent`) as the channel saw it.
    pub fingerprint: String,
    /// When the lock ends.
    pub until: OffsetDateTime,
}

#[derive(Default)]
struct Record {
    /// The latest failure in the window.
    last: Option<OffsetDateTime>,
    /// Earlier failures in the window, oldest first (empty, so not allocated, for most clients).
    earlier: VecDeque<OffsetDateTime>,
    locked_until: Option<OffsetDateTime>,
    /// The fingerprint's text, kept only while it is locked (so the dashboard can name it).
    label: Option<Box<str>>,
}

impl Record {
    fn last_activity(&self) -> Option<OffsetDateTime> {
        self.last.max(self.locked_until)
    }

    fn failures(&self) -> usize {
        self.earlier.len() + usize::from(self.last.is_some())
    }

    /// Adds a failure at `now`, forgetting those older than `window` and beyond the `keep` latest.
    fn push(&mut self, now: OffsetDateTime, window: Duration, keep: usize) {
        if let Some(previous) = self.last.replace(now) {
            self.earlier.push_back(previous);
        }
        while self.earlier.front().is_some_and(|t| now - *t > window) {
            self.earlier.pop_front();
        }
        while self.failures() > keep {
            self.earlier.pop_front();
        }
    }

    fn clear_failures(&mut self) {
        self.last = None;
        self.earlier = VecDeque::new();
    }
}

impl Lockouts {
    /// An empty table, counting only when `enabled`.
    pub fn new(enabled: bool) -> Self {
        Lockouts {
            enabled: AtomicBool::new(enabled),
            ..Lockouts::default()
        }
    }

    /// Whether lockout is on.
    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    /// Turns lockout on or off. Turning it off forgets every count and lock, so turning it on
    /// again starts from nothing (no lock from failures made while it was off).
    pub fn set_enabled(&self, on: bool) {
        self.enabled.store(on, Ordering::Relaxed);
        if !on {
            self.clear();
        }
    }

    /// The fingerprints locked out at `now`, the latest lock end first.
    pub fn locked(&self, now: OffsetDateTime) -> Vec<Locked> {
        let mut list: Vec<Locked> = self
            .inner
            .lock()
            .values()
            .filter_map(|r| {
                let until = r.locked_until.filter(|u| *u > now)?;
                Some(Locked {
                    fingerprint: r.label.as_deref().unwrap_or("?").to_string(),
                    until,
                })
            })
            .collect();
        list.sort_by_key(|l| std::cmp::Reverse(l.until));
        list
    }

    fn key(&self, fingerprint: &str) -> u64 {
        self.hasher.hash_one(fingerprint)
    }

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
        let key = self.key(fingerprint);
        let mut map = self.inner.lock();
        if map.len() >= MAX_FINGERPRINTS && !map.contains_key(&key) {
            prune(&mut map, now, window);
        }
        let record = map.entry(key).or_default();
        if record.locked_until.is_some_and(|until| until > now) {
            return None;
        }
        record.locked_until = None;
        record.label = None;
        record.push(now, window, attempts as usize);
        if record.failures() >= attempts as usize {
            let until = now + window;
            record.locked_until = Some(until);
            record.label = Some(fingerprint.into());
            record.clear_failures();
            return Some(until);
        }
        None
    }

    /// The lock end of `fingerprint` if it is locked at `now`.
    pub fn locked_until(&self, fingerprint: &str, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let key = self.key(fingerprint);
        self.inner
            .lock()
            .get(&key)
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
fn forget_quiet(map: &mut HashMap<u64, Record>, now: OffsetDateTime, window: Duration) {
    map.retain(|_, r| r.last_activity().is_some_and(|t| now - t <= window));
}

/// Drops fingerprints with nothing recent; if still full, the stalest half.
fn prune(map: &mut HashMap<u64, Record>, now: OffsetDateTime, window: Duration) {
    forget_quiet(map, now, window);
    if map.len() >= MAX_FINGERPRINTS {
        let mut by_age: Vec<(OffsetDateTime, u64)> = map
            .iter()
            .map(|(k, r)| (r.last_activity().unwrap_or(now), *k))
            .collect();
        by_age.sort();
        for (_, k) in by_age.into_iter().take(MAX_FINGERPRINTS / 2) {
            map.remove(&k);
        }
    }
}

/// Error codes that end a capture because of what the user did (the attempts the vendor's
/// lockout is there to limit): 1301 no face during the liveness step, 1303 poor video quality.
/// Capacity refusals (503), lockouts (429), invalid input (400), camera access (1304) and the
/// back end's own failures (500, 1100, 1200, 1201, 2000) are not the user's attempts.
pub fn is_user_failure_code(code: u64) -> bool {
    matches!(code, 1301 | 1303)
}

/// Liveness verdicts that are a failed attempt by the user: `SPOOF`, `FAILED`, `TIMEOUT`
/// (`ERROR` is the back end's failure, `SUCCESS` is no failure).
pub fn is_user_failure_status(status: LivenessStatus) -> bool {
    matches!(
        status,
        LivenessStatus::Spoof | LivenessStatus::Failed | LivenessStatus::Timeout
    )
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
            let r = Record {
                last: Some(at(i * 100)),
                ..Record::default()
            };
            map.insert(i as u64, r);
        }
        prune(&mut map, at(1000), WINDOW);
        assert_eq!(map.len(), 3, "only failures within 300 s of t=1000 remain");
    }

    #[test]
    fn a_client_with_one_failure_costs_no_allocation_beyond_its_map_entry() {
        let l = Lockouts::default();
        l.record_failure("127.0.0.1|loadgen/1", at(0), 5, WINDOW);
        let map = l.inner.lock();
        let record = map.values().next().expect("tracked");
        assert_eq!(record.failures(), 1);
        assert_eq!(record.earlier.capacity(), 0);
    }

    #[test]
    fn the_attempts_th_failure_within_the_window_locks_and_earlier_ones_slide_out() {
        let l = Lockouts::default();
        assert_eq!(l.record_failure("fp", at(0), 3, WINDOW), None);
        assert_eq!(l.record_failure("fp", at(100), 3, WINDOW), None);
        // t=0 is out of the window at t=350: 100 and 350 count, not yet 3.
        assert_eq!(l.record_failure("fp", at(350), 3, WINDOW), None);
        assert_eq!(l.record_failure("fp", at(360), 3, WINDOW), Some(at(660)));
    }

    #[test]
    fn a_lock_is_listed_with_its_fingerprint_until_it_ends() {
        let l = Lockouts::new(true);
        l.record_failure("127.0.0.1|Chrome", at(0), 1, WINDOW);
        l.record_failure("10.0.0.2|Firefox", at(0), 5, WINDOW);
        assert_eq!(
            l.locked(at(10)),
            vec![Locked {
                fingerprint: "127.0.0.1|Chrome".into(),
                until: at(300)
            }]
        );
        assert!(l.locked(at(301)).is_empty());
    }

    #[test]
    fn turning_lockout_off_forgets_counts_and_locks() {
        let l = Lockouts::new(true);
        l.record_failure("fp", at(0), 1, WINDOW);
        l.set_enabled(false);
        assert!(!l.enabled());
        assert_eq!(l.locked_until("fp", at(1)), None);
        assert!(l.is_empty());
    }

    #[test]
    fn only_the_users_failures_count() {
        assert!(is_user_failure_code(1301));
        assert!(is_user_failure_code(1303));
        for code in [400, 429, 500, 503, 1100, 1200, 1201, 1304, 2000] {
            assert!(!is_user_failure_code(code), "{code}");
        }
        assert!(is_user_failure_status(LivenessStatus::Spoof));
        assert!(is_user_failure_status(LivenessStatus::Timeout));
        assert!(!is_user_failure_status(LivenessStatus::Success));
        assert!(!is_user_failure_status(LivenessStatus::Error));
    }

    #[test]
    fn reset_forgets_locks() {
        let l = Lockouts::default();
        l.record_failure("fp", at(0), 1, WINDOW);
        l.clear();
        assert_eq!(l.locked_until("fp", at(1)), None);
    }
}
