//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use tenancy::config::DEFAULT_TENANT_ROLE_PATH;
use tenancy::domain::TENANT_TAG_KEY;
use time::Date;

use crate::cost::{BEDROCK_SERVICE, CostGranularity, DEFAULT_METRIC};
use crate::dates::parse_date;
use crate::output::ReportFormat;
use crate::reconcile::Format;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Inspect and reconcile per-tenant Bedrock inference profiles, and report their usage and cost"
)]
pub struct Cli {
    /// DynamoDB tenant registry table; needed by list, show, reconcile, usage and chart.
    #[arg(long, env = "TENANT_TABLE_NAME", global = true)]
    pub table: Option<String>,
    /// IAM path reserved for tenant roles.
    #[arg(long, env = "TENANT_ROLE_PATH", default_value = DEFAULT_TENANT_ROLE_PATH, global = true)]
    pub role_path: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every tenant in the registry with its status and profile count.
    List,
    /// Print one tenant's registry item as JSON.
    Show {
        /// The tenant id exactly as registered.
        tenant_id: String,
    },
    /// Compare the registry with the application profiles and tenant roles;
    /// exits with status 1 when it finds anything.
    Reconcile {
        /// Delete orphaned profiles and roles (only those tagged or placed as tenants').
        #[arg(long)]
        repair: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Report invocations, input and output tokens and cost per tenant and
    /// model, from CloudWatch metrics by profile id and the price table.
    /// Includes offboarded tenants.
    Usage(UsageArgs),
    /// Report billed Amazon Bedrock cost per tenant from Cost Explorer,
    /// grouped by the tenant tag. AWS bills USD 0.01 per Cost Explorer API request, each
    /// page counted.
    Cost(CostArgs),
    /// Write an SVG bar chart of cost per tenant, computed as `usage` computes it.
    Chart(ChartArgs),
    /// Activate the tenant tag as a cost allocation tag, or show its status.
    Tags {
        #[command(subcommand)]
        command: TagsCommand,
    },
}

/// A range of whole UTC days.
#[derive(Debug, Clone, Args)]
pub struct RangeArgs {
    /// First day, YYYY-MM-DD (UTC, inclusive).
    #[arg(long, value_parser = parse_date)]
    pub from: Date,
    /// Day after the last one, YYYY-MM-DD (UTC, exclusive, as Cost Explorer reads it).
    #[arg(long, value_parser = parse_date)]
    pub to: Date,
}

/// Tenant selection, date range and price table of a usage computation.
#[derive(Debug, Clone, Args)]
pub struct UsageScope {
    #[command(flatten)]
    pub range: RangeArgs,
    /// Report only this tenant id.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Price table: JSON with per-model USD prices per 1,000 input and output tokens.
    #[arg(long, env = "PRICE_TABLE_FILE", default_value = "infra/prices.json")]
    pub prices: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct UsageArgs {
    #[command(flatten)]
    pub scope: UsageScope,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Clone, Args)]
pub struct ChartArgs {
    #[command(flatten)]
    pub scope: UsageScope,
    /// SVG file to write; an existing file is replaced.
    #[arg(long)]
    pub output: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct CostArgs {
    #[command(flatten)]
    pub range: RangeArgs,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// One row per tenant and month, or per tenant and day.
    #[arg(long, value_enum, default_value_t = CostGranularity::Monthly)]
    pub granularity: CostGranularity,
    /// Cost allocation tag to group by.
    #[arg(long, default_value = TENANT_TAG_KEY)]
    pub tag_key: String,
    /// Cost Explorer SERVICE value to include; repeat for several.
    #[arg(long = "service", default_value = BEDROCK_SERVICE)]
    pub services: Vec<String>,
    /// Cost Explorer metric, such as UnblendedCost, AmortizedCost or NetUnblendedCost.
    #[arg(long, default_value = DEFAULT_METRIC)]
    pub metric: String,
}

#[derive(Debug, Subcommand)]
pub enum TagsCommand {
    /// Set cost allocation tag keys to Active (management account only);
    /// exits with status 1 when the response lists an error for any key.
    Activate {
        /// Tag key to activate; repeat for several (20 per call).
        #[arg(long = "key", default_value = TENANT_TAG_KEY)]
        keys: Vec<String>,
    },
    /// Show whether cost allocation tag keys are active; exits with status 1
    /// when any is not. Run this when Cost Explorer shows no tenant cost.
    Status {
        /// Tag key to look up; repeat for several.
        #[arg(long = "key", default_value = TENANT_TAG_KEY)]
        keys: Vec<String>,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn tags_activate_defaults_to_tenant_key() {
        let cli = Cli::try_parse_from(["tenantctl", "tags", "activate"]).unwrap();

        let Command::Tags {
            command: TagsCommand::Activate { keys },
        } = cli.command
        else {
            panic!("parsed as {:?}", cli.command);
        };
        assert_eq!(keys, ["tenant-id"]);
    }

    #[test]
    fn cost_accepts_several_services() {
        let cli = Cli::try_parse_from([
            "tenantctl",
            "cost",
            "--from",
            "2025-06-01",
            "--to",
            "2025-07-01",
            "--service",
            "Amazon Bedrock",
            "--service",
            "Claude 3.5 Haiku (Amazon Bedrock Edition)",
        ])
        .unwrap();

        let Command::Cost(args) = cli.command else {
            panic!("parsed as {:?}", cli.command);
        };
        assert_eq!(args.services.len(), 2);
        assert_eq!(args.granularity, CostGranularity::Monthly);
    }

    #[test]
    fn usage_rejects_invalid_dates() {
        for (from, to) in [("2025-06-31", "2025-07-01"), ("June", "2025-07-01")] {
            let parsed = Cli::try_parse_from(["tenantctl", "usage", "--from", from, "--to", to]);

            assert!(parsed.is_err(), "--from {from} was accepted");
        }
    }
}
