//! The concurrent, bounded session store.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use parking_lot::{Mutex, RwLock};

use super::BioSession;

/// A session shared between handlers; lock it briefly and never across an `.await`.
pub type SharedSession = Arc<Mutex<BioSession>>;

/// All live sessions by id. Cloning is cheap (the map is shared).
#[derive(Clone, Default)]
pub struct SessionStore {
    inner: Arc<RwLock<HashMap<String, SharedSession>>>,
}

impl SessionStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a session and returns the shared handle.
    pub fn insert(&self, session: BioSession) -> SharedSession {
        let id = session.id.clone();
        let shared = Arc::new(Mutex::new(session));
        self.inner.write().insert(id, shared.clone());
        shared
    }

    /// Looks a session up by id (and marks it as touched, for the TTL).
    pub fn get(&self, id: &str) -> Option<SharedSession> {
        let found = self.inner.read().get(id).cloned();
        if let Some(s) = &found {
            s.lock().touched_at = Instant::now();
        }
        found
    }

    /// Looks a session up without touching it (for the dashboard, which must not keep sessions alive).
    pub fn peek(&self, id: &str) -> Option<SharedSession> {
        self.inner.read().get(id).cloned()
    }

    /// Every session, newest first.
    pub fn all(&self) -> Vec<SharedSession> {
        let mut v: Vec<SharedSession> = self.inner.read().values().cloned().collect();
        v.sort_by_key(|s| std::cmp::Reverse(s.lock().created_at));
        v
    }

    /// Number of sessions held.
    pub fn len(&self) -> usize {
        self.inner.read().len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every session.
    pub fn clear(&self) {
        self.inner.write().clear();
    }

    /// Drops sessions untouched for longer than `ttl`, then the oldest ones beyond `max`:
    /// terminal ones first, then never-connected `CREATED` ones; a session whose channel is open
    /// (`CAPTURING`/`PENDING`) is never evicted for the cap. Returns how many were dropped.
    ///
    /// The choice is made under the read lock (requests keep being served) and only the removals
    /// take the write lock, so a full store does not stall every request once a second.
    pub fn sweep(&self, ttl: Duration, max: usize) -> usize {
        let doomed: Vec<String> = {
            let map = self.inner.read();
            let mut doomed = Vec::new();
            let mut candidates: Vec<(u8, Instant, &String)> = Vec::new();
            let over_cap = map.len() > max;
            let now = Instant::now();
            for (id, s) in map.iter() {
                let s = s.lock();
                if now.saturating_duration_since(s.touched_at) > ttl {
                    doomed.push(id.clone());
                } else if over_cap {
                    let rank = match s.state {
                        state if state.is_terminal() => 0,
                        super::SessionState::Created => 1,
                        _ => continue,
                    };
                    candidates.push((rank, s.touched_at, id));
                }
            }
            let excess = (map.len() - doomed.len())
                .saturating_sub(max)
                .min(candidates.len());
            if excess > 0 {
                candidates.select_nth_unstable(excess - 1);
                doomed.extend(candidates[..excess].iter().map(|c| c.2.clone()));
            }
            doomed
        };
        if doomed.is_empty() {
            return 0;
        }
        let mut map = self.inner.write();
        doomed.iter().filter(|id| map.remove(*id).is_some()).count()
    }
}
