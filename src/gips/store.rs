//! The GIPS identities, kept in the same bounded, expiring store as sessions.
//!
//! An identity owns its consents and its portraits; each portrait points at the bio-session that
//! captures it. Identities expire after the same TTL as sessions so memory stays bounded under any
//! load, and each identity holds a bounded number of consents and portraits.

use std::{sync::Arc, time::Instant};

use bytes::Bytes;
use parking_lot::Mutex;
use serde_json::Value;
use time::OffsetDateTime;

use crate::sessions::store::{BoundedStore, Expiring};

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

/// The captured portrait image, kept with the verdict so `GET .../portrait` still answers after
/// the bio-session that produced it has expired.
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

/// All identities by id, expiring like sessions (same TTL and cap).
pub type IdentityStore = BoundedStore<Identity>;

impl Expiring for Identity {
    fn key(&self) -> &str {
        &self.id
    }
    fn touched_at(&self) -> Instant {
        self.touched_at
    }
    fn touch(&mut self) {
        self.touched_at = Instant::now();
    }
}
