//! # webcapture-emulator
//!
//! One binary that emulates, offline, the three back ends a web integration of IDEMIA's WebCapture
//! SDK talks to — the video-server, the Biometric Services ("Bioserver core") API and the GIPS
//! identity-proofing API — plus stub versions of the four browser SDK scripts. What a capture shows
//! is played from scenario files chosen per session.
//!
//! ## Getting started
//! Start the emulator inside a test on a free port, then talk to it over HTTP exactly as an
//! integrator's back end talks to the real services: create a liveness session, read its result.
//!
//! ```
//! use webcapture_emulator::{server, Config};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Port 0, no waiting, a fixed seed: what a test wants.
//! let emulator = server::start(Config::for_tests()).await?;
//! let http = reqwest::Client::new();
//!
//! // The back end creates a session (any API key is accepted by default)...
//! let created = http
//!     .post(format!("{}/video-server/init-liveness-session", emulator.url()))
//!     .header("apikey", "my-key")
//!     .json(&serde_json::json!({"livenessMode": "LIVENESS_PASSIVE"}))
//!     .send()
//!     .await?;
//! assert_eq!(created.status(), 201);
//! let session: serde_json::Value = created.json().await?;
//! let id = session["id"].as_str().ok_or("no session id")?;
//!
//! // ...and reads its result: PENDING until the page's capture finishes it.
//! let result: serde_json::Value = http
//!     .get(format!(
//!         "{}/bioserver-app/v2/bio-sessions/{id}/liveness-challenge-result",
//!         emulator.url()
//!     ))
//!     .header("apikey", "my-key")
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! assert_eq!(result["livenessStatus"], "PENDING");
//!
//! emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! ## Public API
//! The emulator is a program first: [`server::start`] (what the binary and the tests run) with a
//! [`Config`], [`router`] (the whole HTTP surface as one tower service, [`FrontDoor`]), and the
//! scenario tools behind `webcapture-emulator schema` / `check` ([`schema_json`],
//! [`check_command`]). Everything else is crate-private so it can move freely; this repository's
//! own tests, fuzz targets and examples reach inside through one hidden `internals` list.
//!
//! ## Layout (one module per concept)
//! | module | its one job |
//! |---|---|
//! | `config` | flags, each also `WEBCAPTURE_EMULATOR_<FLAG>` |
//! | `server` | bind, accept loops (plain, TLS), sweeper, graceful shutdown, banner text |
//! | `front` | the front door: classify each request once, guard, watcher, scripted answers, journal line |
//! | `http` | plain HTTP utilities (API-key rule, guard, CORS, JSON errors, body limits, wire) |
//! | `state` | `AppState`: everything handlers share |
//! | `error` | `ApiError`: the vendor's `{code, error}` answers, each wording once |
//! | `sessions` | the ground floor: bio-sessions, faces, transcripts, trainer gate, lockout table, bounded store |
//! | `scenarios` | scenario format, catalogue + hot reload, selection, scripted answers, the plan |
//! | `capture` | one session's life across services: create, finalize, fail |
//! | `video_server` | `/video-server/**`: init, capabilities, network check, scripts, channel |
//! | `bioserver` | `/bioserver-app/v2/**`: bio-sessions, results, faces, matches |
//! | `gips` | `/gips/v1/**`: identities, consents, capture sessions, status, portrait |
//! | `callbacks` | result callbacks with retries |
//! | `findings` | integration rules (data) and the hooks that raise them |
//! | `signing` | JWS over result bodies (crypto only) |
//! | `control` | `/__emulator/**`: admin API, dashboard, trainer controls, keys, journal, SSE |
//! | `fixtures` | embedded images and image checks |
//! | `time_format` | the vendor's timestamp formats |
//!
//! See `ARCHITECTURE.md` for the data flow of one capture session.

#![warn(missing_docs)]
// The modules are crate-private and documented for people reading the source (`cargo doc
// --document-private-items`), where these links resolve.
#![allow(rustdoc::private_intra_doc_links)]

pub(crate) mod bioserver;
pub(crate) mod callbacks;
pub(crate) mod capture;
pub mod config;
pub(crate) mod control;
pub(crate) mod error;
pub(crate) mod findings;
pub(crate) mod fixtures;
pub(crate) mod front;
pub(crate) mod gips;
pub(crate) mod http;
pub(crate) mod scenarios;
pub mod server;
pub(crate) mod sessions;
pub(crate) mod signing;
pub(crate) mod state;
pub(crate) mod time_format;
pub(crate) mod video_server;

use axum::Router;

pub use config::Config;
pub use front::FrontDoor;
pub use scenarios::{check_command, schema_json};
pub use state::AppState;

/// What this repository's own integration tests, fuzz targets, examples and the doc examples of
/// crate-private items reach for inside the crate: the selection functions, the plan, the session
/// store, the findings rules, fixtures.
///
/// Not a stable API. The crate's public API is the emulator as a program ([`server::start`],
/// [`Config`], [`router`], the scenario tools): everything else is free to move, and when it
/// moves only this list changes.
#[doc(hidden)]
pub mod internals {
    pub use crate::{
        callbacks::MAX_REAL_ATTEMPTS,
        error::ApiError,
        front::watcher::{observe, Watcher, RETRY_WINDOW},
        http::body::known_members,
        scenarios::{
            library::{builtin_names, Entry, ScenarioLibrary, Source},
            merge_patch::merge,
            model::{
                ChannelError, ClientEvent, GipsStatus, LivenessMode, LivenessStatus, ResultSpec,
                Scenario, SignatureMode,
            },
            plan::{plan, render, Action, Plan, Planned},
            selection::{for_sessionless_request, resolve_at_capture_start, SelectionInput},
            shape::did_you_mean,
            validate,
            vendor_errors::error_payload,
        },
        sessions::{
            gate::Gate, store::SharedSession, transcript::MAX_TEXT_BYTES, BioSession, SelectedBy,
            SessionParams, SessionState, SessionStore, Transcript,
        },
        video_server::channel::protocol,
    };

    /// Session creation and the final result, as the services call them.
    pub mod capture {
        pub use crate::capture::{create_session, finalize};
    }
    /// The findings rules and their hooks.
    pub mod findings {
        pub use crate::findings::*;
    }
    /// The embedded images and the image checks.
    pub mod fixtures {
        pub use crate::fixtures::*;
    }
    /// Result signatures.
    pub mod signing {
        pub use crate::signing::*;
    }
    /// The vendor's timestamp formats.
    pub mod time_format {
        pub use crate::time_format::*;
    }
}

/// The whole HTTP surface for `state`: vendor paths, control plane, and the front door
/// ([`front`]) every request passes through.
pub fn router(state: AppState) -> front::FrontDoor {
    // API keys are checked by the front door (`front::endpoint` classifies the paths).
    let video = video_server::protected_routes().merge(video_server::public_routes());
    let max_body = state.config.max_body;
    let routes = Router::new()
        // Vendor routes carry their full paths and are merged: `nest` would rebuild each
        // request's URI without the prefix, ~10% of a request's CPU.
        .merge(video)
        .merge(bioserver::routes())
        .merge(gips::routes())
        .nest("/__emulator", control::routes())
        .route(
            "/__emulator/",
            axum::routing::get(control::dashboard::dashboard),
        )
        .with_state(state.clone());
    // Around the whole router, not `Router::layer` (which would wrap each route).
    front::FrontDoor::new(state, routes, max_body)
}
