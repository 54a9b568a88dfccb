//! HTTP behaviour shared by every surface: API-key checks, the client fingerprint, CORS/CORP, the JSON error guarantee,
//! and the request journal.

pub mod auth;
pub mod body;
pub mod fingerprint;
pub mod front;
pub mod guard;
pub mod layers;
pub mod wire;
