//! Measurement helpers: a fixed-memory latency histogram (a 30-minute soak records tens of
//! millions of delays) and the server process's CPU and RSS read from `/proc`.

/// Histogram of milliseconds: 0.05 ms buckets up to 10 ms, 1 ms buckets up to 10 s, then overflow.
/// Fixed size, so recording never allocates.
#[derive(Clone)]
pub struct Histogram {
    fine: Vec<u64>,
    coarse: Vec<u64>,
    overflow: u64,
    count: u64,
    max: f64,
}

const FINE_STEP: f64 = 0.05;
const FINE_LIMIT: f64 = 10.0;
const COARSE_LIMIT: f64 = 10_000.0;

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            fine: vec![0; (FINE_LIMIT / FINE_STEP) as usize],
            coarse: vec![0; COARSE_LIMIT as usize],
            overflow: 0,
            count: 0,
            max: 0.0,
        }
    }
}

impl Histogram {
    /// Records one value in milliseconds (negative values count as 0).
    pub fn record(&mut self, ms: f64) {
        let ms = if ms.is_finite() { ms.max(0.0) } else { 0.0 };
        self.count += 1;
        self.max = self.max.max(ms);
        if ms < FINE_LIMIT {
            self.fine[(ms / FINE_STEP) as usize] += 1;
        } else if ms < COARSE_LIMIT {
            self.coarse[ms as usize] += 1;
        } else {
            self.overflow += 1;
        }
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.fine.iter_mut().zip(&other.fine) {
            *a += b;
        }
        for (a, b) in self.coarse.iter_mut().zip(&other.coarse) {
            *a += b;
        }
        self.overflow += other.overflow;
        self.count += other.count;
        self.max = self.max.max(other.max);
    }

    /// Number of values recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The upper edge of the bucket holding the `p`-th percentile (None when empty).
    pub fn percentile(&self, p: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((p / 100.0) * self.count as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, c) in self.fine.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some((i + 1) as f64 * FINE_STEP);
            }
        }
        for (i, c) in self.coarse.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some((i + 1) as f64);
            }
        }
        Some(self.max)
    }
}

/// CPU time and memory of a process, read from `/proc/<pid>`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcSample {
    /// utime + stime, in seconds.
    pub cpu_s: f64,
    /// Current resident set size, in KiB.
    pub rss_kib: u64,
    /// Peak resident set size (VmHWM), in KiB.
    pub hwm_kib: u64,
}

/// Reads one sample; None when the process is gone or /proc is unreadable.
pub fn sample(pid: u32) -> Option<ProcSample> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, i.e. 11 and 12 after ')'.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    let tck = clock_ticks();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Some(ProcSample {
        cpu_s: (utime + stime) / tck,
        rss_kib: kib("VmRSS:"),
        hwm_kib: kib("VmHWM:"),
    })
}

/// USER_HZ; 100 on every Linux this runs on (the kernel ABI fixes it for /proc).
fn clock_ticks() -> f64 {
    100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_the_recorded_values() {
        let mut h = Histogram::default();
        for i in 1..=100 {
            h.record(i as f64);
        }
        assert_eq!(h.percentile(50.0), Some(51.0));
        assert_eq!(h.percentile(99.0), Some(100.0));
    }

    #[test]
    fn sub_millisecond_values_keep_their_resolution() {
        let mut h = Histogram::default();
        h.record(0.12);
        let p50 = h.percentile(50.0).unwrap_or(f64::NAN);
        assert!((p50 - 0.15).abs() < 1e-9, "p50 was {p50}");
    }

    #[test]
    fn own_process_can_be_sampled() {
        let s = sample(std::process::id()).expect("own /proc entry");
        assert!(s.rss_kib > 0);
    }
}
