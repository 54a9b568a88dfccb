//! The concurrent, bounded, expiring store behind sessions and GIPS identities.
//!
//! Both live only as long as a client keeps using them and both must keep memory bounded under any
//! load, so they share one store: entries expire after a TTL of inactivity and, beyond a cap, the
//! least recently used go first (in the order of [`Expiring::evict_rank`]).

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use parking_lot::{Mutex, RwLock};

use super::BioSession;

/// What the store needs to know about an entry to expire it.
pub trait Expiring {
    /// The id the entry is looked up by.
    fn key(&self) -> &str;
    /// Last activity (a lookup with [`BoundedStore::get`] counts as activity).
    fn touched_at(&self) -> Instant;
    /// Records activity now, so the TTL starts again.
    fn touch(&mut self);
    /// Eviction order when the store is over its cap: lower ranks go first (e.g. a finished
    /// session, which no client is still waiting on); `None` never goes, neither for the cap nor
    /// for the TTL (e.g. a session whose capture is running: its channel keeps it alive).
    /// Defaults to rank 0 (plain least-recently-used).
    fn evict_rank(&self) -> Option<u8> {
        Some(0)
    }
}

/// Entries by id, each behind its own lock. Cloning is cheap (the map is shared).
pub struct BoundedStore<T> {
    inner: Arc<RwLock<HashMap<String, Arc<Mutex<T>>>>>,
}

impl<T> Clone for BoundedStore<T> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<T> Default for BoundedStore<T> {
    fn default() -> Self {
        Self {
            inner: Arc::default(),
        }
    }
}

impl<T: Expiring> BoundedStore<T> {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an entry and returns the shared handle.
    pub fn insert(&self, entry: T) -> Arc<Mutex<T>> {
        let id = entry.key().to_string();
        let shared = Arc::new(Mutex::new(entry));
        self.inner.write().insert(id, shared.clone());
        shared
    }

    /// Looks an entry up by id and marks it as touched (for the TTL).
    pub fn get(&self, id: &str) -> Option<Arc<Mutex<T>>> {
        let found = self.peek(id);
        if let Some(e) = &found {
            e.lock().touch();
        }
        found
    }

    /// Looks an entry up without touching it (for the dashboard, which must not keep sessions alive).
    pub fn peek(&self, id: &str) -> Option<Arc<Mutex<T>>> {
        self.inner.read().get(id).cloned()
    }

    /// Number of entries held.
    pub fn len(&self) -> usize {
        self.inner.read().len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many entries satisfy `f`: one pass, no copies (for counts derived from the entries,
    /// like the pins waiting in sessions, instead of a second table to keep in step).
    pub fn count(&self, f: impl Fn(&T) -> bool) -> usize {
        self.inner.read().values().filter(|e| f(&e.lock())).count()
    }

    /// Forgets every entry (admin reset).
    pub fn clear(&self) {
        self.inner.write().clear();
    }

    /// Drops entries untouched for longer than `ttl`, then, beyond `max`, the least recently touched
    /// by [`Expiring::evict_rank`] (lower ranks first). Entries ranked `None` — a session whose
    /// capture channel is open — are kept whatever their age or the cap. Returns how many were
    /// dropped.
    ///
    /// The choice is made under the read lock (requests keep being served) and only the removals
    /// take the write lock, so a full store does not stall every request once a second; the
    /// entries removed are dropped after the write lock is released (freeing a few thousand
    /// sessions would otherwise park every request that looks one up meanwhile).
    pub fn sweep(&self, ttl: Duration, max: usize) -> usize {
        let doomed: Vec<String> = {
            let map = self.inner.read();
            let mut doomed = Vec::new();
            let over_cap = map.len() > max;
            // Sized once: over the cap every entry is a candidate (the flood of creations in
            // `capture::create_session` runs this pass every few thousand sessions).
            let mut candidates: Vec<(u8, Instant, &String)> =
                Vec::with_capacity(if over_cap { map.len() } else { 0 });
            let now = Instant::now();
            for (id, e) in map.iter() {
                let e = e.lock();
                let Some(rank) = e.evict_rank() else {
                    continue;
                };
                if now.saturating_duration_since(e.touched_at()) > ttl {
                    doomed.push(id.clone());
                } else if over_cap {
                    candidates.push((rank, e.touched_at(), id));
                }
            }
            let excess = (map.len() - doomed.len())
                .saturating_sub(max)
                .min(candidates.len());
            if excess > 0 {
                candidates.select_nth_unstable(excess - 1);
                doomed.reserve_exact(excess);
                doomed.extend(candidates[..excess].iter().map(|c| c.2.clone()));
            }
            doomed
        };
        if doomed.is_empty() {
            return 0;
        }
        let removed: Vec<Arc<Mutex<T>>> = {
            let mut map = self.inner.write();
            doomed.iter().filter_map(|id| map.remove(id)).collect()
        };
        removed.len()
    }
}

/// A session shared between handlers; lock it briefly and never across an `.await`.
pub type SharedSession = Arc<Mutex<BioSession>>;

/// All live sessions by id; finished sessions are evicted first when over `--max-sessions`.
pub type SessionStore = BoundedStore<BioSession>;

impl Expiring for BioSession {
    fn key(&self) -> &str {
        &self.id
    }
    fn touched_at(&self) -> Instant {
        self.touched_at
    }
    fn touch(&mut self) {
        self.touched_at = Instant::now();
    }
    fn evict_rank(&self) -> Option<u8> {
        match self.state {
            state if state.is_terminal() => Some(0),
            super::SessionState::Created => Some(1),
            _ => None,
        }
    }
}

impl BoundedStore<BioSession> {
    /// Every session, newest first (the dashboard's and admin API's listing order).
    pub fn all(&self) -> Vec<SharedSession> {
        let mut v: Vec<SharedSession> = self.inner.read().values().cloned().collect();
        v.sort_by_key(|s| std::cmp::Reverse(s.lock().created_at));
        v
    }
}
