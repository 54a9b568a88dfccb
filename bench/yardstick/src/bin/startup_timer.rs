//! Start-up timer: launches a server N times and measures the wall time from `spawn` to the first
//! successful (HTTP 200) answer on a probe path, then prints every sample and the median.
//!
//! Why not hyperfine: hyperfine times a command until it exits; a server never exits, and what a
//! CI job waits for is "first request answered". The probe is a raw HTTP/1.1 request over a fresh
//! TCP connection, retried without sleeping (a refused connect costs microseconds), so the figure
//! is not rounded up to a polling interval.
//!
//! Usage:
//!   startup-timer --runs 7 --port 18090 --path /__emulator/health [--header 'apikey: k'] -- CMD ARGS...
//! Every `{port}` in CMD ARGS is replaced by the port. Output: one line per launch, then
//! `median_ms=<ms> min_ms=<ms> max_ms=<ms>`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Parsed command line.
struct Args {
    runs: usize,
    port: u16,
    path: String,
    headers: Vec<String>,
    timeout: Duration,
    cmd: Vec<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        runs: 5,
        port: 18090,
        path: "/__emulator/health".into(),
        headers: Vec::new(),
        timeout: Duration::from_secs(60),
        cmd: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--runs" => args.runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--port" => args.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--path" => args.path = value()?,
            "--header" => args.headers.push(value()?),
            "--timeout-s" => {
                args.timeout =
                    Duration::from_secs(value()?.parse().map_err(|e| format!("--timeout-s: {e}"))?)
            }
            "--" => {
                args.cmd = it.by_ref().collect();
                break;
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.cmd.is_empty() {
        return Err("missing `-- CMD ARGS...`".into());
    }
    Ok(args)
}

/// One probe: true when the server answered `HTTP/1.x 200`.
fn probe(port: u16, request: &[u8]) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(request).is_err() {
        return false;
    }
    let mut buf = [0u8; 16];
    let mut got = 0;
    while got < buf.len() {
        match s.read(&mut buf[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    buf[..got].starts_with(b"HTTP/1.1 200") || buf[..got].starts_with(b"HTTP/1.0 200")
}

/// Launches once and returns the time to the first 200, or an error.
fn launch_once(args: &Args, request: &[u8]) -> Result<Duration, String> {
    let cmd: Vec<String> = args
        .cmd
        .iter()
        .map(|c| c.replace("{port}", &args.port.to_string()))
        .collect();
    let start = Instant::now();
    let mut child = Command::new(&cmd[0])
        .args(&cmd[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", cmd[0]))?;
    let result = loop {
        if probe(args.port, request) {
            break Ok(start.elapsed());
        }
        if start.elapsed() > args.timeout {
            break Err(format!("no 200 on {} within {:?}", args.path, args.timeout));
        }
        if let Ok(Some(status)) = child.try_wait() {
            break Err(format!("server exited early: {status}"));
        }
        std::thread::yield_now();
    };
    // SIGTERM first (graceful), then make sure it is gone before the next launch reuses the port.
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    result
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("startup-timer: {e}");
            std::process::exit(2);
        }
    };
    let mut request = format!(
        "GET {} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n",
        args.path, args.port
    );
    for h in &args.headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    let mut samples = Vec::new();
    for i in 0..args.runs {
        match launch_once(&args, request.as_bytes()) {
            Ok(d) => {
                let ms = d.as_secs_f64() * 1000.0;
                println!("run {} start_ms={ms:.2}", i + 1);
                samples.push(ms);
            }
            Err(e) => {
                eprintln!("startup-timer: run {}: {e}", i + 1);
                std::process::exit(1);
            }
        }
        // Let the port leave TIME_WAIT-free state and the machine settle between launches.
        std::thread::sleep(Duration::from_millis(200));
    }
    samples.sort_by(f64::total_cmp);
    let median = samples[samples.len() / 2];
    println!(
        "median_ms={median:.2} min_ms={:.2} max_ms={:.2}",
        samples[0],
        samples[samples.len() - 1]
    );
}
