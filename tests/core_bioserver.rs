//! The Bioserver core API: bio-sessions, liveness results, faces, images and matches.

mod support;

use serde_json::{json, Value};
use support::{
    internals::{fixtures, LivenessStatus, ResultSpec, Scenario},
    *,
};

fn core(path: &str) -> String {
    format!("/bioserver-app/v2/bio-sessions/{path}")
}

#[tokio::test]
async fn an_unknown_bio_session_is_a_404() {
    let emu = TestEmulator::start().await;
    let res = emu.get(&core("no-such-session")).send().await.unwrap();
    assert_error(res, 404, "no-such-session").await;
}

#[tokio::test]
async fn the_result_is_pending_before_the_capture_ends() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let body = emu
        .json(&core(&format!("{id}/liveness-challenge-result")))
        .await;
    insta::assert_json_snapshot!("result_pending", body);
}

#[tokio::test]
async fn a_finished_passive_capture_has_every_documented_result_field() {
    let emu = TestEmulator::start().await;
    let id = emu
        .create(json!({"livenessMode": "LIVENESS_PASSIVE", "correlationId": "c-1"}))
        .await;
    emu.finish(&id);
    let body = emu
        .json(&core(&format!("{id}/liveness-challenge-result")))
        .await;
    let best = fixtures::image("face-1").unwrap();
    assert_eq!(body["imageStorage"]["hash"], fixtures::digest(&best.bytes));
    assert_eq!(body["videoStorage"]["hash"], fixtures::digest(&best.bytes));
    assert!(
        body.get("numberOfChallenge").is_none(),
        "passive has no numberOfChallenge"
    );
    assert!(body.get("age").is_none(), "no ageThreshold, no age");
    redacted().bind(|| insta::assert_json_snapshot!("result_success_passive", body));
}

#[tokio::test]
async fn an_active_result_reports_the_number_of_challenges() {
    let emu = TestEmulator::start().await;
    let id = emu
        .create(json!({"livenessMode": "LIVENESS_ACTIVE", "numberOfChallenge": 3}))
        .await;
    emu.finish(&id);
    let body = emu
        .json(&core(&format!("{id}/liveness-challenge-result")))
        .await;
    assert_eq!(body["numberOfChallenge"], 3);
    assert_eq!(body["livenessMode"], "LIVENESS_ACTIVE");
}

#[tokio::test]
async fn an_age_threshold_adds_the_age_estimation() {
    let emu = TestEmulator::start().await;
    let id = emu
        .create(json!({"livenessMode": "LIVENESS_PASSIVE_VIDEO", "ageThreshold": "18"}))
        .await;
    emu.finish(&id);
    let body = emu
        .json(&core(&format!("{id}/liveness-challenge-result")))
        .await;
    assert_eq!(
        body["age"],
        json!({"aboveThreshold": true, "ageEstimated": 27.4, "threshold": 18})
    );
}

#[tokio::test]
async fn the_age_estimate_comes_from_the_scenario() {
    let emu = TestEmulator::builder()
        .scenario(
            "teenager",
            Scenario {
                result: ResultSpec {
                    age: 15.0,
                    ..ResultSpec::default()
                },
                ..Scenario::default()
            },
        )
        .start()
        .await;
    let id = emu
        .create(json!({"livenessMode": "LIVENESS_PASSIVE_VIDEO", "ageThreshold": 18, "scenario": "teenager"}))
        .await;
    emu.finish(&id);
    let body = emu
        .json(&core(&format!("{id}/liveness-challenge-result")))
        .await;
    assert_eq!(body["age"]["aboveThreshold"], false);
    assert_eq!(body["age"]["ageEstimated"], 15);
}

