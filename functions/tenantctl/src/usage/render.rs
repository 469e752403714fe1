//! Text, CSV and JSON output of a usage report.

use serde_json::{Value, json};

use super::{UsageReport, UsageRow, status_name};
use crate::dates::format_date;
use crate::output::{Align, csv_record, text_table};
use crate::prices::format_cents;

/// Cell of a row whose model has no price.
const NO_PRICE: &str = "n/a";

/// Formats the report as an aligned table with a TOTAL row, followed by its notes.
pub fn table(report: &UsageReport) -> String {
    let cost_header = format!("COST ({})", report.currency);
    let headers = [
        ("TENANT", Align::Left),
        ("STATUS", Align::Left),
        ("MODEL", Align::Left),
        ("PROFILE ID", Align::Left),
        ("REGION", Align::Left),
        ("INVOCATIONS", Align::Right),
        ("INPUT TOKENS", Align::Right),
        ("OUTPUT TOKENS", Align::Right),
        (cost_header.as_str(), Align::Right),
    ];
    let mut rows: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|row| {
            vec![
                row.tenant_id.clone(),
                status_name(row.status).to_owned(),
                row.model_key.clone(),
                row.profile_id.clone(),
                row.region.clone(),
                group_digits(row.usage.invocations),
                group_digits(row.usage.input_tokens),
                group_digits(row.usage.output_tokens),
                cost_cell(row, NO_PRICE),
            ]
        })
        .collect();
    let totals = &report.totals;
    rows.push(vec![
        "TOTAL".to_owned(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        group_digits(totals.invocations),
        group_digits(totals.input_tokens),
        group_digits(totals.output_tokens),
        format_cents(totals.cost),
    ]);
    let mut text = text_table(&headers, &rows);
    text.push('\n');
    for note in notes(report) {
        text.push_str(&note);
        text.push('\n');
    }
    text
}

