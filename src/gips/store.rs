//! The GIPS identities: a bounded, concurrent store like the session store.
//!
//! An identity owns its consents and its portraits; each portrait points at the bio-session that
//! captures it. Identities expire after the same TTL as sessions so memory stays bounded under any
//! load, and each identity holds a bounded number of consents and portraits.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use bytes::Bytes;
use parking_lot::{Mutex, RwLock};
use serde_json::Value;
use time::OffsetDateTime;

/// Consents kept per identity (a client looping on the consent call gets 400 beyond this).
pub const MAX_CONSENTS: usize = 100;
/// Portraits (capture sessions) kept per identity.
pub const MAX_PORTRAITS: usize = 100;

/// An identity shared between handlers; lock it briefly and never across an `.await`.
pub type SharedIdentity = Arc<Mutex<Identity>>;

/// One identity-proofing transaction (`POST /identities`).
#[derive(Debug)]
pub struct Identity {
    /// Identity id (a UUID).
    pub id: String,
    /// When it was created.
    pub created: OffsetDateTime,
    /// Consents as answered, oldest first.
    pub consents: Vec<Value>,
    /// Portraits submitted through capture sessions, oldest first.
    pub portraits: Vec<Portrait>,
    /// Last activity, for the TTL.
    pub touched_at: Instant,
}

/// A portrait evidence: one live capture session of the identity.
#[derive(Debug, Clone)]
pub struct Portrait {
    /// Portrait (evidence) id.
    pub id: String,
    /// The bio-session that captures it.
    pub session_id: String,
    /// When the capture session was created.
    pub submitted: OffsetDateTime,
    /// The final verdict, cached once known so it survives the session's expiry.
    pub verdict: Option<Verdict>,
}

/// What GIPS concluded about a portrait.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// VERIFIED, NOT_VERIFIED or INVALID.
    pub status: &'static str,
    /// LEVEL1..LEVEL4 (meaningful for VERIFIED).
    pub strength: String,
    /// The `errors[]` of a rejected portrait (empty otherwise).
    pub errors: Vec<Value>,
    /// Score reported in the evidence status.
    pub score: f64,
    /// When the verdict was reached (the capture's final result).
    pub evaluated: OffsetDateTime,
    /// The best image, when the capture produced one.
    pub image: Option<PortraitImage>,
}

/// The captured portrait image.
#[derive(Debug, Clone)]
pub struct PortraitImage {
    /// Encoded bytes.
    pub bytes: Bytes,
    /// `image/jpeg` or `image/png`.
    pub content_type: String,
}

impl Identity {
    /// A new identity without consents or portraits.
    pub fn new(id: String) -> Self {
        Identity {
            id,
            created: OffsetDateTime::now_utc(),
            consents: Vec::new(),
            portraits: Vec::new(),
            touched_at: Instant::now(),
        }
    }

    /// The portrait with this id.
    pub fn portrait(&self, portrait_id: &str) -> Option<&Portrait> {
        self.portraits.iter().find(|p| p.id == portrait_id)
    }

    /// The portrait with this id, mutably (to cache its verdict).
    pub fn portrait_mut(&mut self, portrait_id: &str) -> Option<&mut Portrait> {
        self.portraits.iter_mut().find(|p| p.id == portrait_id)
    }
}

/// All identities by id. Cloning is cheap (the map is shared).
#[derive(Clone, Default)]
pub struct IdentityStore {
    inner: Arc<RwLock<HashMap<String, SharedIdentity>>>,
}

impl IdentityStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an identity and returns the shared handle.
    pub fn insert(&self, identity: Identity) -> SharedIdentity {
        let id = identity.id.clone();
        let shared = Arc::new(Mutex::new(identity));
        self.inner.write().insert(id, shared.clone());
        shared
    }

    /// Looks an identity up by id and marks it as touched (for the TTL).
    pub fn get(&self, id: &str) -> Option<SharedIdentity> {
        let found = self.inner.read().get(id).cloned();
        if let Some(i) = &found {
            i.lock().touched_at = Instant::now();
        }
        found
    }

    /// Number of identities held.
    pub fn len(&self) -> usize {
        self.inner.read().len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every identity (admin reset).
    pub fn clear(&self) {
        self.inner.write().clear();
    }

    /// Drops identities untouched for longer than `ttl`, then the least recently touched beyond
    /// `max`. Returns how many were dropped.
    pub fn sweep(&self, ttl: Duration, max: usize) -> usize {
        let mut map = self.inner.write();
        let before = map.len();
        map.retain(|_, i| i.lock().touched_at.elapsed() <= ttl);
        if map.len() > max {
            let mut order: Vec<(Instant, String)> = map
                .iter()
                .map(|(id, i)| (i.lock().touched_at, id.clone()))
                .collect();
            order.sort();
            let excess = map.len() - max;
            for (_, id) in order.into_iter().take(excess) {
                map.remove(&id);
            }
        }
        before - map.len()
    }
}
