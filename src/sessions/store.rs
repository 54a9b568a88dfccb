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

    /// Drops sessions untouched for longer than `ttl`, then the oldest ones beyond `max`
    /// (terminal ones first). Returns how many were dropped.
    pub fn sweep(&self, ttl: Duration, max: usize) -> usize {
        let mut map = self.inner.write();
        let before = map.len();
        map.retain(|_, s| s.lock().touched_at.elapsed() <= ttl);
        if map.len() > max {
            let mut order: Vec<(bool, Instant, String)> = map
                .iter()
                .map(|(id, s)| {
                    let s = s.lock();
                    (!s.state.is_terminal(), s.touched_at, id.clone())
                })
                .collect();
            order.sort();
            let excess = map.len() - max;
            for (_, _, id) in order.into_iter().take(excess) {
                map.remove(&id);
            }
        }
        before - map.len()
    }
}
