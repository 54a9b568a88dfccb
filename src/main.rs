//! The `webcapture-emulator` binary: parse flags, then serve (or run a scenario tool).

use std::process::ExitCode;

use clap::Parser;
use webcapture_emulator::config::{Cli, Command, LogFormat};

/// mimalloc instead of glibc malloc: fewer CPU cycles per request and a smaller, less fragmented
/// heap for many small sessions (see bench/PERF-NOTES.md).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "mimalloc")]
extern "C" {
    /// mimalloc's runtime option setter (in the C library the `mimalloc` crate links).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// Keeps mimalloc's footprint near glibc's: arenas committed on demand (`mi_option_arena_eager_commit`
/// = 4), and freed pages returned to the OS after a second unused (`mi_option_purge_delay` = 15),
/// the same as the `MIMALLOC_ARENA_EAGER_COMMIT=0 MIMALLOC_PURGE_DELAY=1000` environment. Not at
/// once: under a stream of session creations the pages of evicted sessions are reused within
/// milliseconds, and purging them immediately made every new session fault its memory back in
/// (a third of init-liveness-session's CPU; see bench/PERF-NOTES.md, fourth pass).
#[cfg(feature = "mimalloc")]
fn tune_allocator() {
    // SAFETY: plain setters of global options of the linked C library (any thread may call them).
    // An explicit MIMALLOC_* environment setting wins (to measure the trade-off).
    unsafe {
        if std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_none() {
            mi_option_set(4, 0);
        }
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            mi_option_set(15, 1000);
        }
    }
}

#[cfg(not(feature = "mimalloc"))]
fn tune_allocator() {}

#[cfg(target_os = "linux")]
extern "C" {
    /// The C library's `prctl(2)`.
    fn prctl(option: std::ffi::c_int, ...) -> std::ffi::c_int;
}

/// Opts the process out of transparent huge pages (`PR_SET_THP_DISABLE`), so its RSS is the memory
/// it uses. mimalloc marks its arena `MADV_HUGEPAGE`, and the kernel's khugepaged then collapses
/// sparsely used 2 MiB ranges into huge pages, filling the holes with zeros: a long-running
/// emulator's RSS rose in steps of megabytes at random times with every store flat (soak, 42 MB
/// of `AnonHugePages`; bench/PERF-NOTES.md, fourth pass). The flag also covers mappings made
/// before it is set.
fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::{c_int, c_ulong};
        const PR_SET_THP_DISABLE: c_int = 41;
        // SAFETY: a process-wide flag with integer arguments; failure (an old kernel) is harmless.
        let _ = unsafe {
            prctl(
                PR_SET_THP_DISABLE,
                1 as c_ulong,
                0 as c_ulong,
                0 as c_ulong,
                0 as c_ulong,
            )
        };
    }
}

fn main() -> ExitCode {
    // First: every 2 MiB range touched before it would be a whole huge page.
    disable_transparent_huge_pages();
    let cli = Cli::parse();
    init_tracing(cli.config.log_format);
    match cli.command {
        Some(Command::Schema) => {
            println!("{}", webcapture_emulator::schema_json());
            ExitCode::SUCCESS
        }
        Some(Command::Check { path }) => webcapture_emulator::check_command(path),
        None => serve(cli.config),
    }
}

fn serve(config: webcapture_emulator::Config) -> ExitCode {
    if let Err(problem) = config.validate() {
        eprintln!("error: {problem}");
        return ExitCode::from(2);
    }
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if config.workers > 0 {
        // `--workers` (default 1; see its documentation in `Config`). The multi-thread flavour
        // even with one: blocking work still goes to its own pool, and tasks keep `Send` bounds.
        builder.worker_threads(config.workers);
    }
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(async move {
        let host = config.host.clone();
        let running = match webcapture_emulator::server::start(config).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("cannot listen on {host}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let base = running.url();
        println!("listening on {base}");
        // After start-up: purging at once while the catalogue loads cost ~7 ms of start-up.
        tune_allocator();
        eprintln!("{}", running.banner());
        if running.tls_certificate.is_some() {
            eprintln!(
                "  HTTPS certificate: {base}/__emulator/tls-certificate.pem (install it on a phone to trust it)"
            );
        }
        webcapture_emulator::server::shutdown_signal().await;
        tracing::info!("shutting down");
        running.shutdown().await;
        tracing::info!("stopped");
        ExitCode::SUCCESS
    });
    // Blocking helpers (file reads of the scenario watcher) get a short grace, not an unbounded wait.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    code
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}
