//! The results table and docs/benchmarks.md.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use crate::bulk::{BulkRun, EndState};
use crate::function::Single;

const INIT_MEDIAN_TARGET: Duration = Duration::from_millis(15);
const INIT_SPEEDUP_TARGET: f64 = 20.0;
const PEAK_RSS_TARGET_BYTES: u64 = 30_000_000;
const ZIP_TARGET_BYTES: u64 = 6_000_000;

pub struct Results {
    pub starts: usize,
    /// One-minute load average when the harness started.
    pub load_average: String,
    pub rust_init: Vec<Duration>,
    pub python_init: Vec<Duration>,
    pub rust_single: Single,
    pub python_single: Single,
    pub bootstrap_bytes: u64,
    pub zip_bytes: u64,
    pub tier: String,
    pub models: usize,
    pub concurrency: usize,
    pub throttle: f64,
    pub bulk: BulkRun,
    pub end_state: EndState,
    pub resolver_ns: Option<f64>,
}

impl Results {
    pub fn table(&self) -> String {
        let rust_median = percentile(&self.rust_init, 50.0);
        let python_median = percentile(&self.python_init, 50.0);
        let speedup = python_median.as_secs_f64() / rust_median.as_secs_f64().max(1e-9);
        let init_pass = rust_median <= INIT_MEDIAN_TARGET && speedup >= INIT_SPEEDUP_TARGET;
        let rust_rss = self.rust_single.peak_rss_kib * 1024;
        let python_rss = self.python_single.peak_rss_kib * 1024;
        let end = &self.end_state;
        let tenants_per_second = end.tenants as f64 / self.bulk.elapsed.as_secs_f64();

        let mut rows = vec![
            row(
                &format!("init time, median of {} starts", self.starts),
                &ms(rust_median),
                &ms(python_median),
                "≤ 15 ms and ≥ 20× faster than Python",
                &format!("{} ({speedup:.0}× faster)", verdict(init_pass)),
            ),
            row(
                "init time, p95 (nearest rank)",
                &ms(percentile(&self.rust_init, 95.0)),
                &ms(percentile(&self.python_init, 95.0)),
                "",
                "",
            ),
            row(
                "peak RSS during one onboarding (VmHWM)",
                &megabytes(rust_rss),
                &megabytes(python_rss),
                "≤ 30 MB (Rust)",
                verdict(rust_rss <= PEAK_RSS_TARGET_BYTES),
            ),
            row(
                "release `bootstrap` binary (x86_64)",
                &bytes(self.bootstrap_bytes),
                "n/a",
                "",
                "",
            ),
            row(
                "`bootstrap.zip` from cargo lambda",
                &bytes(self.zip_bytes),
                "n/a",
                "≤ 6 MB",
                verdict(self.zip_bytes <= ZIP_TARGET_BYTES),
            ),
            row(
                &format!(
                    "one onboarding, {} tier ({} models), wall time",
                    self.tier, self.models
                ),
                &ms(self.rust_single.wall),
                &ms(self.python_single.wall),
                "",
                "",
            ),
            row(
                "AWS calls in that onboarding",
                &calls(&self.rust_single),
                &calls(&self.python_single),
                "",
                "",
            ),
            row(
                &format!(
                    "bulk: {} signups, {} tier, {} function processes, {:.0}% of profile requests throttled",
                    end.tenants,
                    self.tier,
                    self.concurrency,
                    self.throttle * 100.0
                ),
                &format!(
                    "{tenants_per_second:.1} tenants/s ({:.1} s; {} Bedrock calls, {} throttled; {} invocations retried)",
                    self.bulk.elapsed.as_secs_f64(),
                    self.bulk.bedrock_calls,
                    self.bulk.injected_throttles,
                    self.bulk.retried
                ),
                "not run",
                "",
                "",
            ),
            row(
                "bulk end state",
                &format!(
                    "{}/{} ACTIVE, {}/{} profiles, {} duplicates, {} orphans, {} reconcile findings",
                    end.active,
                    end.tenants,
                    end.profiles,
                    end.tenants * end.models,
                    end.duplicates,
                    end.orphans,
                    end.findings.len()
                ),
                "not run",
                "all ACTIVE, 0 duplicates, 0 orphans",
                verdict(end.is_correct()),
            ),
        ];
        rows.push(row(
            "resolver: cached `Resolver::resolve` (criterion median)",
            &self
                .resolver_ns
                .map(|ns| format!("{ns:.0} ns"))
                .unwrap_or_else(|| "not run".to_owned()),
            "n/a",
            "",
            "",
        ));

        let mut table = String::from(
            "| measurement | Rust | Python | target | result |\n|---|---|---|---|---|\n",
        );
        for line in rows {
            table.push_str(&line);
        }
        table
    }

    pub fn document(&self, table: &str) -> String {
        let env = |name: &str| std::env::var(name).unwrap_or_else(|_| "not recorded".to_owned());
        let mut document = String::from("# Benchmarks\n\n");
        let _ = writeln!(
            document,
            "Measured by `make bench` on {}.\n\n- Machine: {} (one-minute load average {} when the measurements started)\n- Tools: {}\n- Release build of the `onboard` zip in this run: {} s (`cargo lambda build --release --output-format zip --bin onboard`; a warm cache rebuilds little)\n- Bulk: the SDK's default retry settings (5 attempts, 500 ms first backoff)\n",
            env("BENCH_DATE"),
            machine(),
            self.load_average,
            env("BENCH_TOOLS"),
            env("BENCH_BUILD_SECONDS"),
        );
        document.push_str(table);
        document.push('\n');
        document.push_str(include_str!("../method.md"));
        document
    }
}

fn row(name: &str, rust: &str, python: &str, target: &str, result: &str) -> String {
    format!("| {name} | {rust} | {python} | {target} | {result} |\n")
}

fn verdict(pass: bool) -> &'static str {
    if pass { "pass" } else { "miss" }
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// Megabytes of 10^6 bytes, as the targets are stated.
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn bytes(bytes: u64) -> String {
    format!("{bytes} B ({:.2} MB)", bytes as f64 / 1e6)
}

fn calls(single: &Single) -> String {
    format!(
        "{} (moto {}, Bedrock {})",
        single.moto_calls as u64 + single.bedrock_calls,
        single.moto_calls,
        single.bedrock_calls
    )
}

/// Nearest-rank percentile; the median of an even count is the lower middle value.
fn percentile(values: &[Duration], percent: f64) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    let rank = ((percent / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.saturating_sub(1))
        .copied()
        .unwrap_or_default()
}

/// The median criterion estimated for `resolver/cached_hit`, in nanoseconds.
pub fn criterion_median_ns() -> Option<f64> {
    let dir = PathBuf::from(std::env::var_os("BENCH_CRITERION_DIR")?);
    let path = dir.join("resolver/cached_hit/new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let estimates: serde_json::Value = serde_json::from_str(&text).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}

/// CPU model, logical cores and memory, from /proc.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_kib: u64 = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_default();
    format!(
        "{model}, {cores} cores, {:.1} GiB memory (Linux)",
        memory_kib as f64 / 1024.0 / 1024.0
    )
}
