//! HTTPS with `--tls`: the generated certificate is published, clients that trust it reach the
//! emulator under every name in its SANs (and not under others), and `Running::url` says https.

mod support;

use std::net::SocketAddr;

use support::{internals::tls_names, *};

fn tls_config() -> Config {
    Config {
        tls: true,
        ..Config::for_tests()
    }
}

/// A client that trusts only `pem` and resolves `name` to `addr`.
fn client_trusting(pem: &str, name: &str, addr: SocketAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(
            reqwest::Certificate::from_pem(pem.as_bytes()).expect("PEM certificate"),
        )
        .resolve(name, addr)
        .no_proxy()
        .build()
        .expect("client")
}

#[tokio::test]
async fn health_answers_over_https_to_a_client_trusting_the_generated_certificate() {
    let emu = TestEmulator::with_config(tls_config()).await;
    assert!(emu.url().starts_with("https://"), "{}", emu.url());
    let pem = emu
        .tls_certificate()
        .map(str::to_string)
        .expect("certificate exposed");
    let client = client_trusting(&pem, "localhost", emu.addr());

    let res = client
        .get(emu.admin("/health"))
        .send()
        .await
        .expect("HTTPS request");
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.expect("JSON");
    assert_eq!(body["status"], "ok");

    let published = client
        .get(emu.admin("/tls-certificate.pem"))
        .send()
        .await
        .expect("certificate download")
        .text()
        .await
        .expect("text");
    assert_eq!(published, pem);
    emu.shutdown().await;
}

#[tokio::test]
async fn the_certificate_names_localhost_and_loopback_and_refuses_other_names() {
    let emu = TestEmulator::with_config(tls_config()).await;
    let pem = emu
        .tls_certificate()
        .map(str::to_string)
        .expect("certificate");
    let port = emu.addr().port();
    for name in ["localhost", "127.0.0.1"] {
        let client = client_trusting(&pem, name, emu.addr());
        let res = client
            .get(format!("https://{name}:{port}/__emulator/health"))
            .send()
            .await;
        assert!(
            res.is_ok_and(|r| r.status() == 200),
            "{name} is in the SANs"
        );
    }
    let client = client_trusting(&pem, "not-this-host.test", emu.addr());
    let err = client
        .get(format!(
            "https://not-this-host.test:{port}/__emulator/health"
        ))
        .send()
        .await
        .expect_err("a name outside the SANs is refused");
    assert!(err.is_connect() || err.is_request(), "{err}");
    emu.shutdown().await;
}

#[test]
fn the_host_flag_is_added_to_the_names_and_a_wildcard_bind_is_not() {
    let names = tls_names("emulator.lan");
    assert!(names.contains(&"emulator.lan".to_string()));
    assert!(names.contains(&"localhost".to_string()) && names.contains(&"127.0.0.1".to_string()));
    let wildcard = tls_names("0.0.0.0");
    assert!(!wildcard.contains(&"0.0.0.0".to_string()));
}

#[tokio::test]
async fn given_certificate_and_key_files_are_served() {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("cert");
    let dir = tempfile::tempdir().expect("temp dir");
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).expect("write cert");
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).expect("write key");
    let config = Config {
        tls_cert: Some(cert_path),
        tls_key: Some(key_path),
        ..tls_config()
    };
    let emu = TestEmulator::with_config(config).await;
    assert_eq!(emu.tls_certificate(), Some(cert.cert.pem().as_str()));
    let client = client_trusting(&cert.cert.pem(), "localhost", emu.addr());
    let res = client
        .get(format!(
            "https://localhost:{}/__emulator/health",
            emu.addr().port()
        ))
        .send()
        .await
        .expect("HTTPS request");
    assert_eq!(res.status(), 200);
    emu.shutdown().await;
}

#[tokio::test]
async fn unusable_tls_files_stop_the_start_with_a_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, "garbage").expect("write");
    std::fs::write(&key_path, "garbage").expect("write");
    let config = Config {
        tls_cert: Some(cert_path),
        tls_key: Some(key_path),
        ..tls_config()
    };
    let err = TestEmulator::builder().config(config).refused().await;
    assert!(err.to_string().contains("TLS"), "{err}");
}

#[tokio::test]
async fn plain_http_has_no_tls_certificate_to_download() {
    let emu = TestEmulator::start().await;
    assert!(emu.url().starts_with("http://"));
    let res = reqwest::get(emu.admin("/tls-certificate.pem"))
        .await
        .expect("GET");
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.expect("JSON error");
    assert!(body["error"].as_str().is_some_and(|e| e.contains("--tls")));
    emu.shutdown().await;
}
