//! Published tables: rows of cells with disclosure control applied.

use std::fmt::Write as _;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::publish::disclosure::{Cell, Disclosure, Reason};

/// The key of a total row: the sum over every value of that key.
pub const TOTAL: &str = "alla";

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A count of persons or participations (subject to suppression).
    Count,
    /// A count of something that is not a person (insatser, förbund, kommuner).
    Tally,
    /// A proportion in [0, 1].
    Share,
    /// A percentage.
    Percent,
    /// Days.
    Days,
    /// A difference of proportions (men − women), in [−1, 1].
    ShareDifference,
    /// Money in whole öre (shown as kronor with two decimals; exported as integers).
    Ore,
    /// A quantity with decimals (full-year equivalents, scores).
    Number,
    /// A yes/no flag (1 or 0; `ja`/`nej` in Markdown, boolean in Arrow),
    /// such as a break in the series.
    Flag,
}

impl Unit {
    /// The unit's code, as in JSON and in a frame's metadata (`count`, `share`, …).
    ///
    /// ```
    /// assert_eq!(finsam_core::publish::Unit::ShareDifference.code(), "share_difference");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Tally => "tally",
            Unit::Share => "share",
            Unit::Percent => "percent",
            Unit::Days => "days",
            Unit::ShareDifference => "share_difference",
            Unit::Ore => "ore",
            Unit::Number => "number",
            Unit::Flag => "flag",
        }
    }
}

/// A column of a table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// The name.
    pub name: String,
    /// What it holds.
    pub unit: Unit,
}

/// One row: its key values and its cells.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The key values, one per key column (`alla` in a total row).
    pub key: Vec<String>,
    /// The cells, one per column.
    pub values: Vec<Cell<f64>>,
}

/// A published table.
///
/// ```
/// use finsam_core::indicators::{Config, Split};
/// let data = finsam_core::synthetic::generate(&Default::default())?;
/// let t = finsam_core::report::outcomes(&data, &Split::parse(&["kon"])?, 2020..=2020, &Config::default())?;
/// assert_eq!(t.keys, vec!["ar", "kon"]);
/// assert!(t.to_markdown().contains("andel_arbete_studier"));
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// The indicator's id in the catalogue.
    pub id: String,
    /// A title.
    pub title: String,
    /// The key columns.
    pub keys: Vec<String>,
    /// The value columns.
    pub columns: Vec<Column>,
    /// The rows.
    pub rows: Vec<Row>,
    /// What was excluded, and other notes.
    pub notes: Vec<String>,
    /// The names of the ids in a key column, by column (`forbund`,
    /// `insats`) and id, for the ids the table shows; empty where the
    /// source has no names (a flat extract). Frames show them as
    /// `<key>_namn` beside the id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub names: BTreeMap<String, BTreeMap<String, String>>,
}

/// The key columns whose ids have names (`<key>_namn` in a frame).
pub const NAMED_KEYS: [&str; 2] = ["forbund", "insats"];

/// The names of förbund and insatser by id, to give the tables that show
/// their ids ([`Table::names`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyNames {
    /// Per key column of [`NAMED_KEYS`], the name of each id.
    pub by_key: BTreeMap<String, BTreeMap<String, String>>,
    /// A note every table gets: the part of the data the tables describe,
    /// for a data set narrowed by [`Dataset::filter`](crate::Dataset::filter).
    pub scope: Option<String>,
}

impl KeyNames {
    /// Gives `table` the names of the ids it shows in its named key columns,
    /// and the scope's note.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use finsam_core::publish::table::KeyNames;
    /// # use finsam_core::indicators::{Config, Split};
    /// # let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let mut t = finsam_core::report::outcomes(&data, &Split::parse(&["forbund"])?, 2020..=2020, &Config::default())?;
    /// let names = KeyNames { by_key: BTreeMap::from([("forbund".to_owned(), BTreeMap::from([("7".to_owned(), "Sju".to_owned())]))]), scope: None };
    /// names.apply(&mut t);
    /// assert_eq!(t.names["forbund"].len(), 1);
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn apply(&self, table: &mut Table) {
        for (k, key) in table.keys.iter().enumerate() {
            let Some(names) = self.by_key.get(key) else { continue };
            let shown: BTreeMap<String, String> =
                table.rows.iter().filter_map(|r| names.get(&r.key[k]).map(|n| (r.key[k].clone(), n.clone()))).collect();
            if !shown.is_empty() {
                table.names.insert(key.clone(), shown);
            }
        }
        if let Some(note) = &self.scope
            && !table.notes.contains(note)
        {
            table.notes.push(note.clone());
        }
    }

