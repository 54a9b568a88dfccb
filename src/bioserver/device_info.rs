//! The `deviceInfo` of a liveness result, derived from the User-Agent that created the session.
//!
//! The vendor fills it from the capturing device; the emulator has only the creating request's
//! User-Agent (kept in the session fingerprint), which is enough to give integrators a
//! believable, documented-shape object.

use serde_json::{Map, Value};

/// `{deviceModel, osType, osVersion, browserName, browserVersion}` guessed from `user_agent`.
pub fn device_info(user_agent: &str) -> Value {
    let (os_type, os_version) = os(user_agent);
    let (browser_name, browser_version) = browser(user_agent);
    let device_model = if user_agent.contains("iPhone") {
        "iPhone"
    } else if user_agent.contains("iPad") {
        "iPad"
    } else if os_type == "Android" {
        "Android device"
    } else {
        "Desktop"
    };
    let mut info = Map::new();
    for (key, value) in [
        ("deviceModel", device_model.to_string()),
        ("osType", os_type.to_string()),
        ("osVersion", os_version),
        ("browserName", browser_name),
        ("browserVersion", browser_version),
    ] {
        // Every member is optional in the vendor's DeviceInfo: unknown ones are left out.
        if !value.is_empty() {
            info.insert(key.to_string(), Value::String(value));
        }
    }
    Value::Object(info)
}

/// The text after `token` up to the first character that is not part of a version.
fn version_after<'a>(ua: &'a str, token: &str) -> Option<&'a str> {
    let start = ua.find(token)? + token.len();
    let rest = &ua[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

fn os(ua: &str) -> (&'static str, String) {
    if let Some(v) = version_after(ua, "Android ") {
        ("Android", v.to_string())
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        let v = version_after(ua, "OS ").unwrap_or("").replace('_', ".");
        ("iOS", v)
    } else if let Some(v) = version_after(ua, "Windows NT ") {
        ("Windows", v.to_string())
    } else if let Some(v) = version_after(ua, "Mac OS X ") {
        ("macOS", v.replace('_', "."))
    } else if ua.contains("Linux") {
        ("Linux", String::new())
    } else {
        ("unknown", String::new())
    }
}

fn browser(ua: &str) -> (String, String) {
    const BROWSERS: [(&str, &str); 6] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Version/", "Safari"),
        ("node-fetch", "node-fetch"),
    ];
    for (token, name) in BROWSERS {
        if let Some(v) = version_after(ua, token) {
            return (name.to_string(), v.to_string());
        }
    }
    let first = ua.split('/').next().unwrap_or("").trim();
    let name = if first.is_empty() { "unknown" } else { first };
    (
        name.to_string(),
        version_after(ua, "/").unwrap_or("").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_desktop_chrome_user_agent_gives_chrome_on_linux() {
        let info = device_info("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36");
        assert_eq!(info["browserName"], "Chrome");
        assert_eq!(info["browserVersion"], "126.0.0.0");
        assert_eq!(info["osType"], "Linux");
    }

    #[test]
    fn an_android_user_agent_gives_the_android_version() {
        let info = device_info("Mozilla/5.0 (Linux; Android 7.0; SM-G935F) AppleWebKit/537.36 Chrome/18.0.2 Mobile Safari/537.36");
        assert_eq!(info["osType"], "Android");
        assert_eq!(info["osVersion"], "7.0");
        assert_eq!(info["deviceModel"], "Android device");
    }

    #[test]
    fn an_empty_user_agent_gives_unknown_without_panicking() {
        let info = device_info("");
        assert_eq!(info["browserName"], "unknown");
        assert_eq!(info["osType"], "unknown");
        assert!(info.get("osVersion").is_none());
    }
}
