//! The annual report: every table for one year over any source of
//! participations, plus the sections of a data set (insatser, coverage,
//! surveys, money), in one disclosure problem.
//!
//! The indicator functions live one per file in [`indicators`](crate::indicators)
//! (`deltagare`, `utfall`, `ersattningsdagar`, `forsorjning`, `konsskillnad`,
//! `insatser`, `tackning`), each beside its catalogue entry, and are
//! re-exported here at their former paths. Each computes one indicator for
//! a `Split` and years and returns a [`Table`]
//! in which every count of persons has passed primary and complementary
//! suppression and every share or mean whose denominator is withheld is
//! withheld too.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// The published table types, at their former path (they live in [`publish`](crate::publish)).
pub use crate::publish::table;
pub use crate::publish::{Column, Row, Table, Unit};

pub use crate::engine::source::{Source, compute, data_years};
pub use crate::indicators::deltagare::participants;
pub use crate::indicators::ekonomi::{forbund_economy, insats_economy};
pub use crate::indicators::ersattningsdagar::benefit_days;
pub use crate::indicators::forsorjning::transitions;
pub use crate::indicators::insatser::insatser;
pub use crate::indicators::konsskillnad::{gender_gap, gender_gap_days};
pub use crate::indicators::tackning::coverage;
pub use crate::indicators::utfall::{outcome_categories, outcome_change, outcomes};

use crate::engine::Partial;
use crate::engine::era::{EraCounts, Eras, YearSource};
use crate::engine::source::*;
use crate::error::Result;
use crate::indicators::deltagare::*;
use crate::indicators::ekonomi::{forbund_economy_table, insats_economy_table};
use crate::indicators::ersattningsdagar::*;
use crate::indicators::forsorjning::*;
use crate::indicators::insatser::*;
use crate::indicators::konsskillnad::*;
use crate::indicators::parts::cells_and_totals;
use crate::indicators::utfall::*;
use crate::indicators::{Config, Context, Dim, Split, State};
use crate::model::*;
use crate::publish::table::{Builder, finish_together};
use crate::{Dataset, Date};

mod html;
mod jamforelse;
mod markdown;
mod sections;
#[cfg(feature = "xlsx")]
mod xlsx;
pub use jamforelse::CASE_MIX as COMPARISON_CASE_MIX;

/// The lineage of förbund formed by mergers: each merger's date, the new
/// förbund and those it was formed from.
pub fn lineage(data: &Dataset) -> Vec<Merger> {
    let names: HashMap<ForbundId, &str> = data.forbund.iter().map(|f| (f.id, f.namn.as_str())).collect();
    let mut out: Vec<Merger> = data
        .forbund
        .iter()
        .filter(|f| !f.foregangare.is_empty())
        .map(|f| Merger {
            datum: f.start,
            forbund: f.id,
            namn: f.namn.clone(),
            foregangare: f.foregangare.iter().map(|p| (*p, names.get(p).copied().unwrap_or("").to_owned())).collect(),
        })
        .collect();
    out.sort_by_key(|m| (m.datum, m.forbund));
    out
}

/// A förbund formed by a merger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merger {
    /// The day the new förbund started.
    pub datum: Date,
    /// The new förbund.
    pub forbund: ForbundId,
    /// Its name.
    pub namn: String,
    /// The förbund it was formed from, with their names.
    pub foregangare: Vec<(ForbundId, String)>,
}

impl Merger {
    /// The förbund it was formed from, as "name (id), …".
    fn formed_from(&self) -> String {
        self.foregangare.iter().map(|(id, n)| format!("{n} ({id})")).collect::<Vec<_>>().join(", ")
    }
}

/// The annual report: every table for one year, nationally, per förbund and
/// by kön.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnnualReport {
    /// The year.
    pub ar: i32,
    /// The source of the year's participant figures: person-level data, or
    /// the aggregates of the aggregate era (then the report has no
    /// person-level sections, and says so in its notes).
    pub era: YearSource,
    /// The cut-off date used.
    pub uttagsdatum: Date,
    /// The options used.
    pub config: Config,
    /// The tables, in report order.
    pub tables: Vec<Table>,
    /// Mergers of förbund up to the year.
    pub sammanslagningar: Vec<Merger>,
    /// Participations left out because their insats is unknown (0 for validated data).
    pub okand_insats: u64,
    /// What the report says about its source (for a flat extract: the
    /// sections it has no data for).
    pub notes: Vec<String>,
}

