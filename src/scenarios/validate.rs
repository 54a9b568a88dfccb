//! Validation of scenario files: the format (serde, with `deny_unknown_fields`) and the meaning
//! (codes the SDK knows, timelines that end, sane delays, existing fixtures...).
//!
//! Every problem is reported as `file:line:column: message`, the form editors and CI logs make
//! clickable, by `webcapture-emulator check`, in the log on (re)load, and in
//! `GET /__emulator/scenarios`.

use std::{
    fmt,
    path::{Path, PathBuf},
    process::ExitCode,
};

use super::{
    locate::locate,
    model::{Scenario, Step},
    shape,
};

/// Error codes the stub SDK and the sample app know (integration contract §4.4.4).
pub const KNOWN_CODES: [u32; 11] = [400, 429, 500, 503, 1100, 1200, 1201, 1301, 1303, 1304, 2000];

/// Longest scripted wait accepted (10 minutes): anything longer is a typo (seconds vs milliseconds).
pub const MAX_DELAY_MS: u64 = 600_000;

/// Largest scenario file read (1 MiB; the built-ins are 1–3 KB). A bigger file in the folder is
/// refused from its size alone, without reading it (a 1 GB sparse `.json` costs nothing).
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// Most channel messages one capture's plan may hold (init progress plus the longest mode's
/// timeline). A real capture sends ~100 (10 s at 10 fps); 10 minutes at 60 fps is 36,000.
pub const MAX_PLAN_FRAMES: u64 = 40_000;

/// Most bytes (as JSON text) one capture's plan may hold; a real one holds ~40 KB.
pub const MAX_PLAN_BYTES: u64 = 8 * 1024 * 1024;

/// Highest match score accepted (the vendor's scores stay far below it).
pub const MAX_SCORE: f64 = 50_000.0;

/// One problem found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong, and when possible how to fix it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Formats problems of `file` as `file:line:column: message` lines.
pub fn report(file: &str, problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("{file}:{p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses and checks one file's text; `stem` is the file name without `.json` (the scenario's name).
///
/// Every problem comes with its line and column, so `check`, the log and the dashboard can point
/// the author at the exact place rather than at "invalid JSON".
///
/// ```
/// use webcapture_emulator::internals::validate::{report, validate_text};
///
/// assert!(validate_text("spoof", r#"{"result":{"livenessStatus":"SPOOF"}}"#).is_ok());
///
/// let text = "{\n  \"result\": {\"livenessStatus\": \"SPOF\"}\n}";
/// let problems = validate_text("typo", text).unwrap_err();
/// let lines = report("typo.json", &problems);
/// assert!(lines.starts_with("typo.json:2:"), "{lines}");
/// assert!(lines.contains("SPOF"), "{lines}");
/// ```
pub fn validate_text(stem: &str, text: &str) -> Result<Scenario, Vec<Problem>> {
    if text.len() > MAX_FILE_BYTES {
        return Err(vec![Problem {
            line: 1,
            column: 1,
            message: too_large(text.len() as u64),
        }]);
    }
    // Most files are valid: serde accepts exactly what the schema describes (JSON types, enum
    // values, required and no unknown fields), so a file it reads has no shape problem and the
    // walk against the schema (a few hundred microseconds per file at start-up) is skipped.
    if let Ok(s) = serde_json::from_str::<Scenario>(text) {
        let problems = semantic_problems(stem, &s);
        if problems.is_empty() {
            return Ok(s);
        }
    }
    let doc: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return Err(vec![Problem {
                line: e.line().max(1),
                column: e.column().max(1),
                message: plain_words(&e),
            }])
        }
    };
    let shape_problems = shape::problems(&doc);
    let mut found: Vec<Found> = Vec::new();
    let scenario: Option<Scenario> = if shape_problems.is_empty() {
        match serde_json::from_str::<Scenario>(text) {
            Ok(s) => Some(s),
            Err(e) => {
                found.push((
                    Some((e.line().max(1), e.column().max(1))),
                    String::new(),
                    plain_words(&e),
                ));
                None
            }
        }
    } else {
        // Set the faulty parts aside so the rest of the file is still checked for meaning.
        let mut repaired = doc;
        let mut set_aside: Vec<String> = Vec::new();
        for (pointer, _) in &shape_problems {
            set_aside.push(repair(&mut repaired, pointer));
        }
        let scenario = serde_json::from_value::<Scenario>(repaired).ok();
        if let Some(s) = &scenario {
            for (pointer, message) in semantic_problems(stem, s) {
                // Not about a part set aside, nor "never ends" about a timeline whose faulty
                // step may have been its end.
                let about_set_aside = set_aside.iter().any(|p| {
                    pointer.starts_with(p.as_str()) || p.starts_with(&format!("{pointer}/"))
                });
                if !about_set_aside {
                    found.push((None, pointer, message));
                }
            }
        }
        found.extend(
            shape_problems
                .into_iter()
                .map(|(pointer, message)| (None, pointer, message)),
        );
        None
    };
    if let Some(s) = &scenario {
        found.extend(
            semantic_problems(stem, s)
                .into_iter()
                .map(|(pointer, message)| (None, pointer, message)),
        );
    }
    let mut problems: Vec<Problem> = found
        .into_iter()
        .map(|(at, pointer, message)| {
            let (line, column) = at.unwrap_or_else(|| {
                let p = locate(text, &pointer);
                (p.line, p.column)
            });
            Problem {
                line,
                column,
                message,
            }
        })
        .collect();
    problems.sort_by_key(|p| (p.line, p.column));
    match scenario {
        Some(s) if problems.is_empty() => Ok(s),
        _ => Err(problems),
    }
}

