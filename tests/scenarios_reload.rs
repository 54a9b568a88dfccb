//! Hot reload: files edited under a running emulator change what the next sessions play, and a
//! broken save changes nothing but is reported with file, line and column.

mod support;

use std::{fs, path::Path};

use support::{internals::LivenessMode, *};

async fn description_of_new_session(emu: &TestEmulator, name: &str) -> Option<String> {
    let s = emu
        .try_new_session(NewSession::new(LivenessMode::LivenessPassive).scenario(Some(name)))
        .ok()?;
    let d = s.lock().scenario.description.clone();
    Some(d)
}

async fn wait_for_description(emu: &TestEmulator, name: &str, want: &str) {
    eventually(&format!("{name} reads '{want}'"), || async {
        description_of_new_session(emu, name).await.as_deref() == Some(want)
    })
    .await;
}

fn write(dir: &Path, file: &str, description: &str) {
    fs::write(
        dir.join(file),
        format!(
            "{{\"description\": \"{description}\", \"result\": {{\"livenessStatus\": \"SPOOF\"}}}}"
        ),
    )
    .unwrap();
}

#[tokio::test]
async fn an_added_file_becomes_selectable_and_an_edit_is_played_by_the_next_session() {
    let emu = TestEmulator::builder().scenario_folder().start().await;
    let dir = emu.scenario_dir();
    assert!(listed(&emu, "mine").await.is_none());

    write(dir, "mine.json", "v1");
    wait_for_description(&emu, "mine", "v1").await;
    let entry = listed(&emu, "mine").await.unwrap();
    assert_eq!(entry["source"], "file");
    assert_eq!(entry["valid"], true);
    let first_load = entry["loadedAt"].as_str().unwrap_or_default().to_string();
    assert!(first_load.ends_with('Z'), "loadedAt: {entry}");

    let old_session = emu.backend_session(Some("mine"));
    write(dir, "mine.json", "v2");
    wait_for_description(&emu, "mine", "v2").await;
    let second_load = listed(&emu, "mine").await.unwrap()["loadedAt"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(second_load > first_load, "{second_load} after {first_load}");
    assert_eq!(
        old_session.lock().scenario.description,
        "v1",
        "a session keeps the version it started with"
    );
}

#[tokio::test]
async fn a_broken_save_keeps_the_last_good_version_and_is_listed_with_its_place() {
    let emu = TestEmulator::builder().scenario_folder().start().await;
    let dir = emu.scenario_dir();
    write(dir, "mine.json", "good");
    wait_for_description(&emu, "mine", "good").await;

    fs::write(
        dir.join("mine.json"),
        "{\n  \"description\": \"bad\",\n  \"result\": {\"livenessStatus\": \"MAYBE\"}\n}",
    )
    .unwrap();
    eventually("the bad save is listed", || async {
        listed(&emu, "mine")
            .await
            .is_some_and(|e| e["valid"] == false)
    })
    .await;
    let entry = listed(&emu, "mine").await.unwrap();
    let error = entry["error"].as_str().unwrap();
    let file = dir.join("mine.json").display().to_string();
    assert!(error.starts_with(&format!("{file}:3:")), "{error}");
    assert!(
        error.contains("result.livenessStatus: expected one of \"SUCCESS\", \"FAILED\", \"SPOOF\", \"ERROR\", \"TIMEOUT\", found \"MAYBE\""),
        "{error}"
    );
    assert_eq!(entry["description"], "good");
    assert!(
        entry["loadedAt"].as_str().is_some(),
        "the last good version keeps its load time: {entry}"
    );
    assert_eq!(
        description_of_new_session(&emu, "mine").await.as_deref(),
        Some("good")
    );
    let (status, body) = get_json(&emu.admin("/scenarios/mine")).await;
    assert_eq!(status, 200);
    assert_eq!(body["description"], "good");

    write(dir, "mine.json", "fixed");
    wait_for_description(&emu, "mine", "fixed").await;
    assert_eq!(listed(&emu, "mine").await.unwrap()["valid"], true);
}

#[tokio::test]
async fn a_file_that_overrides_a_builtin_wins_and_deleting_it_restores_the_builtin() {
    let emu = TestEmulator::builder().scenario_folder().start().await;
    let dir = emu.scenario_dir();
    let builtin = description_of_new_session(&emu, "spoof").await.unwrap();

    write(dir, "spoof.json", "my spoof");
    wait_for_description(&emu, "spoof", "my spoof").await;
    assert_eq!(listed(&emu, "spoof").await.unwrap()["source"], "file");

    fs::remove_file(dir.join("spoof.json")).unwrap();
    wait_for_description(&emu, "spoof", &builtin).await;
    assert_eq!(listed(&emu, "spoof").await.unwrap()["source"], "builtin");
}

#[tokio::test]
async fn editor_save_patterns_all_take_effect() {
    let emu = TestEmulator::builder().scenario_folder().start().await;
    let dir = emu.scenario_dir();
    write(dir, "mine.json", "v1");
    wait_for_description(&emu, "mine", "v1").await;

    // Write to a temporary file, then rename over the original (vim, VS Code, most editors).
    write(dir, ".mine.json.tmp", "v2");
    fs::rename(dir.join(".mine.json.tmp"), dir.join("mine.json")).unwrap();
    wait_for_description(&emu, "mine", "v2").await;

    // Truncate, then write in place (nano, `>` redirection).
    {
        use std::io::Write;
        let mut f = fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(dir.join("mine.json"))
            .unwrap();
        f.flush().unwrap();
        f.write_all(br#"{"description": "v3"}"#).unwrap();
    }
    wait_for_description(&emu, "mine", "v3").await;

    // Atomic symlink swap (ConfigMaps, deploy tools): a new link renamed over the file.
    let versions = tempfile::tempdir().unwrap();
    write(versions.path(), "v4.json", "v4");
    std::os::unix::fs::symlink(versions.path().join("v4.json"), dir.join(".link.tmp")).unwrap();
    fs::rename(dir.join(".link.tmp"), dir.join("mine.json")).unwrap();
    wait_for_description(&emu, "mine", "v4").await;

    // Rename: the old name disappears, the new one appears.
    fs::rename(dir.join("mine.json"), dir.join("yours.json")).unwrap();
    wait_for_description(&emu, "yours", "v4").await;
    eventually("the old name is gone", || async {
        listed(&emu, "mine").await.is_none()
    })
    .await;
}

#[tokio::test]
async fn polling_mode_sees_changes_without_file_system_events() {
    let emu = TestEmulator::builder()
        .scenario_folder()
        .watch_poll(50)
        .start()
        .await;
    let dir = emu.scenario_dir();
    write(dir, "polled.json", "p1");
    wait_for_description(&emu, "polled", "p1").await;
    write(dir, "polled.json", "p2");
    wait_for_description(&emu, "polled", "p2").await;
}

#[tokio::test]
async fn a_reload_is_announced_to_live_listeners() {
    let emu = TestEmulator::builder().scenario_folder().start().await;
    let dir = emu.scenario_dir();
    let mut live = emu.state().live.subscribe();
    write(dir, "announced.json", "a");
    let event = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            if let Ok(e) = live.recv().await {
                if e["type"] == "scenarios" {
                    return e;
                }
            }
        }
    })
    .await
    .expect("a scenarios event");
    assert_eq!(event, serde_json::json!({"type": "scenarios"}));
}