/// Computes the annual report for `year` in one pass over the participations
/// (split by förbund and kön, rolled up to the national and single splits).
///
/// ```
/// let data = finsam_core::synthetic::generate(&Default::default())?;
/// let report = finsam_core::report::annual_report(&data, 2020, &Default::default())?;
/// let t = &report.tables[0];
/// assert_eq!(t.value(&["2020"], "deltagare"), Some(24_867.0));
/// assert!(report.to_markdown().contains("Sysselsättning efter avslutad insats"));
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// A flat extract gives the participation sections (participants, outcomes,
/// benefit days, gender gaps) and says which it cannot give.
///
/// # Errors
/// `invalid_argument` for invalid options.
pub fn annual_report<'a>(source: impl Into<Source<'a>>, year: i32, config: &Config) -> Result<AnnualReport> {
    let source = source.into();
    check_years(source, config, &(year..=year))?;
    let years = year.saturating_sub(1)..=year;
    match source {
        Source::Data(data) => {
            config.check()?;
            let cutoff = Context::cutoff(data, config)?;
            let eras = Eras::of(data, config, cutoff);
            // The sections that do not come from the participation state
            // are made on a second thread from the start, while this one
            // computes the state (on two more) and its tables.
            let sections = || data_sections(data, &data.deltaganden, year, cutoff, config, eras.source(year));
            let participation = || {
                let ctx = Context::with_cutoff(data, config, years, cutoff);
                let state =
                    State::compute_parallel(&report_split(), &ctx, &data.deltaganden, &data.anonyma_deltagare, 2);
                let from = ReportSource {
                    source,
                    config,
                    cutoff,
                    groups: &ctx.groups,
                    notes: Vec::new(),
                    participations: &data.deltaganden,
                };
                participation_part(&from, year, &state, &eras)
            };
            let (sections, participation) = crate::exec::both(sections, participation);
            assemble(source, config, year, cutoff, &eras, participation, Some(sections))
        }
        Source::Extract(extract) => {
            let partial = Partial::compute(extract, &report_split(), years.clone(), config)?;
            let counts = partial_counts(Cow::Owned(partial), &report_split(), &years, config, true)?;
            report_from_partial(source, counts, year, config)
        }
        Source::Partial(partial) => {
            let counts = partial_counts(Cow::Borrowed(partial), &report_split(), &years, config, true)?;
            report_from_partial(source, counts, year, config)
        }
    }
}

/// The annual report of a directory in the data contract whose
/// participation file is streamed in chunks on `threads` threads (for files
/// larger than memory: only the rows that the comparison of insatser fits
/// its model on, those starting in the year or the two before, are kept);
/// the other tables are read and validated as usual, and the
/// participations get every rule of the in-memory path
/// ([`State::compute_csv`]), so the two paths accept and refuse the same data.
/// The report's sections are then made on two threads, as in memory.
///
/// # Errors
/// As [`Dataset::read_csv_dir`] for the other tables and
/// [`State::compute_csv`] for the participations.
pub fn annual_report_csv(
    dir: &std::path::Path,
    year: i32,
    config: &Config,
    opts: &crate::ingest::CsvOptions,
    rules: &crate::Rules,
    threads: usize,
) -> Result<AnnualReport> {
    let mut without = opts.clone();
    without.skip.insert("deltaganden".into());
    let (data, _) = Dataset::read_csv_dir(dir, &without, rules)?;
    check_years((&data).into(), config, &(year..=year))?;
    let ctx = Context::new(&data, config, year.saturating_sub(1)..=year)?;
    let file = opts.mapping("deltaganden").and_then(|m| m.file.clone()).unwrap_or_else(|| "deltaganden.csv".into());
    let stream = crate::indicators::stream::Stream {
        split: &report_split(),
        ctx: &ctx,
        data: &data,
        rules,
        chunk_rows: crate::indicators::stream::CHUNK_ROWS,
        threads: threads.max(1),
        // The comparison of insatser fits its model on the rows of its
        // years, so those (and only those) are kept in memory.
        keep: Some(jamforelse::start_years(year)),
    };
    let (state, window) = stream.run(&dir.join(file), opts, &|e| data.locate(e))?;
    let from = ReportSource {
        source: (&data).into(),
        config,
        cutoff: ctx.uttagsdatum,
        groups: &ctx.groups,
        notes: Vec::new(),
        participations: &window,
    };
    report_from_state(&from, year, &state)
}

