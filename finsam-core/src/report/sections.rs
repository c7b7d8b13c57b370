//! How the report is laid out for readers (the HTML page and the Excel
//! workbook): its sections, the chart each table gets, and the headline
//! figures of the summary. Declared here once, as data, so that every
//! rendering of the report agrees on them.

use crate::publish::chart::{BarChart, Series};
use crate::publish::labels::column_label;
use crate::publish::table::TOTAL;
use crate::publish::{Cell, Row, Table, Unit};

use super::AnnualReport;
use crate::publish::labels::value_label;

/// A section of the report: the indicators it holds.
#[derive(Debug)]
pub(crate) struct Section {
    /// Its anchor in the page.
    pub(crate) id: &'static str,
    /// Its heading.
    pub(crate) title: &'static str,
    /// The ids of the tables it holds.
    tables: &'static [&'static str],
}

/// The sections in report order; a table of no section goes to the last.
pub(crate) const SECTIONS: &[Section] = &[
    Section { id: "deltagare", title: "Deltagare", tables: &["deltagare"] },
    Section { id: "insatser", title: "Insatser", tables: &["insatser", "tackning"] },
    Section {
        id: "utfall",
        title: "Sysselsättning efter avslutad insats",
        tables: &["utfall", "utfall_forandring", "konsskillnad"],
    },
    Section {
        id: "ersattningsdagar",
        title: "Ersättningsdagar före och efter insats",
        tables: &["ersattningsdagar", "konsskillnad_dagar"],
    },
    Section { id: "forsorjning", title: "Försörjning före och efter insats", tables: &["forsorjning_overgang"] },
    Section {
        id: "jamforelse",
        title: "Jämförelse av insatser",
        tables: &["jamforelse_insatser_sammanfattning", "jamforelse_insatser_avvikande"],
    },
    Section {
        id: "enkater",
        title: "Enkäter (NNS-indikatorer)",
        tables: &["enkatindikatorer", "enkatindikatorer_forandring", "enkatindikatorer_jamforelse"],
    },
    Section {
        id: "ekonomi",
        title: "Ekonomi och finansiering",
        tables: &["insatsekonomi", "forbundsekonomi", "finansiering", "statlig_fordelning"],
    },
    Section { id: "ovrigt", title: "Övriga tabeller", tables: &[] },
];

/// The section of the indicator `id`.
pub(crate) fn section_of(id: &str) -> &'static Section {
    SECTIONS.iter().find(|s| s.tables.contains(&id)).unwrap_or(&SECTIONS[SECTIONS.len() - 1])
}

/// A chart of a report table: bars by the values of some keys, a series per
/// column (with its `_lo`/`_hi` interval where the table has one).
#[derive(Debug)]
pub(crate) struct ChartSpec {
    /// The report's name of the table ([`AnnualReport::names`]).
    table: &'static str,
    title: &'static str,
    /// The keys whose values name the bars' categories.
    pub(crate) category: &'static [&'static str],
    /// The columns drawn, one series each.
    columns: &'static [&'static str],
    /// Only rows with these key values.
    keep: &'static [(&'static str, &'static str)],
    /// Whether the category's total (`alla`) is drawn too.
    with_total: bool,
}

