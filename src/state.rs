//! The application state every handler receives through axum's `State`.

use std::{ops::Deref, sync::Arc, time::Duration, time::Instant};

use parking_lot::Mutex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::{
    config::Config,
    control::journal::Journal,
    scenarios::{selection::Selection, ScenarioLibrary},
    sessions::SessionStore,
};

/// Cheap to clone: everything lives behind one `Arc`.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The shared parts of the emulator.
pub struct Inner {
    /// The flags it was started with.
    pub config: Config,
    /// All bio-sessions.
    pub sessions: SessionStore,
    /// The scenario catalogue (hot-reloaded).
    pub scenarios: Arc<ScenarioLibrary>,
    /// Default scenario and one-shot queue (pins live in their sessions).
    pub selection: Selection,
    /// Ring buffer of recent requests.
    pub journal: Journal,
    /// The source of every scripted random choice (ids, each session's child generator), seeded by
    /// `--seed` so runs repeat. Not from here (OS randomness, so not repeated): the signing key and
    /// certificate, ES256 signatures (ring takes only its own system RNG), the TLS certificate and
    /// the admin token.
    pub rng: Mutex<ChaCha8Rng>,
    /// When the emulator started.
    pub started: Instant,
    /// Live notifications for the dashboard (session created/changed, catalogue reloaded).
    pub live: broadcast::Sender<serde_json::Value>,
    /// Cancelled on shutdown; long-running tasks (channels, callbacks, watchers) stop on it.
    pub shutdown: CancellationToken,
    /// Failed captures per client fingerprint, for the vendor's 429 lockout.
    pub lockouts: crate::sessions::lockout::Lockouts,
    /// The key that signs results (`signature` members), published at `/__emulator/jwks.json`.
    pub signer: Arc<crate::signing::Signer>,
    /// GIPS identities (bounded like sessions).
    pub gips: crate::gips::store::IdentityStore,
    /// PEM of the HTTPS certificate when serving with `--tls` (set once by the server at start).
    pub tls_certificate: std::sync::OnceLock<String>,
    /// The HTTP client of result callbacks, built on first use by `callbacks` (the error text when
    /// it cannot be built): one per emulator, so connections are pooled across sessions and
    /// belong to the emulator's runtime. A plain cell here, so the state needs no `callbacks`.
    pub callback_client: std::sync::OnceLock<Result<reqwest::Client, String>>,
    /// How many admin resets happened: parts that keep their own memory (the findings observer)
    /// compare it with the count they last saw, an atomic load instead of a subscription.
    pub resets: std::sync::atomic::AtomicU64,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Builds the state for `config` with the embedded catalogue.
    pub fn new(config: Config) -> Self {
        let rng = match config.seed {
            Some(seed) => ChaCha8Rng::seed_from_u64(seed),
            None => ChaCha8Rng::from_os_rng(),
        };
        let (live, _) = broadcast::channel(1024);
        let selection = Selection::new(&config.default_scenario);
        let library = ScenarioLibrary::load(scenario_dir(&config));
        let lockouts = crate::sessions::lockout::Lockouts::new(config.lockout);
        AppState(Arc::new(Inner {
            journal: Journal::new(config.journal_size),
            signer: Arc::new(crate::signing::Signer::for_config(&config)),
            gips: crate::gips::store::IdentityStore::new(),
            tls_certificate: std::sync::OnceLock::new(),
            callback_client: Default::default(),
            config,
            sessions: SessionStore::new(),
            scenarios: Arc::new(library),
            selection,
            rng: Mutex::new(rng),
            started: Instant::now(),
            live,
            shutdown: CancellationToken::new(),
            lockouts,
            resets: Default::default(),
        }))
    }

    /// A fresh UUID (v4 layout) drawn from the seeded generator, so ids repeat under `--seed`.
    pub fn new_id(&self) -> String {
        let bytes: [u8; 16] = self.rng.lock().random();
        // Encoded into a stack buffer and copied once (exactly 36 bytes): `to_string` went
        // through the formatter and grew its buffer, on every session and face created.
        let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .encode_lower(&mut text)
            .to_owned()
    }

    /// A child generator for one session, so sessions do not disturb each other's sequences.
    pub fn child_rng(&self) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(self.rng.lock().random())
    }

    /// A scripted delay after `--time-scale`, at most [`MAX_DELAY`] (no overflow, no panic,
    /// whatever the scenario and the flag say).
    pub fn scaled(&self, ms: u64) -> Duration {
        let scale = self.config.time_scale;
        if !(scale.is_finite() && scale > 0.0) {
            return Duration::ZERO;
        }
        Duration::try_from_secs_f64(ms as f64 * scale / 1000.0)
            .unwrap_or(MAX_DELAY)
            .min(MAX_DELAY)
    }

    /// Publishes a live notification (ignored when nobody listens).
    pub fn notify(&self, event: serde_json::Value) {
        let _ = self.live.send(event);
    }

    /// Whether a dashboard (or any SSE client) is listening: hot paths build their notification
    /// only then, since a session summary costs more than the rest of a status change.
    pub fn has_listeners(&self) -> bool {
        self.live.receiver_count() > 0
    }

    /// Publishes the summary of `session` as a `session` notification, when someone listens.
    pub fn notify_session(&self, session: &crate::sessions::BioSession) {
        if self.has_listeners() {
            self.notify(serde_json::json!({"type": "session", "session": session.summary()}));
        }
    }
}

/// The directory layered over the embedded catalogue: `--scenarios DIR`, else `./scenarios` when it exists.
fn scenario_dir(config: &Config) -> Option<std::path::PathBuf> {
    config.scenarios.clone().or_else(|| {
        let local = std::path::PathBuf::from("scenarios");
        local.is_dir().then_some(local)
    })
}

/// The longest any scripted delay waits (a day): far beyond any real capture, and small enough
/// that adding it to an `Instant` never overflows.
pub const MAX_DELAY: Duration = Duration::from_secs(24 * 3600);

/// `now + d` without the panic of `Instant + Duration` on overflow: a far-off instant instead.
pub fn instant_after(now: tokio::time::Instant, d: Duration) -> tokio::time::Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(30 * 365 * 24 * 3600)))
        .unwrap_or(now)
}
