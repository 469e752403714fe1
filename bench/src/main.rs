//! `make bench`: init time, peak memory, artifact size, one onboarding and a
//! bulk run of the onboarding function, Rust against a Python baseline, on
//! the local AWS stack. Prints one table and writes it with the machine and
//! method to docs/benchmarks.md. Exits non-zero when a run fails or the bulk
//! run leaves a wrong end state; missed targets are only reported.
//!
//! `bench/run.sh` builds the artifacts, starts the stack and sets:
//! STACK_DIR, BENCH_BOOTSTRAP, BENCH_ZIP, BENCH_PYTHON,
//! BENCH_PYTHON_TASK_ROOT, BENCH_OUTPUT and optionally BENCH_CRITERION_DIR,
//! BENCH_BUILD_SECONDS, BENCH_DATE, BENCH_TOOLS. Paths come from the
//! environment, not from the build, because the shared target directory may
//! hold a binary built from another checkout. Counts: BENCH_STARTS (30), BENCH_TENANTS (1000),
//! BENCH_CONCURRENCY (16), BENCH_TIER (standard), BENCH_THROTTLE (0.1).

mod bulk;
mod function;
mod report;
mod stack;

use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;

use crate::function::Function;
use crate::report::Results;
use crate::stack::Stack;

pub type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("bench failed: {error}");
            ExitCode::FAILURE
        }
    }
}

struct Settings {
    stack_dir: PathBuf,
    bootstrap: PathBuf,
    zip: PathBuf,
    python: PathBuf,
    /// The folder of the baseline's `onboard.py`.
    python_task_root: PathBuf,
    output: PathBuf,
    work_dir: PathBuf,
    starts: usize,
    tenants: usize,
    concurrency: usize,
    tier: String,
    throttle: f64,
}

impl Settings {
    fn from_env() -> Result<Self, Error> {
        let path = |name: &str| -> Result<PathBuf, Error> {
            std::env::var_os(name)
                .map(PathBuf::from)
                .ok_or_else(|| format!("{name} is not set; run `make bench`").into())
        };
        let stack_dir = path("STACK_DIR")?;
        Ok(Self {
            work_dir: stack_dir.join("bench"),
            stack_dir,
            bootstrap: path("BENCH_BOOTSTRAP")?,
            zip: path("BENCH_ZIP")?,
            python: path("BENCH_PYTHON")?,
            python_task_root: path("BENCH_PYTHON_TASK_ROOT")?,
            output: path("BENCH_OUTPUT")?,
            starts: number("BENCH_STARTS", 30)?,
            tenants: number("BENCH_TENANTS", 1000)?,
            concurrency: number("BENCH_CONCURRENCY", 16)?,
            tier: std::env::var("BENCH_TIER").unwrap_or_else(|_| "standard".to_owned()),
            throttle: number("BENCH_THROTTLE", 0.1)?,
        })
    }
}

fn number<T: FromStr>(name: &str, default: T) -> Result<T, Error> {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .map_err(|_| format!("{name}: invalid number {value:?}").into()),
        Err(_) => Ok(default),
    }
}

/// Runs every measurement; `Ok(false)` when the bulk end state is wrong.
async fn run() -> Result<bool, Error> {
    let settings = Settings::from_env()?;
    let load_average = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned());
    std::fs::create_dir_all(&settings.work_dir)?;
    let stack = Stack::open(&settings.stack_dir)?;
    let models = models_of_tier(&stack, &settings.tier)?;
    let rust = Function::Rust(settings.bootstrap.clone());
    let python = Function::Python {
        python: settings.python.clone(),
        task_root: settings.python_task_root.clone(),
    };
    // The handler module's bytecode is cached outside the repository, as a
    // deployment package would ship it compiled.
    let pycache = settings.work_dir.join("pycache");
    let pycache = pycache.to_string_lossy().into_owned();
    let python_extra = [("PYTHONPYCACHEPREFIX", pycache.as_str())];

    eprintln!("init time: {} starts of each function", settings.starts);
    let rust_init = function::init_times(&rust, &stack, &[], settings.starts).await?;
    let python_init = function::init_times(&python, &stack, &python_extra, settings.starts).await?;

    eprintln!("one onboarding each");
    let rust_single = function::onboard_once(
        &rust,
        &stack,
        &[],
        bulk::signup("bench-single-rust", &settings.tier, 900_001),
        &settings.work_dir.join("single-rust.log"),
    )
    .await?;
    let python_single = function::onboard_once(
        &python,
        &stack,
        &python_extra,
        bulk::signup("bench-single-python", &settings.tier, 900_002),
        &settings.work_dir.join("single-python.log"),
    )
    .await?;

    eprintln!(
        "bulk: {} tenants, {} at a time, {:.0}% of Bedrock profile requests throttled",
        settings.tenants,
        settings.concurrency,
        settings.throttle * 100.0
    );
    let tenants: Vec<String> = (0..settings.tenants)
        .map(|index| format!("bench-{index:04}"))
        .collect();
    let events = tenants
        .iter()
        .enumerate()
        .map(|(index, tenant)| bulk::signup(tenant, &settings.tier, index))
        .collect();
    let bulk_run = bulk::onboard_all(
        &rust,
        &stack,
        events,
        settings.concurrency,
        settings.throttle,
        // The bulk tenants' profiles, the two single onboardings' and headroom.
        (settings.tenants + 2) * models + 100,
        &settings.work_dir.join("bulk.log"),
    )
    .await?;
    eprintln!("checking the end state");
    let end_state = bulk::check_end_state(&stack, &tenants, models).await?;

    let results = Results {
        starts: settings.starts,
        load_average,
        rust_init,
        python_init,
        rust_single,
        python_single,
        bootstrap_bytes: std::fs::metadata(&settings.bootstrap)?.len(),
        zip_bytes: std::fs::metadata(&settings.zip)?.len(),
        tier: settings.tier.clone(),
        models,
        concurrency: settings.concurrency,
        throttle: settings.throttle,
        bulk: bulk_run,
        end_state,
        resolver_ns: report::criterion_median_ns(),
    };
    let table = results.table();
    println!("{table}");
    if !results.end_state.is_correct() {
        eprintln!(
            "bench failed: wrong end state after the bulk run; findings: {:?}",
            results.end_state.findings
        );
        return Ok(false);
    }
    let output = &settings.output;
    std::fs::write(output, results.document(&table))?;
    eprintln!("wrote {}", output.display());
    Ok(true)
}

fn models_of_tier(stack: &Stack, tier: &str) -> Result<usize, Error> {
    let path = stack
        .function_env
        .get("MODEL_CATALOG_FILE")
        .ok_or("function.env has no MODEL_CATALOG_FILE")?;
    let catalog: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    catalog["tiers"][tier]
        .as_array()
        .map(Vec::len)
        .ok_or_else(|| format!("BENCH_TIER: tier {tier:?} is not in {path}").into())
}