/// A problem before it is placed: (line and column when serde gave them, JSON pointer, message).
type Found = (Option<(usize, usize)>, String, String);

/// Removes the faulty member at `pointer` from `doc` (a faulty timeline step becomes a no-op
/// wait, so step numbers stay right); returns the pointer of what was set aside.
fn repair(doc: &mut serde_json::Value, pointer: &str) -> String {
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    // A problem inside a timeline step sets the whole step aside.
    if segments.len() >= 3
        && segments[0] == "capture"
        && segments[1] != "init"
        && segments[2].parse::<usize>().is_ok()
    {
        let step = format!("/{}/{}/{}", segments[0], segments[1], segments[2]);
        if let Some(slot) = doc.pointer_mut(&step) {
            *slot = serde_json::json!({"type": "wait", "ms": 0});
        }
        return step;
    }
    if segments.is_empty() {
        *doc = serde_json::json!({});
        return String::new();
    }
    let parent = format!("/{}", segments[..segments.len() - 1].join("/"));
    let parent = if segments.len() == 1 {
        ""
    } else {
        parent.as_str()
    };
    let last = segments[segments.len() - 1]
        .replace("~1", "/")
        .replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(serde_json::Value::Object(m)) => {
            m.remove(&last);
        }
        Some(serde_json::Value::Array(a)) => {
            if let Ok(i) = last.parse::<usize>() {
                if i < a.len() {
                    a.remove(i);
                }
            }
        }
        _ => {}
    }
    pointer.to_string()
}

/// serde_json's message in the author's words: JSON type names instead of Rust ones, and no
/// trailing "at line L column C" (the position is given separately).
fn plain_words(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let message = match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    if message.starts_with("EOF while parsing") {
        return "the file ends too early: a closing `}`, `]` or `\"` is missing".into();
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        if let Some((value, expected)) = rest.split_once("`, expected one of ") {
            let options: Vec<String> = expected
                .split(", ")
                .map(|o| o.trim_matches('`').to_string())
                .collect();
            let hint = shape::did_you_mean(value, options.iter().map(String::as_str))
                .map(|s| format!(" Did you mean \"{s}\"?"))
                .unwrap_or_default();
            return format!(
                "unknown name \"{value}\": expected one of {}.{hint}",
                options.join(", ")
            );
        }
    }
    let mut m = message;
    for (rust, json) in [
        ("invalid type: map", "found an object"),
        ("invalid type: sequence", "found an array"),
        ("invalid type: string", "found a string"),
        ("invalid type: integer", "found the number"),
        ("invalid type: floating point", "found the number"),
        ("invalid type: boolean", "found"),
        ("invalid type: null", "found null"),
        ("invalid value: integer", "found the number"),
        ("expected f64", "expected a number"),
        ("expected u64", "expected a whole number (0 or more)"),
        ("expected u32", "expected a whole number (0 or more)"),
        ("expected u16", "expected a whole number (0 or more)"),
        ("expected i64", "expected a whole number"),
        ("expected a sequence", "expected an array"),
        ("expected a map", "expected an object"),
        (
            "key must be a string",
            "a key must be a string in double quotes",
        ),
    ] {
        m = m.replace(rust, json);
    }
    m
}

/// The message for a file over [`MAX_FILE_BYTES`].
pub fn too_large(bytes: u64) -> String {
    format!(
        "the file is {bytes} bytes, more than the {MAX_FILE_BYTES} bytes a scenario file may have (real ones are a few KB); it was not read"
    )
}

