//! Capture-session load generator for webcapture-emulator.
//!
//! Opens N concurrent capture sessions against a running emulator, each doing what an integration
//! does: `init-liveness-session` → the capture channel (hello, wait for init, `startCapture`,
//! events until result or error) → `liveness-challenge-result`. Reports completed sessions,
//! errors, scheduled-vs-actual event delay p50/p99, and — given the server's pid — its peak RSS
//! and CPU. `--soak MINUTES` keeps `--concurrency` sessions (default 1,000) running with mixed
//! scenarios, samples RSS every 10 s and checks it stays flat after warm-up.
//!
//! Examples:
//!   loadgen --url http://127.0.0.1:18080 --sessions 10000 --ramp-s 5 --pid 1234
//!   loadgen --url http://127.0.0.1:18080 --sessions 200 --concurrency 1      # sequential, time per capture
//!   loadgen --url http://127.0.0.1:18080 --soak 30 --pid 1234
//!
//! The last line printed is `RESULT {json}` for scripts.

mod protocol;
mod session;
mod stats;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::json;
use tokio::sync::Semaphore;

use session::{Outcome, Shared};
use stats::Histogram;

/// Command line.
#[derive(Parser, Debug)]
#[command(
    name = "loadgen",
    about = "Concurrent capture sessions against webcapture-emulator"
)]
struct Args {
    /// Emulator base URL.
    #[arg(long, default_value = "http://127.0.0.1:18080")]
    url: String,
    /// Total sessions to run (ignored with --soak).
    #[arg(long, default_value_t = 100)]
    sessions: u64,
    /// Sessions in flight at once (default: all of --sessions; 1,000 with --soak).
    #[arg(long)]
    concurrency: Option<u64>,
    /// Spread the first wave of session starts over this many seconds.
    #[arg(long, default_value_t = 0.0)]
    ramp_s: f64,
    /// Liveness mode: passive, passive-video, active or mixed.
    #[arg(long, default_value = "passive")]
    mode: String,
    /// Scenario for every session (X-Emulator-Scenario); `mixed` rotates through --mix.
    #[arg(long)]
    scenario: Option<String>,
    /// Scenarios rotated by `--scenario mixed` (and by --soak).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "success,spoof,timeout,poor-quality,no-match,success,success"
    )]
    mix: Vec<String>,
    /// Server pid, to report its CPU and RSS.
    #[arg(long)]
    pid: Option<u32>,
    /// API key header value.
    #[arg(long, default_value = "loadgen-key")]
    api_key: String,
    /// Concurrent REST calls (init, result).
    #[arg(long, default_value_t = 64)]
    http_concurrency: usize,
    /// Give up on one session after this many seconds.
    #[arg(long, default_value_t = 120)]
    session_timeout_s: u64,
    /// Nominal tracking interval (ms), for the gap method when messages carry no schedule.
    #[arg(long, default_value_t = 100.0)]
    nominal_ms: f64,
    /// Soak: run for this many minutes with mixed scenarios, sampling RSS every 10 s.
    #[arg(long)]
    soak: Option<f64>,
    /// Soak: fraction of the run treated as warm-up before the flatness check.
    #[arg(long, default_value_t = 0.2)]
    warmup_fraction: f64,
}

/// Everything sessions report, merged.
#[derive(Default)]
struct Totals {
    completed: u64,
    results: u64,
    channel_errors: BTreeMap<String, u64>,
    closed: u64,
    failed: BTreeMap<String, u64>,
    result_status: BTreeMap<u16, u64>,
    scheduled: Histogram,
    gaps: Histogram,
    total_ms: Histogram,
    messages: u64,
    unknown_kinds: Vec<String>,
    phases: Vec<Histogram>,
}

impl Totals {
    fn add(&mut self, r: session::Report) {
        if self.phases.is_empty() {
            self.phases = vec![Histogram::default(); session::PHASES.len()];
        }
        if matches!(r.outcome, Outcome::Result { .. }) {
            for (h, v) in self.phases.iter_mut().zip(r.phases) {
                h.record(v);
            }
        }
        self.scheduled.merge(&r.scheduled_delays);
        self.gaps.merge(&r.gap_jitter);
        self.messages += r.messages;
        for k in r.unknown_kinds {
            if self.unknown_kinds.len() < 16 && !self.unknown_kinds.contains(&k) {
                self.unknown_kinds.push(k);
            }
        }
        match r.outcome {
            Outcome::Result { result_status } => {
                self.completed += 1;
                self.results += 1;
                self.total_ms.record(r.total_ms);
                *self.result_status.entry(result_status).or_default() += 1;
            }
            Outcome::ChannelError {
                code,
                result_status,
            } => {
                self.completed += 1;
                let code = code.map_or("?".to_string(), |c| c.to_string());
                *self.channel_errors.entry(code).or_default() += 1;
                *self.result_status.entry(result_status).or_default() += 1;
            }
            Outcome::Closed => {
                self.completed += 1;
                self.closed += 1;
            }
            Outcome::Failed(why) => *self.failed.entry(why).or_default() += 1,
        }
    }