/// The split the annual report is computed at and rolled up from.
/// The annual report of a partial state's counts (see [`annual_report`]).
fn report_from_partial(source: Source<'_>, counts: PartialCounts, year: i32, config: &Config) -> Result<AnnualReport> {
    let PartialCounts { state, cutoff, groups, notes } = counts;
    report_from_state(
        &ReportSource { source, config, cutoff, groups: &groups, notes, participations: &[] },
        year,
        &state,
    )
}

fn report_split() -> Split {
    Split(vec![Dim::Forbund, Dim::Kon])
}

/// What the annual report needs to know of its source besides the state.
struct ReportSource<'a> {
    source: Source<'a>,
    config: &'a Config,
    cutoff: Date,
    groups: &'a [Ersattningsgrupp],
    /// What every table of the source says about it.
    notes: Vec<String>,
    /// The participations of a data set that the comparison of insatser
    /// is fitted on (all of them in memory; those of its years when the
    /// participations were streamed).
    participations: &'a [Deltagande],
}

/// The sections a flat extract has no data for, named in its report.
const NOT_IN_AN_EXTRACT: &str =
    "insatser, coverage, försörjning before and after, the comparison of insatser, surveys, financing and mergers";

impl ReportSource<'_> {
    /// The data set, if the source is one.
    fn data(&self) -> Option<&Dataset> {
        match self.source {
            Source::Data(data) => Some(data),
            Source::Extract(_) | Source::Partial(_) => None,
        }
    }
}

/// The eras of a report's source.
fn report_eras(source: Source<'_>, config: &Config, cutoff: Date) -> Eras {
    match source {
        Source::Data(data) => Eras::of(data, config, cutoff),
        Source::Extract(_) | Source::Partial(_) => Eras::person_level(cutoff, config),
    }
}

fn report_from_state(from: &ReportSource<'_>, year: i32, state: &State) -> Result<AnnualReport> {
    let (config, cutoff) = (from.config, from.cutoff);
    let eras = report_eras(from.source, config, cutoff);
    let participation = || participation_part(from, year, state, &eras);
    // The sections of a data set that do not come from the state (the
    // comparison of insatser above all) are computed on a second thread
    // while this one makes the participation tables.
    let (sections, participation) = match from.data() {
        Some(data) => {
            let sections = || data_sections(data, from.participations, year, cutoff, config, eras.source(year));
            let (sections, participation) = crate::exec::both(sections, participation);
            (Some(sections), participation)
        }
        None => (None, participation()),
    };
    assemble(from.source, config, year, cutoff, &eras, participation, sections)
}

/// The participation half of a report: its tables and notes, and the
/// participations of unknown insatser.
type ParticipationPart = (Vec<Table>, Vec<String>, u64);

/// The participation half of a report from its `state`: the tables and
/// notes of [`participation_tables`] over the years the source holds whole.
fn participation_part(from: &ReportSource<'_>, year: i32, state: &State, eras: &Eras) -> Result<ParticipationPart> {
    let data = from.data();
    let complete = match data {
        Some(data) => complete_years(data, state, from.cutoff),
        None => observed_complete_years(state, from.cutoff),
    };
    let (tables, notes) = participation_tables(from, data, year, state, &complete, eras)?;
    Ok((tables, notes, state.unknown_insats()))
}

/// The report of its two halves, in the report's order. An error of the
/// participation half wins over one of the sections.
fn assemble(
    source: Source<'_>,
    config: &Config,
    year: i32,
    cutoff: Date,
    eras: &Eras,
    participation: Result<ParticipationPart>,
    sections: Option<Result<DataSections>>,
) -> Result<AnnualReport> {
    let (mut tables, mut notes, okand_insats) = participation?;
    // An interrupt while both ran is the report's error, also where a
    // section would have made it a note (the comparison's fit).
    crate::exec::check()?;
    let mut sammanslagningar = Vec::new();
    if let Some(sections) = sections.transpose()? {
        tables.extend(sections.tables);
        notes.extend(sections.comparison_note);
        sammanslagningar = sections.sammanslagningar;
    }
    if let Source::Data(data) = source {
        data.key_names().apply_all(&mut tables);
        if !data.scope.is_whole() {
            notes.push(data.scope_note());
        }
    }
    title_levels(&mut tables);
    Ok(AnnualReport {
        ar: year,
        era: eras.source(year),
        uttagsdatum: cutoff,
        config: config.clone(),
        tables,
        sammanslagningar,
        okand_insats,
        notes,
    })
}

