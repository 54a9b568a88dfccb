//! The one test harness of the integration tests (`mod support;` in each `tests/*.rs`).
//!
//! Start an emulator the way wiremock-rs starts a `MockServer`, then talk to it as the vendor's
//! clients do:
//!
//! ```ignore
//! let emu = TestEmulator::builder().scenario("quiet", json!({})).start().await;
//! let id = emu.create_passive().await;                  // the integrator's back end (HTTP)
//! let mut ws = emu.channel().await;                     // the page's capture channel
//! let (_, init) = open_until_init(&mut ws, &id).await;
//! ```
//!
//! One file, one job:
//! - [`emulator`]: [`TestEmulator`] and its builder: start, URLs, the back end's HTTP calls;
//! - [`http`]: answers read as an integrator reads them (ids from `Location`, JSON errors), snapshots;
//! - [`channel`]: the capture channel's WebSocket client, as the SDK page plays it;
//! - [`page`]: a whole capture attempt as the stub SDK plays it, and the contract's ordering rules;
//! - [`gips`]: the GIPS sample's headers and its multipart parser;
//! - [`signing`]: what an integrator does to check a signed body;
//! - [`binary`]: the built binary, for what a terminal or CI sees;
//! - [`internals`]: the few crate-internal items tests reach, gathered so renames touch one file.
#![allow(dead_code, unused_imports)]

pub mod binary;
pub mod channel;
pub mod emulator;
pub mod gips;
pub mod http;
pub mod internals;
pub mod page;
pub mod signing;

pub use binary::BINARY;
pub use channel::*;
pub use emulator::*;
pub use http::*;
pub use page::*;
pub use webcapture_emulator::Config;
