//! `tenantctl cost`: billed Amazon Bedrock cost per tenant, from Cost
//! Explorer grouped by the tenant tag.

use std::collections::BTreeMap;
use std::str::FromStr;

use aws_sdk_costexplorer::Client;
use aws_sdk_costexplorer::types::{
    DateInterval, Dimension, DimensionValues, Expression, Granularity, GroupDefinition,
    GroupDefinitionType,
};
use clap::ValueEnum;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::dates::{DateRange, format_date};
use crate::error::{CliError, aws_error};
use crate::output::{Align, csv_record, text_table};
use crate::prices::format_cents;
use crate::tags::{self, KeyStatus};

/// Cost Explorer's SERVICE dimension value of Bedrock's own charges.
/// NOTE: models sold through AWS Marketplace (Anthropic's, for example) may
/// be billed under a service name of their own, such as "Claude 3.5 Haiku
/// (Amazon Bedrock Edition)". Pass those names with --service.
pub const BEDROCK_SERVICE: &str = "Amazon Bedrock";

/// The metric `tenantctl cost` reads unless `--metric` names another.
pub const DEFAULT_METRIC: &str = "UnblendedCost";

/// Label of the group whose resources carry no tenant tag.
pub const UNTAGGED: &str = "(untagged)";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CostGranularity {
    Monthly,
    Daily,
}

impl CostGranularity {
    fn to_sdk(self) -> Granularity {
        match self {
            Self::Monthly => Granularity::Monthly,
            Self::Daily => Granularity::Daily,
        }
    }
}

/// Parameters of a GetCostAndUsage query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostQuery {
    pub range: DateRange,
    pub granularity: CostGranularity,
    pub tag_key: String,
    /// SERVICE dimension values to include.
    pub services: Vec<String>,
    pub metric: String,
}

/// Cost of one tenant in one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostRow {
    pub period_start: String,
    pub period_end: String,
    /// `None` for cost whose resources carry no tenant tag.
    pub tenant_id: Option<String>,
    pub amount: Decimal,
    pub unit: String,
    /// Whether Cost Explorer still counts the period as estimated (not final).
    pub estimated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostReport {
    pub query: CostQuery,
    pub rows: Vec<CostRow>,
    /// The tag key's cost allocation status, or why it could not be read.
    pub tag_status: Result<KeyStatus, String>,
}

impl CostReport {
    /// Exact totals per unit (normally one, `USD`).
    pub fn totals(&self) -> BTreeMap<&str, Decimal> {
        let mut totals: BTreeMap<&str, Decimal> = BTreeMap::new();
        for row in &self.rows {
            let total = totals.entry(row.unit.as_str()).or_default();
            *total = total.saturating_add(row.amount);
        }
        totals
    }
}

/// Reads the tag key's status, then the cost grouped by it. A failure to
/// read the status is kept in the report, since member accounts may
/// query cost but not list cost allocation tags.
pub async fn collect(client: &Client, query: CostQuery) -> Result<CostReport, CliError> {
    let tag_status = tags::status(client, std::slice::from_ref(&query.tag_key))
        .await
        .map_err(|error| error.to_string())
        .and_then(|statuses| {
            statuses
                .into_iter()
                .next()
                .ok_or_else(|| "ListCostAllocationTags returned no status".to_owned())
        });
    let rows = tenant_costs(client, &query).await?;
    Ok(CostReport {
        query,
        rows,
        tag_status,
    })
}

/// Runs GetCostAndUsage filtered on the services and grouped by the tag,
/// following every page.
pub async fn tenant_costs(client: &Client, query: &CostQuery) -> Result<Vec<CostRow>, CliError> {
    let period = DateInterval::builder()
        .start(format_date(query.range.start()))
        .end(format_date(query.range.end()))
        .build()
        .map_err(|error| CliError::InvalidArgument(error.to_string()))?;
    let filter = Expression::builder()
        .dimensions(
            DimensionValues::builder()
                .key(Dimension::Service)
                .set_values(Some(query.services.clone()))
                .build(),
        )
        .build();
    let group = GroupDefinition::builder()
        .r#type(GroupDefinitionType::Tag)
        .key(query.tag_key.as_str())
        .build();
    let group_prefix = format!("{}$", query.tag_key);

    let mut rows = Vec::new();
    let mut next_page: Option<String> = None;
    loop {
        let output = client
            .get_cost_and_usage()
            .time_period(period.clone())
            .granularity(query.granularity.to_sdk())
            .metrics(query.metric.as_str())
            .filter(filter.clone())
            .group_by(group.clone())
            .set_next_page_token(next_page.take())
            .send()
            .await
            .map_err(|error| aws_error("GetCostAndUsage", error))?;
        for result in output.results_by_time() {
            let (start, end) = result
                .time_period()
                .map(|period| (period.start().to_owned(), period.end().to_owned()))
                .unwrap_or_default();
            for group in result.groups() {
                // A tag group's key is "{tag key}${value}", with an empty
                // value for untagged cost.
                let key = group.keys().first().map(String::as_str).unwrap_or_default();
                let value = key.strip_prefix(&group_prefix).unwrap_or(key);
                let Some(metric) = group
                    .metrics()
                    .and_then(|metrics| metrics.get(&query.metric))
                else {
                    continue;
                };
                let text = metric.amount().unwrap_or("0");
                let amount = Decimal::from_str(text)
                    .or_else(|_| Decimal::from_scientific(text))
                    .map_err(|error| CliError::UnexpectedResponse {
                        operation: "GetCostAndUsage",
                        message: format!("amount {text:?} of group {key:?}: {error}"),
                    })?;
                rows.push(CostRow {
                    period_start: start.clone(),
                    period_end: end.clone(),
                    tenant_id: (!value.is_empty()).then(|| value.to_owned()),
                    amount,
                    unit: metric.unit().unwrap_or_default().to_owned(),
                    estimated: result.estimated(),
                });
            }
        }
        next_page = output.next_page_token().map(str::to_owned);
        if next_page.is_none() {
            return Ok(rows);
        }
    }
}