#[tokio::test]
async fn a_save_whose_plan_would_exceed_the_bound_is_refused_at_its_step_and_the_last_good_version_stays(
) {
    let emu = TestEmulator::builder().scenario_folder().start().await;
    let dir = emu.scenario_dir();
    write(dir, "mine.json", "good");
    wait_for_description(&emu, "mine", "good").await;
    let big = "x".repeat(200_000);
    fs::write(
        dir.join("mine.json"),
        format!("{{\"description\": \"huge\",\n \"capture\": {{\"timeline\": [\n  {{\"type\": \"faceTracking\", \"durationMs\": 60000, \"fps\": 30, \"with\": {{\"pad\": \"{big}\"}}}},\n  {{\"type\": \"result\"}}]}}}}"),
    )
    .unwrap();
    // A 200 KB write may be seen half-written first (then listed as a file that ends too
    // early); the listing settles on the whole file's verdict.
    eventually("the oversized save is listed", || async {
        listed(&emu, "mine").await.is_some_and(|e| {
            e["valid"] == false && e["error"].as_str().is_some_and(|t| t.contains("timeline"))
        })
    })
    .await;
    let entry = listed(&emu, "mine").await.unwrap();
    let error = entry["error"].as_str().unwrap();
    let file = dir.join("mine.json").display().to_string();
    assert!(
        error.starts_with(&format!(
            "{file}:3:3: with this step the `timeline` timeline makes about"
        )),
        "{error}"
    );
    assert!(
        error.contains("more than the 8388608 one capture may send"),
        "{error}"
    );
    assert_eq!(
        description_of_new_session(&emu, "mine").await.as_deref(),
        Some("good")
    );
}