/// The meaning checks, as (JSON pointer, message) pairs.
pub fn semantic_problems(stem: &str, s: &Scenario) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut bad = |p: String, m: String| out.push((p, m));

    if let Some(name) = &s.name {
        if name != stem {
            bad(
                "/name".into(),
                format!("name \"{name}\" differs from the file name \"{stem}.json\": a scenario is selected by its file name; remove `name` or rename the file"),
            );
        }
    }
    for (i, rule) in s.match_rules.iter().enumerate() {
        if rule.correlation_id.is_none()
            && rule.evidence_id.is_none()
            && rule.liveness_mode.is_none()
            && rule.api_key.is_none()
        {
            bad(
                format!("/match/{i}"),
                "match rule has no field, so it would match every session: give correlationId, evidenceId, livenessMode or apiKey (or make it the default scenario instead)".into(),
            );
        }
    }
    for (endpoint, answer) in &s.rest {
        let key = serde_json::to_value(endpoint)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let base = format!("/rest/{key}");
        if let Some(status) = answer.status {
            if !(100..=599).contains(&status) {
                bad(
                    format!("{base}/status"),
                    format!("status {status} is not an HTTP status (100..=599)"),
                );
            }
        }
        if answer.body.is_some() && answer.patch.is_some() {
            bad(
                format!("{base}/patch"),
                "give either `body` (replaces the answer) or `patch` (alters it), not both".into(),
            );
        }
        check_delay(
            &mut bad,
            format!("{base}/delayMs"),
            "delayMs",
            answer.delay_ms,
        );
        for (name, value) in &answer.headers {
            if axum::http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                bad(
                    format!("{base}/headers/{}", escape(name)),
                    format!("\"{name}\" is not a valid HTTP header name"),
                );
            } else if axum::http::HeaderValue::from_str(value).is_err() {
                bad(
                    format!("{base}/headers/{}", escape(name)),
                    format!("the value of header \"{name}\" is not a valid HTTP header value"),
                );
            }
        }
    }
    let net = &s.browser.network;
    if let Some(v) = net.latency_ms {
        if !(v.is_finite() && (0.0..=60_000.0).contains(&v)) {
            bad(
                "/browser/network/latencyMs".into(),
                format!("latencyMs {v} is out of range (0..=60000)"),
            );
        }
    }
    if let Some(v) = net.upload_kbps {
        if !(v.is_finite() && (0.0..=10_000_000.0).contains(&v)) {
            bad(
                "/browser/network/uploadKbps".into(),
                format!("uploadKbps {v} is out of range (0..=10000000)"),
            );
        }
    }
    let init = &s.capture.init;
    for (i, p) in init.download_progress.iter().enumerate() {
        if !(p.is_finite() && *p > 0.0 && *p <= 1.0) {
            bad(
                format!("/capture/init/downloadProgress/{i}"),
                format!("downloadProgress {p} is out of range: values must be in (0, 1] (the page ignores 0)"),
            );
        }
    }
    check_delay(
        &mut bad,
        "/capture/init/intervalMs".into(),
        "intervalMs",
        init.interval_ms,
    );
    if let Some(e) = &init.error {
        check_error(&mut bad, "/capture/init/error", e);
    }
    if let Some(ms) = s.capture.client_init_delay_ms {
        check_delay(
            &mut bad,
            "/capture/clientInitDelayMs".into(),
            "clientInitDelayMs",
            ms,
        );
    }
    let timelines = [
        ("timeline", &s.capture.timeline),
        ("passive", &s.capture.passive),
        ("passiveVideo", &s.capture.passive_video),
        ("active", &s.capture.active),
    ];
    for (key, steps) in timelines {
        if let Some(steps) = steps {
            check_timeline(&mut bad, &format!("/capture/{key}"), steps);
        }
    }
    let r = &s.result;
    if r.best_image != "none"
        && crate::fixtures::image(&r.best_image).is_none()
        && r.best_image != DEFAULT_FIXTURE
    {
        bad(
            "/result/bestImage".into(),
            format!("unknown fixture \"{}\": use the name of an image in fixtures/ (e.g. \"{DEFAULT_FIXTURE}\") or \"none\"", r.best_image),
        );
    }
    if !(r.age.is_finite() && (0.0..=130.0).contains(&r.age)) {
        bad(
            "/result/age".into(),
            format!("age {} is out of range (0..=130)", r.age),
        );
    }
    if !(r.match_score.is_finite() && (0.0..=MAX_SCORE).contains(&r.match_score)) {
        bad(
            "/result/matchScore".into(),
            format!("matchScore {} is out of range (0..={MAX_SCORE}; the sample app treats >= 3000 as a match)", r.match_score),
        );
    }
    if !matches!(
        r.gips.strength.as_str(),
        "LEVEL1" | "LEVEL2" | "LEVEL3" | "LEVEL4"
    ) {
        bad(
            "/result/gips/strength".into(),
            format!(
                "strength \"{}\" is not one of LEVEL1, LEVEL2, LEVEL3, LEVEL4",
                r.gips.strength
            ),
        );
    }
    for (i, e) in r.gips.errors.iter().enumerate() {
        if !e.is_object() {
            bad(
                format!("/result/gips/errors/{i}"),
                "each GIPS error must be an object such as {\"code\": \"...\", \"message\": \"...\"}".into(),
            );
        }
    }
    check_delay(
        &mut bad,
        "/result/callback/delayMs".into(),
        "delayMs",
        r.callback.delay_ms,
    );
    if r.callback.fail_times > 20 {
        bad(
            "/result/callback/failTimes".into(),
            format!("failTimes {} is more than the 20 attempts the emulator makes; use `skip: true` for a callback that never arrives", r.callback.fail_times),
        );
    }
    check_plan_size(&mut bad, s);
    out
}

/// Refuses a file whose generated plan for one capture would exceed [`MAX_PLAN_FRAMES`] or
/// [`MAX_PLAN_BYTES`], at the step that crosses the bound, so a file that `check` accepts never
/// makes a capture hold hundreds of megabytes. Counted without generating anything: frames per
/// step from durations and rates, bytes from the size of the JSON each frame carries.
fn check_plan_size(bad: &mut impl FnMut(String, String), s: &Scenario) {
    let init_frames = s.capture.init.download_progress.len() as u64 + 1;
    let init_bytes = init_frames * 40;
    let timelines = [
        ("timeline", &s.capture.timeline),
        ("passive", &s.capture.passive),
        ("passiveVideo", &s.capture.passive_video),
        ("active", &s.capture.active),
    ];
    for (key, steps) in timelines {
        let Some(steps) = steps else { continue };
        let (mut frames, mut bytes) = (init_frames, init_bytes);
        for (i, step) in steps.iter().enumerate() {
            let (f, b) = step_size(step);
            frames = frames.saturating_add(f);
            bytes = bytes.saturating_add(b);
            let over = if frames > MAX_PLAN_FRAMES {
                Some(format!("{frames} channel messages, more than the {MAX_PLAN_FRAMES} one capture may send"))
            } else if bytes > MAX_PLAN_BYTES {
                Some(format!("about {bytes} bytes of messages, more than the {MAX_PLAN_BYTES} one capture may send"))
            } else {
                None
            };
            if let Some(what) = over {
                bad(
                    format!("/capture/{key}/{i}"),
                    format!("with this step the `{key}` timeline makes {what} (a real capture sends ~100 frames, ~40 KB): shorten durations, lower fps or repeat, or make `with`/`frame` smaller"),
                );
                break;
            }
        }
    }
}