    fn errors(&self) -> u64 {
        self.failed.values().sum()
    }
}

/// A percentile for humans: "12.3" or "n/a".
fn ms(v: Option<f64>) -> String {
    v.map_or("n/a".to_string(), |v| format!("{v:.2}"))
}

fn mode_name(mode: &str, n: u64) -> &'static str {
    let modes = [
        "LIVENESS_PASSIVE",
        "LIVENESS_PASSIVE_VIDEO",
        "LIVENESS_ACTIVE",
    ];
    match mode {
        "passive-video" => modes[1],
        "active" => modes[2],
        "mixed" => modes[(n % 3) as usize],
        _ => modes[0],
    }
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let soak_minutes = args.soak;
    let concurrency = args
        .concurrency
        .unwrap_or(if soak_minutes.is_some() {
            1000
        } else {
            args.sessions
        })
        .max(1);
    let scenario_mixed = soak_minutes.is_some() || args.scenario.as_deref() == Some("mixed");
    let http = match reqwest::Client::builder()
        .pool_max_idle_per_host(args.http_concurrency)
        .timeout(Duration::from_secs(30))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("loadgen: cannot build the HTTP client: {e}");
            std::process::exit(2);
        }
    };
    let shared = Arc::new(Shared {
        base: args.url.trim_end_matches('/').to_string(),
        api_key: args.api_key.clone(),
        http,
        http_slots: Semaphore::new(args.http_concurrency.max(1)),
        session_timeout: Duration::from_secs(args.session_timeout_s),
        nominal_ms: args.nominal_ms,
    });
    let totals = Arc::new(Mutex::new(Totals::default()));
    let deadline = soak_minutes.map(|m| Instant::now() + Duration::from_secs_f64(m * 60.0));
    let started = Instant::now();
    let before = args.pid.and_then(stats::sample);

    // Server sampler: peak RSS every 100 ms; the soak series every 10 s.
    let series = Arc::new(Mutex::new(Vec::<(f64, u64)>::new()));
    let peak_rss = Arc::new(Mutex::new(0u64));
    let sampler = args.pid.map(|pid| {
        let series = series.clone();
        let peak = peak_rss.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            let mut n = 0u64;
            loop {
                tick.tick().await;
                let Some(s) = stats::sample(pid) else { break };
                if let Ok(mut p) = peak.lock() {
                    *p = (*p).max(s.rss_kib);
                }
                if n.is_multiple_of(100) {
                    if let Ok(mut v) = series.lock() {
                        v.push((started.elapsed().as_secs_f64(), s.rss_kib));
                    }
                    if deadline.is_some() {
                        eprintln!(
                            "[{:>6.0} s] server RSS {:.1} MB",
                            started.elapsed().as_secs_f64(),
                            s.rss_kib as f64 / 1024.0
                        );
                    }
                }
                n += 1;
            }
        })
    });

    // Workers: `concurrency` loops, each running sessions back to back.
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut workers = Vec::new();
    for w in 0..concurrency {
        let shared = shared.clone();
        let totals = totals.clone();
        let next = next.clone();
        let mode = args.mode.clone();
        let scenario = args.scenario.clone();
        let mix = args.mix.clone();
        let total = args.sessions;
        let ramp = if args.ramp_s > 0.0 {
            Duration::from_secs_f64(args.ramp_s * w as f64 / concurrency as f64)
        } else {
            Duration::ZERO
        };
        workers.push(tokio::spawn(async move {
            tokio::time::sleep(ramp).await;
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                match deadline {
                    Some(d) if Instant::now() >= d => break,
                    None if n >= total => break,
                    _ => {}
                }
                let scen = if scenario_mixed {
                    mix.get((n as usize) % mix.len().max(1)).cloned()
                } else {
                    scenario.clone()
                };
                let report = session::run(&shared, n, mode_name(&mode, n), scen.as_deref()).await;
                if let Ok(mut t) = totals.lock() {
                    t.add(report);
                }
            }
        }));
    }
    for w in workers {
        let _ = w.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let after = args.pid.and_then(stats::sample);
    if let Some(s) = sampler {
        s.abort();
    }

    let t = match totals.lock() {
        Ok(t) => t,
        Err(p) => p.into_inner(),
    };
    let peak = peak_rss.lock().map(|p| *p).unwrap_or(0);
    let cpu_s = match (before, after) {
        (Some(b), Some(a)) => Some(a.cpu_s - b.cpu_s),
        _ => None,
    };
    let series = series.lock().map(|v| v.clone()).unwrap_or_default();
    let flat = soak_minutes.map(|m| flatness(&series, m * 60.0 * args.warmup_fraction));

    let attempted = t.completed + t.errors();
    println!("sessions attempted      {attempted} (concurrency {concurrency}) in {elapsed:.1} s");
    println!(
        "completed               {} (result {}, channel error {:?}, closed by server {})",
        t.completed, t.results, t.channel_errors, t.closed
    );
    println!("errors                  {} {:?}", t.errors(), t.failed);
    println!("result fetch statuses   {:?}", t.result_status);
    println!("channel messages        {}", t.messages);
    let delay_method = if t.scheduled.count() > 0 {
        println!(
            "event delay (scheduled→received)  p50 {} ms  p99 {} ms  max {:.1} ms  (n={})",
            ms(t.scheduled.percentile(50.0)),
            ms(t.scheduled.percentile(99.0)),
            t.scheduled.percentile(100.0).unwrap_or(0.0),
            t.scheduled.count()
        );
        "scheduled"
    } else {
        println!(
            "event delay: messages carry no schedule; |tracking gap − {} ms|  p50 {} ms  p99 {} ms  (n={})",
            args.nominal_ms,
            ms(t.gaps.percentile(50.0)),
            ms(t.gaps.percentile(99.0)),
            t.gaps.count()
        );
        println!(
            "  gap jitter spread     p90 {} ms  p95 {} ms  p99.9 {} ms  max {:.1} ms",
            ms(t.gaps.percentile(90.0)),
            ms(t.gaps.percentile(95.0)),
            ms(t.gaps.percentile(99.9)),
            t.gaps.percentile(100.0).unwrap_or(0.0)
        );
        "tracking-gap"
    };
    println!(
        "session wall time (result sessions)  p50 {} ms  p99 {} ms",
        ms(t.total_ms.percentile(50.0)),
        ms(t.total_ms.percentile(99.0))
    );
    let phases: Vec<String> = session::PHASES
        .iter()
        .zip(&t.phases)
        .map(|(name, h)| format!("{name} {}", ms(h.percentile(50.0))))
        .collect();
    println!("  phases p50 (ms)       {}", phases.join(", "));
    if !t.unknown_kinds.is_empty() {
        println!("unrecognised message types: {:?}", t.unknown_kinds);
    }
    if let Some(cpu) = cpu_s {
        println!(
            "server CPU              {cpu:.2} s ({:.0}% of one core), {:.0} µs per session",
            100.0 * cpu / elapsed.max(1e-9),
            1e6 * cpu / (attempted.max(1) as f64)
        );
    }
    if let Some(me) = stats::sample(std::process::id()) {
        println!(
            "load generator          CPU {:.2} s ({:.0}% of one core), peak RSS {:.1} MB (same machine: its CPU competes with the server's)",
            me.cpu_s,
            100.0 * me.cpu_s / elapsed.max(1e-9),
            me.hwm_kib as f64 / 1024.0
        );
    }
    if args.pid.is_some() {
        println!(
            "server RSS              peak {:.1} MB (VmHWM {:.1} MB), end {:.1} MB",
            peak as f64 / 1024.0,
            after.map_or(0.0, |a| a.hwm_kib as f64 / 1024.0),
            after.map_or(0.0, |a| a.rss_kib as f64 / 1024.0)
        );
    }
    if let Some((ok, spread)) = flat {
        println!(
            "soak RSS after warm-up  spread {:.1}% → {}",
            spread * 100.0,
            if ok {
                "flat (≤ 10%)"
            } else {
                "NOT flat (> 10%)"
            }
        );
    }
    let (delay_p50, delay_p99) = if delay_method == "scheduled" {
        (t.scheduled.percentile(50.0), t.scheduled.percentile(99.0))
    } else {
        (t.gaps.percentile(50.0), t.gaps.percentile(99.0))
    };
    let result = json!({
        "attempted": attempted,
        "concurrency": concurrency,
        "elapsed_s": elapsed,
        "completed": t.completed,
        "results": t.results,
        "closed": t.closed,
        "channel_errors": t.channel_errors,
        "errors": t.errors(),
        "failures": t.failed,
        "delay_method": delay_method,
        "delay_p50_ms": delay_p50,
        "delay_p99_ms": delay_p99,
        "session_p50_ms": t.total_ms.percentile(50.0),
        "session_p99_ms": t.total_ms.percentile(99.0),
        "server_cpu_s": cpu_s,
        "server_peak_rss_mb": peak as f64 / 1024.0,
        "rss_series": series,
        "soak_flat": flat.map(|f| f.0),
        "soak_spread": flat.map(|f| f.1),
    });
    println!("RESULT {result}");
    let failed = t.errors() > 0 || flat.is_some_and(|f| !f.0) || t.completed == 0;
    std::process::exit(if failed { 1 } else { 0 });
}

/// RSS flatness after warm-up: (max − min) / min over the samples taken after `warmup_s`.
fn flatness(series: &[(f64, u64)], warmup_s: f64) -> (bool, f64) {
    let after: Vec<u64> = series
        .iter()
        .filter(|(t, _)| *t >= warmup_s)
        .map(|(_, r)| *r)
        .collect();
    let (Some(min), Some(max)) = (after.iter().min(), after.iter().max()) else {
        return (false, f64::NAN);
    };
    let spread = (*max as f64 - *min as f64) / (*min).max(1) as f64;
    (spread <= 0.10, spread)
}