/// The tables of the participation sections, from the state (and, for a
/// data set, the insatser and their economy), finished together under one
/// disclosure control, and the report's notes on its era and source.
fn participation_tables(
    from: &ReportSource<'_>,
    data: Option<&Dataset>,
    year: i32,
    state: &State,
    complete: &BTreeSet<i32>,
    eras: &Eras,
) -> Result<(Vec<Table>, Vec<String>)> {
    let (config, cutoff, groups) = (from.config, from.cutoff, from.groups);
    // The national cells from the three kön cells of a year, not from every
    // förbund's: their person sets are merged as lists instead of sorted.
    let by_kon = state.rollup(&Split::new(&[Dim::Kon])?)?;
    let national = by_kon.rollup(&Split::national())?;
    let by_forbund = state.rollup(&Split::new(&[Dim::Forbund])?)?;
    let years = year..=year;
    let era = eras.source(year);
    let asked = year.saturating_sub(1)..=year;
    let counts = |s: &State| EraCounts::of(from.source, s.split(), &asked, eras);
    // Each table's total rows are the national cells already rolled up.
    let participants = |s: &State, totals: &[&State]| {
        participants_table(s.split(), &cells_and_totals(s, totals)?, &years, complete, config, &counts(s))
    };
    let mut builders = vec![
        participants(&national, &[])?,
        participants(&by_kon, &[&national])?,
        participants(&by_forbund, &[&national])?,
    ];
    let participant_tables = builders.len();
    if let Some(data) = data {
        builders.push(insatser_table(data, false, years.clone()));
        builders.push(insatser_table(data, true, years.clone()));
        if data.insats_ar.iter().any(|r| r.ar == year) {
            builders.push(insats_economy_table(data, &Split::national(), &years)?);
            builders.push(insats_economy_table(data, &Split::new(&[Dim::Forbund])?, &years)?);
        }
        if data.forbund_ekonomi.iter().any(|e| e.ar == year) {
            builders.push(forbund_economy_table(data, &years, &crate::finance::EquityRule::default()));
        }
    }
    let mut notes = Vec::new();
    if era == YearSource::PersonLevel {
        let person_notes = eras.person_level_notes(&years);
        let first = builders.len();
        let levels = Levels { national: &national, by_kon: &by_kon, by_forbund: &by_forbund };
        builders.extend(person_level_tables(&levels, year, config, groups, cutoff, data.is_some())?);
        for b in &mut builders[first..] {
            b.table.notes.extend(person_notes.iter().cloned());
        }
    } else {
        notes.push(format!(
            "{year} is a year of the aggregate era: its participants come from the aggregates per insats of Uppföljning Finsam, which hold no persons, so status after, benefit days, försörjning before and after and the gender gaps are not in this report (person-level data end on {}).",
            eras.person_until()
        ));
    }
    if from.source.is_flat() {
        for b in &mut builders {
            b.table.notes.extend(from.notes.iter().cloned());
        }
        for b in &mut builders[..participant_tables] {
            b.table.notes.push(EXTRACT_HAS_NO_ANONYMOUS.into());
        }
        notes.push(format!(
            "Source: a flat extract. Not in this report, for an extract has no data on them: {NOT_IN_AN_EXTRACT}."
        ));
    }
    // The participation tables publish the same counts several times (a
    // national figure is the `alla` row of the kön table, the n of men in the
    // gender gap is the n of men in the outcomes): one disclosure problem.
    Ok((finish_together(builders, &config.disclosure), notes))
}

/// The sections of a data set that do not come from the participation
/// state, in the report's order.
struct DataSections {
    /// Coverage, the comparison of insatser, surveys and financing.
    tables: Vec<Table>,
    /// Why the comparison of insatser is not in the report, if it is not.
    comparison_note: Option<String>,
    sammanslagningar: Vec<Merger>,
}

