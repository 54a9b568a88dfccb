//! How a refused start reads.
//!
//! [`start`](super::start) returns `std::io::Result` (binding is I/O), so a bad setting (an
//! invalid flag combination, `--signing-key`, `--tls-cert/--tls-key`) is an `InvalidInput` I/O
//! error carrying a sentence; the binary prints it after `cannot listen on HOST:` and tests match
//! on its words.

/// An `InvalidInput` error whose message is `e`'s text.
pub(super) fn invalid_input(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string())
}
