//! Every crate-internal item the integration tests use, in one place. Tests otherwise go through
//! the emulator's HTTP and WebSocket surface; the few that check a module directly (selection,
//! the channel plan, the session store, findings) import from here, so a move touches one file.

pub use webcapture_emulator::{
    callbacks::MAX_REAL_ATTEMPTS,
    capture,
    error::ApiError,
    findings, fixtures,
    front::watcher::{observe, Watcher, RETRY_WINDOW},
    scenarios::{
        library::{builtin_names, Entry, ScenarioLibrary, Source},
        model::{
            ChannelError, ClientEvent, GipsStatus, LivenessMode, LivenessStatus, ResultSpec,
            Scenario, SignatureMode,
        },
        plan::{plan, render, Action, Plan, Planned},
        schema_json,
        selection::{for_sessionless_request, resolve_at_capture_start, SelectionInput},
        vendor_errors::error_payload,
    },
    server::{banner, tls_names, Running},
    sessions::{
        gate::Gate, store::SharedSession, transcript::MAX_TEXT_BYTES, BioSession, SelectedBy,
        SessionParams, SessionState, SessionStore, Transcript,
    },
    signing, AppState, Config,
};