const CHARTS: &[ChartSpec] = &[
    ChartSpec {
        table: "deltagare_per_kon",
        title: "Deltagare per kön",
        category: &["kon"],
        columns: &["deltagare"],
        keep: &[],
        with_total: false,
    },
    ChartSpec {
        table: "deltagare_per_forbund",
        title: "Deltagare per förbund",
        category: &["forbund"],
        columns: &["deltagare"],
        keep: &[],
        with_total: false,
    },
    ChartSpec {
        table: "utfall_per_kon",
        title: "Andel till arbete eller studier efter avslutad insats, per kön",
        category: &["kon"],
        columns: &["andel_arbete_studier", "andel_arbete_studier_sokande"],
        keep: &[],
        with_total: true,
    },
    ChartSpec {
        table: "utfall_per_forbund",
        title: "Andel till arbete eller studier efter avslutad insats, per förbund",
        category: &["forbund"],
        columns: &["andel_arbete_studier"],
        keep: &[],
        with_total: true,
    },
    ChartSpec {
        table: "konsskillnad",
        title: "Andel till arbete eller studier: kvinnor och män",
        category: &["matt"],
        columns: &["kvinnor", "man"],
        keep: &[],
        with_total: true,
    },
    ChartSpec {
        table: "ersattningsdagar",
        title: "Ersättningsdagar i medeltal före och efter insats",
        category: &["grupp"],
        columns: &["medel_fore", "medel_efter"],
        keep: &[],
        with_total: true,
    },
    ChartSpec {
        table: "ersattningsdagar",
        title: "Förändring i ersättningsdagar (efter − före), med intervall",
        category: &["grupp"],
        columns: &["medel_diff"],
        keep: &[],
        with_total: true,
    },
    ChartSpec {
        table: "jamforelse_insatser_avvikande",
        title: "Insatser utanför trattens gränser: krympt andel till arbete eller studier",
        category: &["insats"],
        columns: &["krympt_andel"],
        keep: &[],
        with_total: false,
    },
    ChartSpec {
        table: "enkatindikatorer_per_kon",
        title: "NNS-indikatorer: medelvärde, alla svarande",
        category: &["indikator", "respondentgrupp"],
        columns: &["medel"],
        keep: &[("kon", TOTAL)],
        with_total: true,
    },
    ChartSpec {
        table: "insatsekonomi",
        title: "Insatsernas budget och utfall per grupp",
        category: &["grupp"],
        columns: &["budget", "utfall"],
        keep: &[],
        with_total: true,
    },
    ChartSpec {
        table: "statlig_fordelning",
        title: "Statens tilldelning per förbund",
        category: &["forbund"],
        columns: &["tilldelning"],
        keep: &[],
        with_total: false,
    },
];

/// The charts of the report table named `name`.
pub(crate) fn charts_of(name: &str) -> impl Iterator<Item = &'static ChartSpec> + '_ {
    CHARTS.iter().filter(move |c| c.table == name)
}

impl ChartSpec {
    /// The chart of `table`; with `categories`, over those (by label, in
    /// that order) rather than the table's own, to set one table's values
    /// beside another's.
    pub(crate) fn chart(&self, table: &Table, categories: Option<&[String]>) -> BarChart {
        let key_index = |k: &str| table.keys.iter().position(|x| x == k);
        let column_index = |c: &str| table.columns.iter().position(|x| x.name == c);
        let keys: Option<Vec<usize>> = self.category.iter().map(|k| key_index(k)).collect();
        let (Some(keys), Some(first)) = (keys, self.columns.first().and_then(|c| column_index(c))) else {
            return self.empty(table);
        };
        let rows: Vec<&Row> = table
            .rows
            .iter()
            .filter(|r| well_formed(table, r))
            .filter(|r| self.keep.iter().all(|(k, v)| key_index(k).is_some_and(|i| r.key[i] == *v)))
            .filter(|r| self.with_total || keys.iter().all(|&k| r.key[k] != TOTAL))
            .collect();
        let label = |r: &Row| self.category_label(table, r);
        let categories: Vec<String> = match categories {
            Some(given) => given.to_vec(),
            None => distinct(rows.iter().map(|r| label(r))),
        };
        let at = |r: &Row| categories.iter().position(|c| *c == label(r));
        let series = self
            .columns
            .iter()
            .filter_map(|c| column_index(c))
            .map(|c| {
                let name = column_label(&table.columns[c].name).into_owned();
                Self::series(table, name, c, &rows, categories.len(), at)
            })
            .collect();
        BarChart { title: self.title.to_owned(), unit: table.columns[first].unit, categories, series }
    }

    /// One series: column `c` of `rows`, placed by `at`, with its interval.
    fn series(
        table: &Table,
        name: String,
        c: usize,
        rows: &[&Row],
        len: usize,
        at: impl Fn(&Row) -> Option<usize>,
    ) -> Series {
        let (lo, hi) = bounds(table, &table.columns[c].name);
        // A category this series has no row for draws nothing (a survey
        // indicator not asked of the group), rather than a withheld mark.
        let mut values = vec![Cell::Shown(f64::NAN); len];
        let mut intervals = vec![None; len];
        for &r in rows {
            let Some(i) = at(r) else { continue };
            values[i] = r.values[c];
            if let (Some(lo), Some(hi)) = (lo, hi)
                && let (Some(a), Some(b)) = (r.values[lo].value(), r.values[hi].value())
            {
                intervals[i] = Some((a, b));
            }
        }
        Series { name, values, intervals }
    }