/// Coverage, the comparison of insatser (of a year of the person-level era,
/// if the configuration asks for it), surveys, financing and the mergers up
/// to `year`.
fn data_sections(
    data: &Dataset,
    participations: &[Deltagande],
    year: i32,
    cutoff: Date,
    config: &Config,
    era: YearSource,
) -> Result<DataSections> {
    let mut tables = vec![coverage(data, year..=year)?];
    crate::exec::check()?;
    let mut comparison_note = None;
    if era == YearSource::PersonLevel && config.compare_insatser {
        match jamforelse::section(data, participations, year, cutoff, config) {
            Ok(section) => tables.extend(section),
            Err(why) => comparison_note = Some(why),
        }
    }
    tables.extend(crate::survey::report_tables(data, year, &crate::survey::SurveyConfig::from_config(config))?);
    tables.extend(money_tables(data, year)?);
    let sammanslagningar = lineage(data).into_iter().filter(|m| m.datum.year() <= year).collect();
    Ok(DataSections { tables, comparison_note, sammanslagningar })
}

/// The report's levels of the state: national, by kön and by förbund.
struct Levels<'a> {
    national: &'a State,
    by_kon: &'a State,
    by_forbund: &'a State,
}

/// The tables of person-level figures of `year`: outcomes, benefit days,
/// transitions (of a data set) and the gender gaps. They are of
/// participations ended in the year itself and need no person sets.
fn person_level_tables(
    levels: &Levels<'_>,
    year: i32,
    config: &Config,
    groups: &[Ersattningsgrupp],
    cutoff: Date,
    transitions: bool,
) -> Result<Vec<Builder>> {
    let current = |s: &State| s.year_without_persons(year);
    let (national, by_kon, by_forbund) = (current(levels.national), current(levels.by_kon), current(levels.by_forbund));
    let mut builders = vec![
        outcomes_table(&national, config)?,
        outcomes_table(&by_kon, config)?,
        outcomes_table(&by_forbund, config)?,
        benefit_table(&national, groups, cutoff, config)?,
        benefit_table(&by_kon, groups, cutoff, config)?,
    ];
    if transitions {
        builders.push(transitions_table(&national, config)?);
    }
    builders.push(gender_gap_shares(&by_kon, config)?);
    builders.push(gender_gap_days_table(&by_kon, groups, config)?);
    Ok(builders)
}

/// The financing section: the §5 split of every förbund with a budget for
/// `year`, and the state's allocation model for `year` when the kommun
/// statistics of the year before are there.
fn money_tables(data: &Dataset, year: i32) -> Result<Vec<Table>> {
    let mut out = Vec::new();
    let splits = crate::finance::financing(data, year)?;
    if !splits.is_empty() {
        out.push(crate::finance::split::financing_table(&splits));
    }
    // The allocation divides the national sum among every förbund: a
    // narrowed data set has not all of them.
    if data.kommunstatistik.iter().any(|s| s.ar == year - 1) && !data.scope.is_part_of_nation() {
        let inputs = crate::finance::allocation::allocation_inputs(data, year)?;
        if !inputs.is_empty() {
            let params = crate::finance::AllocationParams::default();
            out.push(crate::finance::allocate(year, &inputs, &params)?.to_table());
        }
    }
    Ok(out)
}

/// The key columns that tell a table apart from the other tables of the
/// same indicator in `tables` (its level: `kon`, `forbund`, …); empty for
/// an indicator shown once, and for the national level.
fn level_keys<'t>(table: &'t Table, tables: &[Table]) -> Vec<&'t str> {
    let same: Vec<&Table> = tables.iter().filter(|o| o.id == table.id).collect();
    if same.len() < 2 {
        return Vec::new();
    }
    table.keys.iter().filter(|k| !same.iter().all(|o| o.keys.contains(k))).map(String::as_str).collect()
}

/// Adds the level to the title of every table whose indicator the report
/// shows at several levels ("… per kön", "…, riket"), so that headings and
/// sheet titles tell them apart.
fn title_levels(tables: &mut [Table]) {
    let suffixes: Vec<Option<String>> = tables
        .iter()
        .map(|t| {
            let shown_once = tables.iter().filter(|o| o.id == t.id).count() < 2;
            let level = level_keys(t, tables);
            let label = |k: &str| {
                match k {
                    "kon" => "kön",
                    "forbund" => "förbund",
                    "aldersgrupp" => "åldersgrupp",
                    other => other,
                }
                .to_owned()
            };
            match (shown_once, level.is_empty()) {
                (true, _) => None,
                (false, true) => Some(", riket".to_owned()),
                (false, false) => {
                    Some(format!(" per {}", level.into_iter().map(label).collect::<Vec<_>>().join(" och ")))
                }
            }
        })
        .collect();
    for (t, suffix) in tables.iter_mut().zip(suffixes) {
        if let Some(suffix) = suffix {
            t.title.push_str(&suffix);
        }
    }
}

