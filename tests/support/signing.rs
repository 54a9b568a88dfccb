//! What an integrator does to check a signed body, and how a test has the emulator sign one.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{jwk::JwkSet, Algorithm, DecodingKey};
use serde_json::Value;

use super::{
    emulator::TestEmulator,
    internals::{signing, SignatureMode},
};

impl TestEmulator {
    /// Signs `body` as the emulator signs a result (`mode` as a scenario's `signature` says).
    pub fn sign(&self, body: &mut Value, mode: SignatureMode) {
        signing::attach(&self.state().signer, body, mode);
    }
}

/// What an integrator does: verify the JWS with the published key, then check that its payload
/// is the body received (minus `signature`). Returns why it rejects, if it does.
pub fn verify(body: &Value, jwks: &JwkSet) -> Result<(), String> {
    let jws = body["signature"].as_str().ok_or("no signature")?;
    let parts: Vec<&str> = jws.split('.').collect();
    let [header, payload, signature] = parts[..] else {
        return Err(format!("not a compact JWS: {jws}"));
    };
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let jwk = jwks
        .find(header["kid"].as_str().ok_or("no kid")?)
        .ok_or("kid not in the JWKS")?;
    let alg = match header["alg"].as_str() {
        Some("ES256") => Algorithm::ES256,
        Some("RS256") => Algorithm::RS256,
        other => return Err(format!("unexpected alg {other:?}")),
    };
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    let valid = jsonwebtoken::crypto::verify(
        signature,
        format!("{}.{payload}", parts[0]).as_bytes(),
        &key,
        alg,
    )
    .map_err(|e| e.to_string())?;
    if !valid {
        return Err("bad signature".into());
    }
    let signed: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let mut received = body.clone();
    received
        .as_object_mut()
        .ok_or("body is not an object")?
        .remove("signature");
    if signed != received {
        return Err("the signed payload is not the body received".into());
    }
    Ok(())
}

/// The JWKS `emu` publishes, as JSON (`GET /__emulator/jwks.json`).
pub async fn published_jwks(emu: &TestEmulator) -> Value {
    reqwest::get(emu.admin("/jwks.json"))
        .await
        .expect("GET jwks")
        .json()
        .await
        .expect("JWKS JSON")
}

/// The JWKS `emu` publishes, as an integrator's JOSE library reads it.
pub async fn jwks(emu: &TestEmulator) -> JwkSet {
    serde_json::from_value(published_jwks(emu).await).expect("a JWK set")
}