    fn empty(&self, table: &Table) -> BarChart {
        BarChart {
            title: self.title.to_owned(),
            unit: table.columns.first().map_or(Unit::Count, |c| c.unit),
            categories: Vec::new(),
            series: Vec::new(),
        }
    }
}

/// The positions of the columns of `column`'s interval (`<column>_lo`,
/// `<column>_hi`) in `table`, where it has them.
fn bounds(table: &Table, column: &str) -> (Option<usize>, Option<usize>) {
    let at = |suffix: &str| table.columns.iter().position(|x| x.name == format!("{column}{suffix}"));
    (at("_lo"), at("_hi"))
}

/// A key value as a reader sees it: a förbund or insats by its name and
/// id, a code by its label.
pub(crate) fn key_text(table: &Table, key: &str, value: &str) -> String {
    match table.names.get(key).and_then(|names| names.get(value)) {
        Some(name) => format!("{name} ({value})"),
        None => code_label(key, value),
    }
}

/// The label of a coded key value; the survey indicators' labels are those
/// of finsam's default mapping (read once).
pub(crate) fn code_label(key: &str, value: &str) -> String {
    static SURVEY: std::sync::OnceLock<Vec<crate::survey::SurveyIndicator>> = std::sync::OnceLock::new();
    if key == "indikator"
        && let Some(indicator) = SURVEY.get_or_init(crate::survey::default_indicators).iter().find(|i| i.id == value)
    {
        return indicator.label_sv.clone();
    }
    value_label(key, value).into_owned()
}

impl AnnualReport {
    /// The catalogue entries of the indicators the report shows, each once,
    /// in report order (the definitions of the page and the workbook).
    pub(crate) fn definitions(&self) -> Vec<&'static crate::indicators::catalogue::IndicatorSpec> {
        let mut out: Vec<&'static crate::indicators::catalogue::IndicatorSpec> = Vec::new();
        for t in &self.tables {
            if let Some(spec) = crate::indicators::catalogue().iter().find(|s| s.id == t.id)
                && !out.iter().any(|o| o.id == spec.id)
            {
                out.push(spec);
            }
        }
        out
    }
}

/// Whether `row` has a value for every key and column of `table` (a table
/// read from JSON a user edited may not; such a row is not drawn).
fn well_formed(table: &Table, row: &Row) -> bool {
    row.key.len() == table.keys.len() && row.values.len() == table.columns.len()
}

/// The distinct values of `items`, in the order they first appear.
fn distinct(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// A headline figure of the summary: a cell of a national table.
#[derive(Debug)]
pub(crate) struct Headline {
    pub(crate) label: &'static str,
    table: &'static str,
    key: &'static [&'static str],
    column: &'static str,
}

/// A headline figure as read from a report: shown or withheld.
pub(crate) struct HeadlineFigure {
    pub(crate) value: Cell<f64>,
    pub(crate) unit: Unit,
    /// The interval, where the column has one shown.
    pub(crate) interval: Option<(f64, f64)>,
}

const HEADLINES: &[Headline] = &[
    Headline { label: "Deltagare", table: "deltagare", key: &[], column: "deltagare" },
    Headline {
        label: "Förändring från föregående år", table: "deltagare", key: &[], column: "forandring_procent"
    },
    Headline { label: "Andel till arbete eller studier", table: "utfall", key: &[], column: "andel_arbete_studier" },
    Headline {
        label: "Andel till arbete, studier eller arbetssökande",
        table: "utfall",
        key: &[],
        column: "andel_arbete_studier_sokande",
    },
    Headline { label: "Individinriktade insatser", table: "insatser", key: &[], column: "individ" },
    Headline { label: "Förbund", table: "tackning", key: &[], column: "forbund" },
    Headline { label: "Medlemskommuner", table: "tackning", key: &[], column: "medlemskommuner" },
    Headline { label: "Insatsernas budget", table: "insatsekonomi", key: &[TOTAL], column: "budget" },
];

/// The summary's headline figures.
pub(crate) fn headlines() -> &'static [Headline] {
    HEADLINES
}

