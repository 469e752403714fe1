//! The price table: on-demand token prices per model, read from a JSON file
//! in the repository (`infra/prices.json`), and money arithmetic on it.
//!
//! Prices are decimal strings such as `"0.0008"`, parsed into
//! [`rust_decimal::Decimal`] so that no amount carries binary float error.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use tenancy::domain::SYSTEM_PROFILE_GEOS;
use time::Date;

use crate::dates::parse_date;
use crate::error::CliError;

/// Prices are quoted per this many tokens, as the Amazon Bedrock pricing page quotes them.
const TOKENS_PER_PRICE_UNIT: u64 = 1_000;

/// A validated price table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceTable {
    /// ISO 4217 code of every price, such as `USD`.
    pub currency: String,
    /// Region whose prices the table lists.
    pub region: String,
    /// Free text shown with every report, for example that the prices are examples.
    pub note: Option<String>,
    models: BTreeMap<String, ModelPrice>,
}

/// On-demand prices of one model, with where and when they were read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPrice {
    pub name: Option<String>,
    pub input_per_1000_tokens: Decimal,
    pub output_per_1000_tokens: Decimal,
    pub as_of: Date,
    /// URL or title of the page the prices were read from.
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PriceFile {
    #[serde(default)]
    note: Option<String>,
    currency: String,
    region: String,
    models: BTreeMap<String, PriceEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PriceEntry {
    #[serde(default)]
    name: Option<String>,
    input_per_1000_tokens: serde_json::Value,
    output_per_1000_tokens: serde_json::Value,
    as_of: String,
    source: String,
}

impl PriceTable {
    /// Reads and validates a price table file.
    pub fn load(path: &Path) -> Result<Self, CliError> {
        let text = std::fs::read_to_string(path).map_err(|error| CliError::PriceTable {
            path: path.to_owned(),
            reason: format!("{error}; pass --prices FILE or set PRICE_TABLE_FILE"),
        })?;
        Self::from_json(&text).map_err(|reason| CliError::PriceTable {
            path: path.to_owned(),
            reason,
        })
    }

    /// Parses and validates a price table; the error names the offending entry.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let file: PriceFile = serde_json::from_str(text).map_err(|error| error.to_string())?;
        if file.currency.len() != 3 || !file.currency.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(format!(
                "currency {:?} is not an ISO 4217 code such as \"USD\"",
                file.currency
            ));
        }
        if file.region.trim().is_empty() {
            return Err("region is empty; name the region whose prices the table lists".into());
        }
        let mut models = BTreeMap::new();
        for (model_id, entry) in file.models {
            let price =
                parse_entry(entry).map_err(|reason| format!("model {model_id:?}: {reason}"))?;
            models.insert(model_id, price);
        }
        Ok(Self {
            currency: file.currency,
            region: file.region,
            note: file.note,
            models,
        })
    }

    /// Finds the prices of a model id, returning the table's key with them.
    ///
    /// A system-defined profile id without an entry of its own, such as
    /// `us.anthropic.claude-3-5-haiku-20241022-v1:0`, falls back to the model
    /// id after its geography prefix (`anthropic.claude-3-5-haiku-20241022-v1:0`),
    /// because the Amazon Bedrock pricing page bills cross-Region inference
    /// at the source Region's price. A table can still list a profile id,
    /// such as a `global.` one, to price it differently.
    pub fn lookup(&self, model_id: &str) -> Option<(&str, &ModelPrice)> {
        if let Some((key, price)) = self.models.get_key_value(model_id) {
            return Some((key.as_str(), price));
        }
        let underlying = SYSTEM_PROFILE_GEOS
            .iter()
            .find_map(|geo| model_id.strip_prefix(geo)?.strip_prefix('.'))?;
        self.models
            .get_key_value(underlying)
            .map(|(key, price)| (key.as_str(), price))
    }

    pub fn models(&self) -> impl Iterator<Item = (&str, &ModelPrice)> {
        self.models.iter().map(|(key, price)| (key.as_str(), price))
    }
}

impl ModelPrice {
    /// Computes the exact cost of the tokens, unrounded. Returns `None` only
    /// when the amount exceeds the [`Decimal`] maximum (about 7.9e28).
    pub fn cost(&self, input_tokens: u64, output_tokens: u64) -> Option<Decimal> {
        let unit = Decimal::from(TOKENS_PER_PRICE_UNIT);
        let input = Decimal::from(input_tokens)
            .checked_mul(self.input_per_1000_tokens)?
            .checked_div(unit)?;
        let output = Decimal::from(output_tokens)
            .checked_mul(self.output_per_1000_tokens)?
            .checked_div(unit)?;
        input.checked_add(output)
    }
}

