//! The pages for people: the dashboard at `/__emulator/` (also `/__emulator/dashboard` and
//! `/__emulator/sessions/{id}/view`) and the built-in demo at `/__emulator/demo`.
//!
//! Both are plain HTML/CSS/JS embedded in the binary from `assets/` (no build step, no CDN), so
//! they work offline on a trainer's laptop. The dashboard drives the admin JSON API and listens to
//! `/__emulator/events`; the demo uses only the public SDK scripts, like an integrator page.

use axum::{
    extract::Path,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use include_dir::{include_dir, Dir};

use crate::{error::ApiError, state::AppState};

/// The page assets, embedded at build time.
pub static ASSETS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets");

/// Routes under `/__emulator`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/dashboard", get(dashboard))
        .route("/sessions/{id}/view", get(dashboard_for_session))
        .route("/assets/{*path}", get(dashboard_asset))
        .route("/demo", get(demo))
        .route("/demo/", get(demo))
        .route("/demo/{*path}", get(demo_asset))
}

/// The dashboard page (its script routes by the URL).
pub async fn dashboard() -> Response {
    file("dashboard/index.html")
}

async fn dashboard_for_session(Path(_id): Path<String>) -> Response {
    file("dashboard/index.html")
}

async fn dashboard_asset(Path(path): Path<String>) -> Response {
    file(&format!("dashboard/{path}"))
}

/// The built-in demo page.
pub async fn demo() -> Response {
    file("demo/index.html")
}

async fn demo_asset(Path(path): Path<String>) -> Response {
    file(&format!("demo/{path}"))
}

/// The MIME type of an asset, by extension.
fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

/// Serves an embedded asset; `..` and unknown names get a JSON 404.
fn file(path: &str) -> Response {
    let found = (!path.contains(".."))
        .then(|| ASSETS.get_file(path))
        .flatten();
    match found {
        Some(f) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, content_type(path)),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            f.contents(),
        )
            .into_response(),
        None => ApiError::not_found(format!("No such page asset: {path}")).into_response(),
    }
}
