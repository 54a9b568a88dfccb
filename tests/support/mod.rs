//! The one test harness of the integration tests: each `tests/*.rs` says `mod support;`.
//!
//! Start an emulator the way wiremock-rs starts a `MockServer`, then talk to it as the vendor's
//! clients do: the integrator's back end over HTTP, the SDK page over the capture channel.
//!
//! ```ignore
//! let emu = TestEmulator::builder()
//!     .scenario("quiet", json!({"capture": {"timeline": [{"type": "result"}]}}))
//!     .configure(|c| c.session_ttl = 60)
//!     .start()
//!     .await;
//! let id = emu.create_passive().await;       // the back end: POST init-liveness-session
//! let mut ws = emu.channel().await;          // the page: the capture channel
//! let (_, init) = open_until_init(&mut ws, &id).await;
//! let result = emu.json(&format!("/bioserver-app/v2/bio-sessions/{id}/liveness-challenge-result")).await;
//! ```
//!
//! Why one harness: the tests used to carry six support modules, each with its own way to start
//! the server, add a scenario or create a session, and each reaching into the crate's modules.
//! Now a test sees the emulator from outside; the few that check a module directly (selection,
//! the channel plan, the session store, findings hooks) import it from [`internals`], the one file
//! that names crate-internal paths, so moving a module in `src/` changes that file only.
//!
//! One file, one job:
//! - [`emulator`]: [`TestEmulator`] and its [`Builder`]: start, URLs, the back end's HTTP calls,
//!   sessions created directly for tests that watch them, the emulator's own scenario folder;
//! - [`http`]: answers read as an integrator reads them (ids from `Location`, JSON errors), plain
//!   JSON calls, a loopback back end, snapshot redactions;
//! - [`channel`]: the capture channel's WebSocket client, as the SDK page plays it;
//! - [`page`]: a whole capture attempt as the stub SDK plays it, and the contract's ordering rules;
//! - [`gips`]: the GIPS sample's headers and calls, and its multipart parser;
//! - [`signing`]: what an integrator does to check a signed body;
//! - [`binary`]: the built binary, for what a terminal or CI sees;
//! - [`internals`]: the crate-internal items tests reach, in one place.
// Each test binary uses part of the harness: the rest is not dead, just elsewhere.
#![allow(dead_code, unused_imports)]

pub mod binary;
pub mod channel;
pub mod emulator;
pub mod gips;
pub mod http;
pub mod internals;
pub mod page;
pub mod signing;

pub use binary::{start_binary, BINARY};
pub use channel::*;
pub use emulator::*;
pub use http::*;
pub use page::*;
pub use webcapture_emulator::Config;