    /// Gives every table its names.
    pub fn apply_all(&self, tables: &mut [Table]) {
        for t in tables {
            self.apply(t);
        }
    }
}

impl Table {
    /// The cell in row `row` of column `name`.
    pub fn cell(&self, row: usize, name: &str) -> Option<Cell<f64>> {
        let c = self.columns.iter().position(|c| c.name == name)?;
        self.rows.get(row).map(|r| r.values[c])
    }

    /// The first row whose key equals `key`.
    pub fn row(&self, key: &[&str]) -> Option<&Row> {
        self.rows.iter().find(|r| r.key.iter().map(String::as_str).eq(key.iter().copied()))
    }

    /// The cell of column `name` in the row with `key`.
    pub fn get(&self, key: &[&str], name: &str) -> Option<Cell<f64>> {
        let c = self.columns.iter().position(|c| c.name == name)?;
        Some(self.row(key)?.values[c])
    }

    /// The value of column `name` in the row with `key`, if shown.
    ///
    /// ```
    /// # use finsam_core::indicators::{Config, Split};
    /// # let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let t = finsam_core::report::participants(&data, &Split::national(), 2020..=2020, &Config::default())?;
    /// assert_eq!(t.value(&["2020"], "deltagare"), Some(24_867.0));
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn value(&self, key: &[&str], name: &str) -> Option<f64> {
        self.get(key, name)?.value()
    }

    /// The table as Markdown. Withheld cells are `..`; shares are shown in
    /// percent with one decimal.
    pub fn to_markdown(&self) -> String {
        self.markdown_rows(None)
    }

