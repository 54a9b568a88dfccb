//! The vendor's error catalogue as the page receives it: texts by code and the `errorFn` payload.
//!
//! Scenario files, the trainer's `inject` and the lockout usually give only a code; the page must
//! still receive the text and the `unlockDateTime` the real back end would send, so every sender
//! (the channel, a 1301's TIMEOUT diagnostic in [`crate::capture`], the plan's rendering) takes
//! them from here.

use serde_json::{json, Value};

use super::model::ChannelError;
use crate::time_format::iso_millis;

/// The vendor's text for an error code (Global Error Codes table of the Web SDK documentation).
pub fn vendor_error_text(code: u32) -> &'static str {
    match code {
        400 => "Invalid Input: missing input or wrong input.",
        429 => "Maximum captures attempt reached",
        503 => "The server is overloaded. Try again in few seconds.",
        1100 => "Biometric services are not fully functional.",
        1200 => "Internal error. An error occurred while initializing.",
        1201 => "Internal error. An error occurred while tracking the face.",
        1301 => "Video Capture timeout: No face detected during liveness step.",
        1303 => "Poor video quality.",
        1304 => "No active video stream found. Allow device usage.",
        _ => "Internal Error.",
    }
}

/// Seconds a scripted or injected 429 locks out when neither the file nor the caller gives any.
pub const DEFAULT_UNLOCK_SECONDS: i64 = 60;

/// The `errorFn` argument for `e` sent at `now`: `{code, error}` with a numeric code, plus an
/// ISO-8601 `unlockDateTime` for 429 or whenever the error names `unlock_in_seconds`
/// (contract §4.4.4). A 429 without `unlock_in_seconds` unlocks after `default_unlock_seconds`.
///
/// This is the single source of the payload: the channel sends it and tests check it without a
/// socket.
pub fn error_payload(
    e: &ChannelError,
    now: time::OffsetDateTime,
    default_unlock_seconds: i64,
) -> Value {
    let mut v = json!({"code": e.code, "error": error_text(e)});
    if e.code == 429 || e.unlock_in_seconds.is_some() {
        let secs = e.unlock_in_seconds.unwrap_or(default_unlock_seconds);
        // Checked: an injected `unlockInSeconds` is any i64, and `OffsetDateTime + Duration` panics.
        let until = now
            .checked_add(time::Duration::seconds(secs))
            .unwrap_or(now);
        v["unlockDateTime"] = Value::String(iso_millis(until));
    }
    v
}

/// The text `e` is sent with: the scenario's own, else the vendor's for its code.
pub fn error_text(e: &ChannelError) -> String {
    e.error
        .clone()
        .unwrap_or_else(|| vendor_error_text(e.code).to_string())
}

/// The 429 payload of a real lockout (not a scripted one: the unlock time is the lockout's own).
pub fn lockout_payload(until: time::OffsetDateTime) -> Value {
    json!({"code": 429, "error": vendor_error_text(429), "unlockDateTime": iso_millis(until)})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_payload_has_an_iso_unlock_date() {
        let p = lockout_payload(time::macros::datetime!(2026-01-14 14:30:05.643 UTC));
        assert_eq!(p["unlockDateTime"], "2026-01-14T14:30:05.643Z");
        assert_eq!(p["code"], 429);
    }
}
