//! `tenantctl usage`: invocations, tokens and cost per tenant and model,
//! from CloudWatch's per-profile metrics and the price table.

pub mod metrics;
pub mod period;
pub mod render;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rust_decimal::Decimal;
use tenancy::domain::{TenantRecord, TenantStatus};
use time::OffsetDateTime;

use crate::dates::DateRange;
use crate::error::CliError;
use crate::prices::PriceTable;
use metrics::{MetricsReader, ProfileRef, ProfileUsage};

/// Usage of one tenant's profile for one model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRow {
    pub tenant_id: String,
    pub status: TenantStatus,
    /// The catalogue's model key, such as `claude-haiku`.
    pub model_key: String,
    /// The foundation model or system profile the profile was copied from.
    pub source_model_id: String,
    pub profile_id: String,
    pub region: String,
    pub usage: ProfileUsage,
    /// The price table entry used, or `None` when the table has no price.
    pub price_key: Option<String>,
    /// Exact cost, unrounded; `None` when the table has no price.
    pub cost: Option<Decimal>,
}

/// Sums over every row of a report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub invocations: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Exact sum of the priced rows' costs.
    pub cost: Decimal,
    /// Rows left out of `cost` because the table has no price for their model.
    pub unpriced_rows: usize,
}

/// The usage report of a date range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageReport {
    pub range: DateRange,
    /// CloudWatch period, in seconds, of the datapoints that were summed.
    pub period_seconds: i32,
    pub currency: String,
    /// Region whose prices the table lists.
    pub price_region: String,
    pub price_note: Option<String>,
    /// Sorted by tenant id, then model key.
    pub rows: Vec<UsageRow>,
    pub totals: Totals,
}

/// One tenant's cost, summed over its models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantCost {
    pub tenant_id: String,
    pub cost: Decimal,
    pub unpriced_rows: usize,
}

impl UsageReport {
    /// Sums each tenant's exact cost over its models, in tenant id order.
    pub fn cost_by_tenant(&self) -> Vec<TenantCost> {
        let mut tenants: BTreeMap<&str, TenantCost> = BTreeMap::new();
        for row in &self.rows {
            let entry = tenants
                .entry(row.tenant_id.as_str())
                .or_insert_with(|| TenantCost {
                    tenant_id: row.tenant_id.clone(),
                    cost: Decimal::ZERO,
                    unpriced_rows: 0,
                });
            match row.cost {
                // Cannot overflow: the report's total of the same costs was computed.
                Some(cost) => entry.cost = entry.cost.saturating_add(cost),
                None => entry.unpriced_rows += 1,
            }
        }
        tenants.into_values().collect()
    }

    /// Source model ids that the price table has no price for.
    pub fn unpriced_models(&self) -> BTreeSet<&str> {
        self.rows
            .iter()
            .filter(|row| row.cost.is_none())
            .map(|row| row.source_model_id.as_str())
            .collect()
    }
}

/// Reads every profile of `records` from CloudWatch, one tenant at a time,
/// and prices the sums. `progress` receives one line per tenant.
///
/// NOTE: onboarding a tenant again after offboarding replaces the profiles
/// its registry item records, so the earlier generation's usage is not
/// reported here. Cost Explorer still groups that cost under the tenant tag.
pub async fn collect(
    mut records: Vec<TenantRecord>,
    reader: &mut MetricsReader,
    prices: &PriceTable,
    range: DateRange,
    now: OffsetDateTime,
    mut progress: impl FnMut(&str),
) -> Result<UsageReport, CliError> {
    let start_age = (now - range.start_time()).whole_seconds();
    let period = period::choose_period(range.seconds(), start_age)?;
    records.sort_by(|a, b| a.tenant_id.cmp(&b.tenant_id));

    let mut usage = HashMap::new();
    let count = records.len();
    for (index, record) in records.iter().enumerate() {
        progress(&format!(
            "usage: tenant {}/{count} {} ({} profiles)",
            index + 1,
            record.tenant_id,
            record.profiles.len()
        ));
        let profiles: Vec<ProfileRef> = record
            .profiles
            .values()
            .map(|profile| ProfileRef {
                profile_id: profile_id(&profile.profile_id, &profile.profile_arn),
                region: profile.region.clone(),
            })
            .filter(|profile| !profile.profile_id.is_empty())
            .collect();
        usage.extend(reader.read(&profiles, &range, period).await?);
    }
    build_report(&records, &usage, prices, range, period)
}

