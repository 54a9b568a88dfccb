//! HTTP utilities shared by every surface, that know nothing of sessions or scenarios: the
//! API-key rule, the client fingerprint, CORS/CORP, the JSON error guarantee, body limits, the
//! Host/admin guard and the socket plumbing. They import nothing above them (`crate::config` and
//! `crate::error` only), so any layer may use them; the front door that puts them together is
//! `crate::front`.

pub mod auth;
pub mod body;
pub mod fingerprint;
pub mod guard;
pub mod layers;
pub mod wire;
