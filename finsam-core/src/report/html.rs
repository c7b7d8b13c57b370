//! The annual report as one self-contained HTML page for the people who read
//! it: a summary of the year's headline figures with their intervals, a
//! section per subject with its charts (inline SVG) and the tables beneath
//! them in Swedish, and the definitions at the end. It has no script and
//! fetches nothing, so it opens offline, from an e-mail attachment.

use std::fmt::Write as _;

use super::AnnualReport;
use super::sections::{
    ChartSpec, HeadlineFigure, SECTIONS, SERIES, Section, charts_of, headlines, key_text, section_of,
};
use crate::engine::era::YearSource;
use crate::publish::chart::BarChart;
use crate::publish::labels::{column_label, format_sv, reason_sv};
use crate::publish::table::escape_html;
use crate::publish::{Cell, Table, Unit};

/// Every reason a cell can be withheld for, in the page's legend.
const REASONS: [crate::publish::Reason; 7] = {
    use crate::publish::Reason::*;
    [Primary, Complementary, Denominator, NotComputable, FewResponses, NotInSource, SeriesBreak]
};

/// A table of more rows than this is folded (`<details>`) under its chart.
const FOLD_ROWS: usize = 40;

/// The page's style: readable on screen and on paper, no web fonts.
const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;padding:1.5em;max-width:62em;color:#1a1a1a;line-height:1.45}\
h1{font-size:1.7em;margin-bottom:.2em}h2{font-size:1.35em;margin-top:2.2em;border-bottom:2px solid #0072B2;padding-bottom:.15em}h3{font-size:1.08em;margin-top:1.6em}\
.lead{color:#444}.cards{display:flex;flex-wrap:wrap;gap:.8em;margin:1em 0}.card{border:1px solid #ccd;border-radius:6px;padding:.6em .9em;min-width:13em;flex:1}\
.card .label{font-size:.85em;color:#444}.card .value{font-size:1.5em;font-weight:600}.card .ci,.card .beside{font-size:.85em;color:#555}\
table.finsam{border-collapse:collapse;margin:.6em 0;font-size:.88em}table.finsam th,table.finsam td{border:1px solid #ccc;padding:.2em .45em}\
table.finsam th{background:#f1f4f8;text-align:left;vertical-align:bottom}table.finsam td.num{text-align:right;white-space:nowrap}\
table.finsam td.withheld{text-align:right;color:#666;cursor:help}table.finsam tr.total td{font-weight:600}\
caption{text-align:left;font-weight:600;padding:.3em 0}.note{font-size:.85em;color:#444}figure{margin:1em 0;overflow-x:auto}svg.chart{max-width:100%;height:auto}\
nav ul{columns:2}dl dt{font-weight:600;margin-top:.8em}dl dd{margin-left:1em}@media print{h2{break-before:page}details{display:block}}";

impl AnnualReport {
    /// The report as one self-contained HTML page (see the module's
    /// documentation). `beside` is the national report of the same year,
    /// for a förbund's report: its headline figures, and its shares and
    /// means in the charts by kön, group and indicator, then stand beside
    /// the förbund's (a report of another year is not used).
    ///
    /// ```
    /// let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let report = finsam_core::report::annual_report(&data, 2022, &Default::default())?;
    /// let page = report.to_html_page(None);
    /// assert!(page.starts_with("<!doctype html>"));
    /// assert!(page.contains("<svg class=\"chart\""));
    /// assert!(!page.contains("<script"), "no script, nothing fetched");
    /// assert!(page.contains("Andel till arbete eller studier"));
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn to_html_page(&self, beside: Option<&AnnualReport>) -> String {
        self.to_html_page_with(beside, &[])
    }

    /// [`to_html_page`](Self::to_html_page) with a section that follows
    /// the headline figures over the years (participants, and the share to
    /// work or studies, by kön) through `earlier`, the reports of earlier
    /// years of the same data and options. Each year's values are those its
    /// own report publishes, withheld cells withheld: the series discloses
    /// nothing the reports do not, and is no new disclosure problem.
    /// Reports in `earlier` of this year or later, of another part of the
    /// data, or under other disclosure control or intervals are left out.
    ///
    /// ```
    /// let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let config = Default::default();
    /// let earlier: Vec<_> = (2019..2022)
    ///     .map(|y| finsam_core::report::annual_report(&data, y, &config))
    ///     .collect::<Result<_, _>>()?;
    /// let report = finsam_core::report::annual_report(&data, 2022, &config)?;
    /// let page = report.to_html_page_with(None, &earlier);
    /// assert!(page.contains("<section id=\"tidsserie\">"));
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn to_html_page_with(&self, beside: Option<&AnnualReport>, earlier: &[AnnualReport]) -> String {
        // Figures of another year are not set beside this year's.
        let beside = beside.filter(|b| b.ar == self.ar);
        let mut years: Vec<&AnnualReport> =
            earlier.iter().filter(|r| r.ar < self.ar && self.publishes_like(r)).collect();
        years.sort_by_key(|r| r.ar);
        years.dedup_by_key(|r| r.ar);
        years.push(self);
        let title = self.page_title();
        let mut out = format!(
            "<!doctype html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
            escape_html(&title)
        );
        let _ = writeln!(out, "<h1>{}</h1>", escape_html(&title));
        let _ = writeln!(
            out,
            "<p class=\"lead\">{} Håll muspekaren över .. för skälet.</p>",
            escape_html(&self.description_sv())
        );
        let series = if years.len() > 1 { SERIES.iter().filter_map(|s| s.of(&years)).collect() } else { Vec::new() };
        self.write_contents(&mut out, !series.is_empty());
        self.write_summary(&mut out, beside);
        write_series(&mut out, &series);
        for (section, tables) in self.by_section() {
            let _ = writeln!(out, "<section id=\"{}\">\n<h2>{}</h2>", section.id, escape_html(section.title));
            for (name, table) in tables {
                self.write_table_section(&mut out, &name, table, beside);
            }
            out.push_str("</section>\n");
        }
        self.write_definitions(&mut out);
        out.push_str("</body>\n</html>\n");
        out
    }

    /// Whether `other` is of the same part of the data, under the same
    /// disclosure control and intervals, so that its cells may stand in
    /// this report's series (a report computed without disclosure control
    /// never does in one with it).
    fn publishes_like(&self, other: &AnnualReport) -> bool {
        let (a, b) = (&self.config, &other.config);
        a.disclosure == b.disclosure
            && a.level == b.level
            && a.method == b.method
            && self.scope_sv() == other.scope_sv()
    }

    /// "Finsam årsrapport 2022", with the förbund of a narrowed data set.
    pub(super) fn page_title(&self) -> String {
        match &self.scope_sv() {
            Some(scope) => format!("Finsam årsrapport {}: {scope}", self.ar),
            None => format!("Finsam årsrapport {}", self.ar),
        }
    }

    /// The part of the data the report is of, from its notes' scope line.
    fn scope_sv(&self) -> Option<String> {
        self.notes.iter().find_map(|n| n.strip_prefix("Avgränsat till ")).map(|s| s.trim_end_matches('.').to_owned())
    }

    /// What the figures are, in Swedish.
    pub(super) fn description_sv(&self) -> String {
        let source = match self.era {
            YearSource::PersonLevel => "individdata om deltaganden",
            YearSource::Aggregates => "aggregaten per insats i Uppföljning Finsam",
        };
        let disclosure = if self.config.disclosure.enabled {
            format!(
                "Antal under {} och uppgifter som skulle röja dem redovisas inte (..).",
                self.config.disclosure.threshold
            )
        } else {
            "Röjandekontrollen är avstängd: rapporten är endast för internt bruk.".to_owned()
        };
        format!(
            "Deltagaruppgifter från {source}. Uttagsdatum {}. Intervallen är {}-procentiga. {disclosure}",
            self.uttagsdatum,
            self.level_percent()
        )
    }

    /// The report's tables grouped by section, sections in report order.
    pub(super) fn by_section(&self) -> Vec<(&'static Section, Vec<(String, &Table)>)> {
        let mut grouped: Vec<(&'static Section, Vec<(String, &Table)>)> = Vec::new();
        for (name, table) in self.names().into_iter().zip(&self.tables) {
            let section = section_of(&table.id);
            match grouped.iter_mut().find(|(s, _)| s.id == section.id) {
                Some((_, tables)) => tables.push((name, table)),
                None => grouped.push((section, vec![(name, table)])),
            }
        }
        grouped.sort_by_key(|(s, _)| SECTIONS.iter().position(|o| o.id == s.id));
        grouped
    }

    fn write_contents(&self, out: &mut String, series: bool) {
        out.push_str("<nav><h2>Innehåll</h2><ul><li><a href=\"#sammanfattning\">Sammanfattning</a></li>");
        if series {
            out.push_str("<li><a href=\"#tidsserie\">Utveckling över åren</a></li>");
        }
        for (section, _) in self.by_section() {
            let _ = write!(out, "<li><a href=\"#{}\">{}</a></li>", section.id, escape_html(section.title));
        }
        out.push_str("<li><a href=\"#definitioner\">Definitioner och noter</a></li></ul></nav>\n");
    }

    /// The year's headline figures as cards, with their intervals, and the
    /// national figure beside a förbund's.
    fn write_summary(&self, out: &mut String, beside: Option<&AnnualReport>) {
        out.push_str("<section id=\"sammanfattning\"><h2>Sammanfattning</h2><div class=\"cards\">");
        for headline in headlines() {
            let Some(shown) = headline.read(self) else { continue };
            let _ = write!(
                out,
                "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div>",
                escape_html(headline.label),
                card_value(&shown)
            );
            if let Some((lo, hi)) = shown.interval {
                let (lo, hi) = (format_sv(lo, shown.unit), format_sv(hi, shown.unit));
                let _ = write!(
                    out,
                    "<div class=\"ci\">{} % intervall {}–{}</div>",
                    self.level_percent(),
                    escape_html(&lo),
                    escape_html(&hi)
                );
            }
            if let Some(national) = beside.and_then(|b| headline.read(b)) {
                let _ = write!(out, "<div class=\"beside\">Riket: {}</div>", card_value(&national));
            }
            out.push_str("</div>");
        }
        out.push_str("</div>");
        for note in self.notes.iter().filter(|n| !n.starts_with("Avgränsat till ")) {
            out.push_str(&note_html(note));
        }
        out.push_str("</section>\n");
    }

    fn level_percent(&self) -> String {
        format_sv(self.config.level * 100.0, Unit::Tally)
    }

    /// A table's charts, then the table itself (folded when long).
    fn write_table_section(&self, out: &mut String, name: &str, table: &Table, beside: Option<&AnnualReport>) {
        let _ = writeln!(out, "<h3 id=\"tabell-{}\">{}</h3>", escape_html(name), escape_html(&table.title));
        for spec in charts_of(name) {
            let chart = chart_of(spec, table, beside.and_then(|b| b.table(name)));
            if chart.has_values() {
                let _ = writeln!(out, "<figure>{}</figure>", chart.to_svg());
            }
        }
        let html = table_html(table);
        if table.rows.len() > FOLD_ROWS {
            let _ = writeln!(
                out,
                "<details><summary>Visa tabellen ({} rader)</summary>{html}</details>",
                format_sv(table.rows.len() as f64, Unit::Tally)
            );
        } else {
            out.push_str(&html);
        }
        for note in &table.notes {
            out.push_str(&note_html(note));
        }
    }

    /// The definitions of the indicators shown, mergers and the report's notes.
    fn write_definitions(&self, out: &mut String) {
        out.push_str("<section id=\"definitioner\"><h2>Definitioner och noter</h2>");
        out.push_str("<h3>Varför en uppgift är ..</h3><ul>");
        for reason in REASONS {
            let _ = write!(out, "<li>{}</li>", escape_html(reason_sv(reason)));
        }
        out.push_str("</ul><dl>");
        for spec in self.definitions() {
            let _ = write!(
                out,
                "<dt>{} (<code>{}</code>)</dt><dd lang=\"en\"><p><b>Population:</b> {}</p><p><b>Definition:</b> {}</p><p><b>Källa:</b> {}</p><p><b>Dataperioder:</b> {}</p></dd>",
                escape_html(spec.label_sv),
                escape_html(spec.id),
                escape_html(spec.population),
                escape_html(spec.definition),
                escape_html(spec.source),
                escape_html(spec.eras)
            );
        }
        out.push_str("</dl>");
        out.push_str(&self.mergers_html());
        if self.okand_insats > 0 {
            let _ = write!(out, "<p class=\"note\" lang=\"en\">{}</p>", escape_html(&self.unknown_insats_note()));
        }
        let _ = write!(out, "<p class=\"note\" lang=\"en\">{}</p>", escape_html(&self.description()));
        out.push_str("</section>\n");
    }
}

/// The section that follows figures over the years: each series' chart
/// and its table.
fn write_series(out: &mut String, series: &[(Table, BarChart)]) {
    if series.is_empty() {
        return;
    }
    out.push_str("<section id=\"tidsserie\">\n<h2>Utveckling över åren</h2>\n");
    for (table, chart) in series {
        let _ = writeln!(out, "<h3>{}</h3>", escape_html(&table.title));
        if chart.has_values() {
            let _ = writeln!(out, "<figure>{}</figure>", chart.to_svg());
        }
        out.push_str(&table_html(table));
        for note in &table.notes {
            out.push_str(&note_html(note));
        }
    }
    out.push_str("</section>\n");
}

/// A note as a paragraph. The notes are English but for the scope's
/// ("Avgränsat till …"); `lang` tells screen readers and translators.
fn note_html(note: &str) -> String {
    let lang = if note.starts_with("Avgränsat till ") { "sv" } else { "en" };
    format!("<p class=\"note\" lang=\"{lang}\">{}</p>\n", escape_html(note))
}

/// A headline figure as a card shows it.
fn card_value(shown: &HeadlineFigure) -> String {
    match shown.value {
        Cell::Shown(v) if v.is_finite() => escape_html(&format_sv(v, shown.unit)),
        Cell::Shown(_) => "<span title=\"Kan inte beräknas\">..</span>".to_owned(),
        Cell::Suppressed(reason) => format!("<span title=\"{}\">..</span>", escape_html(reason_sv(reason))),
    }
}

/// The chart `spec` draws of `table`, with the national table's values as
/// a series of their own beside a förbund's where they compare: shares,
/// means and changes, not counts or money (a nation's total would dwarf a
/// förbund's), and not by förbund (the nation's rows are the förbund).
fn chart_of(spec: &ChartSpec, table: &Table, national: Option<&Table>) -> BarChart {
    let mut chart = spec.chart(table, None);
    let comparable =
        matches!(chart.unit, Unit::Share | Unit::ShareDifference | Unit::Days | Unit::Number | Unit::Percent);
    if let Some(national) = national.filter(|_| comparable && !spec.category.contains(&"forbund")) {
        let riket = spec.chart(national, Some(&chart.categories));
        chart.series.extend(riket.series.into_iter().map(|mut s| {
            s.name = format!("{} (riket)", s.name);
            s
        }));
    }
    chart
}

/// A table in HTML for a reader: Swedish column labels (the code name on
/// hover), key values by their labels and förbund and insatser by name,
/// numbers the Swedish way, withheld cells as `..` with the reason on hover.
pub(crate) fn table_html(table: &Table) -> String {
    let mut out = String::from("<table class=\"finsam\"><thead><tr>");
    for k in &table.keys {
        let _ = write!(out, "<th scope=\"col\" title=\"{}\">{}</th>", escape_html(k), escape_html(&column_label(k)));
    }
    for c in &table.columns {
        let _ = write!(
            out,
            "<th scope=\"col\" title=\"{}\">{}</th>",
            escape_html(&c.name),
            escape_html(&column_label(&c.name))
        );
    }
    out.push_str("</tr></thead><tbody>");
    for row in &table.rows {
        let total = row.key.iter().any(|k| k == crate::publish::table::TOTAL);
        out.push_str(if total { "<tr class=\"total\">" } else { "<tr>" });
        for (k, value) in table.keys.iter().zip(&row.key) {
            let _ = write!(out, "<td>{}</td>", escape_html(&key_text(table, k, value)));
        }
        for (cell, column) in row.values.iter().zip(&table.columns) {
            match cell {
                Cell::Shown(v) if v.is_finite() => {
                    let _ = write!(out, "<td class=\"num\">{}</td>", escape_html(&format_sv(*v, column.unit)));
                }
                Cell::Shown(_) => out.push_str("<td class=\"withheld\" title=\"Kan inte beräknas\">..</td>"),
                Cell::Suppressed(reason) => {
                    let _ = write!(out, "<td class=\"withheld\" title=\"{}\">..</td>", escape_html(reason_sv(*reason)));
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}