fn parse_entry(entry: PriceEntry) -> Result<ModelPrice, String> {
    let as_of = parse_date(&entry.as_of).map_err(|error| format!("asOf: {error}"))?;
    if entry.source.trim().is_empty() {
        return Err("source is empty; give the URL or title the prices were read from".into());
    }
    Ok(ModelPrice {
        name: entry.name,
        input_per_1000_tokens: parse_price("inputPer1000Tokens", &entry.input_per_1000_tokens)?,
        output_per_1000_tokens: parse_price("outputPer1000Tokens", &entry.output_per_1000_tokens)?,
        as_of,
        source: entry.source,
    })
}

/// Reads a price from a JSON string. A JSON number is rejected because
/// serde_json reads it as a binary float, so "0.0008" would not stay exact.
fn parse_price(field: &str, value: &serde_json::Value) -> Result<Decimal, String> {
    let Some(text) = value.as_str() else {
        return Err(format!(
            "{field} must be a decimal string such as \"0.0008\", not {value}"
        ));
    };
    let price = Decimal::from_str(text.trim())
        .map_err(|error| format!("{field} {text:?} is not a decimal number: {error}"))?;
    if price.is_sign_negative() {
        return Err(format!("{field} {text:?} is negative"));
    }
    Ok(price)
}

/// Rounds an amount to cents, half away from zero (0.005 becomes 0.01), the
/// way invoices are usually rounded. Every report rounds only for display:
/// totals are summed from the unrounded amounts and then rounded once.
pub fn round_to_cents(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    // Pads 0.1 to 0.10 so every amount prints with two decimals.
    rounded.rescale(2);
    rounded
}

