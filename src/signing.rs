//! Signed results: a compact JWS over response bodies, and the published public key.
//!
//! Core's `liveness-challenge-result` and `matches` carry `"signature": "<compact JWS>"`. The JWS
//! payload is the response body **without** its `signature` member, serialized as sent (member
//! order kept), so an integrator verifies the JWS against the published key and then checks that
//! the payload equals the body it received. The key pair is generated at start (ES256, P-256) or
//! loaded with `--signing-key` (PKCS#8 PEM, EC P-256 → ES256 or RSA → RS256). It is published as
//! a self-signed X.509 certificate at `/__emulator/certificate.pem` and as a JWKS at
//! `/__emulator/jwks.json` (routes in `control::keys`, with the rest of the control plane); the
//! `kid` is the key's RFC 7638 thumbprint. This module is the crypto alone: it knows no state.
//!
//! Signatures are made with `ring` (already in the tree for TLS): its assembly P-256 signs in
//! tens of microseconds, where the pure-Rust backend of `jsonwebtoken` took ~400 µs — a fifth
//! of the server's CPU when thousands of captures finish at once. `jsonwebtoken` still builds
//! the JWK and verifies in tests.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{
    jwk::{Jwk, JwkSet, ThumbprintHash},
    Algorithm, EncodingKey,
};
use serde_json::{json, Value};

use crate::{config::Config, scenarios::model::SignatureMode};

/// Why a signing key could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// The `--signing-key` file could not be read.
    #[error("cannot read the signing key {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The key is not a PKCS#8 EC P-256 or RSA private key.
    #[error("the signing key must be a PKCS#8 PEM (\"-----BEGIN PRIVATE KEY-----\") EC P-256 or RSA private key: {0}")]
    Key(String),
    /// The certificate could not be made.
    #[error("cannot build the signing certificate: {0}")]
    Certificate(String),
    /// Signing failed (the system random source failed).
    #[error("cannot sign: {0}")]
    Sign(String),
}

/// The private key, ready to sign.
enum SigningKey {
    Ec(ring::signature::EcdsaKeyPair),
    Rsa(ring::signature::RsaKeyPair),
}

/// The result-signing key and what is published about it.
pub struct Signer {
    alg: Algorithm,
    key: SigningKey,
    rng: ring::rand::SystemRandom,
    /// `base64url({"alg":…,"kid":…})`, the same for every JWS.
    header_b64: String,
    kid: String,
    jwk: Jwk,
    certificate_pem: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A fresh ES256 (P-256) key pair.
    pub fn generate() -> Result<Self, SigningError> {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .map_err(|e| SigningError::Key(e.to_string()))?;
        Self::from_key_pair(pair)
    }

    /// The key in a PKCS#8 PEM text (EC P-256 → ES256, RSA → RS256).
    pub fn from_pem(pem: &str) -> Result<Self, SigningError> {
        let pair = rcgen::KeyPair::from_pem(pem).map_err(|e| SigningError::Key(e.to_string()))?;
        Self::from_key_pair(pair)
    }

    /// The key `--signing-key` names, or a generated one.
    pub fn from_config(config: &Config) -> Result<Self, SigningError> {
        match &config.signing_key {
            Some(path) => {
                let pem = std::fs::read_to_string(path).map_err(|source| SigningError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
                Self::from_pem(&pem)
            }
            None => Self::generate(),
        }
    }

    /// Like [`Signer::from_config`], but never fails: a bad `--signing-key` is logged and a key is
    /// generated instead (the server refuses to start on a bad key before it gets here).
    pub fn for_config(config: &Config) -> Self {
        match Self::from_config(config) {
            Ok(signer) => signer,
            Err(e) => {
                tracing::error!(error = %e, "using a generated signing key instead");
                // Generating a P-256 key only fails when the system random source does.
                Self::generate().expect("cannot generate a signing key: no system randomness")
            }
        }
    }

    fn from_key_pair(pair: rcgen::KeyPair) -> Result<Self, SigningError> {
        let pem = pair.serialize_pem();
        let (alg, key) = if pair.algorithm() == &rcgen::PKCS_ECDSA_P256_SHA256 {
            (Algorithm::ES256, EncodingKey::from_ec_pem(pem.as_bytes()))
        } else if pair.algorithm() == &rcgen::PKCS_RSA_SHA256 {
            (Algorithm::RS256, EncodingKey::from_rsa_pem(pem.as_bytes()))
        } else {
            return Err(SigningError::Key(
                "only EC P-256 and RSA keys are supported".into(),
            ));
        };
        let key = key.map_err(|e| SigningError::Key(e.to_string()))?;
        let rng = ring::rand::SystemRandom::new();
        let der = pair.serialize_der();
        let signing_key = match alg {
            Algorithm::ES256 => ring::signature::EcdsaKeyPair::from_pkcs8(
                &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                &der,
                &rng,
            )
            .map(SigningKey::Ec)
            .map_err(|e| SigningError::Key(e.to_string()))?,
            _ => ring::signature::RsaKeyPair::from_pkcs8(&der)
                .map(SigningKey::Rsa)
                .map_err(|e| SigningError::Key(e.to_string()))?,
        };
        let mut jwk =
            Jwk::from_encoding_key(&key, alg).map_err(|e| SigningError::Key(e.to_string()))?;
        let kid = jwk.thumbprint(ThumbprintHash::SHA256);
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new())
            .map_err(|e| SigningError::Certificate(e.to_string()))?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(
            rcgen::DnType::CommonName,
            "webcapture-emulator result signing",
        );
        params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        let certificate = params
            .self_signed(&pair)
            .map_err(|e| SigningError::Certificate(e.to_string()))?;
        let alg_name = match alg {
            Algorithm::RS256 => "RS256",
            _ => "ES256",
        };
        let header_b64 = URL_SAFE_NO_PAD.encode(json!({"alg": alg_name, "kid": kid}).to_string());
        Ok(Signer {
            alg,
            key: signing_key,
            rng,
            header_b64,
            kid,
            jwk,
            certificate_pem: certificate.pem(),
        })
    }