impl Headline {
    /// The figure in `report`, if the report has its table and column.
    pub(crate) fn read(&self, report: &AnnualReport) -> Option<HeadlineFigure> {
        let table = report.table(self.table)?;
        let c = table.columns.iter().position(|c| c.name == self.column)?;
        // The row of the year whose other keys are `self.key`.
        let year = report.ar.to_string();
        let ar = table.keys.iter().position(|k| k == "ar")?;
        let row = table.rows.iter().filter(|r| well_formed(table, r)).find(|r| {
            r.key[ar] == year && r.key.iter().enumerate().filter(|&(i, _)| i != ar).map(|(_, k)| k).eq(self.key.iter())
        })?;
        let unit = table.columns[c].unit;
        let shown = |i: Option<usize>| i.and_then(|i| row.values[i].value());
        let (lo, hi) = bounds(table, self.column);
        let interval = match (shown(lo), shown(hi)) {
            (Some(lo), Some(hi)) if row.values[c].value().is_some() => Some((lo, hi)),
            _ => None,
        };
        Some(HeadlineFigure { value: row.values[c], unit, interval })
    }
}

/// A figure followed over the years: a cell of each year's own report, by kön.
#[derive(Debug)]
pub(crate) struct SeriesSpec {
    /// The report's name of the table the cells come from, in each year's report.
    table: &'static str,
    pub(crate) title: &'static str,
    /// The column charted, and shown with its `_lo`/`_hi` interval if any.
    column: &'static str,
}

/// The figures the page follows over the years.
pub(crate) const SERIES: &[SeriesSpec] = &[
    SeriesSpec { table: "deltagare_per_kon", title: "Deltagare per år och kön", column: "deltagare" },
    SeriesSpec {
        table: "utfall_per_kon",
        title: "Andel till arbete eller studier efter avslutad insats, per år och kön",
        column: "andel_arbete_studier",
    },
];

impl SeriesSpec {
    /// The columns of a series: the charted column and its interval's bounds.
    fn columns(&self) -> [String; 3] {
        [self.column.to_owned(), format!("{}_lo", self.column), format!("{}_hi", self.column)]
    }

    /// The series of `reports` (in year order): a table of each year's
    /// cells as that year's report publishes them, shown or withheld, and
    /// its chart (years as categories, a series per kön). A year whose
    /// report lacks the table is not in it, with a note saying so (the
    /// aggregate era has no status after); `None` if no report has it.
    pub(crate) fn of(&self, reports: &[&AnnualReport]) -> Option<(Table, BarChart)> {
        let wanted = self.columns();
        let mut columns: Option<Vec<crate::publish::Column>> = None;
        let (mut rows, mut notes, mut absent) = (Vec::new(), Vec::new(), Vec::new());
        let mut previous: Option<&AnnualReport> = None;
        for report in reports {
            let Some(year) = report.table(self.table).filter(|t| has_keys(t, &["ar", "kon"])) else {
                absent.push(report.ar.to_string());
                continue;
            };
            // The series' columns are those the first year has; each year's
            // cells are read by name, a column it lacks is not in its source.
            let columns = columns
                .get_or_insert_with(|| year.columns.iter().filter(|c| wanted.contains(&c.name)).cloned().collect());
            let (ar, kon) = (key_position(year, "ar"), key_position(year, "kon"));
            let at: Vec<Option<usize>> =
                columns.iter().map(|c| year.columns.iter().position(|x| x.name == c.name)).collect();
            for row in year.rows.iter().filter(|r| well_formed(year, r)) {
                let values = at
                    .iter()
                    .map(|i| i.map_or(Cell::Suppressed(crate::publish::Reason::NotInSource), |i| row.values[i]))
                    .collect();
                rows.push(Row { key: vec![row.key[ar].clone(), row.key[kon].clone()], values });
            }
            if let Some(before) = previous.filter(|p| p.era != report.era) {
                notes.push(format!(
                    "A break in the series between {} and {}: the participant figures of {} come from {}.",
                    before.ar,
                    report.ar,
                    report.ar,
                    report.era.describe()
                ));
            }
            previous = Some(report);
        }
        let columns = columns?;
        notes.insert(
            0,
            format!(
                "Each year's values as that year's annual report publishes them (table {}), withheld cells included.",
                self.table
            ),
        );
        if !absent.is_empty() {
            notes.push(format!("Not in the reports of {}: the table is not there.", absent.join(", ")));
        }
        let table = Table {
            id: format!("{}_tidsserie", self.table),
            title: self.title.to_owned(),
            keys: vec!["ar".into(), "kon".into()],
            columns,
            rows,
            notes,
            names: Default::default(),
        };
        let spec = ChartSpec {
            table: self.table,
            title: self.title,
            category: &["ar"],
            columns: &[],
            keep: &[],
            with_total: true,
        };
        let chart = spec.by_series_key(&table, self.column, "kon");
        Some((table, chart))
    }
}