/// Formats an amount rounded to cents, such as `12.30`.
pub fn format_cents(amount: Decimal) -> String {
    round_to_cents(amount).to_string()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const TABLE: &str = r#"{
        "note": "test prices",
        "currency": "USD",
        "region": "us-east-1",
        "models": {
            "anthropic.claude-3-5-haiku-20241022-v1:0": {
                "inputPer1000Tokens": "0.0008",
                "outputPer1000Tokens": "0.004",
                "asOf": "2025-06-01",
                "source": "test"
            },
            "amazon.nova-lite-v1:0": {
                "inputPer1000Tokens": "0.00006",
                "outputPer1000Tokens": "0.00024",
                "asOf": "2025-06-01",
                "source": "test"
            },
            "global.anthropic.claude-3-5-haiku-20241022-v1:0": {
                "inputPer1000Tokens": "0.0007",
                "outputPer1000Tokens": "0.0035",
                "asOf": "2025-06-01",
                "source": "test"
            }
        }
    }"#;

    fn table() -> PriceTable {
        PriceTable::from_json(TABLE).unwrap()
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn lookup_finds_exact_model_id() {
        let table = table();

        let (key, price) = table.lookup("amazon.nova-lite-v1:0").unwrap();

        assert_eq!(key, "amazon.nova-lite-v1:0");
        assert_eq!(price.input_per_1000_tokens, dec("0.00006"));
    }

    #[test]
    fn lookup_maps_system_profile_to_model() {
        let table = table();

        let (key, _) = table
            .lookup("us.anthropic.claude-3-5-haiku-20241022-v1:0")
            .unwrap();

        assert_eq!(key, "anthropic.claude-3-5-haiku-20241022-v1:0");
    }

    #[test]
    fn lookup_maps_us_gov_profile_to_model() {
        let table = table();

        let (key, _) = table.lookup("us-gov.amazon.nova-lite-v1:0").unwrap();

        assert_eq!(key, "amazon.nova-lite-v1:0");
    }

    #[test]
    fn lookup_prefers_profile_entry() {
        let table = table();

        let (key, _) = table
            .lookup("global.anthropic.claude-3-5-haiku-20241022-v1:0")
            .unwrap();

        assert_eq!(key, "global.anthropic.claude-3-5-haiku-20241022-v1:0");
    }

    #[test]
    fn lookup_misses_unknown_model() {
        let table = table();

        assert!(table.lookup("meta.llama3-8b-instruct-v1:0").is_none());
        assert!(table.lookup("us.meta.llama3-8b-instruct-v1:0").is_none());
        assert!(table.lookup("xx.amazon.nova-lite-v1:0").is_none());
        assert!(table.lookup("").is_none());
    }

    #[test]
    fn cost_multiplies_tokens_by_prices() {
        let table = table();
        let (_, haiku) = table
            .lookup("anthropic.claude-3-5-haiku-20241022-v1:0")
            .unwrap();

        // 1,234,567 × 0.0008 / 1000 + 89,012 × 0.004 / 1000 = 0.9876536 + 0.356048
        let cost = haiku.cost(1_234_567, 89_012).unwrap();

        assert_eq!(cost, dec("1.3437016"));
        assert_eq!(format_cents(cost), "1.34");
    }

    #[test]
    fn cost_rounds_half_up_to_cents() {
        let table = table();
        let (_, haiku) = table
            .lookup("anthropic.claude-3-5-haiku-20241022-v1:0")
            .unwrap();

        // 6,250 × 0.0008 / 1000 = 0.005 exactly: half-even would give 0.00.
        let cost = haiku.cost(6_250, 0).unwrap();

        assert_eq!(cost, dec("0.005"));
        assert_eq!(format_cents(cost), "0.01");
    }

    #[test]
    fn cost_is_exact_where_floats_are_not() {
        let table = table();
        let (_, haiku) = table
            .lookup("anthropic.claude-3-5-haiku-20241022-v1:0")
            .unwrap();

        // In f64, 181_250.0 * 0.0008 / 1000.0 * 100.0 is 14.499999999999998,
        // which rounds to 0.14; the exact amount 0.145 rounds to 0.15.
        let cost = haiku.cost(181_250, 0).unwrap();

        assert_eq!(cost, dec("0.145"));
        assert_eq!(format_cents(cost), "0.15");
    }

    #[test]
    fn format_cents_pads_two_decimals() {
        let cases = [
            ("0", "0.00"),
            ("0.1", "0.10"),
            ("12.345", "12.35"),
            ("12.3449", "12.34"),
        ];
        for (amount, expected) in cases {
            assert_eq!(format_cents(dec(amount)), expected, "amount {amount}");
        }
    }

    #[test]
    fn from_json_rejects_invalid_tables() {
        let entry = |input: &str, as_of: &str, source: &str| {
            format!(
                r#"{{"currency": "USD", "region": "us-east-1", "models": {{"m": {{
                    "inputPer1000Tokens": {input}, "outputPer1000Tokens": "0.001",
                    "asOf": "{as_of}", "source": "{source}"}}}}}}"#
            )
        };
        let cases = [
            ("number price", entry("0.001", "2025-06-01", "s")),
            ("negative price", entry("\"-0.001\"", "2025-06-01", "s")),
            ("text price", entry("\"cheap\"", "2025-06-01", "s")),
            ("bad asOf", entry("\"0.001\"", "June 2025", "s")),
            ("empty source", entry("\"0.001\"", "2025-06-01", " ")),
            (
                "lower-case currency",
                r#"{"currency": "usd", "region": "us-east-1", "models": {}}"#.to_owned(),
            ),
            (
                "unknown field",
                r#"{"currency": "USD", "region": "us-east-1", "models": {}, "curency": "EUR"}"#
                    .to_owned(),
            ),
            (
                "missing region",
                r#"{"currency": "USD", "models": {}}"#.to_owned(),
            ),
        ];
        for (case, text) in cases {
            assert!(PriceTable::from_json(&text).is_err(), "{case} was accepted");
        }
    }

    #[test]
    fn repository_price_table_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/prices.json");

        let table = PriceTable::load(&path).unwrap();

        assert_eq!(table.currency, "USD");
        assert!(table.note.is_some(), "the example prices carry a note");
        for model in [
            "amazon.nova-lite-v1:0",
            "us.anthropic.claude-3-5-haiku-20241022-v1:0",
            "us.anthropic.claude-sonnet-4-20250514-v1:0",
        ] {
            assert!(table.lookup(model).is_some(), "no price for {model}");
        }
    }

    proptest! {
        #[test]
        fn cost_is_additive_in_tokens(input in 0u64..1_000_000_000_000, output in 0u64..1_000_000_000_000) {
            let table = table();
            let (_, haiku) = table.lookup("anthropic.claude-3-5-haiku-20241022-v1:0").unwrap();

            let both = haiku.cost(input, output).unwrap();
            let parts = haiku.cost(input, 0).unwrap() + haiku.cost(0, output).unwrap();

            prop_assert_eq!(both, parts);
        }

        #[test]
        fn rounding_moves_less_than_half_a_cent(cents in 0i64..10_000_000, rest in 0i64..10_000) {
            let amount = Decimal::new(cents * 10_000 + rest, 6);

            let rounded = round_to_cents(amount);

            prop_assert!((rounded - amount).abs() <= Decimal::new(5, 3));
            prop_assert_eq!(rounded.scale(), 2);
        }
    }
}
