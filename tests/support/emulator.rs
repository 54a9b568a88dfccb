//! [`TestEmulator`]: a real emulator on a free port, started from a builder in the spirit of
//! wiremock-rs's `MockServer::start()`, with the calls an integrator's back end makes.

use std::{net::SocketAddr, path::Path, sync::Arc};

use reqwest::{multipart, Client, Method, RequestBuilder, Response};
use serde::Serialize;
use serde_json::{json, Value};
use tempfile::TempDir;

use super::{
    http::{face_id, fixture, request, session_id, KEY},
    internals::{
        capture, ApiError, AppState, Config, Entry, LivenessMode, Running, Scenario,
        SelectionInput, SessionParams, SharedSession, Source,
    },
};

/// A running emulator and an HTTP client (no redirects followed by the tests' own calls,
/// no cookies), stopped with [`TestEmulator::shutdown`] or when the test's runtime ends.
pub struct TestEmulator {
    running: Running,
    http: Client,
    /// The scenario folder the emulator owns (see [`Builder::scenario_file`]), removed with it.
    folder: Option<TempDir>,
}

/// How to start a [`TestEmulator`]: [`Config::for_tests`] (port 0, no waiting, seed 42) plus
/// whatever a test changes, and scenarios added to the catalogue before the first request.
#[must_use = "call .start().await"]
pub struct Builder {
    config: Config,
    scenarios: Vec<(String, Value)>,
    folder: Option<TempDir>,
}

impl Builder {
    /// Starts from `config` instead of [`Config::for_tests`] (tests that check a flag).
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Changes the configuration in place (`|c| c.max_sessions = 3`).
    pub fn configure(mut self, change: impl FnOnce(&mut Config)) -> Self {
        change(&mut self.config);
        self
    }

    /// How fast scripted delays pass (0 = no waiting, 1 = real time).
    pub fn time_scale(self, scale: f64) -> Self {
        self.configure(|c| c.time_scale = scale)
    }

    /// Layers the scenario files of `dir` over the built-in catalogue; `watch_poll` polls the folder
    /// every that many ms instead of using OS events.
    pub fn scenarios_dir(self, dir: &Path, watch_poll: Option<u64>) -> Self {
        self.configure(|c| {
            c.scenarios = Some(dir.to_path_buf());
            c.watch_poll = watch_poll;
        })
    }

    /// Gives the emulator a scenario folder of its own, empty until the test writes to it
    /// ([`TestEmulator::scenario_dir`]); it is watched as `--scenarios` is.
    pub fn scenario_folder(mut self) -> Self {
        if self.folder.is_none() {
            let folder = tempfile::tempdir().expect("a temporary scenario folder");
            self.config.scenarios = Some(folder.path().to_path_buf());
            self.folder = Some(folder);
        }
        self
    }

    /// Writes `text` as the file `name` of the emulator's own scenario folder before it starts,
    /// as a scenario author would save it.
    pub fn scenario_file(self, name: &str, text: &str) -> Self {
        let this = self.scenario_folder();
        if let Some(folder) = &this.folder {
            std::fs::write(folder.path().join(name), text).expect("write the scenario file");
        }
        this
    }

    /// Polls the scenario folder every `ms` instead of waiting for OS events.
    pub fn watch_poll(self, ms: u64) -> Self {
        self.configure(|c| c.watch_poll = Some(ms))
    }

    /// Adds `scenario` (a [`Scenario`] or its JSON, as in a scenario file) to the catalogue as
    /// `name` before the first request.
    pub fn scenario(mut self, name: &str, scenario: impl Serialize) -> Self {
        let json = serde_json::to_value(scenario).expect("scenario serializes");
        self.scenarios.push((name.to_string(), json));
        self
    }

    /// Binds, starts serving and adds the scenarios. Panics when the start fails: use
    /// [`Builder::try_start`] to test that.
    pub async fn start(self) -> TestEmulator {
        self.try_start().await.expect("emulator starts")
    }

    /// Starts expecting a refusal (a bad flag or file) and returns why the emulator refused.
    pub async fn refused(self) -> std::io::Error {
        match self.try_start().await {
            Ok(emu) => {
                let url = emu.url();
                emu.shutdown().await;
                panic!("the emulator started at {url} but should have refused")
            }
            Err(why) => why,
        }
    }