/// Prices the usage of every recorded profile. A profile missing from
/// `usage` counts as unused.
pub fn build_report(
    records: &[TenantRecord],
    usage: &HashMap<String, ProfileUsage>,
    prices: &PriceTable,
    range: DateRange,
    period_seconds: i32,
) -> Result<UsageReport, CliError> {
    let mut rows = Vec::new();
    let mut totals = Totals::default();
    for record in records {
        for (model_key, profile) in &record.profiles {
            let id = profile_id(&profile.profile_id, &profile.profile_arn);
            let profile_usage = usage.get(&id).copied().unwrap_or_default();
            let priced = prices.lookup(&profile.source_model_id);
            let cost = match priced {
                Some((_, price)) => Some(
                    price
                        .cost(profile_usage.input_tokens, profile_usage.output_tokens)
                        .ok_or_else(|| overflow(&record.tenant_id, model_key))?,
                ),
                None => None,
            };

            totals.invocations = totals.invocations.saturating_add(profile_usage.invocations);
            totals.input_tokens = totals
                .input_tokens
                .saturating_add(profile_usage.input_tokens);
            totals.output_tokens = totals
                .output_tokens
                .saturating_add(profile_usage.output_tokens);
            match cost {
                Some(cost) => {
                    totals.cost = totals
                        .cost
                        .checked_add(cost)
                        .ok_or_else(|| overflow(&record.tenant_id, model_key))?;
                }
                None => totals.unpriced_rows += 1,
            }
            rows.push(UsageRow {
                tenant_id: record.tenant_id.clone(),
                status: record.status,
                model_key: model_key.clone(),
                source_model_id: profile.source_model_id.clone(),
                profile_id: id,
                region: profile.region.clone(),
                usage: profile_usage,
                price_key: priced.map(|(key, _)| key.to_owned()),
                cost,
            });
        }
    }
    rows.sort_by(|a, b| {
        (a.tenant_id.as_str(), a.model_key.as_str())
            .cmp(&(b.tenant_id.as_str(), b.model_key.as_str()))
    });
    Ok(UsageReport {
        range,
        period_seconds,
        currency: prices.currency.clone(),
        price_region: prices.region.clone(),
        price_note: prices.note.clone(),
        rows,
        totals,
    })
}

/// Returns the profile id as recorded, or else the last segment of the
/// profile ARN (`arn:aws:bedrock:{region}:{account}:application-inference-profile/{id}`).
fn profile_id(recorded: &str, arn: &str) -> String {
    if !recorded.is_empty() {
        return recorded.to_owned();
    }
    arn.rsplit_once('/')
        .map(|(_, id)| id.to_owned())
        .unwrap_or_default()
}

fn overflow(tenant_id: &str, model_key: &str) -> CliError {
    CliError::InvalidArgument(format!(
        "the cost of tenant {tenant_id} model {model_key} overflows a decimal amount"
    ))
}

