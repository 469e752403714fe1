//! Output formats of the report commands: aligned text tables and CSV.

use clap::ValueEnum;

/// Output format of `usage` and `cost`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Aligned columns with a totals row and notes, for people.
    Table,
    /// CSV with a header and a final TOTAL row.
    Csv,
    /// One JSON document with rows, totals and notes.
    Json,
}

/// Alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// Lays out rows under headers, each column as wide as its longest cell,
/// separated by two spaces, with trailing spaces trimmed.
pub fn text_table(headers: &[(&str, Align)], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers
        .iter()
        .map(|(name, _)| name.chars().count())
        .collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let header_cells: Vec<String> = headers.iter().map(|(name, _)| (*name).to_owned()).collect();
    for cells in std::iter::once(&header_cells).chain(rows) {
        let line: Vec<String> = cells
            .iter()
            .zip(headers.iter().zip(&widths))
            .map(|(cell, ((_, align), width))| match align {
                Align::Left => format!("{cell:<width$}"),
                Align::Right => format!("{cell:>width$}"),
            })
            .collect();
        text.push_str(line.join("  ").trim_end());
        text.push('\n');
    }
    text
}

/// Writes one CSV record ending in `\n`, quoting fields that contain a
/// comma, a quote or a line break as RFC 4180 does.
pub fn csv_record(fields: &[String]) -> String {
    let quoted: Vec<String> = fields
        .iter()
        .map(|field| {
            if field.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", field.replace('"', "\"\""))
            } else {
                field.clone()
            }
        })
        .collect();
    format!("{}\n", quoted.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_table_aligns_columns() {
        let rows = vec![
            vec!["acme".to_owned(), "7".to_owned()],
            vec!["a-much-longer-id".to_owned(), "1234".to_owned()],
        ];

        let text = text_table(&[("TENANT", Align::Left), ("N", Align::Right)], &rows);

        assert_eq!(
            text,
            "TENANT               N\nacme                 7\na-much-longer-id  1234\n"
        );
    }

    #[test]
    fn csv_record_quotes_special_fields() {
        let fields = ["plain", "a,b", "say \"hi\"", "two\nlines"].map(str::to_owned);

        assert_eq!(
            csv_record(&fields),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
        );
    }
}