    /// The JWS algorithm (`ES256` or `RS256`).
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The key id put in every JWS header and in the JWKS.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWKS document.
    pub fn jwks(&self) -> Value {
        serde_json::to_value(JwkSet {
            keys: vec![self.jwk.clone()],
        })
        .unwrap_or_else(|_| json!({"keys": []}))
    }

    /// The self-signed certificate of the public key (PEM).
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// A compact JWS `header.payload.signature` over `payload` exactly as given.
    ///
    /// The payload is signed byte for byte (not re-serialized), so what an integrator verifies
    /// is exactly the body it received. It verifies with the published JWKS like this:
    ///
    /// ```
    /// use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    /// use jsonwebtoken::{jwk::JwkSet, DecodingKey};
    /// use webcapture_emulator::internals::signing::Signer;
    ///
    /// let signer = Signer::generate().unwrap();
    /// let body = br#"{"livenessStatus":"SUCCESS"}"#;
    /// let jws = signer.sign(body).unwrap();
    ///
    /// // What the integrator does with `GET /__emulator/jwks.json`:
    /// let jwks: JwkSet = serde_json::from_value(signer.jwks()).unwrap();
    /// let key = DecodingKey::from_jwk(jwks.find(signer.kid()).unwrap()).unwrap();
    /// let (signing_input, signature) = jws.rsplit_once('.').unwrap();
    /// assert!(jsonwebtoken::crypto::verify(signature, signing_input.as_bytes(), &key, signer.algorithm()).unwrap());
    /// // The payload is the body as sent.
    /// let payload = signing_input.split('.').nth(1).unwrap();
    /// assert_eq!(URL_SAFE_NO_PAD.decode(payload).unwrap(), body);
    /// // A signature over another body does not verify.
    /// let forged = format!("{}.{}", signing_input.split('.').next().unwrap(), URL_SAFE_NO_PAD.encode(b"{}"));
    /// assert!(!jsonwebtoken::crypto::verify(signature, forged.as_bytes(), &key, signer.algorithm()).unwrap());
    /// ```
    pub fn sign(&self, payload: &[u8]) -> Result<String, SigningError> {
        let signing_input = format!("{}.{}", self.header_b64, URL_SAFE_NO_PAD.encode(payload));
        let signature = match &self.key {
            SigningKey::Ec(key) => key
                .sign(&self.rng, signing_input.as_bytes())
                .map(|sig| sig.as_ref().to_vec())
                .map_err(|e| SigningError::Sign(e.to_string()))?,
            SigningKey::Rsa(key) => {
                let mut sig = vec![0; key.public().modulus_len()];
                key.sign(
                    &ring::signature::RSA_PKCS1_SHA256,
                    &self.rng,
                    signing_input.as_bytes(),
                    &mut sig,
                )
                .map_err(|e| SigningError::Sign(e.to_string()))?;
                sig
            }
        };
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}

/// Adds the `signature` member to a result body: a JWS over the body without that member.
///
/// `Invalid` attaches a well-formed JWS whose signature does not verify (to exercise integrators'
/// verification code); `Absent` attaches nothing. Only JSON objects can carry a member, so for an
/// array (the matches answer) call this on each element.
pub fn attach(signer: &Signer, body: &mut Value, mode: SignatureMode) {
    let Some(obj) = body.as_object_mut() else {
        return;
    };
    obj.shift_remove("signature");
    if mode == SignatureMode::Absent {
        return;
    }
    let payload = match serde_json::to_vec(obj) {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "cannot serialize a body to sign");
            return;
        }
    };
    let jws = match signer.sign(&payload) {
        Ok(jws) => jws,
        Err(e) => {
            tracing::error!(error = %e, "cannot sign a result");
            return;
        }
    };
    let jws = match mode {
        SignatureMode::Invalid => corrupt(&jws),
        _ => jws,
    };
    obj.insert("signature".into(), Value::String(jws));
}

/// The same JWS with every bit of its signature's first byte flipped: still well-formed, never valid.
fn corrupt(jws: &str) -> String {
    let Some((signing_input, signature)) = jws.rsplit_once('.') else {
        return jws.to_string();
    };
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap_or_default();
    if let Some(first) = bytes.first_mut() {
        *first ^= 0xff;
    }
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(bytes))
}
