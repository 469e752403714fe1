//! `tenantctl reconcile`: compare the registry with the application
//! profiles and tenant roles, and optionally repair.

use std::cell::RefCell;
use std::io::Write;
use std::process::ExitCode;

use aws_config::SdkConfig;
use clap::ValueEnum;
use tenancy::aws::{BedrockProfiles, DynamoRegistry, IamRoles};
use tenancy::reconcile::{collect, reconcile, repair};

use crate::error::CliError;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

pub async fn run(
    sdk: &SdkConfig,
    registry: &DynamoRegistry,
    role_path: &str,
    fix: bool,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    let profiles = BedrockProfiles::new(aws_sdk_bedrock::Client::new(sdk));
    let roles = IamRoles::new(aws_sdk_iam::Client::new(sdk));
    // `collect` takes an `Fn`, so the progress writer is borrowed through a RefCell.
    let progress = RefCell::new(&mut *err);
    let inventory = collect(registry, &profiles, &roles, role_path, |line| {
        // Progress lines are informational; a closed stderr must not stop the command.
        let _ = writeln!(progress.borrow_mut(), "{line}");
    })
    .await?;
    let findings = reconcile(&inventory);
    match format {
        Format::Json => {
            let json = serde_json::to_string_pretty(&findings)?;
            writeln!(out, "{json}")?;
        }
        Format::Table => {
            for finding in &findings {
                writeln!(out, "{finding}")?;
            }
            writeln!(
                out,
                "{} findings in {} registry items, {} application profiles, {} roles",
                findings.len(),
                inventory.records.len(),
                inventory.profiles.len(),
                inventory.roles.len()
            )?;
        }
    }
    if fix {
        for action in repair(&findings, &profiles, &roles).await? {
            writeln!(err, "{action}")?;
        }
    }
    Ok(if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