#[tokio::test]
async fn a_huge_sparse_file_in_the_folder_is_refused_from_its_size_and_listed() {
    let emu = TestEmulator::builder()
        .scenario_folder()
        .watch_poll(50)
        .start()
        .await;
    let dir = emu.scenario_dir();
    let f = fs::File::create(dir.join("huge.json")).unwrap();
    f.set_len(1 << 30).unwrap();
    eventually("the huge file is listed", || async {
        listed(&emu, "huge").await.is_some()
    })
    .await;
    let entry = listed(&emu, "huge").await.unwrap();
    assert_eq!(entry["valid"], false);
    assert_eq!(entry["playable"], false);
    assert!(
        entry["error"].as_str().unwrap().contains(
            "the file is 1073741824 bytes, more than the 1048576 bytes a scenario file may have"
        ),
        "{entry}"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn folder_problems_are_listed_as_entries_with_an_error_never_skipped() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let emu = TestEmulator::builder()
        .scenarios_dir(d, Some(50))
        .start()
        .await;
    fs::create_dir(d.join("folder.json")).unwrap();
    std::os::unix::fs::symlink(d.join("loop-b.json"), d.join("loop-a.json")).unwrap();
    std::os::unix::fs::symlink(d.join("loop-a.json"), d.join("loop-b.json")).unwrap();
    fs::write(d.join(std::ffi::OsStr::from_bytes(b"caf\xe9.json")), "{}").unwrap();
    eventually("every problem is listed", || async {
        let (_, list) = get_json(&emu.admin("/scenarios")).await;
        list.as_array()
            .is_some_and(|l| l.iter().filter(|e| e["valid"] == false).count() == 4)
    })
    .await;
    let error_of = |name: &'static str| {
        let emu = &emu;
        async move {
            let e = listed(emu, name)
                .await
                .unwrap_or_else(|| panic!("{name} listed"));
            assert_eq!(e["valid"], false, "{e}");
            e["error"].as_str().unwrap_or_default().to_string()
        }
    };
    assert!(error_of("folder")
        .await
        .contains("this is a folder, not a file"));
    assert!(error_of("loop-a")
        .await
        .contains("this symbolic link loops"));
    assert!(error_of("caf\u{fffd}")
        .await
        .contains("the file name is not valid UTF-8"));
}

#[cfg(unix)]
#[tokio::test]
async fn an_unreadable_scenarios_folder_is_listed_as_a_folder_entry_with_its_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("plain-file"), "not a folder").unwrap();
    let folder = dir.path().join("plain-file").join("scenarios");
    let emu = TestEmulator::builder()
        .scenarios_dir(&folder, Some(50))
        .start()
        .await;
    let (_, list) = get_json(&emu.admin("/scenarios")).await;
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["source"] == "folder")
        .cloned()
        .expect("a folder entry");
    assert_eq!(entry["valid"], false);
    assert!(
        entry["error"].as_str().unwrap().starts_with(&format!(
            "{}: cannot read the scenarios folder",
            folder.display()
        )),
        "{entry}"
    );
    assert!(
        listed(&emu, "success").await.is_some(),
        "the built-ins still play"
    );
}
