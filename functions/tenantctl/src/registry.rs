//! `tenantctl list` and `tenantctl show`: read the tenant registry.

use std::io::Write;
use std::process::ExitCode;

use tenancy::aws::DynamoRegistry;
use tenancy::ports::TenantRegistry;

use crate::error::CliError;
use crate::usage::status_name;

pub async fn list(registry: &DynamoRegistry, out: &mut dyn Write) -> Result<ExitCode, CliError> {
    let mut records = registry.scan_all().await?;
    records.sort_by(|a, b| a.tenant_id.cmp(&b.tenant_id));
    writeln!(
        out,
        "{:<40} {:<12} {:<10} {:>8}",
        "TENANT", "STATUS", "TIER", "PROFILES"
    )?;
    for record in &records {
        writeln!(
            out,
            "{:<40} {:<12} {:<10} {:>8}",
            record.tenant_id,
            status_name(record.status),
            record.tier,
            record.profiles.len()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn show(
    registry: &DynamoRegistry,
    table: &str,
    tenant_id: &str,
    out: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    let record = registry.get(tenant_id).await?;
    let Some(record) = record else {
        return Err(CliError::TenantNotFound {
            tenant: tenant_id.to_owned(),
            table: table.to_owned(),
        });
    };
    let json = serde_json::to_string_pretty(&record)?;
    writeln!(out, "{json}")?;
    Ok(ExitCode::SUCCESS)
}
