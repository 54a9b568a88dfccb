//! Every crate-internal item the integration tests use, in one place. Tests otherwise go through
//! the emulator's HTTP and WebSocket surface; the few that check a module directly (selection,
//! the channel plan, the session store, findings) import from here, so a move touches one file.

pub use webcapture_emulator::{
    internals::*,
    schema_json,
    server::{banner, tls_names, Running},
    AppState, Config,
};
