//! Who may reach what: the `Host` allow-list (every route), the control plane's owner-only rules
//! (no foreign `Origin`, JSON bodies only, a token for non-loopback clients when bound to a
//! non-loopback address), and which surface grants CORS.
//!
//! Why: the emulator runs next to the developer's browser, so any page the developer visits could
//! otherwise drive it (a `text/plain` POST needs no preflight), a DNS-rebinding page could read it
//! under its own name, and `--host 0.0.0.0` would open it to the LAN. The vendor's browser surface
//! (SDK scripts, network check, page hint, capture channel) stays open to every page; the
//! back-end surface (init, capabilities, core, GIPS) and the control plane grant nothing to
//! browsers. Every check is a byte comparison on headers: nothing is allocated on the vendor paths.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use axum::{
    extract::Request,
    http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode},
};

use crate::{config::Config, error::ApiError};

/// Name of the cookie the dashboard's `?token=` sets, so its own fetches carry the token.
pub const TOKEN_COOKIE: &str = "webcapture_emulator_token";
/// Header a script may send the admin token in (as well as `Authorization: Bearer`).
pub const TOKEN_HEADER: &str = "x-emulator-token";

/// The part of the HTTP surface a path belongs to, which decides CORS and the origin rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// `/__emulator/**`: the dashboard, the demo and the admin API (same-origin only).
    Control,
    /// The vendor's browser surface: SDK scripts, network check, page hint, capture channel
    /// (CORS `*` and CORP `cross-origin`, from any page).
    Browser,
    /// The integrator back end's surface: init-liveness-session, capabilities, core, GIPS
    /// (no CORS; a state change from a foreign origin is refused).
    Backend,
    /// Anything else (unknown paths): no CORS.
    Other,
}

/// The surface `path` belongs to (prefix comparisons only).
pub fn surface(path: &str) -> Surface {
    if let Some(rest) = path.strip_prefix("/video-server/") {
        if rest.starts_with("init-liveness-session") || rest.starts_with("v2/capabilities") {
            Surface::Backend
        } else {
            Surface::Browser
        }
    } else if path.starts_with("/__emulator") {
        Surface::Control
    } else if path.starts_with("/bioserver-app") || path.starts_with("/gips") {
        Surface::Backend
    } else {
        Surface::Other
    }
}

/// The access rules of one running emulator, built once from the flags.
#[derive(Debug, Clone)]
pub struct Guard {
    /// `--host` when it is a name (an IP literal is admitted by the IP rule).
    bound_name: Option<Box<str>>,
    /// `--allowed-host` names.
    allowed: Box<[Box<str>]>,
    /// The admin token, when the control plane needs one for non-loopback clients.
    token: Option<Box<str>>,
}

impl Guard {
    /// The rules for `config` (`config.admin_token` is already generated when it is needed: see
    /// [`needs_token`]).
    pub fn new(config: &Config) -> Self {
        let host = strip_brackets(config.host.trim());
        let bound_name = (!host.is_empty() && host.parse::<IpAddr>().is_err())
            .then(|| Box::from(host.trim_end_matches('.')));
        Guard {
            bound_name,
            allowed: config
                .allowed_hosts
                .iter()
                .map(|h| Box::from(h.trim().trim_end_matches('.')))
                .collect(),
            token: needs_token(config)
                .then(|| config.admin_token.as_deref().map(Box::from))
                .flatten(),
        }
    }

    /// Whether a `Host` header value names this emulator (see [`Guard::check`]).
    pub fn host_allowed(&self, host: &[u8]) -> bool {
        if is_ipv4_with_port(host) {
            // What nearly every client sends (`127.0.0.1:PORT`), read without the parsers.
            return true;
        }
        let Ok(host) = std::str::from_utf8(host) else {
            return false;
        };
        let name = host_name(host);
        if name.is_empty() {
            return false;
        }
        if name.starts_with('[') {
            return name
                .strip_prefix('[')
                .and_then(|n| n.strip_suffix(']'))
                .is_some_and(|n| n.parse::<Ipv6Addr>().is_ok());
        }
        let name = name.strip_suffix('.').unwrap_or(name);
        name.parse::<Ipv4Addr>().is_ok()
            || name.eq_ignore_ascii_case("localhost")
            || ends_with_ignore_case(name, ".localhost")
            || self
                .bound_name
                .as_deref()
                .is_some_and(|b| b.eq_ignore_ascii_case(name))
            || self.allowed.iter().any(|a| a.eq_ignore_ascii_case(name))
    }

