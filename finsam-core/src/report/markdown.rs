//! The annual report as Markdown for people: the headings of the HTML page
//! (a section per subject, a table under it), Swedish column labels, key
//! values by their labels and förbund by name, and numbers plain or the
//! Swedish way. Code names stay in CSV, JSON and frames.

use std::fmt::Write as _;

use super::AnnualReport;
use super::sections::{headlines, key_text};
use crate::publish::labels::{Locale, column_label, format_number};
use crate::publish::{Cell, Table};

impl AnnualReport {
    /// The report as Markdown with plain numbers (see
    /// [`to_markdown_with`](Self::to_markdown_with)).
    ///
    /// ```
    /// let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let report = finsam_core::report::annual_report(&data, 2022, &Default::default())?;
    /// let md = report.to_markdown();
    /// assert!(md.starts_with("# Finsam årsrapport 2022\n"));
    /// assert!(md.contains("\n## Sysselsättning efter avslutad insats\n"));
    /// assert!(md.contains("| Andel till arbete eller studier |"));
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn to_markdown(&self) -> String {
        self.to_markdown_with(Locale::Plain)
    }

    /// The report as Markdown for readers, its numbers written in
    /// `locale`: the title, what the figures are, the headline figures, then
    /// a `##` section per subject with a `###` heading per table, and the
    /// mergers. A withheld cell is `..`.
    ///
    /// ```
    /// use finsam_core::publish::labels::Locale;
    /// let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let report = finsam_core::report::annual_report(&data, 2022, &Default::default())?;
    /// assert!(report.to_markdown_with(Locale::Sv).contains("| 23\u{a0}000 |"));
    /// assert!(report.to_markdown_with(Locale::Plain).contains("| 23000 |"));
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn to_markdown_with(&self, locale: Locale) -> String {
        let mut out = format!("# {}\n\n{}\n\n", self.page_title(), self.description_sv());
        for note in self.notes.iter().filter(|n| !n.starts_with("Avgränsat till ")) {
            let _ = writeln!(out, "{note}\n");
        }
        out.push_str("## Sammanfattning\n\n");
        for headline in headlines() {
            let Some(figure) = headline.read(self) else { continue };
            let _ = write!(out, "- {}: {}", headline.label, cell_text(&figure.value, figure.unit, locale));
            if let Some((lo, hi)) = figure.interval {
                let (lo, hi) = (format_number(lo, figure.unit, locale), format_number(hi, figure.unit, locale));
                let _ = write!(
                    out,
                    " ({} % intervall {lo}–{hi})",
                    format_number(self.config.level * 100.0, crate::publish::Unit::Tally, locale)
                );
            }
            out.push('\n');
        }
        for (section, tables) in self.by_section() {
            let _ = write!(out, "\n## {}\n", section.title);
            for (_, table) in tables {
                out.push('\n');
                out.push_str(&table_markdown(table, locale));
            }
        }
        if !self.sammanslagningar.is_empty() {
            out.push_str("\n## Sammanslagningar av förbund\n\n| Datum | Förbund | Bildat av |\n|---|---|---|\n");
            for m in &self.sammanslagningar {
                let _ = writeln!(
                    out,
                    "| {} | {} ({}) | {} |",
                    m.datum,
                    cell_escape(&m.namn),
                    m.forbund,
                    cell_escape(&m.formed_from())
                );
            }
        }
        if self.okand_insats > 0 {
            let _ = writeln!(out, "\n{}", self.unknown_insats_note());
        }
        out
    }
}

/// A table as Markdown for readers: its title, Swedish labels, the rows,
/// then its notes.
fn table_markdown(table: &Table, locale: Locale) -> String {
    let mut out = format!("### {}\n\n", table.title);
    let headers: Vec<String> =
        table.keys.iter().chain(table.columns.iter().map(|c| &c.name)).map(|n| cell_escape(&column_label(n))).collect();
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let aligns: Vec<&str> = table.keys.iter().map(|_| "---").chain(table.columns.iter().map(|_| "---:")).collect();
    let _ = writeln!(out, "|{}|", aligns.join("|"));
    for row in &table.rows {
        let keys = table.keys.iter().zip(&row.key).map(|(k, v)| cell_escape(&key_text(table, k, v)));
        let values = row.values.iter().zip(&table.columns).map(|(v, c)| cell_text(v, c.unit, locale));
        let _ = writeln!(out, "| {} |", keys.chain(values).collect::<Vec<_>>().join(" | "));
    }
    for note in &table.notes {
        let _ = writeln!(out, "\n{note}");
    }
    out
}

/// A cell's text: its number in `locale`, or `..` if withheld or not computable.
fn cell_text(cell: &Cell<f64>, unit: crate::publish::Unit, locale: Locale) -> String {
    match cell {
        Cell::Shown(x) if x.is_finite() => format_number(*x, unit, locale),
        _ => "..".to_owned(),
    }
}

/// Text inside a Markdown table cell: a `|` would end the cell.
fn cell_escape(text: &str) -> String {
    text.replace('|', "\\|")
}
