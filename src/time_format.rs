//! Every date-time text the emulator writes, in one place.
//!
//! The vendor's surfaces do not agree on one format — the capture channel's `unlockDateTime` has
//! exactly three fraction digits and a `Z`, Bioserver core writes RFC 3339 with at most
//! milliseconds, GIPS writes no zone at all — and an integration parses each with its own code.
//! Keeping the recipes together means a surface never picks up another surface's format by
//! copy-paste, and a format is fixed (or tested) once.

use time::{format_description::well_known::Rfc3339, OffsetDateTime, UtcOffset};

/// `2026-01-14T14:30:05.643Z`: the capture channel's form (`unlockDateTime` of a 429, contract
/// §4.4.4), always three fraction digits, which `new Date()` parses. Also used for the control
/// plane's own instants so the dashboard shows one format.
///
/// ```
/// let t = time::macros::datetime!(2026-01-14 14:30:05.6 UTC);
/// assert_eq!(webcapture_emulator::internals::time_format::iso_millis(t), "2026-01-14T14:30:05.600Z");
/// ```
pub fn iso_millis(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// RFC 3339 in UTC with at most millisecond precision (trailing zeros dropped), Bioserver core's
/// form in its documentation's examples (`2017-05-18T12:41:09.58Z`).
///
/// ```
/// let t = time::macros::datetime!(2017-05-18 12:41:09.580_123 UTC);
/// assert_eq!(webcapture_emulator::internals::time_format::rfc3339_millis(t), "2017-05-18T12:41:09.58Z");
/// ```
pub fn rfc3339_millis(t: OffsetDateTime) -> String {
    let millis = t.nanosecond() / 1_000_000 * 1_000_000;
    t.to_offset(UtcOffset::UTC)
        .replace_nanosecond(millis)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// RFC 3339 at full precision, in the instant's own offset: transcripts and listings of the
/// control plane, where nothing on the vendor's side parses it.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// GIPS's form, as in its documentation's examples: UTC without a zone designator and with three
/// fraction digits (`2018-11-20T13:41:00.869`).
///
/// ```
/// let t = time::macros::datetime!(2018-11-20 13:41:00.869 UTC);
/// assert_eq!(webcapture_emulator::internals::time_format::gips(t), "2018-11-20T13:41:00.869");
/// ```
pub fn gips(t: OffsetDateTime) -> String {
    let f = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]"
    );
    t.to_offset(UtcOffset::UTC).format(&f).unwrap_or_default()
}