#[tokio::test]
async fn above_threshold_is_the_estimate_at_or_over_the_sessions_threshold_as_documented() {
    let emu = TestEmulator::start().await;
    for (name, age, threshold, above) in [
        ("age-exact", json!(18), 18, true),
        ("age-rejected", json!(16.4), 18, false),
        ("age-just-under", json!(17.9), 18, false),
    ] {
        let scenario: Scenario = serde_json::from_value(json!({"result": {"age": age}}))
            .expect("the documented example parses");
        emu.add_scenario(name, scenario);
        let id = emu
            .create(json!({"livenessMode": "LIVENESS_PASSIVE_VIDEO", "ageThreshold": threshold, "scenario": name}))
            .await;
        emu.finish(&id);
        let body = emu
            .json(&core(&format!("{id}/liveness-challenge-result")))
            .await;
        assert_eq!(
            body["age"],
            json!({"aboveThreshold": above, "ageEstimated": age, "threshold": 18}),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_spoof_scenario_reports_spoof_with_its_diagnostic() {
    let emu = TestEmulator::builder()
        .scenario(
            "spoofed",
            Scenario {
                result: ResultSpec {
                    liveness_status: LivenessStatus::Spoof,
                    diagnostic: Some("mask detected".into()),
                    ..ResultSpec::default()
                },
                ..Scenario::default()
            },
        )
        .start()
        .await;
    let id = emu
        .create(json!({"livenessMode": "LIVENESS_PASSIVE", "scenario": "spoofed"}))
        .await;
    emu.finish(&id);
    let body = emu
        .json(&core(&format!("{id}/liveness-challenge-result")))
        .await;
    assert_eq!(body["livenessStatus"], "SPOOF");
    assert_eq!(body["diagnostic"], "mask detected");
}

#[tokio::test]
async fn the_result_of_an_unknown_session_is_a_404() {
    let emu = TestEmulator::start().await;
    let res = emu
        .get(&core("nope/liveness-challenge-result"))
        .send()
        .await
        .unwrap();
    assert_error(res, 404, "Unable to find a bio-session").await;
}

#[tokio::test]
async fn the_best_image_is_a_face_whose_image_is_the_fixture() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    emu.finish(&id);
    let best = emu.best_image_id(&id).await;
    let res = emu
        .get(&core(&format!("{id}/faces/{best}/image")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.bytes().await.unwrap().to_vec(), fixture("face-1"));
}

#[tokio::test]
async fn posting_a_face_answers_201_with_a_location_that_ends_with_the_face_id() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let face = br#"{"imageType":"SELFIE","friendlyName":"selfie","imageRotationEnabled":"true"}"#;
    let res = emu.upload(&id, fixture("reference-1"), Some(face)).await;
    assert_eq!(res.status(), 201);
    let loc = location(&res);
    let fid = face_id(&res);
    assert_eq!(loc, format!("/v2/bio-sessions/{id}/faces/{fid}"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["id"], fid);
    assert_eq!(body["friendlyName"], "selfie");
}

#[tokio::test]
async fn an_empty_face_part_gives_the_defaults() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let res = emu.upload(&id, fixture("reference-1"), Some(b"")).await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["imageType"], "SELFIE");
    assert!(body.get("friendlyName").is_none());
}

#[tokio::test]
async fn a_missing_face_part_gives_the_defaults() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let res = emu.upload(&id, fixture("selfie-1"), None).await;
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn a_boolean_image_rotation_flag_is_accepted() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let res = emu
        .upload(
            &id,
            fixture("selfie-1"),
            Some(br#"{"imageType":"ID_DOCUMENT","imageRotationEnabled":false}"#),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["imageType"], "ID_DOCUMENT");
}

#[tokio::test]
async fn a_face_part_that_is_not_json_is_a_400() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let res = emu
        .upload(&id, fixture("selfie-1"), Some(b"imageType=SELFIE"))
        .await;
    assert_error(res, 400, "'face' part is not valid JSON").await;
}

#[tokio::test]
async fn an_image_rotation_flag_of_the_wrong_type_is_a_400() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let res = emu
        .upload(
            &id,
            fixture("selfie-1"),
            Some(br#"{"imageRotationEnabled":"maybe"}"#),
        )
        .await;
    assert_error(res, 400, "\"imageRotationEnabled\"").await;
}

#[tokio::test]
async fn an_image_part_that_is_not_an_image_is_a_400() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let res = emu.upload(&id, b"hello, I am text".to_vec(), None).await;
    assert_error(res, 400, "not a JPEG or PNG image").await;
}

#[tokio::test]
async fn a_form_without_an_image_part_is_a_400() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let form = reqwest::multipart::Form::new().text("face", "{}");
    let res = emu
        .post(&core(&format!("{id}/faces")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_error(res, 400, "no 'image' part").await;
}

#[tokio::test]
async fn a_face_body_that_is_not_multipart_is_a_400() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let res = emu
        .post(&core(&format!("{id}/faces")))
        .json(&json!({"image": "abc"}))
        .send()
        .await
        .unwrap();
    assert_error(res, 400, "multipart/form-data").await;
}