/// (frames, bytes) a step adds to a plan, as [`super::plan::plan`] would generate them.
fn step_size(step: &Step) -> (u64, u64) {
    const FACE_FRAME_BYTES: u64 = 320;
    let interval = |fps: f64| {
        if fps.is_finite() && fps > 0.0 {
            ((1000.0 / fps).round() as u64).max(1)
        } else {
            100
        }
    };
    let json_len = |v: &serde_json::Value| serde_json::to_string(v).map_or(0, |t| t.len() as u64);
    match step {
        Step::FaceTracking {
            duration_ms,
            fps,
            with,
            ..
        } => {
            let frames = (duration_ms / interval(*fps)).max(1);
            let each = FACE_FRAME_BYTES + with.as_ref().map_or(0, json_len);
            (frames, frames.saturating_mul(each))
        }
        Step::Tracking { frame, repeat, .. } => {
            let frames = u64::from((*repeat).max(1));
            (frames, frames.saturating_mul(json_len(frame) + 40))
        }
        Step::Challenge {
            per_target_ms, fps, ..
        } => {
            // The most targets a session can ask for (numberOfChallenge ≤ 8).
            let frames = 8 * (per_target_ms / interval(*fps)).max(2);
            (frames, frames.saturating_mul(FACE_FRAME_BYTES + 700))
        }
        Step::UploadProgress { steps, .. } => {
            let frames = u64::from((*steps).max(1));
            (frames, frames * 40)
        }
        _ => (1, 200),
    }
}

/// The fixture a result uses when the file names none (always provided by `fixtures/`).
pub const DEFAULT_FIXTURE: &str = "face-1";

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn check_delay(bad: &mut impl FnMut(String, String), pointer: String, what: &str, ms: u64) {
    if ms > MAX_DELAY_MS {
        bad(
            pointer,
            format!("{what} {ms} is longer than {MAX_DELAY_MS} ms (10 minutes): delays are in milliseconds"),
        );
    }
}

fn check_error(bad: &mut impl FnMut(String, String), base: &str, e: &super::model::ChannelError) {
    if !KNOWN_CODES.contains(&e.code) {
        bad(
            format!("{base}/code"),
            format!(
                "unknown error code {}: the SDK knows {}",
                e.code,
                KNOWN_CODES.map(|c| c.to_string()).join(", ")
            ),
        );
    }
    if let Some(u) = e.unlock_in_seconds {
        if e.code != 429 {
            bad(
                format!("{base}/unlockInSeconds"),
                format!(
                    "unlockInSeconds only makes sense with code 429, not {}",
                    e.code
                ),
            );
        } else if !(0..=7 * 24 * 3600).contains(&u) {
            bad(
                format!("{base}/unlockInSeconds"),
                format!("unlockInSeconds {u} is out of range (0..=604800, one week)"),
            );
        }
    }
}

fn check_fps(bad: &mut impl FnMut(String, String), pointer: String, fps: f64) {
    if !(fps.is_finite() && fps > 0.0 && fps <= 60.0) {
        bad(
            pointer,
            format!("fps {fps} is out of range: give a rate in (0, 60]"),
        );
    }
}

