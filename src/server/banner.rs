//! The banner: the text the binary prints on stderr once the emulator listens.
//!
//! An integrator starting the emulator needs, at a glance, every URL to put in their
//! configuration (the three back-end URLs, the SDK scripts, the dashboard and demo). The binary
//! (`main.rs`) prints the `listening on URL` line on stdout first (`scripts/smoke` waits for it), then this
//! banner, then, with `--tls`, where to fetch the certificate; this module only builds the text,
//! so tests can check it without starting a process.

/// The banner: every URL an integrator must configure. With `admin_token` (bound to a
/// non-loopback address) the dashboard and demo URLs carry it and a line says why.
pub fn banner(base: &str, admin_token: Option<&str>) -> String {
    let Some(token) = admin_token else {
        return plain_banner(base);
    };
    let mut text = plain_banner(base);
    text = text.replace("/__emulator/\n", &format!("/__emulator/?token={token}\n"));
    text = text.replace(
        "/__emulator/demo",
        &format!("/__emulator/demo?token={token}"),
    );
    text.push_str(
        "\n  bound to a non-loopback address: the control plane (/__emulator/) asks clients on other \
         machines for the admin token above (--admin-token); the vendor endpoints are open to the network",
    );
    text
}

/// The banner without a token: what a loopback-bound emulator prints.
fn plain_banner(base: &str) -> String {
    format!(
        "webcapture-emulator {version}\n\
         \x20 video-server URL (BIOSERVER_VIDEO_URL): {base}\n\
         \x20 Bioserver core URL (BIOSERVER_CORE_URL): {base}/bioserver-app/v2\n\
         \x20 GIPS URL (GIPS_URL):                     {base}/gips\n\
         \x20 SDK scripts:  <script src=\"{base}/video-server/bioserver-video-api.js\"></script> (and environment-api, network-check, video-ui)\n\
         \x20 dashboard:    {base}/__emulator/\n\
         \x20 demo page:    {base}/__emulator/demo",
        version = env!("CARGO_PKG_VERSION"),
    )
}
