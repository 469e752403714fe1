//! Runs a parsed command line: builds the clients it needs from one SDK
//! configuration and writes to the given output and progress streams.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use aws_config::SdkConfig;
use tenancy::aws::DynamoRegistry;
use tenancy::domain::TenantRecord;
use time::OffsetDateTime;

use crate::cli::{ChartArgs, Cli, Command, CostArgs, TagsCommand, UsageArgs, UsageScope};
use crate::cost::{self, CostQuery};
use crate::dates::DateRange;
use crate::error::CliError;
use crate::output::ReportFormat;
use crate::prices::PriceTable;
use crate::usage::metrics::MetricsReader;
use crate::usage::{self, UsageReport};
use crate::{chart, reconcile, registry, tags};

/// Runs `cli` against the services `sdk` points at. `out` receives the
/// report, `err` progress lines and warnings.
pub async fn run(
    cli: Cli,
    sdk: &SdkConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    let table = cli.table.as_deref();
    match cli.command {
        Command::List => registry::list(&open_registry(sdk, table)?, out).await,
        Command::Show { tenant_id } => {
            let table = table.ok_or(CliError::MissingTable)?;
            registry::show(&open_registry(sdk, Some(table))?, table, &tenant_id, out).await
        }
        Command::Reconcile {
            repair: fix,
            format,
        } => {
            let registry = open_registry(sdk, table)?;
            reconcile::run(sdk, &registry, &cli.role_path, fix, format, out, err).await
        }
        Command::Usage(args) => usage_command(sdk, table, args, out, err).await,
        Command::Chart(args) => chart_command(sdk, table, args, out, err).await,
        Command::Cost(args) => cost_command(sdk, args, out, err).await,
        Command::Tags { command } => tags_command(sdk, command, out).await,
    }
}

async fn usage_command(
    sdk: &SdkConfig,
    table: Option<&str>,
    args: UsageArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    let report = usage_report(sdk, table, &args.scope, err).await?;
    match args.format {
        ReportFormat::Table => write!(out, "{}", usage::render::table(&report))?,
        ReportFormat::Csv => {
            write!(out, "{}", usage::render::csv(&report))?;
            write_notes(err, &usage::render::notes(&report))?;
        }
        ReportFormat::Json => writeln!(out, "{}", usage::render::json(&report)?)?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn chart_command(
    sdk: &SdkConfig,
    table: Option<&str>,
    args: ChartArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    if !has_svg_extension(&args.output) {
        return Err(CliError::InvalidArgument(format!(
            "invalid --output {}: the chart is SVG, so name the file *.svg",
            args.output.display()
        )));
    }
    let report = usage_report(sdk, table, &args.scope, err).await?;
    chart::write_cost_chart(&report, &args.output)?;
    write_notes(err, &usage::render::notes(&report))?;
    writeln!(
        out,
        "wrote {} ({} tenants)",
        args.output.display(),
        report.cost_by_tenant().len()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Loads the price table first, so a bad file fails before any AWS call.
async fn usage_report(
    sdk: &SdkConfig,
    table: Option<&str>,
    scope: &UsageScope,
    err: &mut dyn Write,
) -> Result<UsageReport, CliError> {
    let range = DateRange::new(scope.range.from, scope.range.to)?;
    let prices = PriceTable::load(&scope.prices)?;
    let table = table.ok_or(CliError::MissingTable)?;
    let registry = open_registry(sdk, Some(table))?;
    let records = select_tenants(registry.scan_all().await?, scope.tenant.as_deref(), table)?;
    let mut reader = MetricsReader::new(sdk.clone());
    usage::collect(
        records,
        &mut reader,
        &prices,
        range,
        OffsetDateTime::now_utc(),
        |line| {
            // Progress lines are informational; a closed stderr must not stop the report.
            let _ = writeln!(err, "{line}");
        },
    )
    .await
}

fn select_tenants(
    records: Vec<TenantRecord>,
    tenant: Option<&str>,
    table: &str,
) -> Result<Vec<TenantRecord>, CliError> {
    let Some(tenant) = tenant else {
        return Ok(records);
    };
    let selected: Vec<TenantRecord> = records
        .into_iter()
        .filter(|record| record.tenant_id == tenant)
        .collect();
    if selected.is_empty() {
        return Err(CliError::TenantNotFound {
            tenant: tenant.to_owned(),
            table: table.to_owned(),
        });
    }
    Ok(selected)
}

async fn cost_command(
    sdk: &SdkConfig,
    args: CostArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    let query = CostQuery {
        range: DateRange::new(args.range.from, args.range.to)?,
        granularity: args.granularity,
        tag_key: args.tag_key,
        services: args.services,
        metric: args.metric,
    };
    let client = aws_sdk_costexplorer::Client::new(sdk);
    let report = cost::collect(&client, query).await?;
    match args.format {
        ReportFormat::Table => write!(out, "{}", cost::table(&report))?,
        ReportFormat::Csv => {
            write!(out, "{}", cost::csv(&report))?;
            write_notes(err, &cost::notes(&report))?;
        }
        ReportFormat::Json => writeln!(out, "{}", cost::json(&report)?)?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn tags_command(
    sdk: &SdkConfig,
    command: TagsCommand,
    out: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    let client = aws_sdk_costexplorer::Client::new(sdk);
    match command {
        TagsCommand::Activate { keys } => {
            let activation = tags::activate(&client, &keys).await?;
            write!(out, "{}", tags::render_activation(&activation))?;
            Ok(exit_code(activation.errors.is_empty()))
        }
        TagsCommand::Status { keys } => {
            let statuses = tags::status(&client, &keys).await?;
            write!(out, "{}", tags::render_status(&statuses))?;
            Ok(exit_code(statuses.iter().all(tags::KeyStatus::is_active)))
        }
    }
}

fn open_registry(sdk: &SdkConfig, table: Option<&str>) -> Result<DynamoRegistry, CliError> {
    let table = table.ok_or(CliError::MissingTable)?;
    Ok(DynamoRegistry::new(
        aws_sdk_dynamodb::Client::new(sdk),
        table.to_owned(),
    ))
}

fn write_notes(err: &mut dyn Write, notes: &[String]) -> Result<(), CliError> {
    for note in notes {
        writeln!(err, "note: {note}")?;
    }
    Ok(())
}

fn has_svg_extension(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("svg"))
}

fn exit_code(success: bool) -> ExitCode {
    if success {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