/// Whether `table` has every key of `keys`.
fn has_keys(table: &Table, keys: &[&str]) -> bool {
    keys.iter().all(|k| table.keys.iter().any(|x| x == k))
}

/// The position of key `key` of a table known to have it ([`has_keys`]).
fn key_position(table: &Table, key: &str) -> usize {
    table.keys.iter().position(|x| x == key).unwrap_or_default()
}

impl ChartSpec {
    /// A chart of `column` of `table` with the values of key `series_key`
    /// as series and the categories by [`category`](Self::category).
    fn by_series_key(&self, table: &Table, column: &str, series_key: &str) -> BarChart {
        let (Some(c), Some(k)) =
            (table.columns.iter().position(|x| x.name == column), table.keys.iter().position(|x| x == series_key))
        else {
            return self.empty(table);
        };
        let rows: Vec<&Row> = table.rows.iter().filter(|r| well_formed(table, r)).collect();
        let names = distinct(rows.iter().map(|r| key_text(table, series_key, &r.key[k])));
        let categories = distinct(rows.iter().map(|r| self.category_label(table, r)));
        let series = names
            .into_iter()
            .map(|name| {
                let mine: Vec<&Row> =
                    rows.iter().copied().filter(|r| key_text(table, series_key, &r.key[k]) == name).collect();
                Self::series(table, name, c, &mine, categories.len(), |r| {
                    categories.iter().position(|x| *x == self.category_label(table, r))
                })
            })
            .collect();
        BarChart { title: self.title.to_owned(), unit: table.columns[c].unit, categories, series }
    }

