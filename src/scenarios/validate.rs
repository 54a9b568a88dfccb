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
};

/// Error codes the stub SDK and the sample app know (integration contract §4.4.4).
pub const KNOWN_CODES: [u32; 11] = [400, 429, 500, 503, 1100, 1200, 1201, 1301, 1303, 1304, 2000];

/// Longest scripted wait accepted (10 minutes): anything longer is a typo (seconds vs milliseconds).
pub const MAX_DELAY_MS: u64 = 600_000;

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
/// use webcapture_emulator::scenarios::validate::{report, validate_text};
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
    let scenario: Scenario = match serde_json::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            let message = e.to_string();
            let message = match message.rfind(" at line ") {
                Some(i) => message[..i].to_string(),
                None => message,
            };
            return Err(vec![Problem {
                line: e.line().max(1),
                column: e.column().max(1),
                message,
            }]);
        }
    };
    let mut problems: Vec<Problem> = semantic_problems(stem, &scenario)
        .into_iter()
        .map(|(pointer, message)| {
            let at = locate(text, &pointer);
            Problem {
                line: at.line,
                column: at.column,
                message,
            }
        })
        .collect();
    problems.sort_by_key(|p| (p.line, p.column));
    if problems.is_empty() {
        Ok(scenario)
    } else {
        Err(problems)
    }
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
    out
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

/// The scenario files of a directory (or the one file given), sorted: top-level `*.json` files,
/// ignoring hidden ones (editor swap and backup files).
pub fn scenario_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| is_scenario_file(p) && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// Whether a path names a scenario file (`*.json`, not hidden, not a `*.schema.json` schema).
pub fn is_scenario_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    !name.starts_with('.')
        && name.ends_with(".json")
        && !name.ends_with(".schema.json")
        && name.len() > ".json".len()
}

/// `webcapture-emulator check [PATH]`: prints every problem, exit status 1 on any.
pub fn check_command(path: Option<PathBuf>) -> ExitCode {
    let path = path.unwrap_or_else(|| PathBuf::from("scenarios"));
    let files = match scenario_files(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{}: cannot read: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let (mut bad_files, mut problems) = (0, 0);
    for file in &files {
        let (ok, lines) = check_file(file);
        if !ok {
            bad_files += 1;
            problems += lines.len();
            for line in lines {
                println!("{line}");
            }
        }
    }
    if bad_files > 0 {
        eprintln!(
            "{problems} problem(s) in {bad_files} of {} scenario file(s)",
            files.len()
        );
        ExitCode::FAILURE
    } else {
        println!("{} scenario file(s) OK in {}", files.len(), path.display());
        ExitCode::SUCCESS
    }
}

/// Checks one file: (valid, `file:line:column: message` lines).
pub fn check_file(file: &Path) -> (bool, Vec<String>) {
    let shown = file.display().to_string();
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            return (
                false,
                vec![format!("{shown}:1:1: cannot read the file: {e}")],
            )
        }
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
            p.starts_with("2:10: unknown field `resutl`, expected one of"),
            "{p}"
        );
    }

    #[test]
    fn a_negative_delay_is_a_type_error() {
        let p = one("{\"rest\": {\"capabilities\": {\"delayMs\": -5}}}");
        assert!(
            p.starts_with("1:40: invalid value: integer `-5`, expected u64"),
            "{p}"
        );
    }

    #[test]
    fn an_unknown_step_type_is_reported() {
        let p = one("{\"capture\": {\"timeline\": [{\"type\": \"dance\"}]}}");
        assert!(p.contains("unknown variant `dance`"), "{p}");
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
        let p = one("{\"rest\": {\"teapot\": {}}}");
        assert!(p.contains("unknown variant `teapot`"), "{p}");
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
    fn several_problems_are_all_reported_with_the_file_name() {
        let text = "{\n\"result\": {\"age\": -1, \"matchScore\": 99999999}\n}";
        let p = validate_text("x", text).unwrap_err();
        assert_eq!(p.len(), 2);
        let r = report("dir/x.json", &p);
        assert!(r.starts_with("dir/x.json:2:12: age -1"), "{r}");
        assert!(r.contains("\ndir/x.json:2:23: matchScore"), "{r}");
    }
}
