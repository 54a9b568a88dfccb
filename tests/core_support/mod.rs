//! Shared helpers of the `core_*` integration tests: start the real server, create and finish
//! sessions, upload faces, and redact ids/dates for snapshots.

#![allow(dead_code)]

use std::sync::Arc;

use reqwest::{multipart, Client, Response};
use serde_json::{json, Value};
use webcapture_emulator::{
    capture,
    config::Config,
    scenarios::{
        library::{Entry, Source},
        Scenario,
    },
    server::{self, Running},
};

/// The API key the tests send (any non-empty key is accepted by default).
pub const KEY: &str = "test-key";

/// The emulator under test and an HTTP client.
pub struct Emu {
    /// The running server.
    pub running: Running,
    /// A client without redirects or cookies.
    pub http: Client,
}

impl Emu {
    /// Starts a server with the test configuration.
    pub async fn start() -> Emu {
        Self::start_with(Config::for_tests()).await
    }

    /// Starts a server with `config`.
    pub async fn start_with(config: Config) -> Emu {
        let running = server::start(config).await.expect("server starts");
        Emu {
            running,
            http: Client::new(),
        }
    }

    /// `http://host:port` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.url())
    }

    /// A request builder with the API key.
    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path)).header("apikey", KEY)
    }

    /// A POST with the API key.
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.post(self.url(path)).header("apikey", KEY)
    }

    /// POSTs `body` to init-liveness-session.
    pub async fn init(&self, body: Value) -> Response {
        self.post("/video-server/init-liveness-session")
            .json(&body)
            .send()
            .await
            .expect("init request")
    }

    /// Creates a session with `body` and returns its id (asserting 201).
    pub async fn create(&self, body: Value) -> String {
        let res = self.init(body).await;
        assert_eq!(res.status(), 201, "init answered {:?}", res.text().await);
        session_id(&res)
    }

    /// Creates a passive session.
    pub async fn create_passive(&self) -> String {
        self.create(json!({"livenessMode": "LIVENESS_PASSIVE"}))
            .await
    }

    /// Makes the session's result final (what the capture channel does at the end of a capture).
    pub fn finish(&self, id: &str) -> Value {
        let session = self.running.state.sessions.get(id).expect("session exists");
        capture::finalize(&self.running.state, &session, None)
    }

    /// The best image id of a finished session.
    pub async fn best_image_id(&self, id: &str) -> String {
        let result = self
            .json(&format!(
                "/bioserver-app/v2/bio-sessions/{id}/liveness-challenge-result"
            ))
            .await;
        result["bestImageId"]
            .as_str()
            .expect("bestImageId")
            .to_string()
    }

    /// GETs `path` (with key), asserts 200 and returns the JSON body.
    pub async fn json(&self, path: &str) -> Value {
        let res = self.get(path).send().await.expect("request");
        assert_eq!(res.status(), 200, "GET {path}");
        res.json().await.expect("json body")
    }

    /// Uploads `image` (and the optional `face` part bytes) as the sample app does.
    pub async fn upload(&self, id: &str, image: Vec<u8>, face: Option<&[u8]>) -> Response {
        let mut form = multipart::Form::new().part(
            "image",
            multipart::Part::bytes(image)
                .file_name("image")
                .mime_str("application/octet-stream")
                .expect("mime"),
        );
        if let Some(face) = face {
            form = form.part(
                "face",
                multipart::Part::bytes(face.to_vec())
                    .file_name("face")
                    .mime_str("application/octet-stream")
                    .expect("mime"),
            );
        }
        self.post(&format!("/bioserver-app/v2/bio-sessions/{id}/faces"))
            .multipart(form)
            .send()
            .await
            .expect("upload")
    }

    /// Uploads a fixture as a selfie and returns the new face id (asserting 201).
    pub async fn upload_fixture(&self, id: &str, name: &str) -> String {
        let res = self
            .upload(id, fixture(name), Some(br#"{"imageType":"SELFIE","friendlyName":"selfie","imageRotationEnabled":"true"}"#))
            .await;
        assert_eq!(res.status(), 201);
        face_id(&res)
    }

    /// Adds `scenario` to the catalogue as `name`.
    pub fn add_scenario(&self, name: &str, scenario: Scenario) {
        self.running.state.scenarios.put(Entry {
            name: name.to_string(),
            source: Source::File,
            scenario: Some(Arc::new(scenario)),
            error: None,
            loaded_at: None,
        });
    }
}

/// The bytes of an embedded fixture.
pub fn fixture(name: &str) -> Vec<u8> {
    webcapture_emulator::fixtures::image(name)
        .expect("fixture exists")
        .bytes
        .to_vec()
}

/// The `Location` header.
pub fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .expect("Location header")
        .to_str()
        .expect("ascii")
        .to_string()
}

/// The session id as the sample app extracts it.
pub fn session_id(res: &Response) -> String {
    location(res)
        .split("/bio-sessions/")
        .nth(1)
        .expect("Location has /bio-sessions/")
        .to_string()
}

/// The face id as the sample app extracts it.
pub fn face_id(res: &Response) -> String {
    location(res)
        .split("/faces/")
        .nth(1)
        .expect("Location has /faces/")
        .to_string()
}

/// Asserts a JSON error answer with this status whose message contains `words`.
pub async fn assert_error(res: Response, status: u16, words: &str) -> Value {
    assert_eq!(res.status(), status);
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(content_type.contains("json"), "content-type {content_type}");
    let body: Value = res.json().await.expect("json error body");
    assert_eq!(body["code"], status);
    let message = body["error"].as_str().expect("error message");
    assert!(
        message.contains(words),
        "error message {message:?} should contain {words:?}"
    );
    body
}

/// Insta settings that redact ids, digests and dates wherever they occur.
pub fn redacted() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    for selector in [
        ".id",
        ".**.id",
        ".bestImageId",
        ".created",
        ".**.created",
        ".expires",
        ".**.expires",
        ".**.key",
        ".signature",
    ] {
        settings.add_redaction(
            selector,
            format!(
                "[{}]",
                selector.trim_start_matches(".**.").trim_start_matches('.')
            ),
        );
    }
    settings
}