/// Warnings about the tag key, for stderr or the JSON `notes`.
pub fn notes(report: &CostReport) -> Vec<String> {
    let key = &report.query.tag_key;
    let mut notes = Vec::new();
    match &report.tag_status {
        Ok(status) => {
            if let Some(reason) = tags::inactive_reason(status) {
                notes.push(format!(
                    "The cost allocation tag {key} is not active ({reason}), so Cost Explorer reports all cost as {UNTAGGED}."
                ));
                notes.push(format!(
                    "Activate it in the management (payer) account (`tenantctl tags activate --key {key}`); tagged cost appears from then on, not before, unless backfilled."
                ));
            }
        }
        Err(reason) => notes.push(format!(
            "Could not read whether the cost allocation tag {key} is active: {reason}"
        )),
    }
    let untagged_only =
        !report.rows.is_empty() && report.rows.iter().all(|row| row.tenant_id.is_none());
    if untagged_only && report.tag_status.as_ref().is_ok_and(KeyStatus::is_active) {
        notes.push(format!(
            "All cost is {UNTAGGED}: no usage in the range went through a profile tagged {key}, or the tag was activated after it."
        ));
    }
    if report.rows.iter().any(|row| row.estimated) {
        notes.push("Rows marked estimated are for periods that are not final yet.".to_owned());
    }
    notes
}

pub fn table(report: &CostReport) -> String {
    let headers = [
        ("PERIOD START", Align::Left),
        ("PERIOD END", Align::Left),
        ("TENANT", Align::Left),
        ("AMOUNT", Align::Right),
        ("UNIT", Align::Left),
        ("ESTIMATED", Align::Left),
    ];
    let mut rows: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|row| {
            vec![
                row.period_start.clone(),
                row.period_end.clone(),
                tenant_label(row).to_owned(),
                format_cents(row.amount),
                row.unit.clone(),
                if row.estimated { "yes" } else { "no" }.to_owned(),
            ]
        })
        .collect();
    for (unit, total) in report.totals() {
        rows.push(vec![
            "TOTAL".to_owned(),
            String::new(),
            String::new(),
            format_cents(total),
            unit.to_owned(),
            String::new(),
        ]);
    }
    let mut text = text_table(&headers, &rows);
    let notes = notes(report);
    if !notes.is_empty() {
        text.push('\n');
    }
    for note in notes {
        text.push_str(&note);
        text.push('\n');
    }
    text
}

pub fn csv(report: &CostReport) -> String {
    let mut text = csv_record(
        &[
            "period_start",
            "period_end",
            "tenant_id",
            "amount",
            "unit",
            "estimated",
        ]
        .map(str::to_owned),
    );
    for row in &report.rows {
        text.push_str(&csv_record(&[
            row.period_start.clone(),
            row.period_end.clone(),
            tenant_label(row).to_owned(),
            format_cents(row.amount),
            row.unit.clone(),
            row.estimated.to_string(),
        ]));
    }
    for (unit, total) in report.totals() {
        text.push_str(&csv_record(&[
            "TOTAL".to_owned(),
            String::new(),
            String::new(),
            format_cents(total),
            unit.to_owned(),
            String::new(),
        ]));
    }
    text
}