fn check_timeline(bad: &mut impl FnMut(String, String), base: &str, steps: &[Step]) {
    let mut end: Option<(usize, &'static str)> = None;
    let mut started = !steps.iter().any(|s| matches!(s, Step::WaitFor { .. }));
    let mut pending = false;
    for (i, step) in steps.iter().enumerate() {
        let at = format!("{base}/{i}");
        if let Some((j, what)) = end {
            bad(
                at.clone(),
                format!("this step is never played: step {j} ({what}) ends the capture"),
            );
            break;
        }
        let capture_event = matches!(
            step,
            Step::FaceTracking { .. }
                | Step::Tracking { .. }
                | Step::Instruction { .. }
                | Step::Challenge { .. }
                | Step::UploadProgress { .. }
                | Step::Result
        );
        if capture_event && !started {
            bad(
                at.clone(),
                "capture events before `waitFor startCapture` are ignored by the page (contract §5.10): move this step after it".into(),
            );
        }
        match step {
            Step::WaitFor { .. } => started = true,
            Step::ClientInitEnd | Step::Disconnect | Step::Result | Step::Error(_) => {}
            Step::FaceTracking {
                duration_ms,
                fps,
                with,
                ..
            } => {
                check_delay(bad, format!("{at}/durationMs"), "durationMs", *duration_ms);
                check_fps(bad, format!("{at}/fps"), *fps);
                if with.as_ref().is_some_and(|w| !w.is_object()) {
                    bad(
                        format!("{at}/with"),
                        "`with` must be an object of tracking fields merged into every frame"
                            .into(),
                    );
                }
            }
            Step::Tracking {
                frame,
                repeat,
                interval_ms,
            } => {
                if !frame.is_object() {
                    bad(
                        format!("{at}/frame"),
                        "`frame` must be an object (the trackingFn argument)".into(),
                    );
                }
                if *repeat > 10_000 {
                    bad(
                        format!("{at}/repeat"),
                        format!("repeat {repeat} is more than 10000 frames"),
                    );
                }
                check_delay(bad, format!("{at}/intervalMs"), "intervalMs", *interval_ms);
            }
            Step::Instruction { value } => {
                if value.is_empty()
                    || !value
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                {
                    bad(
                        format!("{at}/value"),
                        format!("instruction \"{value}\" is not an SDK constant such as TRACKER_CHALLENGE_DONT_MOVE, FACEFLOW_CHALLENGE_2D or TRACKER_CHALLENGE_PENDING"),
                    );
                }
                if value == "TRACKER_CHALLENGE_PENDING" {
                    pending = true;
                }
            }
            Step::Challenge {
                per_target_ms, fps, ..
            } => {
                check_delay(
                    bad,
                    format!("{at}/perTargetMs"),
                    "perTargetMs",
                    *per_target_ms,
                );
                check_fps(bad, format!("{at}/fps"), *fps);
            }
            Step::UploadProgress { steps, duration_ms } => {
                if *steps == 0 || *steps > 100 {
                    bad(
                        format!("{at}/steps"),
                        format!("steps {steps} is out of range (1..=100)"),
                    );
                }
                check_delay(bad, format!("{at}/durationMs"), "durationMs", *duration_ms);
                if !pending {
                    bad(
                        at.clone(),
                        "uploadProgress before TRACKER_CHALLENGE_PENDING is ignored by the page (contract §5.10): add an instruction step with that value first".into(),
                    );
                }
            }
            Step::Wait { ms } => check_delay(bad, format!("{at}/ms"), "ms", *ms),
        }
        if let Step::Error(e) = step {
            check_error(bad, &at, e);
        }
        end = match step {
            Step::Result => Some((i, "result")),
            Step::Error(_) => Some((i, "error")),
            Step::Disconnect => Some((i, "disconnect")),
            _ => None,
        };
    }
    let ends = steps
        .iter()
        .any(|s| matches!(s, Step::Result | Step::Error(_) | Step::Disconnect));
    if !ends {
        bad(
            base.to_string(),
            "timeline never ends: add a final step of type \"result\", \"error\" or \"disconnect\""
                .into(),
        );
    }
}

/// What a look at a scenarios folder found: the files to read and every `*.json` name that
/// cannot be a scenario file, so nothing in the folder is skipped without a word.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scan {
    /// Scenario files to read, sorted.
    pub files: Vec<PathBuf>,
    /// `*.json` entries that cannot be read as scenario files: (path shown, file name shown, what
    /// is wrong): a file name that is not UTF-8, a symbolic link loop or dangling link, a folder
    /// named `*.json`, a device or pipe.
    pub problems: Vec<(String, String, String)>,
    /// The folder itself cannot be listed: (kind, message).
    pub folder_error: Option<(std::io::ErrorKind, String)>,
}

/// Scans `path`: a directory's top-level `*.json` files (hidden ones — editor swap and backup
/// files — and `*.schema.json` left out), or the one file given.
pub fn scan(path: &Path) -> Scan {
    let mut out = Scan::default();
    if path.is_file() {
        out.files.push(path.to_path_buf());
        return out;
    }
    let entries = match std::fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) => {
            out.folder_error = Some((
                e.kind(),
                format!("{}: cannot read the scenarios folder: {e}", path.display()),
            ));
            return out;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                out.folder_error = Some((
                    e.kind(),
                    format!("{}: cannot list the scenarios folder: {e}", path.display()),
                ));
                continue;
            }
        };
        let name = entry.file_name();
        let shown_name = name.to_string_lossy().to_string();
        if !is_scenario_name(&shown_name) {
            continue;
        }
        let file = entry.path();
        let shown = file.display().to_string();
        let mut problem = |message: String| {
            out.problems
                .push((shown.clone(), shown_name.clone(), message))
        };
        if name.to_str().is_none() {
            problem("the file name is not valid UTF-8, so no scenario can be selected by it: rename the file with UTF-8 characters".into());
            continue;
        }
        match std::fs::metadata(&file) {
            Ok(m) if m.is_file() => out.files.push(file),
            Ok(m) if m.is_dir() => problem(
                "this is a folder, not a file: scenarios are `NAME.json` files at the top level of the scenarios folder".into(),
            ),
            Ok(_) => problem("this is not a regular file (a device, pipe or socket): it is not read".into()),
            Err(e) => match std::fs::symlink_metadata(&file) {
                Ok(l) if l.file_type().is_symlink() => {
                    let why = if e.raw_os_error() == Some(40) || e.to_string().contains("levels of symbolic links") {
                        format!("this symbolic link loops ({e})")
                    } else if e.kind() == std::io::ErrorKind::NotFound {
                        "this symbolic link points to nothing (dangling link)".to_string()
                    } else {
                        format!("this symbolic link cannot be followed: {e}")
                    };
                    problem(why)
                }
                // Gone between listing and looking (an editor's save): nothing to report.
                Err(gone) if gone.kind() == std::io::ErrorKind::NotFound => {}
                _ => problem(format!("cannot read the file: {e}")),
            },
        }
    }
    out.files.sort();
    out.problems.sort();
    out
}

/// The scenario files of a directory (or the one file given), sorted; see [`scan`] for what
/// else the folder holds.
pub fn scenario_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let scan = scan(path);
    match scan.folder_error {
        Some((kind, message)) => Err(std::io::Error::new(kind, message)),
        None => Ok(scan.files),
    }
}