    /// The label of `row`'s category: its category keys' labels, joined.
    fn category_label(&self, table: &Table, row: &Row) -> String {
        let parts: Vec<String> = self
            .category
            .iter()
            .filter_map(|k| table.keys.iter().position(|x| x == k))
            .map(|i| key_text(table, &table.keys[i], &row.key[i]))
            .collect();
        // Every förbund's name begins so: a chart's label says the rest.
        parts.join(" – ").trim_start_matches("Samordningsförbundet ").to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::annual_report;

    /// A series is each year's cells as that year's report publishes them,
    /// across the break between the eras, and its chart draws them.
    #[test]
    fn a_series_is_each_years_own_cells() {
        let data = crate::synthetic::generate(&Default::default()).expect("synthetic data");
        let reports: Vec<AnnualReport> =
            (2019..=2024).map(|y| annual_report(&data, y, &Default::default()).expect("report")).collect();
        let refs: Vec<&AnnualReport> = reports.iter().collect();
        for spec in SERIES {
            let (table, chart) = spec.of(&refs).expect("a series");
            let mut rows = 0;
            for report in &reports {
                let Some(own) = report.table(spec.table) else { continue };
                let c = own.columns.iter().position(|x| x.name == spec.column).expect("column");
                for row in &own.rows {
                    let key = [row.key[0].as_str(), row.key[1].as_str()];
                    assert_eq!(table.get(&key, spec.column), Some(row.values[c]), "{} {key:?}", spec.table);
                    let i = chart.categories.iter().position(|y| *y == row.key[0]).expect("a year");
                    let s = chart.series.iter().position(|s| s.name == key_text(own, "kon", &row.key[1])).expect("kön");
                    assert_eq!(chart.series[s].values[i], row.values[c]);
                    rows += 1;
                }
            }
            assert_eq!(rows, table.rows.len());
            let years = if spec.table == "utfall_per_kon" { 4 } else { 6 };
            assert_eq!(chart.categories.len(), years, "{}: the years whose reports have the table", spec.table);
        }
        let deltagare = SERIES[0].of(&refs).expect("series").0;
        assert!(
            deltagare.notes.iter().any(|n| n.starts_with("A break in the series between 2022 and 2023")),
            "{:?}",
            deltagare.notes
        );
        let utfall = SERIES[1].of(&refs).expect("series").0;
        assert!(utfall.notes.iter().any(|n| n.contains("Not in the reports of 2023, 2024")), "{:?}", utfall.notes);
        assert!(!utfall.notes.iter().any(|n| n.contains("break")), "{:?}", utfall.notes);
        // The bounds of the shares are each year's too.
        for report in &reports[..4] {
            let own = report.table("utfall_per_kon").expect("table");
            for row in &own.rows {
                let key = [row.key[0].as_str(), row.key[1].as_str()];
                for bound in ["andel_arbete_studier_lo", "andel_arbete_studier_hi"] {
                    assert_eq!(utfall.get(&key, bound), own.get(&key, bound), "{key:?} {bound}");
                }
            }
        }
    }

    /// A cell a year's report withholds is withheld in the series.
    #[test]
    fn a_series_keeps_what_a_year_withholds() {
        let data = crate::synthetic::generate(&Default::default()).expect("synthetic data");
        let mut config = crate::indicators::Config::default();
        // Kön unknown has some fifty participants a year: withheld at 100.
        config.disclosure.threshold = 100;
        let reports: Vec<AnnualReport> =
            (2020..=2022).map(|y| annual_report(&data, y, &config).expect("report")).collect();
        let refs: Vec<&AnnualReport> = reports.iter().collect();
        let (table, chart) = SERIES[0].of(&refs).expect("series");
        for year in ["2020", "2021", "2022"] {
            let cell = table.get(&[year, "okand"], "deltagare").expect("a row");
            assert!(matches!(cell, Cell::Suppressed(_)), "{year}: {cell:?}");
        }
        let okand = chart.series.iter().find(|s| s.name == "Okänd").expect("a series");
        assert!(okand.values.iter().all(|v| matches!(v, Cell::Suppressed(_))));
    }

    /// Every bar of every chart is the very cell of its table, shown or
    /// withheld: a chart shows nothing its table withholds, and leaves out
    /// nothing it shows (but totals left out by design).
    #[test]
    fn every_chart_draws_exactly_its_tables_cells() {
        let data = crate::synthetic::generate(&Default::default()).expect("synthetic data");
        for year in [2022, 2025] {
            let report = annual_report(&data, year, &Default::default()).expect("report");
            for (name, table) in report.names().iter().zip(&report.tables) {
                for spec in charts_of(name) {
                    let chart = spec.chart(table, None);
                    let keys: Vec<usize> =
                        spec.category.iter().map(|k| table.keys.iter().position(|x| x == k).expect("key")).collect();
                    let mut drawn = 0;
                    for row in &table.rows {
                        if spec
                            .keep
                            .iter()
                            .any(|(k, v)| table.keys.iter().position(|x| x == k).is_some_and(|i| row.key[i] != *v))
                            || (!spec.with_total && keys.iter().any(|&k| row.key[k] == TOTAL))
                        {
                            continue;
                        }
                        let label: Vec<String> =
                            keys.iter().map(|&k| key_text(table, &table.keys[k], &row.key[k])).collect();
                        let label = label.join(" – ");
                        let label = label.trim_start_matches("Samordningsförbundet ");
                        let i = chart.categories.iter().position(|c| c == label).expect("a category per row");
                        for (series, column) in chart.series.iter().zip(spec.columns) {
                            let c = table.columns.iter().position(|x| x.name == *column).expect("column");
                            match (series.values[i], row.values[c]) {
                                (Cell::Shown(a), Cell::Shown(b)) => assert!(a == b || (a.is_nan() && b.is_nan())),
                                (a, b) => assert_eq!(a, b, "{name} {label} {column}"),
                            }
                            drawn += 1;
                        }
                    }
                    let bars: usize = chart.series.iter().map(|s| s.values.len()).sum();
                    assert_eq!(bars, drawn, "{name}: {}", spec.title);
                }
            }
        }
    }
}
