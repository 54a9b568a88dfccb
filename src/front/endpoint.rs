//! What a request addresses, worked out once per request by the front door.
//!
//! The API-key check, the request watcher (findings), the scripted answers and the journal all
//! need to know which vendor endpoint a path is and which session or identity it names. They
//! used to classify the path each in its own way (four copies that could drift); now the front
//! door calls [`classify`] once and hands the [`Classified`] facts to each step.

use axum::http::Method;

use crate::scenarios::model::Endpoint;

/// What a request path refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// Nothing yet (capabilities, network check, identity creation...).
    None,
    /// A bio-session id.
    Session(String),
    /// A GIPS identity id.
    Identity(String),
}

/// The facts about one request's method and path that every front-door step reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    /// The scriptable vendor endpoint (`rest` in scenario files), when the path is one.
    pub endpoint: Option<Endpoint>,
    /// The session or identity the path names.
    pub subject: Subject,
    /// Whether the path needs an API key: init-liveness-session, capabilities, everything under
    /// `/bioserver-app/v2/` and `/gips/v1/`. The browser-facing video-server paths (scripts,
    /// network check, the capture channel) and the control plane do not. By path prefix, whatever
    /// the method, as the vendor's gateway does.
    pub needs_key: bool,
}

impl Classified {
    /// Whether this is `POST /video-server/init-liveness-session` (the body the watcher reads).
    pub fn is_init(&self) -> bool {
        self.endpoint == Some(Endpoint::InitLivenessSession)
    }

    /// Whether the request creates a bio-session (init or a GIPS capture session): its body is
    /// read once by the front door, for selection and the handler alike.
    pub fn creates_session(&self) -> bool {
        matches!(
            self.endpoint,
            Some(Endpoint::InitLivenessSession | Endpoint::GipsCaptureSession)
        )
    }
}

/// Whether `path` is a vendor endpoint that needs an API key (see [`Classified::needs_key`]).
pub fn requires_key(path: &str) -> bool {
    path.starts_with("/video-server/init-liveness-session")
        || path.starts_with("/video-server/v2/capabilities")
        || path.starts_with("/bioserver-app/v2/")
        || path.starts_with("/gips/v1/")
}

/// The facts of a request to `method path`.
pub fn classify(method: &Method, path: &str) -> Classified {
    let (endpoint, subject) = match endpoint_of(method, path) {
        Some((endpoint, subject)) => (Some(endpoint), subject),
        None => (None, Subject::None),
    };
    Classified {
        endpoint,
        subject,
        needs_key: requires_key(path),
    }
}