impl AnnualReport {
    /// The name of each table, in report order, distinct within the
    /// report: the indicator's id, and for an indicator shown at several
    /// levels the id with the level's key columns (`utfall_per_kon`,
    /// `utfall_per_forbund`; the national level keeps the id, `utfall`).
    ///
    /// ```
    /// let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let report = finsam_core::report::annual_report(&data, 2020, &Default::default())?;
    /// let names = report.names();
    /// assert!(names.iter().any(|n| n == "utfall_per_kon"));
    /// assert_eq!(report.table("utfall_per_kon").map(|t| t.keys.clone()), Some(vec!["ar".into(), "kon".into()]));
    /// assert_eq!(report.table("utfall").map(|t| t.title.as_str()), Some("Sysselsättning efter avslutad insats, riket"));
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn names(&self) -> Vec<String> {
        self.tables
            .iter()
            .map(|t| match level_keys(t, &self.tables).as_slice() {
                [] => t.id.clone(),
                level => format!("{}_per_{}", t.id, level.join("_")),
            })
            .collect()
    }

    /// The table named `name` (see [`names`](Self::names)).
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.names().iter().position(|n| n == name).map(|i| &self.tables[i])
    }

    /// The report as an HTML fragment for a notebook: the title, what the
    /// figures are and the notes, then every table with at most
    /// `max_rows` rows (see [`Table::to_html`]).
    ///
    /// ```
    /// let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let report = finsam_core::report::annual_report(&data, 2020, &Default::default())?;
    /// let html = report.to_html(Some(10));
    /// assert!(html.starts_with("<h2>Finsam årsrapport 2020</h2>"));
    /// assert_eq!(html.matches("<table class=\"finsam\">").count(), report.tables.len());
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn to_html(&self, max_rows: Option<usize>) -> String {
        use crate::publish::table::escape_html;
        let mut out = format!("<h2>Finsam årsrapport {}</h2><p>{}</p>", self.ar, escape_html(&self.description()));
        for note in &self.notes {
            let _ = write!(out, "<p>{}</p>", escape_html(note));
        }
        for (name, t) in self.names().iter().zip(&self.tables) {
            let _ = write!(out, "<h3 id=\"{0}\"><code>{0}</code></h3>{1}", escape_html(name), t.to_html(max_rows));
        }
        out.push_str(&self.mergers_html());
        if self.okand_insats > 0 {
            let _ = write!(out, "<p>{}</p>", escape_html(&self.unknown_insats_note()));
        }
        out
    }

    /// The mergers of förbund as an HTML list under a heading; empty if none.
    fn mergers_html(&self) -> String {
        use crate::publish::table::escape_html;
        if self.sammanslagningar.is_empty() {
            return String::new();
        }
        let mut out = String::from("<h3>Sammanslagningar av förbund</h3><ul>");
        for m in &self.sammanslagningar {
            let line = format!("{}: {} ({}) bildat av {}", m.datum, m.namn, m.forbund, m.formed_from());
            let _ = write!(out, "<li>{}</li>", escape_html(&line));
        }
        out.push_str("</ul>");
        out
    }

    /// What the figures are: their source, cut-off, intervals and disclosure control.
    fn description(&self) -> String {
        format!(
            "Participant figures from {} ({}). Cut-off (uttagsdatum): {}. Intervals at {:.0} % ({:?}). Disclosure control: {}.",
            self.era.describe(),
            self.era.code(),
            self.uttagsdatum,
            self.config.level * 100.0,
            self.config.method,
            if self.config.disclosure.enabled {
                format!(
                    "counts below {} withheld (..), with complementary suppression",
                    self.config.disclosure.threshold
                )
            } else {
                "off".to_owned()
            }
        )
    }

    fn unknown_insats_note(&self) -> String {
        format!("{} participations were left out because their insats is unknown.", self.okand_insats)
    }

    /// Every table as CSV, concatenated with a `# table: <name> (<title>)`
    /// line before each (the names of [`names`](Self::names)).
    pub fn to_csv(&self) -> String {
        self.names()
            .iter()
            .zip(&self.tables)
            .map(|(name, t)| format!("# table: {name} ({})\n{}", t.title, t.to_csv()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The report as JSON.
    ///
    /// # Errors
    /// `invalid_json` only if serialisation fails.
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }
}
