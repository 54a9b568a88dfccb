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
//! ## Layout
//! | module | concept |
//! |---|---|
//! | [`config`] | flags (each also `WEBCAPTURE_EMULATOR_<FLAG>`) |
//! | [`server`] | bind, the `listening on` line, graceful shutdown, TLS |
//! | [`state`] | [`state::AppState`]: everything handlers share |
//! | [`error`] | [`error::ApiError`]: the vendor's `{code, error}` answers |
//! | [`front`] | the front door: classify each request once, watch it for findings, scripted answers, journal |
//! | [`http`] | plain HTTP utilities: API-key rule, CORS/CORP, JSON errors, body limits, guard |
//! | [`sessions`] | bio-sessions, faces, transcripts, the bounded store |
//! | [`scenarios`] | scenario format, catalogue + hot reload, selection, the plan a channel plays |
//! | [`video_server`] | `/video-server/**`: init, capabilities, network check, scripts, channel |
//! | [`bioserver`] | `/bioserver-app/v2/**`: results, faces, matches |
//! | [`gips`] | `/gips/v1/**`: identities, consents, capture sessions, status, portrait |
//! | [`control`] | `/__emulator/**`: admin API, dashboard, demo |
//! | [`fixtures`] | embedded images |
//!
//! See `ARCHITECTURE.md` for the data flow of one capture session.

#![warn(missing_docs)]

pub mod bioserver;
pub mod callbacks;
pub mod capture;
pub mod config;
pub mod control;
pub mod error;
pub mod findings;
pub mod fixtures;
pub mod front;
pub mod gips;
pub mod http;
pub mod scenarios;
pub mod server;
pub mod sessions;
pub mod signing;
pub mod state;
pub mod time_format;
pub mod video_server;

use axum::Router;

pub use config::Config;
pub use state::AppState;

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
