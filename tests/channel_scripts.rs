//! The four stub SDK scripts and the browser-config route are served publicly, as JavaScript,
//! with the scenario's browser part baked in.

mod support;

use serde_json::{json, Value};
use support::*;

const NAMES: [(&str, &str); 4] = [
    ("bioserver-environment-api.js", "BioserverEnvironment"),
    ("bioserver-network-check.js", "BioserverNetworkCheck"),
    ("bioserver-video-api.js", "BioserverVideo"),
    ("bioserver-video-ui.js", "BioserverVideoUI"),
];

#[tokio::test]
async fn every_script_is_javascript_without_a_key_and_defines_its_global() {
    let emu = TestEmulator::start().await;
    for (name, global) in NAMES {
        let res = reqwest::get(emu.at(&format!("/video-server/{name}")))
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{name}");
        let ct = res.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.starts_with("text/javascript"), "{name}: {ct}");
        let corp = res
            .headers()
            .get("cross-origin-resource-policy")
            .map(|v| v.to_str().unwrap().to_string());
        let body = res.text().await.unwrap();
        assert!(
            body.contains(&format!("global.{global} =")),
            "{name} defines {global}"
        );
        assert!(
            !body.contains("@EMULATOR_BROWSER_CONFIG@"),
            "{name}: config baked in"
        );
        if name != "bioserver-video-ui.js" {
            assert!(
                body.contains(r#""scenario":"success""#),
                "{name}: default scenario baked in"
            );
        }
        assert_eq!(
            corp.as_deref(),
            Some("cross-origin"),
            "{name}: loadable by COEP pages"
        );
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn a_script_url_can_name_the_scenario_to_bake_in() {
    let emu = TestEmulator::builder()
        .scenario("test-denied", json!({"browser": {"camera": "denied"}}))
        .start()
        .await;
    let body = reqwest::get(format!(
        "{}/video-server/bioserver-video-api.js?emulator-scenario=test-denied",
        emu.url()
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(body.contains(r#""camera":"denied""#));
    emu.shutdown().await;
}

#[tokio::test]
async fn the_browser_route_returns_a_scenarios_browser_part() {
    let emu = TestEmulator::builder()
        .scenario(
            "test-weak",
            json!({"browser": {"network": {"uploadKbps": 120}}}),
        )
        .start()
        .await;
    let res = reqwest::get(format!(
        "{}/video-server/emulator/browser?scenario=test-weak",
        emu.url()
    ))
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["scenario"], "test-weak");
    assert_eq!(v["browser"]["network"]["uploadKbps"], 120.0);
    emu.shutdown().await;
}

#[tokio::test]
async fn the_browser_route_answers_404_json_for_an_unknown_scenario() {
    let emu = TestEmulator::start().await;
    let res = reqwest::get(format!(
        "{}/video-server/emulator/browser?scenario=nope",
        emu.url()
    ))
    .await
    .unwrap();
    assert_eq!(res.status(), 404);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["code"], 404);
    assert!(v["error"].as_str().unwrap().contains("nope"));
    emu.shutdown().await;
}

#[tokio::test]
async fn the_channel_path_without_an_upgrade_is_a_json_error() {
    let emu = TestEmulator::start().await;
    let res = reqwest::get(emu.at("/video-server/engine.io/"))
        .await
        .unwrap();
    assert!(res.status().is_client_error());
    let v: Value = res.json().await.unwrap();
    assert!(v["code"].is_number());
    emu.shutdown().await;
}