    /// Like [`Builder::start`], but returns why the emulator refused to start.
    pub async fn try_start(self) -> std::io::Result<TestEmulator> {
        let running = webcapture_emulator::server::start(self.config).await?;
        let emu = TestEmulator {
            running,
            http: Client::new(),
            folder: self.folder,
        };
        for (name, scenario) in self.scenarios {
            emu.add_scenario(&name, scenario);
        }
        Ok(emu)
    }
}

impl TestEmulator {
    /// An emulator with [`Config::for_tests`].
    pub async fn start() -> TestEmulator {
        Self::builder().start().await
    }

    /// An emulator with `config` (usually `Config { flag, ..Config::for_tests() }`).
    pub async fn with_config(config: Config) -> TestEmulator {
        Self::builder().config(config).start().await
    }

    /// A builder starting from [`Config::for_tests`].
    pub fn builder() -> Builder {
        Builder {
            config: Config::for_tests(),
            scenarios: Vec::new(),
            folder: None,
        }
    }

    /// `http://HOST:PORT` (or `https://` with TLS): the base every vendor path hangs from.
    pub fn url(&self) -> String {
        self.running.url()
    }

    /// The base + `path` (e.g. `/video-server/v2/capabilities`).
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url())
    }

    /// A control-plane URL: `/__emulator` + `path`.
    pub fn admin(&self, path: &str) -> String {
        self.at(&format!("/__emulator{path}"))
    }

    /// A Bioserver core URL: `/bioserver-app/v2` + `path`.
    pub fn core(&self, path: &str) -> String {
        self.at(&format!("/bioserver-app/v2{path}"))
    }

    /// A GIPS URL: `/gips/v1` + `path`.
    pub fn gips(&self, path: &str) -> String {
        self.at(&format!("/gips/v1{path}"))
    }

    /// The emulator's own scenario folder (panics unless built with
    /// [`Builder::scenario_folder`] or [`Builder::scenario_file`]).
    pub fn scenario_dir(&self) -> &Path {
        self.folder
            .as_ref()
            .map(TempDir::path)
            .expect("built with a scenario folder")
    }

    /// The bound address (the real port, the emulator was asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.running.addr
    }

    /// The HTTPS certificate's PEM when started with TLS.
    pub fn tls_certificate(&self) -> Option<&str> {
        self.running.tls_certificate.as_deref()
    }

    /// The shared state, for the tests that check what HTTP cannot show (bounds, pins, locks).
    pub fn state(&self) -> &AppState {
        &self.running.state
    }

    /// The test's HTTP client.
    pub fn http(&self) -> &Client {
        &self.http
    }

    /// A GET of `path` with the API key.
    pub fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(self.at(path)).header("apikey", KEY)
    }

    /// A POST to `path` with the API key.
    pub fn post(&self, path: &str) -> RequestBuilder {
        self.http.post(self.at(path)).header("apikey", KEY)
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

    /// Creates a passive session over HTTP, as the sample app's back end does.
    pub async fn create_passive(&self) -> String {
        self.create(json!({"livenessMode": "LIVENESS_PASSIVE"}))
            .await
    }

    /// GETs `path` (with key), asserts 200 and returns the JSON body.
    pub async fn json(&self, path: &str) -> Value {
        let res = self.get(path).send().await.expect("request");
        assert_eq!(res.status(), 200, "GET {path}");
        res.json().await.expect("json body")
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

    /// Uploads `image` (and the optional `face` part bytes) as the sample app does.
    pub async fn upload(&self, id: &str, image: Vec<u8>, face: Option<&[u8]>) -> Response {
        let mut form = multipart::Form::new().part("image", octets(image, "image"));
        if let Some(face) = face {
            form = form.part("face", octets(face.to_vec(), "face"));
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

    /// Adds `scenario` (a [`Scenario`] or its JSON) to the catalogue as `name`, as a scenario file
    /// would.
    pub fn add_scenario(&self, name: &str, scenario: impl Serialize) {
        let json = serde_json::to_value(scenario).expect("scenario serializes");
        let scenario: Scenario = serde_json::from_value(json).expect("valid scenario");
        self.running.state.scenarios.put(Entry {
            name: name.to_string(),
            source: Source::File,
            scenario: Some(Arc::new(scenario)),
            error: None,
            loaded_at: None,
        });
    }

    /// Creates a session directly, as init-liveness-session does once it has read the request
    /// (for tests that then watch the session itself).
    pub fn new_session(&self, new: NewSession) -> SharedSession {
        self.try_new_session(new).expect("session created")
    }

    /// Like [`TestEmulator::new_session`], but returns the refusal (e.g. an unknown scenario).
    pub fn try_new_session(&self, new: NewSession) -> Result<SharedSession, ApiError> {
        let params = SessionParams {
            callback_url: new.callback_url,
            ..SessionParams::new(new.mode)
        };
        let input = SelectionInput {
            requested: new.scenario,
            api_key: new.api_key,
        };
        capture::create_session(&self.running.state, params, input, new.fingerprint)
    }

    /// A session in `mode`, asking for `scenario`, with no key or client: its id and itself.
    pub fn session(&self, mode: LivenessMode, scenario: Option<&str>) -> (String, SharedSession) {
        let shared = self.new_session(NewSession::new(mode).scenario(scenario));
        let id = shared.lock().id.clone();
        (id, shared)
    }

    /// A passive session created for key `key` by client `127.0.0.1 test-agent`, asking for
    /// `scenario`: what selection sees of a back end's request.
    pub fn backend_session(&self, scenario: Option<&str>) -> SharedSession {
        self.new_session(
            NewSession::new(LivenessMode::LivenessPassive)
                .scenario(scenario)
                .api_key("key")
                .fingerprint("127.0.0.1 test-agent"),
        )
    }

    /// The session `id` (panics when unknown).
    pub fn session_of(&self, id: &str) -> SharedSession {
        self.running.state.sessions.get(id).expect("session exists")
    }

    /// Makes the session's result final (what the capture channel does at the end of a capture).
    pub fn finish(&self, id: &str) -> Value {
        self.finalize(&self.session_of(id), None)
    }

    /// Makes `session`'s result final with the camera's `image`, if any.
    pub fn finalize(&self, session: &SharedSession, image: Option<Vec<u8>>) -> Value {
        capture::finalize(&self.running.state, session, image.map(bytes::Bytes::from))
    }

    /// Queues `names` for the next sessions (`POST /__emulator/queue`), asserting they were taken.
    pub async fn queue<S: Serialize>(&self, names: &[S]) {
        let body = json!({ "scenarios": names }).to_string();
        let (status, answer) = request(Method::POST, &self.admin("/queue"), Some(&body)).await;
        assert_eq!(status, 200, "queue {body}: {answer}");
    }

    /// Makes `name` the default scenario (`PUT /__emulator/default-scenario`), asserting it was.
    pub async fn set_default_scenario(&self, name: &str) {
        let body = json!({ "scenario": name }).to_string();
        let url = self.admin("/default-scenario");
        let (status, answer) = request(Method::PUT, &url, Some(&body)).await;
        assert_eq!(status, 200, "default scenario {name}: {answer}");
    }

    /// Stops the server gracefully.
    pub async fn shutdown(self) {
        self.running.shutdown().await;
    }
}

/// What [`TestEmulator::new_session`] creates: a mode plus what the request carried.
#[derive(Debug, Clone)]
pub struct NewSession {
    mode: LivenessMode,
    scenario: Option<String>,
    callback_url: Option<String>,
    api_key: Option<String>,
    fingerprint: Option<String>,
}

impl NewSession {
    /// A session in `mode` with nothing else asked.
    pub fn new(mode: LivenessMode) -> Self {
        NewSession {
            mode,
            scenario: None,
            callback_url: None,
            api_key: None,
            fingerprint: None,
        }
    }

    /// The scenario the request asks for (`X-Emulator-Scenario`), if any.
    pub fn scenario(mut self, name: Option<&str>) -> Self {
        self.scenario = name.map(str::to_string);
        self
    }

    /// The session's `callbackURL`.
    pub fn callback(mut self, url: &str) -> Self {
        self.callback_url = Some(url.to_string());
        self
    }

    /// The API key the request carried.
    pub fn api_key(mut self, key: &str) -> Self {
        self.api_key = Some(key.to_string());
        self
    }

    /// The client fingerprint (IP + User-Agent) the request came from.
    pub fn fingerprint(mut self, fingerprint: &str) -> Self {
        self.fingerprint = Some(fingerprint.to_string());
        self
    }
}

/// A multipart part of raw bytes named `name`.
fn octets(bytes: Vec<u8>, name: &str) -> multipart::Part {
    multipart::Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str("application/octet-stream")
        .expect("mime")
}