pub fn json(report: &CostReport) -> Result<String, serde_json::Error> {
    let rows: Vec<Value> = report
        .rows
        .iter()
        .map(|row| {
            json!({
                "periodStart": row.period_start,
                "periodEnd": row.period_end,
                "tenantId": row.tenant_id,
                "amount": format_cents(row.amount),
                "amountUnrounded": row.amount.normalize().to_string(),
                "unit": row.unit,
                "estimated": row.estimated,
            })
        })
        .collect();
    let totals: BTreeMap<&str, String> = report
        .totals()
        .into_iter()
        .map(|(unit, total)| (unit, format_cents(total)))
        .collect();
    let document = json!({
        "from": format_date(report.query.range.start()),
        "to": format_date(report.query.range.end()),
        "tagKey": report.query.tag_key,
        "tagActive": report.tag_status.as_ref().ok().map(KeyStatus::is_active),
        "services": report.query.services,
        "metric": report.query.metric,
        "rows": rows,
        "totals": totals,
        "notes": notes(report),
    });
    serde_json::to_string_pretty(&document)
}

fn tenant_label(row: &CostRow) -> &str {
    row.tenant_id.as_deref().unwrap_or(UNTAGGED)
}

#[cfg(test)]
mod tests {
    use aws_sdk_costexplorer::types::CostAllocationTagStatus;
    use time::macros::date;

    use super::*;
    use crate::tags::KeyListing;

    fn report(rows: Vec<CostRow>, tag_status: Result<KeyStatus, String>) -> CostReport {
        CostReport {
            query: CostQuery {
                range: DateRange::new(date!(2025 - 06 - 01), date!(2025 - 08 - 01)).unwrap(),
                granularity: CostGranularity::Monthly,
                tag_key: "tenant-id".to_owned(),
                services: vec![BEDROCK_SERVICE.to_owned()],
                metric: DEFAULT_METRIC.to_owned(),
            },
            rows,
            tag_status,
        }
    }

    fn row(tenant: Option<&str>, amount: &str) -> CostRow {
        CostRow {
            period_start: "2025-06-01".to_owned(),
            period_end: "2025-07-01".to_owned(),
            tenant_id: tenant.map(str::to_owned),
            amount: Decimal::from_str(amount).unwrap(),
            unit: "USD".to_owned(),
            estimated: false,
        }
    }

    fn key_status(status: Option<CostAllocationTagStatus>) -> KeyStatus {
        KeyStatus {
            key: "tenant-id".to_owned(),
            listing: status.map(|status| KeyListing {
                status,
                tag_type: "UserDefined".to_owned(),
                last_updated: None,
                last_used: None,
            }),
        }
    }

    #[test]
    fn table_totals_unrounded_amounts() {
        let rows = vec![
            row(Some("acme"), "0.005"),
            row(Some("beta"), "0.005"),
            row(None, "1.2"),
        ];
        let report = report(rows, Ok(key_status(Some(CostAllocationTagStatus::Active))));

        let text = table(&report);

        let cells: Vec<Vec<&str>> = text
            .lines()
            .map(|line| line.split_whitespace().collect())
            .collect();
        assert_eq!(
            cells[1],
            ["2025-06-01", "2025-07-01", "acme", "0.01", "USD", "no"]
        );
        assert_eq!(
            cells[3],
            [
                "2025-06-01",
                "2025-07-01",
                "(untagged)",
                "1.20",
                "USD",
                "no"
            ]
        );
        // 0.005 + 0.005 + 1.2 = 1.21; the rounded rows would add up to 1.22.
        assert_eq!(cells[4], ["TOTAL", "1.21", "USD"]);
    }

    #[test]
    fn notes_say_inactive_tag() {
        let report = report(
            vec![row(None, "3.5")],
            Ok(key_status(Some(CostAllocationTagStatus::Inactive))),
        );

        let notes = notes(&report);

        assert!(
            notes[0].starts_with(
                "The cost allocation tag tenant-id is not active (its status is Inactive)"
            ),
            "{notes:?}"
        );
        assert!(notes[1].contains("management (payer) account"), "{notes:?}");
    }

    #[test]
    fn notes_say_unknown_key() {
        let report = report(Vec::new(), Ok(key_status(None)));

        let notes = notes(&report);

        assert!(notes[0].contains("billing lists no such key"), "{notes:?}");
    }

    #[test]
    fn notes_keep_status_failure() {
        let report = report(Vec::new(), Err("AccessDeniedException".to_owned()));

        let notes = notes(&report);

        assert_eq!(
            notes,
            vec![
                "Could not read whether the cost allocation tag tenant-id is active: AccessDeniedException"
            ]
        );
    }

    #[test]
    fn json_reports_tag_state_and_totals() {
        let report = report(
            vec![row(Some("acme"), "12.345")],
            Ok(key_status(Some(CostAllocationTagStatus::Active))),
        );

        let document: Value = serde_json::from_str(&json(&report).unwrap()).unwrap();

        assert_eq!(document["tagActive"], true);
        assert_eq!(document["rows"][0]["amount"], "12.35");
        assert_eq!(document["rows"][0]["amountUnrounded"], "12.345");
        assert_eq!(document["totals"]["USD"], "12.35");
    }
}
