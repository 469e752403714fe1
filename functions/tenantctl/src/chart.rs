//! `tenantctl chart`: an SVG bar chart of cost per tenant from a usage report.
//!
//! plotters is built with its SVG backend only: text becomes SVG `<text>`
//! elements that the viewer renders, so no font files are read here and
//! label widths are estimates.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::dates::format_date;
use crate::error::CliError;
use crate::prices::format_cents;
use crate::usage::{TenantCost, UsageReport};

const WIDTH: u32 = 960;
const BAR_HEIGHT: u32 = 36;
/// Room for the title, the x axis and the footnote.
const FRAME_HEIGHT: u32 = 170;
/// Tenant ids are up to 128 characters; longer labels are cut with an ellipsis.
const MAX_LABEL_CHARS: usize = 40;
const FONT: &str = "sans-serif";
const BAR_COLOR: RGBColor = RGBColor(0x2f, 0x6f, 0xb3);

/// Draws the chart and writes it to `path`.
pub fn write_cost_chart(report: &UsageReport, path: &Path) -> Result<(), CliError> {
    let svg = cost_chart_svg(report)?;
    std::fs::write(path, svg).map_err(|source| CliError::Write {
        path: path.to_owned(),
        source,
    })
}

/// Draws one horizontal bar per tenant, the most expensive at the top,
/// each labelled with its cost rounded to cents.
pub fn cost_chart_svg(report: &UsageReport) -> Result<String, CliError> {
    let mut tenants = report.cost_by_tenant();
    tenants.sort_by(|a, b| {
        a.cost
            .cmp(&b.cost)
            .then_with(|| b.tenant_id.cmp(&a.tenant_id))
    });
    let labels: Vec<String> = tenants
        .iter()
        .map(|tenant| label(&tenant.tenant_id))
        .collect();
    let count = tenants.len();
    // Saturating arithmetic keeps a huge tenant count from overflowing the height.
    let bars = u32::try_from(count.max(1)).unwrap_or(u32::MAX);
    let height = FRAME_HEIGHT.saturating_add(BAR_HEIGHT.saturating_mul(bars));
    let title = format!(
        "Amazon Bedrock cost per tenant, {} to {} (end exclusive)",
        format_date(report.range.start()),
        format_date(report.range.end())
    );

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let (plot_area, footer) = root.split_vertically(height - 40);

        let max_cost = tenants
            .iter()
            .map(|tenant| to_f64(tenant.cost))
            .fold(0.0_f64, f64::max);
        // Leaves room right of the longest bar for its amount.
        let x_end = if max_cost > 0.0 { max_cost * 1.25 } else { 1.0 };
        let longest_label = labels
            .iter()
            .map(|label| label.chars().count())
            .max()
            .unwrap_or(0);
        let label_area = u32::try_from(longest_label).unwrap_or(0) * 8 + 24;
        // A numeric y axis, one unit per tenant: plotters' segmented integer
        // axes cannot hold a single segment. Tenant labels are drawn by hand.
        let rows = count.max(1) as f64;

        let mut chart = ChartBuilder::on(&plot_area)
            .caption(&title, (FONT, 20))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(label_area)
            .build_cartesian_2d(0.0..x_end, 0.0..rows)
            .map_err(chart_error)?;
        let decimals = axis_decimals(x_end);
        let x_label = |value: &f64| format!("{value:.decimals$}");
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&x_label)
            .x_desc(format!("Cost ({})", report.currency))
            .label_style((FONT, 14))
            .draw()
            .map_err(chart_error)?;

        let row_center = |index: usize| index as f64 + 0.5;
        chart
            .draw_series(tenants.iter().enumerate().map(|(index, tenant)| {
                Rectangle::new(
                    [
                        (0.0, index as f64 + 0.2),
                        (to_f64(tenant.cost), index as f64 + 0.8),
                    ],
                    BAR_COLOR.filled(),
                )
            }))
            .map_err(chart_error)?;
        chart
            .draw_series(tenants.iter().enumerate().map(|(index, tenant)| {
                Text::new(
                    amount_label(tenant, &report.currency),
                    (to_f64(tenant.cost), row_center(index)),
                    (FONT, 14)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                )
            }))
            .map_err(chart_error)?;
        for (index, label) in labels.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(0.0, row_center(index)));
            plot_area
                .draw(&Text::new(
                    label.clone(),
                    (x - 8, y),
                    (FONT, 14)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Right, VPos::Center)),
                ))
                .map_err(chart_error)?;
        }

        let footnote = if count == 0 {
            "No tenant in the registry has a profile.".to_owned()
        } else {
            format!(
                "Cost = CloudWatch token counts x the {} price table, rounded half up to cents.",
                report.price_region
            )
        };
        footer
            .draw(&Text::new(footnote, (16, 8), (FONT, 13).into_font()))
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// Formats the amount shown right of a bar, with a count of unpriced models if any.
fn amount_label(tenant: &TenantCost, currency: &str) -> String {
    let amount = format!(" {} {currency}", format_cents(tenant.cost));
    match tenant.unpriced_rows {
        0 => amount,
        count => format!("{amount} (+{count} unpriced)"),
    }
}

