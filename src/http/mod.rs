//! HTTP behaviour shared by every surface: API-key checks, CORS/CORP, the JSON error guarantee,
//! and the request journal.

pub mod auth;
pub mod layers;

pub use auth::require_api_key;