#[tokio::test]
async fn an_oversized_face_upload_is_a_413() {
    let emu = TestEmulator::with_config(Config {
        max_body: 16 * 1024,
        ..Config::for_tests()
    })
    .await;
    let id = emu.create_passive().await;
    let res = emu.upload(&id, fixture("face-1"), None).await;
    assert_error(res, 413, "").await;
}

#[tokio::test]
async fn posting_a_face_to_an_unknown_session_is_a_404() {
    let emu = TestEmulator::start().await;
    let res = emu.upload("nope", fixture("selfie-1"), None).await;
    assert_error(res, 404, "nope").await;
}

#[tokio::test]
async fn a_face_reads_back_with_digest_quality_and_landmarks() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let fid = emu.upload_fixture(&id, "reference-1").await;
    let res = emu
        .get(&core(&format!("{id}/faces/{fid}")))
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "a GET with a content-type is accepted");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["digest"], fixtures::digest(&fixture("reference-1")));
    assert!(body["quality"].as_f64().unwrap() >= 200.0);
    redacted().bind(|| insta::assert_json_snapshot!("face_reference_1", body));
}

#[tokio::test]
async fn landmarks_follow_the_real_image_size() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let png = emu.upload_fixture(&id, "selfie-1").await;
    let jpg = emu.upload_fixture(&id, "face-1").await;
    for (fid, (w, h)) in [(png, (360, 480)), (jpg, (640, 800))] {
        let body = emu.json(&core(&format!("{id}/faces/{fid}"))).await;
        let b = fixtures::face_box(w, h);
        let e = fixtures::eyes(w, h);
        assert_eq!(
            body["landmarks"]["box"],
            json!({"x": b.x as i64, "y": b.y as i64, "width": b.width as i64, "height": b.height as i64})
        );
        assert_eq!(
            body["landmarks"]["eyes"],
            json!({"x1": e.x1, "y1": e.y1, "x2": e.x2, "y2": e.y2})
        );
        assert!(e.x2 < b.x + b.width && e.y1 < b.y + b.height);
    }
}

#[tokio::test]
async fn an_unknown_face_is_a_404() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let res = emu
        .get(&core(&format!("{id}/faces/no-such-face")))
        .send()
        .await
        .unwrap();
    assert_error(res, 404, "no-such-face").await;
}

#[tokio::test]
async fn a_png_image_comes_back_as_png() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let fid = emu.upload_fixture(&id, "selfie-1").await;
    let res = emu
        .get(&core(&format!("{id}/faces/{fid}/image")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().await.unwrap().to_vec(), fixture("selfie-1"));
}

#[tokio::test]
async fn compression_returns_a_valid_jpeg_of_the_same_size() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let fid = emu.upload_fixture(&id, "selfie-1").await;
    let res = emu
        .get(&core(&format!("{id}/faces/{fid}/image?compression=true")))
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let bytes = res.bytes().await.unwrap();
    let decoded =
        image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg).expect("valid JPEG");
    assert_eq!((decoded.width(), decoded.height()), (360, 480));
    assert!(bytes.len() < fixture("selfie-1").len());
}

#[tokio::test]
async fn a_compression_value_that_is_not_a_boolean_is_a_400() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let fid = emu.upload_fixture(&id, "selfie-1").await;
    let res = emu
        .get(&core(&format!("{id}/faces/{fid}/image?compression=much")))
        .send()
        .await
        .unwrap();
    assert_error(res, 400, "'compression' must be true or false").await;
}

