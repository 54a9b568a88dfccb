//! `webcapture-emulator check` and `schema`: what scenario authors run in a terminal or CI.

use std::process::Command;

fn emulator() -> Command {
    Command::new(env!("CARGO_BIN_EXE_webcapture-emulator"))
}

#[test]
fn check_accepts_the_builtin_catalogue_with_a_summary_line() {
    let out = emulator()
        .args(["check", concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("15 scenario file(s) OK"), "{stdout}");
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
        lines[2].starts_with(&format!("{typo}:1:13: unknown field `descripton`")),
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
