//! The client fingerprint (client IP + `|` + User-Agent) the vendor's lockout counts by.
//!
//! Session creation, the capture channel and the findings observer must agree on it, or a lockout
//! recorded by one is never seen by another; so there is one recipe, here.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::ConnectInfo,
    http::{header, HeaderMap},
};

/// `X-Forwarded-For` as a ready name (a lookup by `&str` parses the name again on every call).
static X_FORWARDED_FOR: axum::http::HeaderName =
    axum::http::HeaderName::from_static("x-forwarded-for");

/// The fingerprint of a request from its headers and the peer address.
///
/// The IP is the first `X-Forwarded-For` entry when it is an IP address (back ends and pages often
/// sit behind a proxy; the sample app sends `to-specify`, which is ignored), else the peer's.
pub fn fingerprint(headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
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
        Some(ip) => push_ip(&mut out, ip),
        None => out.push_str("unknown"),
    }
    out.push('|');
    out.push_str(agent);
    out
}

/// Writes `ip` as its `Display` does. An IPv4 address (every loopback client, the common case)
/// is written digit by digit: the formatter machinery cost more than the rest of the fingerprint.
fn push_ip(out: &mut String, ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => {
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                if octet >= 100 {
                    out.push(char::from(b'0' + octet / 100));
                }
                if octet >= 10 {
                    out.push(char::from(b'0' + octet / 10 % 10));
                }
                out.push(char::from(b'0' + octet % 10));
            }
        }
        IpAddr::V6(_) => {
            use std::fmt::Write;
            let _ = write!(out, "{ip}");
        }
    }
}

/// The peer address axum's connect info recorded for this request, if any.
pub fn peer_of(extensions: &axum::http::Extensions) -> Option<SocketAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_written_as_display_writes_them() {
        for ip in [
            "0.0.0.0",
            "127.0.0.1",
            "10.20.100.255",
            "9.99.199.250",
            "::1",
            "2001:db8::8a2e:370:7334",
            "::ffff:127.0.0.1",
        ] {
            let ip: IpAddr = ip.parse().expect("a test address");
            let mut out = String::new();
            push_ip(&mut out, ip);
            assert_eq!(out, ip.to_string());
        }
    }
}
