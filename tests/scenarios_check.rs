//! `webcapture-emulator check` and `schema`: what scenario authors run in a terminal or CI.

mod support;

use std::process::Command;

use support::BINARY;

fn emulator() -> Command {
    Command::new(BINARY)
}

#[test]
fn check_accepts_the_builtin_catalogue_with_a_summary_line() {
    let out = emulator()
        .args(["check", concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("16 scenario file(s) OK"), "{stdout}");
}

#[test]
fn check_prints_file_line_column_for_each_problem_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.json"), r#"{"description": "fine"}"#).unwrap();
    std::fs::write(
        dir.path().join("bad.json"),
        "{\n  \"capture\": {\"timeline\": [\n    {\"type\": \"waitFor\", \"event\": \"startCapture\"},\n    {\"type\": \"error\", \"code\": 1031}\n  ]},\n  \"result\": {\"matchScore\": -3}\n}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("typo.json"), "{\"descripton\": \"x\"}").unwrap();
    let out = emulator().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let bad = dir.path().join("bad.json").display().to_string();
    let typo = dir.path().join("typo.json").display().to_string();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].starts_with(&format!("{bad}:4:23: unknown error code 1031")),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with(&format!("{bad}:6:14: matchScore -3 is out of range")),
        "{stdout}"
    );
    assert!(
        lines[2].starts_with(&format!(
            "{typo}:1:2: unknown field `descripton` at the top level. Did you mean `description`?"
        )),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("3 problem(s) in 2 of 3 scenario file(s)"),
        "{stderr}"
    );
}

#[test]
fn check_of_a_missing_path_fails() {
    let out = emulator()
        .args(["check", "/definitely/not/here"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn schema_prints_the_json_schema() {
    let out = emulator().arg("schema").output().unwrap();
    assert!(out.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["title"], "Scenario");
}

#[test]
fn check_reports_every_problem_of_a_file_at_once_in_json_words() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("age-rejected.json");
    std::fs::write(
        &file,
        "{\n  \"descripton\": \"too young\",\n  \"result\": {\"age\": {\"aboveThreshold\": false, \"ageEstimated\": 16}, \"livenessStatus\": \"SUCESS\"},\n  \"capture\": {\"timeline\": [{\"type\": \"wiat\", \"ms\": 5}, {\"type\": \"result\"}]}\n}\n",
    )
    .unwrap();
    let out = emulator().arg("check").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let shown = file.display().to_string();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert!(
        lines.iter().all(|l| l.starts_with(&format!("{shown}:"))),
        "{stdout}"
    );
    assert!(
        lines[0].contains(
            ":2:3: unknown field `descripton` at the top level. Did you mean `description`?"
        ),
        "{stdout}"
    );
    assert!(
        lines[1].contains(":3:14: result.age: expected a number, found an object.")
            && lines[1].contains("aboveThreshold` is `ageEstimated >=")
            && lines[1].contains("Example: \"age\": 17"),
        "{stdout}"
    );
    assert!(
        lines[2].contains("result.livenessStatus: expected one of")
            && lines[2].contains("Did you mean \"SUCCESS\"?"),
        "{stdout}"
    );
    assert!(
        lines[3].contains(":4:29: capture.timeline[0].type: unknown step type \"wiat\"")
            && lines[3].contains("Did you mean \"wait\"?"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("f64") && !stdout.contains("invalid type"),
        "{stdout}"
    );
}

#[test]
fn check_refuses_a_timeline_that_would_expand_to_a_million_frames() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("flood.json");
    let step = r#"{"type": "tracking", "frame": {"x": 1}, "repeat": 10000, "intervalMs": 1}"#;
    let steps = vec![step; 100].join(",\n  ");
    std::fs::write(
        &file,
        format!(
            "{{\"capture\": {{\"timeline\": [\n  {steps},\n  {{\"type\": \"result\"}}\n]}}}}\n"
        ),
    )
    .unwrap();
    let out = emulator().arg("check").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(&format!(
            "{}:5:3: with this step the `timeline` timeline makes 40006 channel messages",
            file.display()
        )) && stdout.contains("more than the 40000 one capture may send"),
        "{stdout}"
    );
}

#[test]
fn check_refuses_a_huge_sparse_file_from_its_size_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("huge.json");
    let f = std::fs::File::create(&file).unwrap();
    f.set_len(1 << 30).unwrap();
    let out = emulator().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(&format!(
            "{}:1:1: the file is 1073741824 bytes, more than the 1048576 bytes a scenario file may have",
            file.display()
        )),
        "{stdout}"
    );
}

#[cfg(unix)]
#[test]
fn check_reports_folder_problems_instead_of_skipping_them() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("good.json"), "{}").unwrap();
    std::fs::create_dir(d.join("folder.json")).unwrap();
    std::os::unix::fs::symlink(d.join("loop-b.json"), d.join("loop-a.json")).unwrap();
    std::os::unix::fs::symlink(d.join("loop-a.json"), d.join("loop-b.json")).unwrap();
    std::os::unix::fs::symlink(d.join("gone.json"), d.join("dangling.json")).unwrap();
    let latin1 = std::ffi::OsStr::from_bytes(b"caf\xe9.json");
    std::fs::write(d.join(latin1), "{}").unwrap();
    let out = emulator().arg("check").arg(d).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line_of = |name: &str| {
        stdout
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} not reported: {stdout}"))
            .to_string()
    };
    assert!(
        line_of("folder.json").contains("this is a folder, not a file"),
        "{stdout}"
    );
    assert!(
        line_of("loop-a.json").contains("this symbolic link loops"),
        "{stdout}"
    );
    assert!(
        line_of("loop-b.json").contains("this symbolic link loops"),
        "{stdout}"
    );
    assert!(
        line_of("dangling.json").contains("points to nothing"),
        "{stdout}"
    );
    assert!(
        line_of("caf").contains("the file name is not valid UTF-8"),
        "{stdout}"
    );
    assert!(!stdout.contains("good.json"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("5 problem(s) in 5 of 6 scenario file(s)"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn check_of_an_unreadable_folder_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let locked = support_unreadable_folder(dir.path());
    let out = emulator().arg("check").arg(&locked).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}: cannot read the scenarios folder",
            locked.display()
        )),
        "{stderr}"
    );
}

/// A folder path that exists in name but cannot be listed: mode 000, or (as root, whom
/// permissions do not stop) a path through a regular file (ENOTDIR).
#[cfg(unix)]
fn support_unreadable_folder(base: &std::path::Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let locked = base.join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read_dir(&locked).is_err() {
        return locked;
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(base.join("plain-file"), "not a folder").unwrap();
    base.join("plain-file").join("scenarios")
}
