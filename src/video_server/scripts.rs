//! The four stub SDK scripts (`scripts-js/`, embedded) and the public route that tells a page
//! which browser-side behaviour (environment, network, camera) a scenario imposes.
//!
//! Browser-side overrides reach the page in two ways, because `BioserverEnvironment.detection()`
//! is synchronous and runs at parse time:
//! - **baked in**: every script is served with the browser part of the scenario that a request
//!   without a session would get (the `emulator-scenario` query parameter of the script URL, else
//!   the one-shot queue's head without consuming it, else the default scenario);
//! - **page hint**: when the page names a scenario (`?emulator-scenario=NAME` in its own URL or
//!   `window.WEBCAPTURE_EMULATOR = {scenario: NAME}`) that differs from the baked one, the scripts
//!   fetch `GET /video-server/emulator/browser?scenario=NAME` (synchronously, once, for the
//!   environment script; a development tool can afford it).

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use include_dir::{include_dir, Dir};
use serde_json::{json, Value};

use crate::{
    error::ApiError,
    scenarios::{
        library::Unavailable,
        model::Scenario,
        selection::{self, Chosen},
    },
    state::AppState,
};

/// The stub SDK scripts, embedded at build time.
pub static SCRIPTS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/scripts-js");

/// The token in each script that is replaced by the baked browser configuration (JSON).
const CONFIG_TOKEN: &str = "/*@EMULATOR_BROWSER_CONFIG@*/null";

/// The token in a script that is replaced by [`COMMON`], inside the script's own IIFE.
const COMMON_TOKEN: &str = "/*@EMULATOR_COMMON@*/";

/// Helpers several scripts need (baked configuration, page hint). Spliced into each script at
/// serve time rather than loaded as a fifth script, so every script stays self-contained and
/// defines its global synchronously whatever order the page loads them in.
const COMMON: &str = include_str!("../../scripts-js/_common.js");

/// The served names (the vendor's paths under `/video-server/`).
pub const NAMES: [&str; 4] = [
    "bioserver-environment-api.js",
    "bioserver-network-check.js",
    "bioserver-video-api.js",
    "bioserver-video-ui.js",
];

/// Routes: the four scripts and `GET /emulator/browser`.
pub fn routes() -> Router<AppState> {
    let mut router = Router::new().route("/video-server/emulator/browser", get(browser_config));
    for name in NAMES {
        router = router.route(
            &format!("/video-server/{name}"),
            get(
                move |state: State<AppState>, query: Query<HashMap<String, String>>| {
                    script(name, state, query)
                },
            ),
        );
    }
    router
}

/// Serves one script with the browser configuration baked in.
async fn script(
    name: &'static str,
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(source) = SPLICED.get(name) else {
        return ApiError::not_found(format!("No such script: {name}")).into_response();
    };
    let requested = query.get("emulator-scenario").filter(|s| !s.is_empty());
    let config = match browser_scenario(&state, requested.map(String::as_str)) {
        Ok(chosen) => config_json(&chosen.name, &chosen.scenario, "server"),
        // An unknown name in a script URL must not break the page: serve the default and say why.
        Err(why) => {
            let chosen =
                selection::for_sessionless_request(&state.scenarios, &state.selection, None);
            let mut c = config_json(&chosen.name, &chosen.scenario, "server");
            c["warning"] = json!(format!(
                "{} (in the script URL); using '{}'",
                why.message(),
                chosen.name
            ));
            c
        }
    };
    let body = source.replacen(CONFIG_TOKEN, &config.to_string(), 1);
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

/// Each served script with [`COMMON`] already spliced in: done once, not on every request (only the
/// baked configuration differs between requests).
static SPLICED: std::sync::LazyLock<HashMap<&'static str, String>> =
    std::sync::LazyLock::new(|| {
        NAMES
            .iter()
            .filter_map(|name| {
                let source = SCRIPTS.get_file(name)?.contents_utf8()?;
                Some((*name, with_common(source)))
            })
            .collect()
    });

/// A script's source with the shared fragment in place of its [`COMMON_TOKEN`] (if it has one).
fn with_common(source: &str) -> String {
    source.replacen(COMMON_TOKEN, COMMON.trim(), 1)
}

/// `GET /video-server/emulator/browser?scenario=NAME`: the browser part of a scenario
/// (`{scenario, browser}`); without `scenario`, the one a page without hint gets; unknown → 404.
async fn browser_config(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let requested = query.get("scenario").filter(|s| !s.is_empty());
    let chosen = browser_scenario(&state, requested.map(String::as_str))?;
    let source = if requested.is_some() {
        "hint"
    } else {
        "server"
    };
    let mut response = Json(config_json(&chosen.name, &chosen.scenario, source)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    *response.status_mut() = StatusCode::OK;
    Ok(response)
}

/// The scenario a request without a session follows ([`selection::select`], the queue peeked):
/// the named one (an error if it cannot be played), else the queue's first playable name, else
/// the default.
fn browser_scenario(state: &AppState, name: Option<&str>) -> Result<Chosen, Unavailable> {
    selection::select(
        &state.scenarios,
        &state.selection,
        &selection::RequestFacts::sessionless(name),
        selection::Queue::Peek,
    )
}

/// What the scripts receive: the scenario name, its browser part, and where it came from.
fn config_json(name: &str, scenario: &Scenario, source: &str) -> Value {
    json!({
        "scenario": name,
        "source": source,
        "browser": serde_json::to_value(&scenario.browser).unwrap_or(Value::Null),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_that_reads_the_scenario_gets_the_shared_helpers_once() {
        for name in NAMES {
            let source = SCRIPTS
                .get_file(name)
                .and_then(|f| f.contents_utf8())
                .unwrap();
            let served = with_common(source);
            let defined = served.matches("function emulatorConfig(").count();
            if served.contains("emulatorConfig()") {
                assert_eq!(defined, 1, "{name} defines emulatorConfig {defined} times");
                assert_eq!(served.matches(CONFIG_TOKEN).count(), 1, "{name}");
            } else {
                assert_eq!(defined, 0, "{name}");
            }
            assert!(!served.contains(COMMON_TOKEN), "{name} keeps the token");
        }
    }
}