fn label(tenant_id: &str) -> String {
    if tenant_id.chars().count() <= MAX_LABEL_CHARS {
        return tenant_id.to_owned();
    }
    let cut: String = tenant_id.chars().take(MAX_LABEL_CHARS - 1).collect();
    format!("{cut}…")
}

/// Decimals that keep about six axis ticks distinct on an axis from 0 to
/// `end`: two for amounts of a unit or more, more for amounts in cents.
fn axis_decimals(end: f64) -> usize {
    let step = end / 6.0;
    if !step.is_finite() || step >= 0.1 {
        return 2;
    }
    // step < 0.1, so the logarithm is negative; four decimals per 1e-4 and so on.
    let digits = (-step.log10()).ceil() + 1.0;
    digits.clamp(2.0, 8.0) as usize
}

/// Bar length only: the printed amounts come from the exact decimals.
fn to_f64(amount: Decimal) -> f64 {
    amount.to_f64().unwrap_or(0.0)
}

fn chart_error(error: impl std::fmt::Display) -> CliError {
    CliError::Chart(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::tests::sample_report;

    #[test]
    fn chart_is_well_formed_svg() {
        let svg = cost_chart_svg(&sample_report()).unwrap();

        let document = roxmltree::Document::parse(&svg).unwrap();
        let root = document.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        let texts: Vec<&str> = root
            .descendants()
            .filter(|node| node.has_tag_name("text"))
            .filter_map(|node| node.text())
            .map(str::trim)
            .collect();
        assert!(texts.contains(&"acme"), "{texts:?}");
        assert!(texts.contains(&"zeta"), "{texts:?}");
        assert!(
            texts
                .iter()
                .any(|text| text.contains("0.02 USD (+1 unpriced)")),
            "{texts:?}"
        );
        assert!(
            texts.iter().any(|text| text.contains("0.01 USD")),
            "{texts:?}"
        );
    }

    #[test]
    fn chart_draws_one_bar_per_tenant() {
        let svg = cost_chart_svg(&sample_report()).unwrap();

        let document = roxmltree::Document::parse(&svg).unwrap();
        let bars = document
            .descendants()
            .filter(|node| node.has_tag_name("rect"))
            .filter(|node| node.attribute("fill") == Some("#2F6FB3"))
            .count();
        assert_eq!(bars, 2);
    }

    #[test]
    fn axis_decimals_grow_for_small_amounts() {
        assert_eq!(axis_decimals(1_000.0), 2);
        assert_eq!(axis_decimals(1.0), 2);
        assert_eq!(axis_decimals(0.02), 4);
        assert_eq!(axis_decimals(0.0), 8);
    }

    #[test]
    fn label_cuts_long_ids() {
        let long = "t".repeat(128);

        let cut = label(&long);

        assert_eq!(cut.chars().count(), MAX_LABEL_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(label("acme"), "acme");
    }
}