/// Formats the rows as CSV with exact token counts, costs rounded to cents
/// and a final TOTAL row.
pub fn csv(report: &UsageReport) -> String {
    let mut text = csv_record(
        &[
            "tenant_id",
            "status",
            "model_key",
            "source_model_id",
            "profile_id",
            "region",
            "invocations",
            "input_tokens",
            "output_tokens",
            "cost",
            "currency",
        ]
        .map(str::to_owned),
    );
    for row in &report.rows {
        text.push_str(&csv_record(&[
            row.tenant_id.clone(),
            status_name(row.status).to_owned(),
            row.model_key.clone(),
            row.source_model_id.clone(),
            row.profile_id.clone(),
            row.region.clone(),
            row.usage.invocations.to_string(),
            row.usage.input_tokens.to_string(),
            row.usage.output_tokens.to_string(),
            cost_cell(row, ""),
            report.currency.clone(),
        ]));
    }
    let totals = &report.totals;
    text.push_str(&csv_record(&[
        "TOTAL".to_owned(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        totals.invocations.to_string(),
        totals.input_tokens.to_string(),
        totals.output_tokens.to_string(),
        format_cents(totals.cost),
        report.currency.clone(),
    ]));
    text
}

/// Formats the report as one JSON document. Amounts are strings rounded to
/// cents, so no reader parses them into binary floats, and `costUnrounded`
/// carries the exact amount.
pub fn json(report: &UsageReport) -> Result<String, serde_json::Error> {
    let rows: Vec<Value> = report
        .rows
        .iter()
        .map(|row| {
            json!({
                "tenantId": row.tenant_id,
                "status": status_name(row.status),
                "modelKey": row.model_key,
                "sourceModelId": row.source_model_id,
                "priceKey": row.price_key,
                "profileId": row.profile_id,
                "region": row.region,
                "invocations": row.usage.invocations,
                "inputTokens": row.usage.input_tokens,
                "outputTokens": row.usage.output_tokens,
                "cost": row.cost.map(format_cents),
                "costUnrounded": row.cost.map(|cost| cost.normalize().to_string()),
            })
        })
        .collect();
    let totals = &report.totals;
    let document = json!({
        "from": format_date(report.range.start()),
        "to": format_date(report.range.end()),
        "periodSeconds": report.period_seconds,
        "currency": report.currency,
        "priceRegion": report.price_region,
        "rounding": "half up to cents, totals from unrounded amounts",
        "rows": rows,
        "totals": {
            "invocations": totals.invocations,
            "inputTokens": totals.input_tokens,
            "outputTokens": totals.output_tokens,
            "cost": format_cents(totals.cost),
            "costUnrounded": totals.cost.normalize().to_string(),
            "unpricedRows": totals.unpriced_rows,
        },
        "notes": notes(report),
    });
    serde_json::to_string_pretty(&document)
}

/// Builds the lines that state where the figures come from and what they leave out.
pub fn notes(report: &UsageReport) -> Vec<String> {
    let mut notes = vec![
        format!(
            "Usage from {} to {} (UTC, end exclusive): CloudWatch AWS/Bedrock sums by profile id in {}-second periods.",
            format_date(report.range.start()),
            format_date(report.range.end()),
            report.period_seconds
        ),
        format!(
            "Cost: tokens x on-demand {} prices of the price table ({}), rounded half up to cents; the total is rounded from the unrounded sum.",
            report.price_region, report.currency
        ),
    ];
    if let Some(note) = &report.price_note {
        notes.push(format!("Price table note: {note}"));
    }
    let unpriced = report.unpriced_models();
    if !unpriced.is_empty() {
        let rows = match report.totals.unpriced_rows {
            1 => "1 row is".to_owned(),
            count => format!("{count} rows are"),
        };
        notes.push(format!(
            "No price for {}: {rows} left out of the total cost.",
            unpriced.into_iter().collect::<Vec<_>>().join(", "),
        ));
    }
    notes
}

fn cost_cell(row: &UsageRow, missing: &str) -> String {
    row.cost
        .map(format_cents)
        .unwrap_or_else(|| missing.to_owned())
}

/// Formats a count with thousands separators, such as `1,234,567`.
fn group_digits(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample_report;
    use super::*;

    #[test]
    fn group_digits_inserts_separators() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (1_234_567, "1,234,567"),
        ];
        for (value, expected) in cases {
            assert_eq!(group_digits(value), expected);
        }
    }

    #[test]
    fn table_lists_rows_and_total() {
        let text = table(&sample_report());

        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("TENANT"), "{text}");
        assert!(lines[0].ends_with("COST (USD)"), "{text}");
        assert!(
            lines[1].starts_with("acme  ") && lines[1].ends_with("0.01"),
            "{text}"
        );
        assert!(
            lines[2].contains("llama") && lines[2].ends_with("n/a"),
            "{text}"
        );
        assert!(
            lines[4].contains("OFFBOARDED") && lines[4].contains("181,250"),
            "{text}"
        );
        assert!(
            lines[5].starts_with("TOTAL") && lines[5].ends_with("0.03"),
            "{text}"
        );
        assert!(
            text.contains("No price for meta.llama3-8b-instruct-v1:0: 1 row is left out"),
            "{text}"
        );
    }

    #[test]
    fn csv_has_header_rows_and_total() {
        let text = csv(&sample_report());

        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6);
        assert_eq!(
            lines[1],
            "acme,ACTIVE,claude-haiku,us.anthropic.claude-3-5-haiku-20241022-v1:0,aaa000000002,us-east-1,3,6250,0,0.01,USD"
        );
        assert_eq!(lines[2].split(',').nth(9), Some(""));
        assert_eq!(lines[5], "TOTAL,,,,,,16,288500,21000,0.03,USD");
    }

    #[test]
    fn json_keeps_exact_and_rounded_amounts() {
        let document: Value = serde_json::from_str(&json(&sample_report()).unwrap()).unwrap();

        assert_eq!(document["rows"][0]["cost"], "0.01");
        assert_eq!(document["rows"][0]["costUnrounded"], "0.005");
        assert_eq!(
            document["rows"][0]["priceKey"],
            "anthropic.claude-3-5-haiku-20241022-v1:0"
        );
        assert_eq!(document["rows"][1]["cost"], Value::Null);
        assert_eq!(document["totals"]["cost"], "0.03");
        assert_eq!(document["totals"]["costUnrounded"], "0.026675");
        assert_eq!(document["from"], "2025-06-01");
    }
}