/// Returns the registry's spelling of a status, such as `OFFBOARDED`.
pub fn status_name(status: TenantStatus) -> &'static str {
    match status {
        TenantStatus::Provisioning => "PROVISIONING",
        TenantStatus::Active => "ACTIVE",
        TenantStatus::Offboarding => "OFFBOARDING",
        TenantStatus::Offboarded => "OFFBOARDED",
        TenantStatus::Failed => "FAILED",
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::str::FromStr;

    use tenancy::domain::ProfileRecord;
    use time::macros::date;

    use super::*;

    pub(crate) const PRICES: &str = r#"{
        "currency": "USD",
        "region": "us-east-1",
        "models": {
            "anthropic.claude-3-5-haiku-20241022-v1:0": {
                "inputPer1000Tokens": "0.0008", "outputPer1000Tokens": "0.004",
                "asOf": "2025-06-01", "source": "test"
            },
            "amazon.nova-lite-v1:0": {
                "inputPer1000Tokens": "0.00006", "outputPer1000Tokens": "0.00024",
                "asOf": "2025-06-01", "source": "test"
            }
        }
    }"#;

    pub(crate) fn record(
        tenant: &str,
        status: TenantStatus,
        profiles: &[(&str, &str, &str)],
    ) -> TenantRecord {
        let profiles = profiles
            .iter()
            .map(|(key, id, model)| {
                (
                    (*key).to_owned(),
                    ProfileRecord {
                        profile_name: format!("{tenant}-{key}"),
                        profile_arn: format!(
                            "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/{id}"
                        ),
                        profile_id: (*id).to_owned(),
                        source_arn: String::new(),
                        source_model_id: (*model).to_owned(),
                        region: "us-east-1".to_owned(),
                        routed_model_arns: Vec::new(),
                    },
                )
            })
            .collect();
        TenantRecord {
            tenant_id: tenant.to_owned(),
            status,
            tier: "standard".to_owned(),
            models: Vec::new(),
            generation: 1,
            version: 1,
            event_id: String::new(),
            created_at: String::new(),
            updated_at: String::new(),
            role_name: String::new(),
            role_arn: None,
            profiles,
            failure: None,
            tenant_registration_id: None,
            offboarded_at: None,
            offboard_event_id: None,
            offboard_event_time: None,
        }
    }

    fn usage(invocations: u64, input_tokens: u64, output_tokens: u64) -> ProfileUsage {
        ProfileUsage {
            invocations,
            input_tokens,
            output_tokens,
        }
    }

    pub(crate) fn sample_report() -> UsageReport {
        let records = vec![
            record(
                "zeta",
                TenantStatus::Offboarded,
                &[("nova-lite", "zzz000000001", "amazon.nova-lite-v1:0")],
            ),
            record(
                "acme",
                TenantStatus::Active,
                &[
                    ("nova-lite", "aaa000000001", "amazon.nova-lite-v1:0"),
                    (
                        "claude-haiku",
                        "aaa000000002",
                        "us.anthropic.claude-3-5-haiku-20241022-v1:0",
                    ),
                    ("llama", "aaa000000003", "meta.llama3-8b-instruct-v1:0"),
                ],
            ),
        ];
        let usage = HashMap::from([
            ("aaa000000001".to_owned(), usage(10, 100_000, 20_000)),
            ("aaa000000002".to_owned(), usage(3, 6_250, 0)),
            ("aaa000000003".to_owned(), usage(1, 1_000, 1_000)),
            ("zzz000000001".to_owned(), usage(2, 181_250, 0)),
        ]);
        let prices = PriceTable::from_json(PRICES).unwrap();
        let range = DateRange::new(date!(2025 - 06 - 01), date!(2025 - 07 - 01)).unwrap();
        build_report(&records, &usage, &prices, range, 1_800).unwrap()
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn report_prices_each_row() {
        let report = sample_report();

        let costs: Vec<(&str, &str, Option<Decimal>)> = report
            .rows
            .iter()
            .map(|row| (row.tenant_id.as_str(), row.model_key.as_str(), row.cost))
            .collect();

        assert_eq!(
            costs,
            vec![
                ("acme", "claude-haiku", Some(dec("0.005"))),
                ("acme", "llama", None),
                // 100,000 × 0.00006 / 1000 + 20,000 × 0.00024 / 1000
                ("acme", "nova-lite", Some(dec("0.0108"))),
                ("zeta", "nova-lite", Some(dec("0.010875"))),
            ]
        );
    }

    #[test]
    fn report_keeps_offboarded_tenants() {
        let report = sample_report();

        let zeta = report
            .rows
            .iter()
            .find(|row| row.tenant_id == "zeta")
            .unwrap();

        assert_eq!(zeta.status, TenantStatus::Offboarded);
        assert_eq!(zeta.usage.input_tokens, 181_250);
    }

    #[test]
    fn totals_sum_exact_amounts() {
        let report = sample_report();

        assert_eq!(report.totals.invocations, 16);
        assert_eq!(report.totals.input_tokens, 288_500);
        assert_eq!(report.totals.output_tokens, 21_000);
        assert_eq!(report.totals.cost, dec("0.026675"));
        assert_eq!(report.totals.unpriced_rows, 1);
    }

    #[test]
    fn cost_by_tenant_sums_models() {
        let report = sample_report();

        let tenants = report.cost_by_tenant();

        assert_eq!(
            tenants,
            vec![
                TenantCost {
                    tenant_id: "acme".to_owned(),
                    cost: dec("0.0158"),
                    unpriced_rows: 1
                },
                TenantCost {
                    tenant_id: "zeta".to_owned(),
                    cost: dec("0.010875"),
                    unpriced_rows: 0
                },
            ]
        );
    }

    #[test]
    fn unused_profile_counts_zero() {
        let records = vec![record(
            "idle",
            TenantStatus::Active,
            &[("nova-lite", "idle00000001", "amazon.nova-lite-v1:0")],
        )];
        let prices = PriceTable::from_json(PRICES).unwrap();
        let range = DateRange::new(date!(2025 - 06 - 01), date!(2025 - 06 - 02)).unwrap();

        let report = build_report(&records, &HashMap::new(), &prices, range, 60).unwrap();

        assert_eq!(report.rows[0].usage, ProfileUsage::default());
        assert_eq!(report.rows[0].cost, Some(Decimal::ZERO));
    }

    #[test]
    fn profile_id_falls_back_to_arn() {
        let arn =
            "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123def456";

        assert_eq!(profile_id("", arn), "abc123def456");
        assert_eq!(profile_id("recorded0001", arn), "recorded0001");
        assert_eq!(profile_id("", "not-an-arn"), "");
    }
}