    /// The refusal to answer instead of serving `req` (a JSON 4xx), or what to add to the answer
    /// (`Some(cookie)` after a valid `?token=`). `surface` is `surface(req.uri().path())`.
    pub fn check(&self, req: &Request, surface: Surface) -> Result<Option<HeaderValue>, ApiError> {
        let headers = req.headers();
        let host = headers
            .get(header::HOST)
            .map(HeaderValue::as_bytes)
            .or_else(|| req.uri().authority().map(|a| a.as_str().as_bytes()));
        if let Some(host) = host {
            if !self.host_allowed(host) {
                return Err(refuse_host(host));
            }
        }
        match surface {
            Surface::Browser | Surface::Other => Ok(None),
            Surface::Backend => {
                if is_state_change(req.method()) && from_foreign_page(headers, host) {
                    return Err(refuse(
                        StatusCode::FORBIDDEN,
                        format!(
                            "{} {} was sent by a web page on another origin: in the vendor's design the integrator's back end calls it, not the browser",
                            req.method(),
                            req.uri().path()
                        ),
                    ));
                }
                Ok(None)
            }
            Surface::Control => self.check_control(req, host),
        }
    }

    fn check_control(
        &self,
        req: &Request,
        host: Option<&[u8]>,
    ) -> Result<Option<HeaderValue>, ApiError> {
        let headers = req.headers();
        // A navigation (a link to the dashboard on another site) cannot read what it opens.
        let navigation = matches!(*req.method(), Method::GET | Method::HEAD)
            && headers
                .get(&SEC_FETCH_MODE)
                .is_some_and(|v| v.as_bytes() == b"navigate")
            && !headers.contains_key(header::ORIGIN);
        if !navigation && from_foreign_page(headers, host) {
            return Err(refuse(
                StatusCode::FORBIDDEN,
                "The emulator's control plane answers only its own pages (dashboard, demo) and tools without an Origin: this request came from a web page on another origin",
            ));
        }
        if is_state_change(req.method()) && has_body(headers) && !is_json(headers) {
            return Err(refuse(
                StatusCode::FORBIDDEN,
                "The control plane accepts request bodies only as JSON: send Content-Type: application/json",
            ));
        }
        let Some(token) = self.token.as_deref() else {
            return Ok(None);
        };
        if peer_is_loopback(req) || is_public(req.uri().path()) {
            return Ok(None);
        }
        let from_query = query_token(req.uri().query());
        let presented = from_query
            .or_else(|| header_token(headers))
            .or_else(|| cookie_token(headers));
        match presented {
            Some(t) if same_secret(t.as_bytes(), token.as_bytes()) => Ok(from_query.and_then(|t| {
                HeaderValue::from_str(&format!(
                    "{TOKEN_COOKIE}={t}; HttpOnly; SameSite=Strict; Path=/__emulator"
                ))
                .ok()
            })),
            _ => Err(refuse(
                StatusCode::UNAUTHORIZED,
                "The emulator is bound to a non-loopback address, so its control plane needs the admin token: open the dashboard URL the banner printed (/__emulator/?token=...), or send the X-Emulator-Token header (--admin-token sets the token)",
            )),
        }
    }
}

