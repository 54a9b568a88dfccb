//! Command-line flags, each also read from `WEBCAPTURE_EMULATOR_<FLAG>`.
//!
//! The flags are the only configuration the emulator has: a user who passes none gets a working
//! emulator that serves the embedded defaults, which is what CI jobs and first-time users need.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The whole command line: serving is the default, `schema` and `check` are tools for scenario authors.
#[derive(Debug, Parser)]
#[command(name = "webcapture-emulator", version, about, long_about = None)]
pub struct Cli {
    /// What to do; without a subcommand the emulator serves.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Server flags, accepted before any subcommand so `webcapture-emulator --port 0` just works.
    #[command(flatten)]
    pub config: Config,
}

/// The subcommands, for scenario authors and tooling.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the JSON Schema of scenario files on stdout.
    Schema,
    /// Validate scenario files and print `file:line:column: message` for each problem (exit 1 on any).
    Check {
        /// Directory (or single file) to check; defaults to ./scenarios.
        path: Option<PathBuf>,
    },
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Every server flag. Field docs are the `--help` text, so they say what the flag is for.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address to bind. Use 0.0.0.0 to reach the emulator from a phone on the LAN (with --tls).
    #[arg(long, env = "WEBCAPTURE_EMULATOR_HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Extra name this emulator may be reached under (repeatable, or comma-separated in the env
    /// variable): a docker-compose service name or an /etc/hosts alias. Loopback names,
    /// `*.localhost`, IP literals and the `--host` name are always allowed; any other `Host`
    /// header is refused (403), which stops DNS-rebinding pages.
    #[arg(
        long = "allowed-host",
        env = "WEBCAPTURE_EMULATOR_ALLOWED_HOST",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,

    /// Token the control plane (`/__emulator/**`) asks of clients not on this machine when the
    /// emulator is bound to a non-loopback address; generated and printed in the banner's
    /// dashboard URL when not given.
    #[arg(long, env = "WEBCAPTURE_EMULATOR_ADMIN_TOKEN")]
    pub admin_token: Option<String>,

    /// Port to bind; 0 picks any free port (the chosen one is printed in the `listening on` line).
    #[arg(
        long,
        env = "WEBCAPTURE_EMULATOR_PORT",
        allow_negative_numbers = true,
        default_value_t = 8080
    )]
    pub port: u16,

    /// Accepted API key (repeatable, or comma-separated in the env variable). When none is given,
    /// any non-empty `apikey` header is accepted.
    #[arg(
        long = "api-key",
        env = "WEBCAPTURE_EMULATOR_API_KEY",
        value_delimiter = ','
    )]
    pub api_keys: Vec<String>,

    /// Accept requests without any `apikey` header.
    #[arg(long, env = "WEBCAPTURE_EMULATOR_NO_AUTH")]
    pub no_auth: bool,

    /// Seconds a session (and its faces) is kept after it was last touched.
    #[arg(
        long,
        env = "WEBCAPTURE_EMULATOR_SESSION_TTL",
        allow_negative_numbers = true,
        default_value_t = 1800
    )]
    pub session_ttl: u64,

    /// Upper bound on sessions kept in memory; the oldest finished ones are dropped first, then
    /// never-connected ones; sessions with an open channel are never dropped for the cap.
    /// (10,000 keeps a long-running emulator under ~60 MB while 10,000 captures run at once.)
    #[arg(
        long,
        env = "WEBCAPTURE_EMULATOR_MAX_SESSIONS",
        allow_negative_numbers = true,
        default_value_t = 10_000
    )]
    pub max_sessions: usize,

    /// Threads serving requests (0: one per CPU core). One is the default: the emulator waits on
    /// sockets far more than it computes, and one thread keeps its sessions, journal and locks
    /// in one core's cache instead of passing them between cores on every request (about a
    /// third less CPU per session creation on a 2-core machine; bench/PERF-NOTES.md, eighth
    /// pass), leaving the other cores to the browser and the tests. It serves tens of thousands
    /// of requests a second; more threads add throughput only on a machine with cores to spare.
    #[arg(
        long,
        env = "WEBCAPTURE_EMULATOR_WORKERS",
        allow_negative_numbers = true,
        default_value_t = 1
    )]
    pub workers: usize,

    /// Log format.
    #[arg(long, env = "WEBCAPTURE_EMULATOR_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Extra scenario directory, layered over the embedded catalogue (default: ./scenarios when it exists).
    #[arg(long, env = "WEBCAPTURE_EMULATOR_SCENARIOS")]
    pub scenarios: Option<PathBuf>,

    /// Poll the scenario directory every MS milliseconds instead of relying on file-system events.
    #[arg(
        long,
        env = "WEBCAPTURE_EMULATOR_WATCH_POLL",
        allow_negative_numbers = true
    )]
    pub watch_poll: Option<u64>,

    /// Scenario used when nothing else selects one.
    #[arg(
        long,
        env = "WEBCAPTURE_EMULATOR_DEFAULT_SCENARIO",
        default_value = "success"
    )]
    pub default_scenario: String,

    /// Multiplies every scripted delay: 0.1 is ten times faster, 0 plays without waiting (order kept).
    #[arg(
        long,
        env = "WEBCAPTURE_EMULATOR_TIME_SCALE",
        allow_negative_numbers = true,
        default_value_t = 1.0
    )]
    pub time_scale: f64,

    /// Seed for every scripted random choice (ids, jitter, scores), so runs repeat; the signing
    /// key, its certificate, ES256 signatures and the TLS certificate still use OS randomness.
    #[arg(long, env = "WEBCAPTURE_EMULATOR_SEED", allow_negative_numbers = true)]
    pub seed: Option<u64>,

    /// Lock a client out (errorFn 429 with unlockDateTime, overriding the chosen scenario) after
    /// --lockout-attempts failed captures of its user within --lockout-seconds, as the vendor's
    /// back end does when its fingerprinting option is enabled. Off by default; also toggled from
    /// the dashboard or `PUT /__emulator/lockouts {"enabled": true}`. Only the user's failures
    /// count (SPOOF, FAILED, TIMEOUT results; errors 1301, 1303), never 503 refusals, 429s or
    /// server errors. The `lockout` scenario answers 429 whether this is on or not.
    #[arg(long, env = "WEBCAPTURE_EMULATOR_LOCKOUT")]
    pub lockout: bool,

    /// With --lockout: failed captures from one fingerprint (IP + User-Agent) before it is locked out; 0 disables lockout.
    #[arg(
        long,
        env = "WEBCAPTURE_EMULATOR_LOCKOUT_ATTEMPTS",
        allow_negative_numbers = true,
        default_value_t = 5
    )]
    pub lockout_attempts: u32,

    /// Seconds a lockout lasts (also the window in which failures are counted).
    #[arg(
        long,
        env = "WEBCAPTURE_EMULATOR_LOCKOUT_SECONDS",
        allow_negative_numbers = true,
        default_value_t = 300
    )]
    pub lockout_seconds: u64,

    /// Entries kept in the request journal (a ring buffer).
    #[arg(
        long,
        env = "WEBCAPTURE_EMULATOR_JOURNAL_SIZE",
        allow_negative_numbers = true,
        default_value_t = 1000
    )]
    pub journal_size: usize,

    /// Keep images (base64) in transcripts and the journal export.
    #[arg(long, env = "WEBCAPTURE_EMULATOR_JOURNAL_IMAGES")]
    pub journal_images: bool,

    /// Log integration findings as errors (for CI).
    #[arg(long, env = "WEBCAPTURE_EMULATOR_STRICT")]
    pub strict: bool,

    /// Serve HTTPS with a self-signed certificate generated at start (or --tls-cert/--tls-key).
    #[arg(long, env = "WEBCAPTURE_EMULATOR_TLS")]
    pub tls: bool,

    /// PEM certificate chain for --tls.
    #[arg(long, env = "WEBCAPTURE_EMULATOR_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key for --tls.
    #[arg(long, env = "WEBCAPTURE_EMULATOR_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// PEM (PKCS#8) EC P-256 or RSA private key used to sign results; generated at start when absent.
    #[arg(long, env = "WEBCAPTURE_EMULATOR_SIGNING_KEY")]
    pub signing_key: Option<PathBuf>,

    /// Accept self-signed certificates of callback targets (true by default: targets are dev back ends).
    #[arg(long, env = "WEBCAPTURE_EMULATOR_CALLBACK_INSECURE", default_value_t = true, action = clap::ArgAction::Set)]
    pub callback_insecure: bool,

    /// Seconds a client may take to send a request's headers (also closes idle keep-alive
    /// connections), so slow or half-open clients cannot hold sockets forever.
    #[arg(
        long,
        env = "WEBCAPTURE_EMULATOR_HEADER_TIMEOUT",
        allow_negative_numbers = true,
        default_value_t = 30
    )]
    pub header_timeout: u64,

    /// Seconds a client may leave a request body half-sent (between two chunks) before the
    /// request is answered 408, so a stalled upload cannot hold a handler forever.
    #[arg(
        long,
        env = "WEBCAPTURE_EMULATOR_BODY_TIMEOUT",
        allow_negative_numbers = true,
        default_value_t = 30
    )]
    pub body_timeout: u64,

    /// Seconds a whole request body may take to arrive, however steadily it trickles, before the
    /// request is answered 408 (an 8 MiB body at 100 kB/s takes 80 s).
    #[arg(
        long,
        env = "WEBCAPTURE_EMULATOR_BODY_DEADLINE",
        allow_negative_numbers = true,
        default_value_t = 300
    )]
    pub body_deadline: u64,

    /// Largest request body accepted, in bytes (larger ones get 413 with a JSON error).
    #[arg(long, env = "WEBCAPTURE_EMULATOR_MAX_BODY",
        allow_negative_numbers = true, default_value_t = 8 * 1024 * 1024)]
    pub max_body: usize,

    /// Seconds the capture channel waits for a page to take a frame before it gives up and fails
    /// the session ("the page stopped reading"), so a client that never reads cannot keep a
    /// capture CAPTURING (1 at least).
    #[arg(
        long,
        env = "WEBCAPTURE_EMULATOR_CHANNEL_WRITE_TIMEOUT",
        allow_negative_numbers = true,
        default_value_t = 10
    )]
    pub channel_write_timeout: u64,
}

