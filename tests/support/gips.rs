//! Helpers shared by the GIPS tests: the sample's GIPS headers, identity creation, and a strict
//! port of `parse-multipart@1.0.4` (what the sample parses the portrait with, contract §2.3.6).

use bytes::Bytes;
use reqwest::{header::CONTENT_TYPE, Client, RequestBuilder, StatusCode};
use serde_json::Value;

/// The three headers the sample puts on every GIPS call.
pub fn gips(req: RequestBuilder) -> RequestBuilder {
    req.header("apikey", "GIPS_RS_API_Key")
        .header("Tenant-Role", "RELYING_SERVICE")
        .header("X-Forwarded-For", "to-specify")
}

/// `POST /identities` exactly as the sample sends it (JSON labelled multipart without boundary).
pub async fn create_identity(client: &Client, base: &str) -> Value {
    let res = gips(client.post(format!("{base}/identities")))
        .header(CONTENT_TYPE, "multipart/form-data")
        .body(r#"[{"key":"BUSINESS_ID","value":"LOA1P"}]"#)
        .send()
        .await
        .expect("create identity");
    assert!(
        res.status().is_success(),
        "create identity: {}",
        res.status()
    );
    res.json().await.expect("identity JSON")
}

/// The id of a new identity created as the sample creates it.
pub async fn new_identity(client: &Client, base: &str) -> String {
    create_identity(client, base).await["id"]
        .as_str()
        .expect("identity id")
        .to_string()
}

/// `GET` the portrait at `url` as the sample does (asserting 200): its `Content-Type` and body.
pub async fn fetch_portrait(client: &Client, url: String) -> (String, Bytes) {
    let res = gips(client.get(url)).send().await.expect("portrait");
    assert_eq!(res.status(), StatusCode::OK);
    let content_type = res.headers()[CONTENT_TYPE]
        .to_str()
        .expect("ASCII")
        .to_string();
    (content_type, res.bytes().await.expect("portrait body"))
}

/// One part as `parse-multipart@1.0.4` returns it.
#[derive(Debug)]
pub struct Part {
    /// The `filename` of the disposition line.
    pub filename: String,
    /// The value of the `Content-Type` line.
    pub content_type: String,
    /// The part's bytes.
    pub data: Vec<u8>,
}

/// `getBoundary`: the text after `=` of the first `;`-item containing "boundary", trimmed (quotes kept).
pub fn get_boundary(content_type: &str) -> String {
    content_type
        .split(';')
        .map(str::trim)
        .find(|item| item.contains("boundary"))
        .and_then(|item| item.split('=').nth(1))
        .map(|b| b.trim().to_string())
        .unwrap_or_default()
}

/// A port of `parse-multipart@1.0.4`'s byte-by-byte state machine, quirks included: the opening
/// line must be exactly `--b`; the part has exactly two header lines (disposition, then type);
/// one blank line; data runs until `--b`, minus the CRLF before it. `process` fails (the sample
/// answers 500) unless the disposition's third `;` segment is `filename="..."` and the second
/// line has a `:`.
pub fn parse_multipart(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let marker = format!("--{boundary}");
    let (mut state, mut lastline) = (0u8, String::new());
    let (mut header, mut info, mut buffer) = (String::new(), String::new(), Vec::<u8>::new());
    let mut parts = Vec::new();
    for (i, &byte) in body.iter().enumerate() {
        let prev = if i > 0 { Some(body[i - 1]) } else { None };
        let newline = byte == 0x0a && prev == Some(0x0d);
        if byte != 0x0a && byte != 0x0d {
            lastline.push(char::from(byte));
        }
        match state {
            0 if newline => {
                if lastline == marker {
                    state = 1;
                }
                lastline.clear();
            }
            1 if newline => {
                header = std::mem::take(&mut lastline);
                state = 2;
            }
            2 if newline => {
                info = std::mem::take(&mut lastline);
                state = 3;
            }
            3 if newline => {
                state = 4;
                buffer.clear();
                lastline.clear();
            }
            4 => {
                if lastline.chars().count() > boundary.chars().count() + 4 {
                    lastline.clear();
                }
                if lastline == marker {
                    let j = buffer.len() as isize - lastline.chars().count() as isize;
                    let end = (j - 1).max(0) as usize;
                    parts.push(process(
                        &header,
                        &info,
                        buffer[..end.min(buffer.len())].to_vec(),
                    )?);
                    buffer.clear();
                    lastline.clear();
                    header.clear();
                    info.clear();
                    state = 5;
                } else {
                    buffer.push(byte);
                }
                if newline {
                    lastline.clear();
                }
            }
            5 if newline => state = 1,
            _ => {}
        }
    }
    Ok(parts)
}

fn process(header: &str, info: &str, data: Vec<u8>) -> Result<Part, String> {
    let third = header
        .split(';')
        .nth(2)
        .ok_or_else(|| format!("TypeError: no third segment in {header:?}"))?;
    let value = third
        .split('=')
        .nth(1)
        .ok_or_else(|| format!("TypeError: no '=' in {third:?}"))?;
    let filename: String = serde_json::from_str(value.trim())
        .map_err(|e| format!("SyntaxError: JSON.parse({value:?}): {e}"))?;
    let content_type = info
        .split(':')
        .nth(1)
        .ok_or_else(|| format!("TypeError: no ':' in {info:?}"))?
        .trim()
        .to_string();
    Ok(Part {
        filename,
        content_type,
        data,
    })
}
