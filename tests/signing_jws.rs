//! Signed results: a body signed by the emulator verifies against the key published at
//! `/__emulator/jwks.json`, and a tampered body or an `invalid` scenario signature does not.

mod support;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{json, Value};
use support::{
    internals::SignatureMode,
    signing::{jwks, published_jwks, verify},
    *,
};

fn result_body() -> Value {
    json!({"livenessStatus": "SUCCESS", "bestImageId": "f-1", "livenessMode": "LIVENESS_PASSIVE", "diagnostic": "ok"})
}

#[tokio::test]
async fn a_signed_body_verifies_against_the_published_jwks() {
    let emu = TestEmulator::start().await;
    let raw = published_jwks(&emu).await;
    let key = &raw["keys"][0];
    assert_eq!(key["kty"], "EC");
    assert_eq!(key["crv"], "P-256");
    assert_eq!(key["alg"], "ES256");
    assert_eq!(key["use"], "sig");
    assert!(key["x"].is_string() && key["y"].is_string() && key["kid"].is_string());

    let mut body = result_body();
    emu.sign(&mut body, SignatureMode::Valid);
    let jws = body["signature"].as_str().expect("signature attached");
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(jws.split('.').next().expect("header"))
            .expect("b64"),
    )
    .expect("JSON");
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["kid"], key["kid"]);
    let set = jwks(&emu).await;
    assert_eq!(verify(&body, &set), Ok(()));
    // The signature covers the body as sent: re-serializing it minus `signature` gives the payload bytes.
    let mut unsigned = body.clone();
    unsigned
        .as_object_mut()
        .expect("object")
        .remove("signature");
    let payload = URL_SAFE_NO_PAD
        .decode(jws.split('.').nth(1).expect("payload"))
        .expect("b64");
    assert_eq!(payload, serde_json::to_vec(&unsigned).expect("serialize"));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_tampered_body_or_payload_is_rejected() {
    let emu = TestEmulator::start().await;
    let set = jwks(&emu).await;
    let mut body = result_body();
    emu.sign(&mut body, SignatureMode::Valid);

    let mut tampered = body.clone();
    tampered["livenessStatus"] = json!("SPOOF");
    assert_eq!(
        verify(&tampered, &set),
        Err("the signed payload is not the body received".into())
    );

    // Forging the payload segment to match the tampered body breaks the signature instead.
    let jws = body["signature"].as_str().expect("jws").to_string();
    let parts: Vec<&str> = jws.split('.').collect();
    let mut unsigned = tampered.clone();
    unsigned
        .as_object_mut()
        .expect("object")
        .remove("signature");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&unsigned).expect("json")),
        parts[2]
    );
    tampered["signature"] = json!(forged);
    assert_eq!(verify(&tampered, &set), Err("bad signature".into()));
    emu.shutdown().await;
}

#[tokio::test]
async fn scenarios_can_make_the_signature_invalid_or_absent() {
    let emu = TestEmulator::start().await;
    let set = jwks(&emu).await;
    let mut invalid = result_body();
    emu.sign(&mut invalid, SignatureMode::Invalid);
    assert_eq!(
        invalid["signature"].as_str().map(|s| s.split('.').count()),
        Some(3),
        "well-formed JWS"
    );
    assert_eq!(verify(&invalid, &set), Err("bad signature".into()));

    let mut absent = result_body();
    absent["signature"] = json!("stale");
    emu.sign(&mut absent, SignatureMode::Absent);
    assert_eq!(absent, result_body(), "no signature member at all");
    emu.shutdown().await;
}

#[tokio::test]
async fn the_certificate_carries_the_published_public_key() {
    let emu = TestEmulator::start().await;
    let res = reqwest::get(emu.admin("/certificate.pem"))
        .await
        .expect("GET");
    assert_eq!(res.status(), 200);
    let pem = res.text().await.expect("text");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let der = pem::parse_certificate(&pem);
    let raw = published_jwks(&emu).await;
    let mut point = vec![0x04];
    point.extend(
        URL_SAFE_NO_PAD
            .decode(raw["keys"][0]["x"].as_str().expect("x"))
            .expect("b64"),
    );
    point.extend(
        URL_SAFE_NO_PAD
            .decode(raw["keys"][0]["y"].as_str().expect("y"))
            .expect("b64"),
    );
    assert!(
        der.windows(point.len()).any(|w| w == point.as_slice()),
        "the certificate holds the JWKS key"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn a_loaded_rsa_key_signs_with_rs256() {
    let config = Config {
        signing_key: Some(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/data/rsa-signing-key.pem"
            )
            .into(),
        ),
        ..Config::for_tests()
    };
    let emu = TestEmulator::with_config(config).await;
    let raw = published_jwks(&emu).await;
    assert_eq!(raw["keys"][0]["kty"], "RSA");
    assert_eq!(raw["keys"][0]["alg"], "RS256");
    let set = jwks(&emu).await;
    let mut body = result_body();
    emu.sign(&mut body, SignatureMode::Valid);
    assert_eq!(verify(&body, &set), Ok(()));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_loaded_ec_key_is_the_one_published() {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("generate");
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), key.serialize_pem()).expect("write");
    let config = Config {
        signing_key: Some(file.path().to_path_buf()),
        ..Config::for_tests()
    };
    let emu = TestEmulator::with_config(config).await;
    let raw = published_jwks(&emu).await;
    let x = URL_SAFE_NO_PAD
        .decode(raw["keys"][0]["x"].as_str().expect("x"))
        .expect("b64");
    assert_eq!(&key.public_key_raw()[1..33], x.as_slice());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_bad_signing_key_stops_the_start_with_a_message_naming_the_problem() {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), "not a key").expect("write");
    let config = Config {
        signing_key: Some(file.path().to_path_buf()),
        ..Config::for_tests()
    };
    let err = TestEmulator::builder().config(config).refused().await;
    assert!(err.to_string().contains("signing key"), "{err}");
    let missing = Config {
        signing_key: Some("/nonexistent/key.pem".into()),
        ..Config::for_tests()
    };
    let err = TestEmulator::builder().config(missing).refused().await;
    assert!(err.to_string().contains("/nonexistent/key.pem"), "{err}");
}

mod pem {
    use base64::{engine::general_purpose::STANDARD, Engine};

    /// The DER bytes of the first certificate of a PEM text.
    pub fn parse_certificate(pem: &str) -> Vec<u8> {
        let body: String = pem
            .lines()
            .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE-----"))
            .skip(1)
            .take_while(|l| !l.starts_with("-----END"))
            .collect();
        STANDARD.decode(body).expect("base64 certificate")
    }
}
