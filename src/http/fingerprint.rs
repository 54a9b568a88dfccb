//! The client fingerprint (client IP + `|` + User-Agent) the vendor's lockout counts by.
//!
//! Session creation, the capture channel and the findings observer must agree on it, or a lockout
//! recorded by one is never seen by another; so there is one recipe, here.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{header, request::Parts, HeaderMap},
};

/// `X-Forwarded-For` as a ready name (a lookup by `&str` parses the name again on every call).
static X_FORWARDED_FOR: axum::http::HeaderName =
    axum::http::HeaderName::from_static("x-forwarded-for");

/// The fingerprint of a request from its headers and the peer address.
///
/// The IP is the first `X-Forwarded-For` entry when it is an IP address (back ends and pages often
/// sit behind a proxy; the sample app sends `to-specify`, which is ignored), else the peer's.
pub fn fingerprint(headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    use std::fmt::Write;
    let forwarded = headers
        .get(&X_FORWARDED_FOR)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|first| first.trim().parse::<IpAddr>().ok());
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // One allocation, sized once: every init-liveness-session computes it.
    let mut out = String::with_capacity(48 + agent.len());
    match forwarded.or(peer.map(|addr| addr.ip())) {
        Some(ip) => {
            let _ = write!(out, "{ip}");
        }
        None => out.push_str("unknown"),
    }
    out.push('|');
    out.push_str(agent);
    out
}

/// The peer address axum's connect info recorded for this request, if any.
pub fn peer_of(extensions: &axum::http::Extensions) -> Option<SocketAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr)
}

/// Extractor for handlers: the request's [`fingerprint`]. Also a request extension: a layer that
/// already computed it (the front door's watcher, for init) inserts it, and the extractor takes
/// it instead of computing it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFingerprint(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientFingerprint {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(known) = parts.extensions.remove::<ClientFingerprint>() {
            return Ok(known);
        }
        Ok(ClientFingerprint(fingerprint(
            &parts.headers,
            peer_of(&parts.extensions),
        )))
    }
}