impl Default for Config {
    fn default() -> Self {
        // Parsing an empty command line gives exactly the documented defaults.
        Cli::parse_from(["webcapture-emulator"]).config
    }
}

/// Upper bound of the flags that count seconds (a year): far beyond any use, and small enough
/// that no time computation built on them can overflow.
const MAX_SECONDS: u64 = 365 * 24 * 3600;

impl Config {
    /// Checks every numeric flag against its range, so a wrong value stops the emulator at start
    /// with a message naming the flag instead of panicking or misbehaving on the first capture.
    ///
    /// ```
    /// use webcapture_emulator::Config;
    ///
    /// let bad = Config { time_scale: 1e21, ..Config::for_tests() };
    /// assert!(bad.validate().unwrap_err().contains("--time-scale"));
    /// assert!(Config::for_tests().validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<(), String> {
        if !(self.time_scale.is_finite() && (0.0..=1000.0).contains(&self.time_scale)) {
            return Err(format!(
                "--time-scale must be a number from 0 to 1000 (got {})",
                self.time_scale
            ));
        }
        let seconds: [(&str, u64, u64); 5] = [
            ("--session-ttl", self.session_ttl, 0),
            ("--lockout-seconds", self.lockout_seconds, 0),
            ("--header-timeout", self.header_timeout, 1),
            ("--body-timeout", self.body_timeout, 1),
            ("--body-deadline", self.body_deadline, 1),
        ];
        for (flag, value, min) in seconds {
            if !(min..=MAX_SECONDS).contains(&value) {
                return Err(format!(
                    "{flag} must be a number of seconds from {min} to {MAX_SECONDS} (got {value})"
                ));
            }
        }
        let counts: [(&str, u64, u64); 4] = [
            ("--max-sessions", self.max_sessions as u64, 1),
            ("--journal-size", self.journal_size as u64, 0),
            ("--max-body", self.max_body as u64, 1),
            ("--workers", self.workers as u64, 0),
        ];
        let maxima = [10_000_000, 1_000_000, 1 << 30, 1024];
        for ((flag, value, min), max) in counts.into_iter().zip(maxima) {
            if !(min..=max).contains(&value) {
                return Err(format!("{flag} must be from {min} to {max} (got {value})"));
            }
        }
        if let Some(ms) = self.watch_poll {
            if !(1..=3_600_000).contains(&ms) {
                return Err(format!(
                    "--watch-poll must be a number of milliseconds from 1 to 3600000 (got {ms})"
                ));
            }
        }
        if let Some(token) = &self.admin_token {
            let usable = token.len() >= 8
                && token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b));
            if !usable {
                return Err("--admin-token must be at least 8 characters of A-Z, a-z, 0-9, - _ . ~ (it travels in a URL and a cookie)".to_string());
            }
        }
        Ok(())
    }

    /// A configuration for tests: any free port, no waiting, fixed seed, no lockout surprises.
    ///
    /// Tests change only what they are about with struct update syntax, so a new flag with a
    /// default never breaks them.
    ///
    /// ```
    /// use webcapture_emulator::Config;
    ///
    /// let config = Config { max_sessions: 10, ..Config::for_tests() };
    /// assert_eq!(config.port, 0); // any free port
    /// assert_eq!(config.time_scale, 0.0); // scripted delays take no time
    /// assert_eq!(config.seed, Some(42)); // runs repeat
    /// ```
    pub fn for_tests() -> Self {
        Config {
            port: 0,
            time_scale: 0.0,
            seed: Some(42),
            ..Config::default()
        }
    }
}
