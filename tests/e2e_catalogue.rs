//! Every built-in scenario, in every liveness mode, played end to end the way an integrator's
//! back end and page do: `init-liveness-session` with `X-Emulator-Scenario`, the capture channel
//! as the stub SDK plays it, then `liveness-challenge-result` and the session's transcript.
//! One snapshot per scenario holds the three modes; the contract's ordering rules (§5.10) are
//! asserted on what the page received.

mod support;

use std::collections::BTreeSet;
use support::*;

use serde_json::{json, Value};

/// The built-in scenario names, as the admin API lists them.
async fn builtin_scenarios(emu: &TestEmulator) -> Vec<String> {
    let list = emu.json("/__emulator/scenarios").await;
    list.as_array()
        .expect("an array of scenarios")
        .iter()
        .filter(|e| e["source"] == "builtin")
        .inspect(|e| assert_eq!(e["valid"], true, "built-in scenario invalid: {e}"))
        .filter_map(|e| e["name"].as_str().map(str::to_string))
        .collect()
}

/// The scenario files shipped in `scenarios/` (each is a built-in).
fn shipped_files() -> BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    std::fs::read_dir(dir)
        .expect("scenarios/ directory")
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") && n != "scenario.schema.json")
        .map(|n| n.trim_end_matches(".json").to_string())
        .collect()
}

/// Plays `scenario` in `mode` and renders what happened; asserts the contract on the way.
async fn run_one(emu: &TestEmulator, scenario: &str, mode: &str) -> Vec<String> {
    let what = format!("{scenario} in {mode}");
    let mut out = vec![format!("## {mode}")];
    let backend = format!("e2e-backend/{scenario}/{mode}");
    let res = init_with(emu, &backend, Some(scenario), json!({"livenessMode": mode})).await;
    let status = res.status().as_u16();
    if status != 201 {
        let retry_after = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body: Value = res.json().await.expect("JSON error body");
        assert_eq!(body["code"], status, "{what}: error body {body}");
        assert!(body["error"].is_string(), "{what}: error body {body}");
        out.push(format!(
            "init-liveness-session → {status} {} (Retry-After: {})",
            body["error"].as_str().unwrap_or_default(),
            retry_after.as_deref().unwrap_or("-")
        ));
        return out;
    }
    let id = session_id(&res);
    out.push("init-liveness-session → 201".into());

    let played = play(emu, &id, &format!("e2e-catalogue/{scenario}/{mode}")).await;
    assert_contract_order(mode, &played, &what);
    if let Some(init) = &played.init {
        assert_eq!(init["livenessMode"], mode, "{what}");
        assert_eq!(init["scenario"], scenario, "{what}");
    }
    let page: Vec<String> = played.all().iter().map(label).collect();
    out.push(format!("page: {}", fold(page).join(", ")));
    out.push(format!("channel: {}", played.ending()));

    let summary = settled(emu, &id).await;
    let result = result(emu, &id).await;
    let final_status = result["livenessStatus"].as_str().unwrap_or("?").to_string();
    if let Some(at_result) = &played.rest_at_result {
        // What the back end read when the page heard of the result is what it reads afterwards.
        assert_eq!(
            at_result["livenessStatus"], result["livenessStatus"],
            "{what}"
        );
        assert_eq!(summary["state"], "FINISHED", "{what}");
    } else {
        // A capture ended without a played result reports FAILED, except one ended by 1301
        // (no face within the capture time), which core reports as the vendor's TIMEOUT.
        let no_face = played
            .terminal
            .as_ref()
            .is_some_and(|t| t.to_string().contains("\"code\":1301"));
        let expected = if no_face { "TIMEOUT" } else { "FAILED" };
        assert_eq!(final_status, expected, "{what}: a capture without result");
        assert_eq!(summary["state"], "FAILED", "{what}");
    }
    assert_eq!(result["livenessMode"], mode, "{what}");
    assert_eq!(
        result["signature"].is_string(),
        final_status != "PENDING",
        "{what}: final results are signed"
    );
    out.push(format!(
        "liveness-challenge-result → {final_status}{}",
        result["diagnostic"]
            .as_str()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default()
    ));
    assert_eq!(summary["scenario"], scenario, "{what}");
    assert_eq!(summary["selectedBy"], "request", "{what}");

    let events = summary["events"].as_array().expect("events");
    let finalized = events.iter().position(|e| e["kind"] == "result");
    let reads: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| is_result_read(e))
        .map(|(i, _)| i)
        .collect();
    if played.rest_at_result.is_some() {
        // The read made when the page got `result` is in the transcript, after the result.
        assert!(!reads.is_empty(), "{what}: result read not recorded");
        assert!(
            reads.iter().all(|r| finalized.is_some_and(|f| f < *r)),
            "{what}: a result read before the result was final"
        );
        for r in &reads {
            assert_eq!(events[*r]["data"]["status"], 200, "{what}");
        }
    }
    let best = result["bestImageId"].as_str().unwrap_or_default();
    out.push("transcript:".into());
    out.extend(
        compact_transcript(&summary["events"], &[id.as_str(), best])
            .into_iter()
            .map(|l| format!("  {l}")),
    );
    out
}

#[tokio::test]
async fn every_builtin_scenario_plays_in_every_mode_as_the_contract_orders() {
    let emu = TestEmulator::with_config(Config {
        seed: Some(7),
        ..Config::for_tests()
    })
    .await;
    let names = builtin_scenarios(&emu).await;
    assert_eq!(
        names.iter().cloned().collect::<BTreeSet<_>>(),
        shipped_files(),
        "the admin API lists every shipped scenario as built-in"
    );
    for name in &names {
        let description = emu.json(&format!("/__emulator/scenarios/{name}")).await["description"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut text = vec![format!("# {name}: {description}")];
        for mode in MODES {
            text.push(String::new());
            text.extend(run_one(&emu, name, mode).await);
        }
        insta::assert_snapshot!(format!("catalogue-{name}"), text.join("\n"));
    }
    emu.shutdown().await;
}
