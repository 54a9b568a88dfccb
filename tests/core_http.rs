//! HTTP behaviour shared by the video-server and core endpoints: keys, CORS/CORP, preflight,
//! tolerated headers, and JSON errors for wrong methods and unknown paths.

mod support;

use serde_json::json;
use support::*;

#[tokio::test]
async fn core_without_an_api_key_is_a_401() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let res = emu
        .http()
        .get(emu.at(&format!(
            "/bioserver-app/v2/bio-sessions/{id}/liveness-challenge-result"
        )))
        .send()
        .await
        .unwrap();
    assert_error(res, 401, "apikey").await;
}

#[tokio::test]
async fn a_wrong_method_on_init_is_a_405_json_error() {
    let emu = TestEmulator::start().await;
    let res = emu
        .get("/video-server/init-liveness-session")
        .send()
        .await
        .unwrap();
    assert_error(res, 405, "Method GET is not allowed").await;
}

#[tokio::test]
async fn a_wrong_method_on_a_face_is_a_405_json_error() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let res = emu
        .http()
        .delete(emu.at(&format!("/bioserver-app/v2/bio-sessions/{id}/faces/x")))
        .header("apikey", KEY)
        .send()
        .await
        .unwrap();
    assert_error(res, 405, "not allowed").await;
}

#[tokio::test]
async fn the_browser_surface_carries_cors_and_corp_headers() {
    let emu = TestEmulator::start().await;
    for path in [
        "/video-server/network-latency",
        "/video-server/bioserver-video-api.js",
        "/video-server/emulator/browser?scenario=success",
    ] {
        let res = emu.http().get(emu.at(path)).send().await.unwrap();
        assert_eq!(res.headers()["access-control-allow-origin"], "*", "{path}");
        assert_eq!(
            res.headers()["cross-origin-resource-policy"],
            "cross-origin",
            "{path}"
        );
    }
}

#[tokio::test]
async fn back_end_video_server_answers_grant_nothing_to_browsers() {
    let emu = TestEmulator::start().await;
    for res in [
        emu.get("/video-server/v2/capabilities")
            .send()
            .await
            .unwrap(),
        emu.init(json!({"livenessMode": "LIVENESS_PASSIVE"})).await,
        emu.init(json!({})).await,
    ] {
        assert!(
            res.headers().get("access-control-allow-origin").is_none(),
            "{}",
            res.url()
        );
    }
}

#[tokio::test]
async fn a_preflight_for_network_speed_is_answered() {
    let emu = TestEmulator::start().await;
    let res = emu
        .http()
        .request(
            reqwest::Method::OPTIONS,
            emu.at("/video-server/network-speed"),
        )
        .header("Origin", "https://localhost:9943")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    assert!(res.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    assert_eq!(
        res.headers()["access-control-allow-headers"],
        "content-type"
    );
}

#[tokio::test]
async fn a_preflight_for_init_is_refused_without_cors_headers() {
    let emu = TestEmulator::start().await;
    let res = emu
        .http()
        .request(
            reqwest::Method::OPTIONS,
            emu.at("/video-server/init-liveness-session"),
        )
        .header("Origin", "http://localhost:8088")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    assert_error(res, 403, "browser surface").await;
}

#[tokio::test]
async fn tenant_role_and_forwarded_for_headers_are_accepted_on_core() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let res = emu
        .get(&format!("/bioserver-app/v2/bio-sessions/{id}"))
        .header("Tenant-Role", "RELYING_SERVICE")
        .header("X-Forwarded-For", "to-specify")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn an_unknown_core_path_is_a_404_json_error() {
    let emu = TestEmulator::start().await;
    let res = emu
        .get("/bioserver-app/v2/nothing-here")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], 404);
}

#[tokio::test]
async fn the_curl_flow_of_the_readme_works_end_to_end() {
    let emu = TestEmulator::start().await;
    let caps = emu.json("/video-server/v2/capabilities").await;
    assert_eq!(caps["version"], "3.36.0");
    let id = emu
        .create(json!({"livenessMode": "LIVENESS_PASSIVE"}))
        .await;
    emu.finish(&id);
    let best = emu.best_image_id(&id).await;
    let face = emu.upload_fixture(&id, "reference-1").await;
    let read = emu
        .json(&format!("/bioserver-app/v2/bio-sessions/{id}/faces/{face}"))
        .await;
    assert_eq!(read["id"], face);
    let image = emu
        .get(&format!(
            "/bioserver-app/v2/bio-sessions/{id}/faces/{face}/image"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), 200);
    let matches = emu
        .json(&format!(
            "/bioserver-app/v2/bio-sessions/{id}/faces/{best}/matches"
        ))
        .await;
    assert_eq!(matches[0]["candidate"]["id"], face);
    assert!(matches[0]["score"].as_f64().unwrap() >= 3000.0);
}

#[tokio::test]
async fn every_vendor_api_needs_a_key_and_the_browser_facing_paths_do_not() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    for (method, path) in [
        ("POST", "/video-server/init-liveness-session".to_string()),
        ("GET", "/video-server/v2/capabilities".to_string()),
        ("GET", format!("/bioserver-app/v2/bio-sessions/{id}")),
        ("POST", format!("/bioserver-app/v2/bio-sessions/{id}/faces")),
        ("POST", "/gips/v1/identities".to_string()),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let res = emu
            .http()
            .request(method, emu.at(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{path}");
    }
    for path in [
        "/video-server/network-latency",
        "/video-server/bioserver-video-api.js",
        "/__emulator/health",
    ] {
        let res = emu.http().get(emu.at(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
    }
}