/// Whether `host` is exactly an IPv4 literal as `Ipv4Addr` parses it (four decimal octets up
/// to 255, no leading zeros), with or without `:` and a port of digits: a `Host` value
/// [`Guard::host_allowed`] admits. Anything else (`None` of this shape) takes the general path.
fn is_ipv4_with_port(host: &[u8]) -> bool {
    let (address, port) = match host.iter().position(|b| *b == b':') {
        Some(colon) => (&host[..colon], &host[colon + 1..]),
        None => (host, &[][..]),
    };
    if !port.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut octets = 0;
    for octet in address.split(|b| *b == b'.') {
        octets += 1;
        let digits_ok = matches!(octet.len(), 1..=3)
            && octet.iter().all(u8::is_ascii_digit)
            && (octet.len() == 1 || octet[0] != b'0');
        if !digits_ok || octet.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')) > 255 {
            return false;
        }
    }
    octets == 4
}

/// Control-plane paths a phone on the LAN needs before it has the token: the HTTPS certificate
/// to install, and the health check. Both read-only and public by nature.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/__emulator/tls-certificate.pem" | "/__emulator/health"
    )
}

/// Whether `config` binds a non-loopback address, so the control plane needs a token for clients
/// that are not on this machine.
pub fn needs_token(config: &Config) -> bool {
    let host = strip_brackets(config.host.trim());
    match host.parse::<IpAddr>() {
        Ok(ip) => !ip.is_loopback(),
        Err(_) => {
            !(host.eq_ignore_ascii_case("localhost") || ends_with_ignore_case(host, ".localhost"))
        }
    }
}

/// A fresh random admin token (128 bits from the OS-seeded generator, never the `--seed` one).
pub fn generate_token() -> String {
    use rand::Rng;
    format!("{:032x}", rand::rng().random::<u128>())
}

/// The answer to a CORS preflight on a surface that grants nothing to other origins.
pub fn refuse_preflight(path: &str) -> ApiError {
    refuse(
        StatusCode::FORBIDDEN,
        format!("{path} is not part of the vendor's browser surface: cross-origin requests to it are not allowed"),
    )
}

fn refuse(status: StatusCode, message: impl Into<String>) -> ApiError {
    ApiError::new(status, message)
}

fn refuse_host(host: &[u8]) -> ApiError {
    let shown = String::from_utf8_lossy(host);
    let name = host_name(&shown).to_string();
    refuse(
        StatusCode::FORBIDDEN,
        format!(
            "Host '{shown}' is not allowed (a protection against DNS rebinding): start the emulator with --allowed-host {name} to reach it under that name"
        ),
    )
}

/// POST, PUT, DELETE, PATCH: what changes state.
fn is_state_change(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::DELETE | Method::PATCH
    )
}

/// `Sec-Fetch-Mode` and `Sec-Fetch-Site` as ready names (a lookup by `&str` parses the name
/// again each time, and every request to the control plane and the vendor paths is checked).
static SEC_FETCH_MODE: HeaderName = HeaderName::from_static("sec-fetch-mode");
static SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// Whether the request comes from a web page on another origin than the one it addresses:
/// `Origin: null`, an `Origin` whose host and port are not the `Host`, or
/// `Sec-Fetch-Site: cross-site`.
fn from_foreign_page(headers: &HeaderMap, host: Option<&[u8]>) -> bool {
    if headers
        .get(&SEC_FETCH_SITE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
    {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let origin = origin.as_bytes();
    let authority = strip_prefix_ignore_case(origin, b"http://")
        .or_else(|| strip_prefix_ignore_case(origin, b"https://"));
    match (authority, host) {
        (Some(authority), Some(host)) => !authority.eq_ignore_ascii_case(host),
        _ => true,
    }
}

fn has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0")
}

/// `application/json` or any `+json` type (parameters allowed).
fn is_json(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).is_some_and(|v| {
        let v = v.as_bytes();
        let essence = v.split(|b| *b == b';').next().unwrap_or(v);
        let essence = essence.trim_ascii();
        essence.eq_ignore_ascii_case(b"application/json")
            || ends_with_bytes_ignore_case(essence, b"+json")
    })
}

fn peer_is_loopback(req: &Request) -> bool {
    req.extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .is_none_or(|c| c.0.ip().to_canonical().is_loopback())
}

fn query_token(query: Option<&str>) -> Option<&str> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .filter(|t| !t.is_empty())
}

