//! The built binary, for the tests of what a terminal or CI sees: `check`, `schema`, log lines.

/// The `webcapture-emulator` binary Cargo built for these tests.
pub const BINARY: &str = env!("CARGO_BIN_EXE_webcapture-emulator");