#[tokio::test]
async fn the_image_is_204_when_the_scenario_disables_image_storage() {
    let emu = TestEmulator::builder()
        .scenario(
            "no-storage",
            Scenario {
                result: ResultSpec {
                    image_storage: false,
                    ..ResultSpec::default()
                },
                ..Scenario::default()
            },
        )
        .start()
        .await;
    let res = emu
        .post("/video-server/init-liveness-session")
        .header("X-Emulator-Scenario", "no-storage")
        .json(&json!({"livenessMode": "LIVENESS_PASSIVE"}))
        .send()
        .await
        .unwrap();
    let id = session_id(&res);
    emu.finish(&id);
    let best = emu.best_image_id(&id).await;
    let res = emu
        .get(&core(&format!("{id}/faces/{best}/image")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(res.bytes().await.unwrap().is_empty());
    let result = emu
        .json(&core(&format!("{id}/liveness-challenge-result")))
        .await;
    assert!(result.get("imageStorage").is_none());
}

#[tokio::test]
async fn matches_list_every_other_face_best_first_with_a_consistent_far() {
    let emu = TestEmulator::start().await;
    let id = emu
        .create(json!({"livenessMode": "LIVENESS_PASSIVE", "correlationId": "c-9"}))
        .await;
    emu.finish(&id);
    let best = emu.best_image_id(&id).await;
    let a = emu.upload_fixture(&id, "reference-1").await;
    let b = emu.upload_fixture(&id, "selfie-1").await;
    let matches = emu.json(&core(&format!("{id}/faces/{best}/matches"))).await;
    let list = matches.as_array().expect("an array");
    assert_eq!(list.len(), 2);
    let mut candidates: Vec<&str> = list
        .iter()
        .map(|m| m["candidate"]["id"].as_str().unwrap())
        .collect();
    candidates.sort_unstable();
    let mut expected = vec![a.as_str(), b.as_str()];
    expected.sort_unstable();
    assert_eq!(candidates, expected);
    let scores: Vec<f64> = list.iter().map(|m| m["score"].as_f64().unwrap()).collect();
    assert!(scores[0] >= scores[1], "best first: {scores:?}");
    let fars: Vec<f64> = list
        .iter()
        .map(|m| m["falseAcceptanceRate"].as_f64().unwrap())
        .collect();
    assert!(fars[0] <= fars[1], "higher score, lower FAR: {fars:?}");
    for m in list {
        assert_eq!(m["reference"]["id"], best);
        assert_eq!(m["correlationId"], "c-9");
        let score = m["score"].as_f64().unwrap();
        assert!(score >= 3000.0, "default scenario matches");
        assert!((score - 7771.43).abs() / 7771.43 <= 0.006);
        let far = m["falseAcceptanceRate"].as_f64().unwrap();
        assert!(
            far > 1e-12 && far < 1e-9,
            "near the vendor's 2.9e-11: {far}"
        );
    }
    let first = list[0].clone();
    redacted().bind(|| insta::assert_json_snapshot!("match_element", first, {".score" => "[score]", ".falseAcceptanceRate" => "[far]"}));
}

#[tokio::test]
async fn a_no_match_scenario_scores_below_the_threshold() {
    let emu = TestEmulator::builder()
        .scenario(
            "mismatch",
            Scenario {
                result: ResultSpec {
                    match_score: 1200.0,
                    ..ResultSpec::default()
                },
                ..Scenario::default()
            },
        )
        .start()
        .await;
    let id = emu
        .create(json!({"livenessMode": "LIVENESS_PASSIVE", "scenario": "mismatch"}))
        .await;
    emu.finish(&id);
    let best = emu.best_image_id(&id).await;
    let selfie = emu.upload_fixture(&id, "other-person").await;
    let matches = emu.json(&core(&format!("{id}/faces/{best}/matches"))).await;
    assert_eq!(matches[0]["candidate"]["id"], selfie);
    assert!(matches[0]["score"].as_f64().unwrap() < 3000.0);
}

#[tokio::test]
async fn a_score_just_above_the_threshold_stays_above_it() {
    let emu = TestEmulator::builder()
        .scenario(
            "borderline",
            Scenario {
                result: ResultSpec {
                    match_score: 3000.0,
                    ..ResultSpec::default()
                },
                ..Scenario::default()
            },
        )
        .start()
        .await;
    let id = emu
        .create(json!({"livenessMode": "LIVENESS_PASSIVE", "scenario": "borderline"}))
        .await;
    emu.finish(&id);
    let best = emu.best_image_id(&id).await;
    for name in ["reference-1", "selfie-1", "face-2", "other-person"] {
        emu.upload_fixture(&id, name).await;
    }
    let matches = emu.json(&core(&format!("{id}/faces/{best}/matches"))).await;
    for m in matches.as_array().unwrap() {
        assert!(m["score"].as_f64().unwrap() >= 3000.0, "{m}");
    }
}

#[tokio::test]
async fn matches_of_an_unknown_reference_face_are_a_404() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let res = emu
        .get(&core(&format!("{id}/faces/ghost/matches")))
        .send()
        .await
        .unwrap();
    assert_error(res, 404, "ghost").await;
}

#[tokio::test]
async fn matches_of_a_lonely_face_are_an_empty_array() {
    let emu = TestEmulator::start().await;
    let id = emu.create_passive().await;
    let fid = emu.upload_fixture(&id, "selfie-1").await;
    let matches = emu.json(&core(&format!("{id}/faces/{fid}/matches"))).await;
    assert_eq!(matches, json!([]));
}