fn header_token(headers: &HeaderMap) -> Option<&str> {
    if let Some(t) = headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()) {
        return Some(t.trim());
    }
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

fn cookie_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(TOKEN_COOKIE)?.strip_prefix('='))
}

/// Compares secrets in time that does not depend on where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The name part of a `Host` value (port removed; an IPv6 literal keeps its brackets).
fn host_name(host: &str) -> &str {
    let host = host.trim();
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => &host[..=end],
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

fn strip_brackets(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

fn ends_with_ignore_case(s: &str, suffix: &str) -> bool {
    ends_with_bytes_ignore_case(s.as_bytes(), suffix.as_bytes())
}

fn ends_with_bytes_ignore_case(s: &[u8], suffix: &[u8]) -> bool {
    s.len() >= suffix.len() && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

fn strip_prefix_ignore_case<'a>(s: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    (s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(host: &str, allowed: &[&str]) -> Guard {
        Guard::new(&Config {
            host: host.into(),
            allowed_hosts: allowed.iter().map(|s| s.to_string()).collect(),
            ..Config::for_tests()
        })
    }

    #[test]
    fn loopback_names_and_ip_literals_are_allowed_hosts() {
        let g = guard("127.0.0.1", &[]);
        for ok in [
            "localhost",
            "localhost:8080",
            "LOCALHOST.",
            "app.localhost:3000",
            "127.0.0.1:8080",
            "192.168.1.20",
            "[::1]:8080",
        ] {
            assert!(g.host_allowed(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "evil.example:8080",
            "localhost.evil.example",
            "",
            "[nonsense]",
            "a:b:c",
        ] {
            assert!(!g.host_allowed(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn the_quick_ipv4_reading_agrees_with_the_parser() {
        for host in [
            "127.0.0.1",
            "127.0.0.1:8080",
            "127.0.0.1:",
            "0.0.0.0:1",
            "255.255.255.255",
            "256.0.0.1",
            "01.2.3.4",
            "1.2.3",
            "1.2.3.4.5",
            "1.2.3.4:80a",
            "1..3.4",
            "1.2.3.4.",
            " 1.2.3.4",
            "a.b.c.d",
            "[::1]:80",
            "",
        ] {
            if is_ipv4_with_port(host.as_bytes()) {
                let name = host_name(host);
                assert!(name.parse::<Ipv4Addr>().is_ok(), "{host}");
            }
        }
        assert!(is_ipv4_with_port(b"127.0.0.1:18777") && is_ipv4_with_port(b"10.0.0.255"));
    }

    #[test]
    fn the_bound_name_and_allowed_hosts_are_admitted() {
        let g = guard("emulator", &["webcapture", "dev.box."]);
        assert!(g.host_allowed(b"emulator:8080"));
        assert!(g.host_allowed(b"WebCapture:8080"));
        assert!(g.host_allowed(b"dev.box"));
        assert!(!g.host_allowed(b"other:8080"));
    }

    #[test]
    fn only_loopback_binds_go_without_a_token() {
        let needs = |host: &str| {
            needs_token(&Config {
                host: host.into(),
                ..Config::for_tests()
            })
        };
        assert!(!needs("127.0.0.1") && !needs("::1") && !needs("localhost"));
        assert!(needs("0.0.0.0") && needs("::") && needs("192.0.2.2") && needs("emulator"));
    }

    #[test]
    fn surfaces_follow_the_vendor_design() {
        assert_eq!(
            surface("/video-server/bioserver-video-api.js"),
            Surface::Browser
        );
        assert_eq!(surface("/video-server/engine.io"), Surface::Browser);
        assert_eq!(
            surface("/video-server/init-liveness-session"),
            Surface::Backend
        );
        assert_eq!(surface("/video-server/v2/capabilities"), Surface::Backend);
        assert_eq!(
            surface("/bioserver-app/v2/bio-sessions/x"),
            Surface::Backend
        );
        assert_eq!(surface("/gips/v1/identities"), Surface::Backend);
        assert_eq!(surface("/__emulator/queue"), Surface::Control);
        assert_eq!(surface("/"), Surface::Other);
    }
}