/// The scripted endpoint a request addresses, and what its path names.
fn endpoint_of(method: &Method, path: &str) -> Option<(Endpoint, Subject)> {
    let get = method == Method::GET || method == Method::HEAD;
    let post = method == Method::POST;
    let path = path.trim_end_matches('/');
    if let Some(rest) = path.strip_prefix("/video-server/") {
        return match rest {
            "init-liveness-session" if post => Some((Endpoint::InitLivenessSession, Subject::None)),
            "v2/capabilities" if get => Some((Endpoint::Capabilities, Subject::None)),
            "network-latency" if get => Some((Endpoint::NetworkLatency, Subject::None)),
            "network-speed" if post => Some((Endpoint::NetworkSpeed, Subject::None)),
            _ => None,
        };
    }
    if let Some(rest) = path.strip_prefix("/bioserver-app/v2/bio-sessions/") {
        let mut parts = rest.split('/');
        let id = parts.next()?;
        let tail: [Option<&str>; 4] = [parts.next(), parts.next(), parts.next(), parts.next()];
        if parts.next().is_some() {
            return None;
        }
        let endpoint = match (tail, get, post) {
            ([None, ..], true, _) => Endpoint::GetBioSession,
            ([Some("liveness-challenge-result"), None, ..], true, _) => {
                Endpoint::LivenessChallengeResult
            }
            ([Some("faces"), None, ..], _, true) => Endpoint::CreateFace,
            ([Some("faces"), Some(_), None, _], true, _) => Endpoint::GetFace,
            ([Some("faces"), Some(_), Some("image"), None], true, _) => Endpoint::GetFaceImage,
            ([Some("faces"), Some(_), Some("matches"), _], true, _) => Endpoint::GetMatches,
            _ => return None,
        };
        return Some((endpoint, Subject::Session(id.to_string())));
    }
    let rest = path
        .strip_prefix("/gips/v1/identities")
        .or_else(|| path.strip_prefix("/gips/identities"))?;
    if rest.is_empty() {
        return post.then_some((Endpoint::GipsCreateIdentity, Subject::None));
    }
    let mut parts = rest.trim_start_matches('/').split('/');
    let id = parts.next()?;
    let tail: [Option<&str>; 3] = [parts.next(), parts.next(), parts.next()];
    if parts.next().is_some() {
        return None;
    }
    let endpoint = match (tail, get, post) {
        ([None, ..], true, _) => Endpoint::GipsIdentity,
        ([Some("consents"), None, _], _, true) => Endpoint::GipsConsents,
        (
            [Some("attributes"), Some("portrait"), Some("live-capture-session" | "live-capture-video-session")],
            _,
            true,
        ) => Endpoint::GipsCaptureSession,
        ([Some("status"), Some(_), None], true, _) => Endpoint::GipsStatus,
        ([Some("attributes"), Some("portrait"), Some("capture")], true, _) => {
            Endpoint::GipsPortrait
        }
        _ => return None,
    };
    Some((endpoint, Subject::Identity(id.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(method: Method, path: &str) -> Option<(Endpoint, Subject)> {
        let c = classify(&method, path);
        c.endpoint.map(|e| (e, c.subject))
    }

    #[test]
    fn vendor_paths_are_classified() {
        let s = |id: &str| Subject::Session(id.into());
        let i = |id: &str| Subject::Identity(id.into());
        let cases = [
            (
                Method::POST,
                "/video-server/init-liveness-session",
                Some((Endpoint::InitLivenessSession, Subject::None)),
            ),
            (
                Method::GET,
                "/video-server/v2/capabilities",
                Some((Endpoint::Capabilities, Subject::None)),
            ),
            (
                Method::HEAD,
                "/video-server/network-latency",
                Some((Endpoint::NetworkLatency, Subject::None)),
            ),
            (
                Method::POST,
                "/video-server/network-speed",
                Some((Endpoint::NetworkSpeed, Subject::None)),
            ),
            (
                Method::GET,
                "/bioserver-app/v2/bio-sessions/s1",
                Some((Endpoint::GetBioSession, s("s1"))),
            ),
            (
                Method::GET,
                "/bioserver-app/v2/bio-sessions/s1/liveness-challenge-result",
                Some((Endpoint::LivenessChallengeResult, s("s1"))),
            ),
            (
                Method::POST,
                "/bioserver-app/v2/bio-sessions/s1/faces",
                Some((Endpoint::CreateFace, s("s1"))),
            ),
            (
                Method::GET,
                "/bioserver-app/v2/bio-sessions/s1/faces/f",
                Some((Endpoint::GetFace, s("s1"))),
            ),
            (
                Method::GET,
                "/bioserver-app/v2/bio-sessions/s1/faces/f/image",
                Some((Endpoint::GetFaceImage, s("s1"))),
            ),
            (
                Method::GET,
                "/bioserver-app/v2/bio-sessions/s1/faces/f/matches",
                Some((Endpoint::GetMatches, s("s1"))),
            ),
            (
                Method::GET,
                "/bioserver-app/v2/bio-sessions/s1/faces/f/matches/g",
                Some((Endpoint::GetMatches, s("s1"))),
            ),
            (
                Method::GET,
                "/bioserver-app/v2/bio-sessions/s1/x/y/z/w/v",
                None,
            ),
            (
                Method::POST,
                "/gips/v1/identities",
                Some((Endpoint::GipsCreateIdentity, Subject::None)),
            ),
            (
                Method::POST,
                "/gips/v1/identities/i/consents",
                Some((Endpoint::GipsConsents, i("i"))),
            ),
            (
                Method::POST,
                "/gips/v1/identities/i/attributes/portrait/live-capture-session",
                Some((Endpoint::GipsCaptureSession, i("i"))),
            ),
            (
                Method::POST,
                "/gips/v1/identities/i/attributes/portrait/live-capture-video-session",
                Some((Endpoint::GipsCaptureSession, i("i"))),
            ),
            (
                Method::GET,
                "/gips/v1/identities/i/status/p",
                Some((Endpoint::GipsStatus, i("i"))),
            ),
            (
                Method::GET,
                "/gips/v1/identities/i",
                Some((Endpoint::GipsIdentity, i("i"))),
            ),
            (
                Method::GET,
                "/gips/v1/identities/i/attributes/portrait/capture",
                Some((Endpoint::GipsPortrait, i("i"))),
            ),
            (Method::GET, "/video-server/bioserver-video-api.js", None),
            (Method::GET, "/video-server/init-liveness-session", None),
            (Method::GET, "/__emulator/scenarios", None),
        ];
        for (method, path, want) in cases {
            assert_eq!(endpoint(method.clone(), path), want, "{method} {path}");
        }
    }

    #[test]
    fn the_key_protected_paths_are_the_vendor_back_end_ones() {
        let key = |path: &str| classify(&Method::GET, path).needs_key;
        assert!(key(
            "/bioserver-app/v2/bio-sessions/abc/liveness-challenge-result"
        ));
        assert!(key("/video-server/v2/capabilities"));
        assert!(!key("/video-server/bioserver-video-api.js"));
        assert!(!key("/video-server/network-latency"));
        assert!(!key("/__emulator/journal"));
    }
}
