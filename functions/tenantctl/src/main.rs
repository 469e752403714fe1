//! `tenantctl`: the operator's command line for the tenant registry.

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use tenancy::aws::{BedrockProfiles, DynamoRegistry, IamRoles, load_sdk_config};
use tenancy::config::{DEFAULT_TENANT_ROLE_PATH, RetrySettings};
use tenancy::ports::TenantRegistry;
use tenancy::reconcile::{collect, reconcile, repair};

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Inspect and reconcile per-tenant Bedrock inference profiles"
)]
struct Cli {
    /// DynamoDB tenant registry table.
    #[arg(long, env = "TENANT_TABLE_NAME")]
    table: String,
    /// IAM path reserved for tenant roles.
    #[arg(long, env = "TENANT_ROLE_PATH", default_value = DEFAULT_TENANT_ROLE_PATH)]
    role_path: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
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
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    let sdk = load_sdk_config(RetrySettings {
        max_attempts: 5,
        initial_backoff: std::time::Duration::from_millis(200),
    })
    .await;
    let registry = DynamoRegistry::new(aws_sdk_dynamodb::Client::new(&sdk), cli.table.clone());
    match cli.command {
        Command::List => {
            let mut records = registry.scan_all().await.map_err(|e| e.to_string())?;
            records.sort_by(|a, b| a.tenant_id.cmp(&b.tenant_id));
            println!(
                "{:<40} {:<12} {:<10} {:>8}",
                "TENANT", "STATUS", "TIER", "PROFILES"
            );
            for record in &records {
                let status = format!("{:?}", record.status).to_uppercase();
                println!(
                    "{:<40} {:<12} {:<10} {:>8}",
                    record.tenant_id,
                    status,
                    record.tier,
                    record.profiles.len()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Show { tenant_id } => {
            let record = registry.get(&tenant_id).await.map_err(|e| e.to_string())?;
            let Some(record) = record else {
                return Err(format!(
                    "tenant {tenant_id:?} is not in table {}",
                    cli.table
                ));
            };
            let json = serde_json::to_string_pretty(&record).map_err(|e| e.to_string())?;
            println!("{json}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Reconcile {
            repair: fix,
            format,
        } => {
            let profiles = BedrockProfiles::new(aws_sdk_bedrock::Client::new(&sdk));
            let roles = IamRoles::new(aws_sdk_iam::Client::new(&sdk));
            let inventory = collect(&registry, &profiles, &roles, &cli.role_path, |line| {
                eprintln!("{line}")
            })
            .await
            .map_err(|e| e.to_string())?;
            let findings = reconcile(&inventory);
            match format {
                Format::Json => {
                    let json =
                        serde_json::to_string_pretty(&findings).map_err(|e| e.to_string())?;
                    println!("{json}");
                }
                Format::Table => {
                    for finding in &findings {
                        println!("{finding}");
                    }
                    println!(
                        "{} findings in {} registry items, {} application profiles, {} roles",
                        findings.len(),
                        inventory.records.len(),
                        inventory.profiles.len(),
                        inventory.roles.len()
                    );
                }
            }
            if fix {
                for action in repair(&findings, &profiles, &roles)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    eprintln!("{action}");
                }
            }
            Ok(if findings.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}