    /// The table as Markdown with at most `max_rows` rows, the first and
    /// the last halves, and a row saying how many are left out between
    /// (for a preview, as in a notebook); every row if `None`.
    ///
    /// ```
    /// # use finsam_core::indicators::{Config, Split};
    /// # let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let t = finsam_core::report::outcomes(&data, &Split::parse(&["forbund"])?, 2020..=2020, &Config::default())?;
    /// let preview = t.markdown_rows(Some(10));
    /// assert!(preview.contains(&format!("… {} rows …", t.rows.len() - 10)));
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn markdown_rows(&self, max_rows: Option<usize>) -> String {
        let mut out = format!("### {}\n\n", self.title);
        let headers: Vec<&str> =
            self.keys.iter().map(String::as_str).chain(self.columns.iter().map(|c| c.name.as_str())).collect();
        let _ = writeln!(out, "| {} |", headers.join(" | "));
        let aligns: Vec<&str> = self.keys.iter().map(|_| "---").chain(self.columns.iter().map(|_| "---:")).collect();
        let _ = writeln!(out, "|{}|", aligns.join("|"));
        for shown in preview(self.rows.len(), max_rows) {
            let cells: Vec<String> = match shown {
                Preview::Row(i) => {
                    let r = &self.rows[i];
                    r.key
                        .iter()
                        .cloned()
                        .chain(r.values.iter().zip(&self.columns).map(|(v, c)| format_cell(v, c.unit)))
                        .collect()
                }
                Preview::Gap(n) => vec![format!("… {n} rows …")],
            };
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        for n in &self.notes {
            let _ = writeln!(out, "\n{n}");
        }
        out
    }

    /// The table as an HTML fragment (a `<table>` with the title as its
    /// caption, then the notes), with at most `max_rows` rows as
    /// [`markdown_rows`](Self::markdown_rows). A withheld cell is `..` with
    /// its reason in the cell's `title` (shown on hover); text is escaped.
    ///
    /// ```
    /// # use finsam_core::indicators::{Config, Split};
    /// # let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let t = finsam_core::report::outcomes(&data, &Split::parse(&["forbund"])?, 2020..=2020, &Config::default())?;
    /// let html = t.to_html(Some(20));
    /// assert!(html.starts_with("<table class=\"finsam\">"));
    /// assert!(html.contains("<td title=\"withheld: "));
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn to_html(&self, max_rows: Option<usize>) -> String {
        let mut out = String::from("<table class=\"finsam\">");
        let _ = write!(out, "<caption>{}</caption><thead><tr>", escape_html(&self.title));
        for k in &self.keys {
            let _ = write!(out, "<th>{}</th>", escape_html(k));
        }
        for c in &self.columns {
            let _ = write!(out, "<th style=\"text-align:right\">{}</th>", escape_html(&c.name));
        }
        out.push_str("</tr></thead><tbody>");
        for shown in preview(self.rows.len(), max_rows) {
            out.push_str("<tr>");
            match shown {
                Preview::Row(i) => {
                    let r = &self.rows[i];
                    for k in &r.key {
                        let _ = write!(out, "<td>{}</td>", escape_html(k));
                    }
                    for (v, c) in r.values.iter().zip(&self.columns) {
                        match v {
                            Cell::Suppressed(reason) => {
                                let _ = write!(
                                    out,
                                    "<td title=\"withheld: {}\" style=\"text-align:right\">..</td>",
                                    reason.code()
                                );
                            }
                            Cell::Shown(_) => {
                                let _ = write!(
                                    out,
                                    "<td style=\"text-align:right\">{}</td>",
                                    escape_html(&format_cell(v, c.unit))
                                );
                            }
                        }
                    }
                }
                Preview::Gap(n) => {
                    let span = self.keys.len() + self.columns.len();
                    let _ = write!(out, "<td colspan=\"{span}\" style=\"text-align:center\">… {n} rows …</td>");
                }
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table>");
        for n in &self.notes {
            let _ = write!(out, "<p class=\"finsam-note\">{}</p>", escape_html(n));
        }
        out
    }

    /// The table as CSV (`;`-separated, UTF-8): the key columns, then per
    /// value column its value (empty if withheld) and `<name>_reason`.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let mut header: Vec<String> = self.keys.clone();
        for c in &self.columns {
            header.push(c.name.clone());
            header.push(format!("{}_reason", c.name));
        }
        let _ = writeln!(out, "{}", header.join(";"));
        for r in &self.rows {
            let mut fields: Vec<String> = r.key.iter().map(|k| csv_field(k)).collect();
            for v in &r.values {
                match v {
                    Cell::Shown(x) => {
                        fields.push(format!("{x}"));
                        fields.push(String::new());
                    }
                    Cell::Suppressed(reason) => {
                        fields.push(String::new());
                        fields.push(reason.code().to_owned());
                    }
                }
            }
            let _ = writeln!(out, "{}", fields.join(";"));
        }
        out
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([';', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

/// A row of a preview: a row of the table, or how many are left out.
enum Preview {
    Row(usize),
    Gap(usize),
}

/// The rows a preview of at most `max_rows` of `rows` shows: every row, or
/// the first and last halves with the gap between.
fn preview(rows: usize, max_rows: Option<usize>) -> Vec<Preview> {
    match max_rows {
        Some(max) if rows > max => {
            let head = max.div_ceil(2);
            let tail = max - head;
            (0..head)
                .map(Preview::Row)
                .chain([Preview::Gap(rows - max)])
                .chain((rows - tail..rows).map(Preview::Row))
                .collect()
        }
        _ => (0..rows).map(Preview::Row).collect(),
    }
}

/// `text` with the characters HTML gives a meaning escaped.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn format_cell(v: &Cell<f64>, unit: Unit) -> String {
    match v {
        Cell::Suppressed(_) => "..".to_owned(),
        Cell::Shown(x) => crate::publish::labels::format_number(*x, unit, crate::publish::labels::Locale::Plain),
    }
}

/// A value before disclosure control.
#[derive(Clone, Debug)]
pub(crate) enum Raw {
    /// A count; `Unit::Count` columns are suppressed when small.
    Count(u64),
    /// A value derived from counts at `(row, column)` positions: withheld if
    /// any of them is. `NaN` is not computable.
    Derived(f64, Vec<(usize, usize)>),
    /// A value the table withholds for a reason of its own, not of
    /// disclosure (the source does not hold it; a break in the series).
    Withheld(Reason),
}

/// A table's part of a disclosure problem: the index of each person count
/// (by row and column), the counts, and the equations `(parts, total)`.
type Problem = (Vec<Vec<Option<usize>>>, Vec<u64>, Vec<(Vec<usize>, usize)>);

/// What a count cell counts: a measure of the indicator engine for one
/// year and one combination of dimension values (`ALLA` where a dimension
/// is totalled or absent). Two cells with the same id hold the same number,
/// wherever they are published, so disclosure control treats them as one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct CountId {
    pub(crate) measure: String,
    pub(crate) ar: i32,
    pub(crate) parts: Vec<u32>,
}

/// A share and its interval by `method` at `level`, each withheld with
/// the counts at `deps` (not computable when `n` is 0).
pub(crate) fn share_values(
    k: u64,
    n: u64,
    method: crate::stats::ProportionMethod,
    level: f64,
    deps: Vec<(usize, usize)>,
) -> [Raw; 3] {
    match crate::stats::proportion_ci(k, n, method, level) {
        Ok(ci) => {
            [Raw::Derived(ci.estimate, deps.clone()), Raw::Derived(ci.lo, deps.clone()), Raw::Derived(ci.hi, deps)]
        }
        Err(_) => {
            [Raw::Derived(f64::NAN, deps.clone()), Raw::Derived(f64::NAN, deps.clone()), Raw::Derived(f64::NAN, deps)]
        }
    }
}

/// A table under construction.
pub(crate) struct Builder {
    pub(crate) table: Table,
    pub(crate) raw: Vec<Vec<Raw>>,
    /// Groups of rows that sum to a total row: `(parts, total)`.
    pub(crate) margins: Vec<(Vec<usize>, usize)>,
    /// Groups of columns that sum to a total column in every row.
    pub(crate) relations: Vec<(Vec<usize>, usize)>,
    /// Count columns that do not add up over rows (distinct persons: one
    /// person can be in several parts), so the margins say nothing of them.
    pub(crate) non_additive: Vec<usize>,
    /// What the count cells at `(row, column)` count, where the same count
    /// can appear elsewhere (in this or another table of a publication).
    pub(crate) ids: Vec<((usize, usize), CountId)>,
    /// Rows computed only for the values of other rows (the year before a
    /// change): part of the disclosure problem, but not published.
    pub(crate) unpublished: Vec<usize>,
}

impl Builder {
    pub(crate) fn new(id: &str, title: &str, keys: Vec<String>, columns: &[(&str, Unit)]) -> Builder {
        let columns = columns.iter().map(|(n, u)| Column { name: (*n).to_owned(), unit: *u }).collect();
        Builder {
            table: Table {
                names: BTreeMap::new(),
                id: id.to_owned(),
                title: title.to_owned(),
                keys,
                columns,
                rows: Vec::new(),
                notes: Vec::new(),
            },
            raw: Vec::new(),
            margins: Vec::new(),
            relations: Vec::new(),
            non_additive: Vec::new(),
            ids: Vec::new(),
            unpublished: Vec::new(),
        }
    }

    /// Adds a row; returns its index.
    pub(crate) fn push(&mut self, key: Vec<String>, values: Vec<Raw>) -> usize {
        debug_assert_eq!(values.len(), self.table.columns.len());
        self.table.rows.push(Row { key, values: Vec::new() });
        self.raw.push(values);
        self.raw.len() - 1
    }

    /// Applies disclosure control and returns the table. All person counts
    /// of the table form one problem: each column's row margins and each
    /// row's column relations are its equations.
    pub(crate) fn finish(self, disclosure: &Disclosure) -> Table {
        finish_together(vec![self], disclosure).pop().unwrap_or_else(|| unreachable!("one builder gives one table"))
    }

    /// The person counts of the table, numbered from `offset`, and their
    /// equations: each column's row margins and each row's column relations.
    fn problem(&self, offset: usize) -> Problem {
        let n_cols = self.table.columns.len();
        let sensitive = |c: usize| self.table.columns[c].unit == Unit::Count;
        let mut index: Vec<Vec<Option<usize>>> = vec![vec![None; n_cols]; self.raw.len()];
        let mut counts: Vec<u64> = Vec::new();
        for (r, row) in self.raw.iter().enumerate() {
            for (c, raw) in row.iter().enumerate() {
                if let (Raw::Count(v), true) = (raw, sensitive(c)) {
                    index[r][c] = Some(offset + counts.len());
                    counts.push(*v);
                }
            }
        }
        let at = |r: usize, c: usize| index[r][c];
        let mut equations: Vec<(Vec<usize>, usize)> = Vec::new();
        for c in (0..n_cols).filter(|c| !self.non_additive.contains(c)) {
            for (parts, total) in &self.margins {
                if let (Some(t), Some(ps)) =
                    (at(*total, c), parts.iter().map(|&p| at(p, c)).collect::<Option<Vec<_>>>())
                {
                    equations.push((ps, t));
                }
            }
        }
        for r in 0..self.raw.len() {
            for (parts, total) in &self.relations {
                if let (Some(t), Some(ps)) =
                    (at(r, *total), parts.iter().map(|&p| at(r, p)).collect::<Option<Vec<_>>>())
                {
                    equations.push((ps, t));
                }
            }
        }
        (index, counts, equations)
    }

    /// Fills the table's cells from the protected counts.
    fn apply(mut self, index: &[Vec<Option<usize>>], protected: &[Cell<u64>]) -> Table {
        let count_cells: Vec<Vec<Option<Cell<u64>>>> = self
            .raw
            .iter()
            .enumerate()
            .map(|(r, row)| {
                row.iter()
                    .enumerate()
                    .map(|(c, raw)| match (raw, index[r][c]) {
                        (_, Some(i)) => Some(protected[i]),
                        (Raw::Count(v), None) => Some(Cell::Shown(*v)),
                        (Raw::Derived(..) | Raw::Withheld(_), None) => None,
                    })
                    .collect()
            })
            .collect();
        for (r, raw_row) in self.raw.iter().enumerate() {
            let values = raw_row
                .iter()
                .enumerate()
                .map(|(c, raw)| match raw {
                    Raw::Count(_) => match count_cells[r][c] {
                        Some(Cell::Shown(x)) => Cell::Shown(x as f64),
                        Some(Cell::Suppressed(reason)) => Cell::Suppressed(reason),
                        None => Cell::Suppressed(Reason::NotComputable),
                    },
                    Raw::Withheld(reason) => Cell::Suppressed(*reason),
                    Raw::Derived(v, deps) => {
                        let withheld = deps.iter().any(|&(dr, dc)| {
                            count_cells.get(dr).and_then(|row| row[dc]).is_none_or(|x| x.value().is_none())
                        });
                        if withheld {
                            Cell::Suppressed(Reason::Denominator)
                        } else if v.is_finite() {
                            Cell::Shown(*v)
                        } else {
                            Cell::Suppressed(Reason::NotComputable)
                        }
                    }
                })
                .collect();
            self.table.rows[r].values = values;
        }
        let mut keep = vec![true; self.table.rows.len()];
        for &r in &self.unpublished {
            keep[r] = false;
        }
        let mut flags = keep.into_iter();
        self.table.rows.retain(|_| flags.next().unwrap_or(true));
        self.table
    }
}

/// Applies disclosure control to the tables of one publication as one
/// problem: the equations of every table, and an equation `a = b` for every
/// two count cells that count the same thing ([`CountId`]), so that a count
/// withheld in one table is never shown in another (nor recoverable from
/// the margins of another).
pub(crate) fn finish_together(builders: Vec<Builder>, disclosure: &Disclosure) -> Vec<Table> {
    let mut counts: Vec<u64> = Vec::new();
    let mut equations: Vec<(Vec<usize>, usize)> = Vec::new();
    let mut indices = Vec::with_capacity(builders.len());
    let mut first_of: std::collections::HashMap<&CountId, usize> = std::collections::HashMap::new();
    for b in &builders {
        let (index, c, e) = b.problem(counts.len());
        counts.extend(c);
        equations.extend(e);
        for ((r, col), id) in &b.ids {
            let Some(cell) = index.get(*r).and_then(|row| row.get(*col)).copied().flatten() else { continue };
            match first_of.get(id) {
                Some(&first) => equations.push((vec![cell], first)),
                None => {
                    first_of.insert(id, cell);
                }
            }
        }
        indices.push(index);
    }
    let protected = disclosure.suppress(&counts, &equations);
    builders.into_iter().zip(indices).map(|(b, index)| b.apply(&index, &protected)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(shown: &[Preview]) -> Vec<Option<usize>> {
        shown
            .iter()
            .map(|p| match p {
                Preview::Row(i) => Some(*i),
                Preview::Gap(_) => None,
            })
            .collect()
    }

    #[test]
    fn a_preview_keeps_the_first_and_last_rows_and_counts_the_gap() {
        assert_eq!(rows(&preview(3, None)), vec![Some(0), Some(1), Some(2)]);
        assert_eq!(rows(&preview(3, Some(3))), vec![Some(0), Some(1), Some(2)]);
        assert_eq!(rows(&preview(5, Some(3))), vec![Some(0), Some(1), None, Some(4)]);
        assert!(matches!(preview(5, Some(3))[2], Preview::Gap(2)));
        assert!(matches!(preview(5, Some(0)).as_slice(), [Preview::Gap(5)]));
        assert!(preview(0, Some(4)).is_empty());
    }

    #[test]
    fn a_units_code_is_its_json_name() {
        use Unit::*;
        for unit in [Count, Tally, Share, Percent, Days, ShareDifference, Ore, Number, Flag] {
            assert_eq!(serde_json::to_value(unit).ok(), Some(serde_json::Value::from(unit.code())));
        }
    }

    #[test]
    fn html_text_is_escaped() {
        assert_eq!(
            escape_html(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
        assert_eq!(escape_html("Göteborg – ok"), "Göteborg – ok");
    }
}