/// Reads a scenario file, refusing one over [`MAX_FILE_BYTES`] from its size alone (a 1 GB
/// sparse file in the folder is never read) and one that is not UTF-8.
pub fn read_scenario_file(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > MAX_FILE_BYTES as u64 {
        return Err(too_large(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "the file is not UTF-8 text (invalid byte at offset {}): save it as UTF-8",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Whether a path names a scenario file (`*.json`, not hidden, not a `*.schema.json` schema).
pub fn is_scenario_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(is_scenario_name)
}

/// Whether a file name is a scenario file's (`*.json`, not hidden, not a `*.schema.json`).
pub fn is_scenario_name(name: &str) -> bool {
    !name.starts_with('.')
        && name.ends_with(".json")
        && !name.ends_with(".schema.json")
        && name.len() > ".json".len()
}

/// `webcapture-emulator check [PATH]`: prints every problem of every file and of the folder
/// itself, exit status 1 on any.
pub fn check_command(path: Option<PathBuf>) -> ExitCode {
    let path = path.unwrap_or_else(|| PathBuf::from("scenarios"));
    let scan = scan(&path);
    if let Some((_, message)) = &scan.folder_error {
        eprintln!("{message}");
        return ExitCode::FAILURE;
    }
    let (mut bad_files, mut problems) = (0, 0);
    for (shown, _, message) in &scan.problems {
        bad_files += 1;
        problems += 1;
        println!("{shown}:1:1: {message}");
    }
    for file in &scan.files {
        let (ok, lines) = check_file(file);
        if !ok {
            bad_files += 1;
            problems += lines.len();
            for line in lines {
                println!("{line}");
            }
        }
    }
    let total = scan.files.len() + scan.problems.len();
    if bad_files > 0 {
        eprintln!("{problems} problem(s) in {bad_files} of {total} scenario file(s)");
        ExitCode::FAILURE
    } else {
        println!("{total} scenario file(s) OK in {}", path.display());
        ExitCode::SUCCESS
    }
}

/// Checks one file: (valid, `file:line:column: message` lines).
pub fn check_file(file: &Path) -> (bool, Vec<String>) {
    let shown = file.display().to_string();
    let text = match read_scenario_file(file) {
        Ok(t) => t,
        Err(e) => return (false, vec![format!("{shown}:1:1: {e}")]),
    };
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    match validate_text(stem, &text) {
        Ok(_) => (true, Vec::new()),
        Err(problems) => (
            false,
            problems.iter().map(|p| format!("{shown}:{p}")).collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match validate_text("t", text) {
            Ok(_) => Vec::new(),
            Err(p) => p.iter().map(|p| p.to_string()).collect(),
        }
    }

    fn one(text: &str) -> String {
        let p = problems(text);
        assert_eq!(p.len(), 1, "expected one problem, got {p:?}");
        p[0].clone()
    }

    #[test]
    fn an_empty_object_is_a_valid_success_scenario() {
        assert!(problems("{}").is_empty());
    }

    #[test]
    fn a_syntax_error_is_reported_at_its_place() {
        assert_eq!(
            one("{\n  \"description\": \"x\",\n}"),
            "3:1: trailing comma"
        );
    }

    #[test]
    fn an_unknown_field_is_reported_with_the_expected_ones() {
        let p = one("{\n  \"resutl\": {}\n}");
        assert!(
            p.starts_with("2:3: unknown field `resutl` at the top level. Did you mean `result`? Known fields: $schema, browser, capture"),
            "{p}"
        );
    }

    #[test]
    fn a_negative_delay_is_a_type_error_in_json_words() {
        let p = one("{\"rest\": {\"capabilities\": {\"delayMs\": -5}}}");
        assert!(
            p.starts_with("1:28: rest.capabilities.delayMs: expected a whole number (0 or more), found the negative number -5. Milliseconds to wait"),
            "{p}"
        );
    }

    #[test]
    fn an_unknown_step_type_is_reported() {
        let p = one("{\"capture\": {\"timeline\": [{\"type\": \"dance\"}]}}");
        assert!(
            p.starts_with("1:28: capture.timeline[0].type: unknown step type \"dance\": expected one of waitFor, clientInitEnd"),
            "{p}"
        );
    }

    #[test]
    fn an_unknown_error_code_is_reported_at_the_code() {
        let text = "{\"capture\": {\"timeline\": [\n  {\"type\": \"waitFor\", \"event\": \"startCapture\"},\n  {\"type\": \"error\", \"code\": 1031}\n]}}";
        assert_eq!(
            one(text),
            "3:21: unknown error code 1031: the SDK knows 400, 429, 500, 503, 1100, 1200, 1201, 1301, 1303, 1304, 2000"
        );
    }

    #[test]
    fn an_unknown_init_error_code_is_reported() {
        let p = one("{\"capture\": {\"init\": {\"error\": {\"code\": 42}}}}");
        assert!(p.starts_with("1:33: unknown error code 42"), "{p}");
    }

    #[test]
    fn a_timeline_without_an_end_is_reported() {
        assert_eq!(
            one("{\"capture\": {\"passive\": [{\"type\": \"wait\", \"ms\": 10}]}}"),
            "1:14: timeline never ends: add a final step of type \"result\", \"error\" or \"disconnect\""
        );
    }

    #[test]
    fn steps_after_the_end_are_reported() {
        let p = one("{\"capture\": {\"timeline\": [{\"type\": \"result\"}, {\"type\": \"wait\", \"ms\": 1}]}}");
        assert_eq!(
            p,
            "1:47: this step is never played: step 0 (result) ends the capture"
        );
    }

    #[test]
    fn capture_events_before_start_capture_are_reported() {
        let p = problems("{\"capture\": {\"timeline\": [{\"type\": \"result\"}, {\"type\": \"waitFor\", \"event\": \"startCapture\"}]}}");
        assert!(
            p[0].starts_with("1:27: capture events before `waitFor startCapture` are ignored"),
            "{p:?}"
        );
    }

    #[test]
    fn upload_progress_before_pending_is_reported() {
        let p = one("{\"capture\": {\"timeline\": [{\"type\": \"uploadProgress\"}, {\"type\": \"result\"}]}}");
        assert!(
            p.starts_with("1:27: uploadProgress before TRACKER_CHALLENGE_PENDING is ignored"),
            "{p}"
        );
    }

    #[test]
    fn absurd_delays_are_reported() {
        let p = one("{\"capture\": {\"timeline\": [{\"type\": \"wait\", \"ms\": 3600000}, {\"type\": \"result\"}]}}");
        assert!(
            p.ends_with(
                "ms 3600000 is longer than 600000 ms (10 minutes): delays are in milliseconds"
            ),
            "{p}"
        );
        let p = one("{\"result\": {\"callback\": {\"delayMs\": 700000}}}");
        assert!(p.contains("delayMs 700000 is longer"), "{p}");
        let p = one("{\"capture\": {\"clientInitDelayMs\": 900000}}");
        assert!(p.contains("clientInitDelayMs 900000 is longer"), "{p}");
    }

    #[test]
    fn bad_rates_and_counts_are_reported() {
        let p = one("{\"capture\": {\"timeline\": [{\"type\": \"faceTracking\", \"durationMs\": 10, \"fps\": 0}, {\"type\": \"result\"}]}}");
        assert!(p.contains("fps 0 is out of range"), "{p}");
        let p = one("{\"capture\": {\"timeline\": [{\"type\": \"instruction\", \"value\": \"TRACKER_CHALLENGE_PENDING\"}, {\"type\": \"uploadProgress\", \"steps\": 0}, {\"type\": \"result\"}]}}");
        assert!(p.contains("steps 0 is out of range (1..=100)"), "{p}");
        let p = one("{\"capture\": {\"timeline\": [{\"type\": \"tracking\", \"frame\": {}, \"repeat\": 20000}, {\"type\": \"result\"}]}}");
        assert!(p.contains("repeat 20000 is more than 10000 frames"), "{p}");
        let p = one("{\"capture\": {\"timeline\": [{\"type\": \"tracking\", \"frame\": 3}, {\"type\": \"result\"}]}}");
        assert!(p.contains("`frame` must be an object"), "{p}");
        let p = one("{\"capture\": {\"timeline\": [{\"type\": \"faceTracking\", \"durationMs\": 10, \"with\": []}, {\"type\": \"result\"}]}}");
        assert!(p.contains("`with` must be an object"), "{p}");
    }

    #[test]
    fn a_lowercase_instruction_is_reported() {
        let p = one("{\"capture\": {\"timeline\": [{\"type\": \"instruction\", \"value\": \"dont move\"}, {\"type\": \"result\"}]}}");
        assert!(
            p.contains("instruction \"dont move\" is not an SDK constant"),
            "{p}"
        );
    }

    #[test]
    fn out_of_range_results_are_reported() {
        let p = one("{\"result\": {\"matchScore\": -1}}");
        assert!(p.starts_with("1:13: matchScore -1 is out of range"), "{p}");
        let p = one("{\"result\": {\"age\": 300}}");
        assert!(p.contains("age 300 is out of range (0..=130)"), "{p}");
        let p = one("{\"result\": {\"gips\": {\"strength\": \"HIGH\"}}}");
        assert!(p.contains("strength \"HIGH\" is not one of LEVEL1"), "{p}");
        let p = one("{\"result\": {\"gips\": {\"errors\": [\"oops\"]}}}");
        assert!(p.contains("each GIPS error must be an object"), "{p}");
        let p = one("{\"result\": {\"callback\": {\"failTimes\": 50}}}");
        assert!(
            p.contains("failTimes 50 is more than the 20 attempts"),
            "{p}"
        );
    }

    #[test]
    fn an_unknown_fixture_is_reported_and_none_is_accepted() {
        let p = one("{\"result\": {\"bestImage\": \"mona-lisa\"}}");
        assert!(p.starts_with("1:13: unknown fixture \"mona-lisa\""), "{p}");
        assert!(problems("{\"result\": {\"bestImage\": \"none\"}}").is_empty());
    }

    #[test]
    fn rest_answers_are_checked() {
        let p = one("{\"rest\": {\"capabilities\": {\"status\": 999}}}");
        assert!(p.contains("status 999 is not an HTTP status"), "{p}");
        let p = one("{\"rest\": {\"capabilities\": {\"body\": {}, \"patch\": {}}}}");
        assert!(p.contains("give either `body`"), "{p}");
        let p = one("{\"rest\": {\"capabilities\": {\"headers\": {\"bad header\": \"x\"}}}}");
        assert!(
            p.contains("\"bad header\" is not a valid HTTP header name"),
            "{p}"
        );
        let p = one("{\"rest\": {\"capabilities\": {\"headers\": {\"x-a\": \"line\\nbreak\"}}}}");
        assert!(
            p.contains("the value of header \"x-a\" is not a valid HTTP header value"),
            "{p}"
        );
        let p = one("{\"rest\": {\"capabilities\": {\"delayMs\": 900000}}}");
        assert!(p.contains("delayMs 900000 is longer"), "{p}");
        let p = one("{\"rest\": {\"capabilites\": {}}}");
        assert!(
            p.starts_with(
                "1:11: unknown field `capabilites` in rest. Did you mean `capabilities`?"
            ),
            "{p}"
        );
    }

    #[test]
    fn an_empty_match_rule_is_reported() {
        let p = one("{\"match\": [{}]}");
        assert!(p.contains("match rule has no field"), "{p}");
    }

    #[test]
    fn a_name_that_differs_from_the_file_is_reported() {
        let p = one("{\"name\": \"other\"}");
        assert!(
            p.starts_with("1:2: name \"other\" differs from the file name \"t.json\""),
            "{p}"
        );
        assert!(problems("{\"name\": \"t\"}").is_empty());
    }

    #[test]
    fn unlock_seconds_are_checked() {
        let p =
            one("{\"capture\": {\"init\": {\"error\": {\"code\": 503, \"unlockInSeconds\": 5}}}}");
        assert!(
            p.contains("unlockInSeconds only makes sense with code 429, not 503"),
            "{p}"
        );
        let p =
            one("{\"capture\": {\"init\": {\"error\": {\"code\": 429, \"unlockInSeconds\": -5}}}}");
        assert!(p.contains("unlockInSeconds -5 is out of range"), "{p}");
    }

    #[test]
    fn network_and_download_figures_are_checked() {
        let p = one("{\"browser\": {\"network\": {\"latencyMs\": -3}}}");
        assert!(p.contains("latencyMs -3 is out of range"), "{p}");
        let p = one("{\"browser\": {\"network\": {\"uploadKbps\": -1}}}");
        assert!(p.contains("uploadKbps -1 is out of range"), "{p}");
        let p = one("{\"capture\": {\"init\": {\"downloadProgress\": [0.5, 0]}}}");
        assert!(p.contains("downloadProgress 0 is out of range"), "{p}");
        let p = one("{\"capture\": {\"init\": {\"intervalMs\": 9999999}}}");
        assert!(p.contains("intervalMs 9999999 is longer"), "{p}");
    }

    #[test]
    fn shape_and_meaning_problems_of_one_file_are_all_reported_at_once() {
        let text = "{\n  \"resutl\": {},\n  \"result\": {\"age\": {\"aboveThreshold\": false}, \"matchScore\": -1},\n  \"capture\": {\"timeline\": [{\"type\": \"wiat\", \"ms\": 5}, {\"type\": \"wait\", \"ms\": 3600000}, {\"type\": \"result\"}]}\n}";
        let p = problems(text);
        assert_eq!(p.len(), 5, "{p:#?}");
        assert!(p[0].starts_with("2:3: unknown field `resutl`"), "{p:#?}");
        assert!(
            p.iter().any(
                |m| m.contains("result.age: expected a number, found an object")
                    && m.contains("Example: \"age\": 17")
            ),
            "{p:#?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("matchScore -1 is out of range")),
            "{p:#?}"
        );
        assert!(
            p.iter().any(|m| m.contains("Did you mean \"wait\"?")),
            "{p:#?}"
        );
        assert!(
            p.iter().any(|m| m.contains("ms 3600000 is longer")),
            "{p:#?}"
        );
        assert!(
            p.iter().all(|m| !m.contains("f64") && !m.contains("map")),
            "{p:#?}"
        );
    }

    #[test]
    fn a_plan_of_a_million_tiny_frames_is_refused_at_the_step_that_crosses_the_bound() {
        let step = "{\"type\": \"tracking\", \"frame\": {}, \"repeat\": 10000, \"intervalMs\": 1}";
        let steps = vec![step; 100].join(",\n");
        let text =
            format!("{{\"capture\": {{\"timeline\": [\n{steps},\n{{\"type\": \"result\"}}]}}}}");
        let p = one(&text);
        assert!(p.starts_with("5:1: with this step the `timeline` timeline makes 40006 channel messages, more than the 40000"), "{p}");
    }

    #[test]
    fn a_plan_of_large_frames_is_refused_by_its_bytes() {
        let big = "x".repeat(100_000);
        let text = format!("{{\"capture\": {{\"timeline\": [{{\"type\": \"faceTracking\", \"durationMs\": 10000, \"fps\": 10, \"with\": {{\"pad\": \"{big}\"}}}}, {{\"type\": \"result\"}}]}}}}");
        let p = one(&text);
        assert!(
            p.contains("bytes of messages, more than the 8388608 one capture may send"),
            "{p}"
        );
    }

    #[test]
    fn the_builtin_capture_plans_are_far_below_the_bounds() {
        for name in crate::scenarios::library::builtin_names() {
            let text = crate::scenarios::library::builtin_text(&name).unwrap_or_default();
            assert!(validate_text(&name, text).is_ok(), "{name}");
            assert!(text.len() < MAX_FILE_BYTES / 100, "{name}");
        }
    }

    #[test]
    fn a_file_over_the_size_bound_is_refused_before_parsing() {
        let text = format!("{{\"description\": \"{}\"}}", "x".repeat(MAX_FILE_BYTES));
        let p = one(&text);
        assert!(
            p.starts_with("1:1: the file is 1048595 bytes, more than the 1048576"),
            "{p}"
        );
    }

    #[test]
    fn several_problems_are_all_reported_with_the_file_name() {
        let text = "{\n\"result\": {\"age\": -1, \"matchScore\": 99999999}\n}";
        let p = validate_text("x", text).unwrap_err();
        assert_eq!(p.len(), 2);
        let r = report("dir/x.json", &p);
        assert!(r.starts_with("dir/x.json:2:12: age -1"), "{r}");
        assert!(r.contains("\ndir/x.json:2:23: matchScore"), "{r}");
    }
}
