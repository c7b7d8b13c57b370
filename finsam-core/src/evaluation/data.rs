//! The data of an evaluation: the person-level analysis frame (participants
//! and comparison persons, covariates at a reference date, benefit days per
//! quarter around it), its long person × quarter form for event studies,
//! and the kommun × year panel for studies of staggered membership.
//!
//! Benefit days come from the spells in `ersattningsperioder`, counted with
//! the indicators' rule ([`Ersattningsperiod::days_within`]: a partial-extent
//! day counts as its fraction). A quarter is [`QUARTER_DAYS`] days: quarter
//! `q ≥ 0` runs from `reference + 91·q` for 91 days, quarter `−1` is the 91
//! days ending the day before the reference date (choice: fixed-length
//! quarters make every person's windows equally long, which calendar
//! quarters relative to an arbitrary day would not). A quarter that has not
//! closed by the data's cut-off date (`uttagsdatum`) is missing, never 0.
//!
//! ```
//! use finsam_core::evaluation::data::{analysis_frame, kommun_panel, AnalysisOptions, PanelOptions};
//! use finsam_core::synthetic::{generate, SyntheticConfig};
//! let data = generate(&SyntheticConfig { scale: 0.02, ..Default::default() })?;
//! let af = analysis_frame(&data, &AnalysisOptions::default())?;
//! let treated = af.frame.numeric("treated")?;
//! assert!(treated.iter().any(|t| *t == Some(1.0)) && treated.iter().any(|t| *t == Some(0.0)));
//! let panel = kommun_panel(&data, &PanelOptions::default())?;
//! assert_eq!(panel.rows(), 290 * 22);
//! # Ok::<(), finsam_core::Error>(())
//! ```

use std::ops::RangeInclusive;

use rand_core::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use super::frame::{categorical_ids, categorical_keys};
use super::{Column, Frame};
use crate::error::{Error, Location, Result};
use crate::indicators::AgeBands;
use crate::model::*;
use crate::{Dataset, Date};

/// The length of a quarter in days (four quarters are 364 days).
pub const QUARTER_DAYS: i32 = 91;

/// The first and last day (inclusive) of quarter `q` relative to `reference`.
///
/// ```
/// use finsam_core::Date;
/// use finsam_core::evaluation::data::quarter_window;
/// let r = Date::from_ymd(2020, 1, 1).unwrap();
/// assert_eq!(quarter_window(r, -1), (Date::from_ymd(2019, 10, 2).unwrap(), Date::from_ymd(2019, 12, 31).unwrap()));
/// assert_eq!(quarter_window(r, 0), (r, Date::from_ymd(2020, 3, 31).unwrap()));
/// ```
pub fn quarter_window(reference: Date, q: i32) -> (Date, Date) {
    let first = reference.add_days(QUARTER_DAYS * q);
    (first, first.add_days(QUARTER_DAYS - 1))
}

/// The quarter (relative to `reference`) that `day` falls in.
fn quarter_of(reference: Date, day: Date) -> i32 {
    reference.days_until(day).div_euclid(QUARTER_DAYS)
}

/// Adds a spell's quarter days to `out[group][q - first]` for the quarters
/// `first..=last` relative to `reference` that it overlaps; only those
/// quarters are visited, so a long spell costs its overlap, not the panel.
pub(crate) fn add_spell_quarters(
    s: &Ersattningsperiod,
    reference: Date,
    first: i32,
    last: i32,
    out: &mut [[i64; MAX_QUARTERS]; 8],
) {
    let lo = quarter_of(reference, s.fran).max(first);
    let hi = quarter_of(reference, s.till).min(last);
    for q in lo..=hi {
        let (from, to) = quarter_window(reference, q);
        out[s.slag.grupp() as usize][(q - first) as usize] += i64::from(s.days_within(from, to).quarters());
    }
}

/// The most quarters a frame can hold (−8..=+8 with room to spare).
pub(crate) const MAX_QUARTERS: usize = 33;

/// How the comparison persons' reference date is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "date")]
pub enum Reference {
    /// The comparison person's register date (`forsorjning_datum`, the day
    /// its covariates were taken), and where it has none a drawn one as
    /// [`Reference::Drawn`]. The synthetic data draw each comparison person
    /// with a participant's start as its register date, so this is the
    /// default.
    Registered,
    /// Each comparison person gets the start date of a participant drawn at
    /// random (seeded), so that both groups have the same distribution of
    /// calendar time (seasons, business cycle, rule changes).
    Drawn,
    /// Every comparison person gets this date.
    Fixed(Date),
}

/// Which rows an analysis frame holds and how they are measured.
///
/// ```
/// use finsam_core::evaluation::data::AnalysisOptions;
/// let o = AnalysisOptions { years: Some(2019..=2020), ..Default::default() };
/// assert_eq!(o.quarters_before, 8);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalysisOptions {
    /// Participants whose first participation starts in these years
    /// (`None`: any year).
    pub years: Option<RangeInclusive<i32>>,
    /// The comparison persons' reference date.
    pub reference: Reference,
    /// The seed of the drawn reference dates.
    pub seed: u64,
    /// Whether the comparison persons are included.
    pub comparison: bool,
    /// Quarters before the reference date (`dagar_q-1` … `dagar_q-N`), 1..=16.
    pub quarters_before: u32,
    /// Quarters from the reference date on (`dagar_q+0` … ), 1..=16.
    pub quarters_after: u32,
    /// The cut-off date; by default the data set's.
    pub uttagsdatum: Option<Date>,
    /// The age bands of `aldersgrupp`.
    pub age_bands: AgeBands,
    /// Every individinriktad participation starting within `years` is a
    /// row, not only each person's first: the population of a comparison of
    /// insatser ([`compare_units`](super::casemix::compare_units)), where a
    /// person's second insats counts for that insats. An effect study keeps
    /// the default (`false`): one row per person.
    pub all_participations: bool,
    /// Build only these columns, in the frame's order (`None`: every
    /// column; a name the frame has not is a `missing_column` error). A comparison of
    /// insatser needs a dozen of the frame's forty, and at national scale
    /// the rest is most of the time.
    pub columns: Option<Vec<String>>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            years: None,
            reference: Reference::Registered,
            seed: 11,
            comparison: true,
            quarters_before: 8,
            quarters_after: 9,
            uttagsdatum: None,
            age_bands: AgeBands::default(),
            all_participations: false,
            columns: None,
        }
    }
}

impl AnalysisOptions {
    fn check(&self) -> Result<()> {
        self.age_bands.check()?;
        for (name, n) in [("quarters_before", self.quarters_before), ("quarters_after", self.quarters_after)] {
            if !(1..=16).contains(&n) {
                return Err(Error::InvalidArgument { name, message: format!("must be in 1..=16, got {n}") });
            }
        }
        Ok(())
    }
}

/// An analysis frame with the rows left out and why.
#[derive(Clone, Debug, PartialEq)]
pub struct AnalysisFrame {
    /// One row per participant and per comparison person; the columns are
    /// listed at [`analysis_frame`].
    pub frame: Frame,
    /// Rows of `deltaganden` and `jamforelsepersoner` left out, by reason
    /// (every reason listed, with 0 where none was).
    pub excluded: Vec<(String, u64)>,
    /// The options the frame was built with, with the cut-off in force.
    pub config: AnalysisOptions,
}

/// Why a row is left out of the analysis frame.
const FELREGISTRERING: &str = "felregistrering";
const STRUKTUR: &str = "not an individinriktad insats";
const LATER: &str = "not the person's first participation";
const OUTSIDE_YEARS: &str = "first participation outside the years";
const AFTER_CUTOFF: &str = "reference date after the cut-off";
const ALSO_PARTICIPANT: &str = "comparison person who also took part";

/// The counts of rows left out, every reason listed (0 where none was).
struct Excluded(Vec<(String, u64)>);

impl Excluded {
    fn new() -> Self {
        let reasons = [FELREGISTRERING, STRUKTUR, LATER, OUTSIDE_YEARS, AFTER_CUTOFF, ALSO_PARTICIPANT];
        Excluded(reasons.iter().map(|r| ((*r).to_owned(), 0)).collect())
    }

    fn add(&mut self, reason: &str, n: u64) {
        if let Some(e) = self.0.iter_mut().find(|e| e.0 == reason) {
            e.1 += n;
        }
    }
}

/// One row of the frame before its columns are filled.
struct Unit {
    person: PersonId,
    treated: bool,
    kon: Kon,
    fodelsear: Option<u16>,
    reference: Date,
    forbund: Option<ForbundId>,
    kommun: Option<KommunKod>,
    insats: Option<InsatsId>,
    /// Sources of support before (participants) or on the register date
    /// (comparison persons); empty when not registered.
    forsorjning: ForsorjningSet,
    remittent: Option<Part>,
    arbete_studier: Option<bool>,
}

/// The person-level analysis frame: one row per participant (their first
/// individinriktad participation that is not a felregistrering, if it starts
/// within `years`) and per comparison person (`jamforelsepersoner`, less
/// those who also took part).
///
/// The reference date is the participant's start, and for a comparison
/// person the one [`Reference`] sets. Columns:
///
/// | column | holds |
/// |---|---|
/// | `person` | the pseudonymous id, as text (a keyed-hash id needs all 64 bits) |
/// | `treated` | 1 for a participant, 0 for a comparison person |
/// | `kon` | `kvinna`, `man`, `okand` |
/// | `alder`, `aldersgrupp` | age in the year of the reference date (from födelseår), and its band |
/// | `referensar` | the year of the reference date |
/// | `forbund` | the insats's förbund; for a comparison person the förbund its kommun belonged to on the reference date |
/// | `kommun` | the comparison person's kommun (participants: missing) |
/// | `insats` | the participant's insats (comparison persons: missing) |
/// | `remittent` | the referring party (comparison persons: missing) |
/// | `forsorjning_<källa>` | 1 if the source of support (`sjukpenning`, `forsorjningsstod`, `lon`, …) was registered before the participation, or for a comparison person on its register date; 0 if others were; missing if none was |
/// | `dagar_fore`, `dagar_fore_<grupp>` | benefit days in the four quarters before, in total and per benefit group present in the data (`sp_rp`, `ae`, `sa`, …) |
/// | `dagar_q-8` … `dagar_q+8` | benefit days (all groups) per quarter relative to the reference date; missing when the quarter has not closed |
/// | `arbete_studier` | 1 if the participation ended in work or studies, 0 in another registered status, missing otherwise (and for comparison persons) |
///
/// ```
/// use finsam_core::evaluation::data::{analysis_frame, AnalysisOptions};
/// use finsam_core::*;
/// let d = Date::from_ymd;
/// let mut data = Dataset::default();
/// data.forbund.push(Forbund { id: ForbundId(1), namn: "F".into(), start: d(2010, 1, 1).unwrap(), slut: None,
///     medlemskap: vec![], foregangare: vec![] });
/// data.insatser.push(Insats { id: InsatsId(1), forbund: ForbundId(1), namn: "I".into(), inriktning: Inriktning::Individ,
///     behovsgrupper: Default::default(), start: d(2019, 1, 1).unwrap(), slut: None, budget: None, utfall: None });
/// data.deltaganden.push(Deltagande { person: PersonId(1), insats: InsatsId(1), kon: Kon::Man, fodelsear: Some(1990),
///     start: d(2020, 1, 1).unwrap(), slut: None, forsorjning_fore: Default::default(), forsorjning_efter: Default::default(),
///     utfall: None, subventionerad: None, avslutsanledning: None, remittent: None });
/// // Full-time sick pay in the 91 days before the start.
/// data.ersattningsperioder.push(Ersattningsperiod { person: PersonId(1), slag: Ersattningsslag::Sjukpenning,
///     fran: d(2019, 10, 2).unwrap(), till: d(2019, 12, 31).unwrap(), omfattning: Omfattning::ALL[3] });
/// data.uttagsdatum = d(2020, 12, 31);
/// let af = analysis_frame(&data, &AnalysisOptions::default())?;
/// assert_eq!(af.frame.numeric("dagar_q-1")?, [Some(91.0)]);
/// assert_eq!(af.frame.numeric("dagar_fore_sp_rp")?, [Some(91.0)]);
/// assert_eq!(af.frame.numeric("alder")?, [Some(30.0)]);
/// assert_eq!(af.frame.numeric("dagar_q+3")?, [Some(0.0)]);
/// assert_eq!(af.frame.numeric("dagar_q+4")?, [None]); // closes after the cut-off
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `invalid_argument` if the options are invalid, the cut-off date is
/// neither given nor in the data, the benefit data are pre-computed window
/// days without spells, or comparison persons need drawn reference dates
/// but no participant is in the frame, or the data set was narrowed to some
/// years (by [`Dataset::filter`]; it has lost participations outside them).
pub fn analysis_frame(data: &Dataset, options: &AnalysisOptions) -> Result<AnalysisFrame> {
    analysis_frame_over(data, &data.deltaganden, options)
}

/// [`analysis_frame`] with the participants taken from `deltaganden`
/// instead of the data set's (the rows of a streamed file that the annual
/// report kept); the other tables are the data set's.
pub(crate) fn analysis_frame_over(
    data: &Dataset,
    deltaganden: &[Deltagande],
    options: &AnalysisOptions,
) -> Result<AnalysisFrame> {
    data.scope.require_all_years("the analysis frame")?;
    options.check()?;
    // Days per quarter need spells; pre-computed window days (one year
    // before and after) cannot give them, and zeros would pass for data.
    if data.ersattningsperioder.is_empty() && !data.ersattningsdagar.is_empty() {
        return Err(Error::InvalidArgument {
            name: "ersattningsperioder",
            message: "days per quarter need benefit spells; the data hold only pre-computed window days".into(),
        });
    }
    let uttagsdatum = options.uttagsdatum.or(data.uttagsdatum).ok_or_else(|| Error::InvalidArgument {
        name: "uttagsdatum",
        message: "the cut-off date is not in the data; give it in the options".into(),
    })?;
    let mut excluded = Excluded::new();
    let mut units = participants(data, deltaganden, options, uttagsdatum, &mut excluded);
    if options.comparison {
        comparison_units(data, deltaganden, options, uttagsdatum, &mut units, &mut excluded)?;
    }
    let wanted = |name: &str| options.columns.as_ref().is_none_or(|c| c.iter().any(|w| w == name));
    let (frame, names) = build_frame(data, &units, options, uttagsdatum, &wanted)?;
    if let Some(missing) = options.columns.iter().flatten().find(|c| !names.contains(c)) {
        return Err(Error::MissingColumn {
            at: Box::new(Location::table("analysis frame").column(missing)),
            found: names.join(", "),
        });
    }
    Ok(AnalysisFrame {
        frame,
        excluded: excluded.0,
        config: AnalysisOptions { uttagsdatum: Some(uttagsdatum), ..options.clone() },
    })
}

/// The participants' rows: each person's first individinriktad,
/// non-felregistrering participation (or every one, with
/// `all_participations`), if it starts within the years.
fn participants(
    data: &Dataset,
    deltaganden: &[Deltagande],
    options: &AnalysisOptions,
    cutoff: Date,
    excluded: &mut Excluded,
) -> Vec<Unit> {
    let insatser: FxHashMap<InsatsId, &Insats> = data.insatser.iter().map(|i| (i.id, i)).collect();
    let mut first: FxHashMap<PersonId, &Deltagande> = FxHashMap::default();
    let mut every: Vec<&Deltagande> = Vec::new();
    let mut kept = 0u64;
    for d in deltaganden {
        if d.is_felregistrering() {
            excluded.add(FELREGISTRERING, 1);
            continue;
        }
        if insatser.get(&d.insats).is_none_or(|i| i.inriktning != Inriktning::Individ) {
            excluded.add(STRUKTUR, 1);
            continue;
        }
        kept += 1;
        if options.all_participations {
            // Every participation is its own row, so the rows outside the
            // years go now, before the sort (most of a national register).
            if options.years.as_ref().is_some_and(|y| !y.contains(&d.start.year())) {
                excluded.add(OUTSIDE_YEARS, 1);
            } else {
                every.push(d);
            }
            continue;
        }
        let entry = first.entry(d.person).or_insert(d);
        if (d.start, d.insats) < (entry.start, entry.insats) {
            *entry = d;
        }
    }
    let chosen: Vec<&Deltagande> = if options.all_participations {
        every
    } else {
        excluded.add(LATER, kept - first.len() as u64);
        first.into_values().collect()
    };
    // (person, insats, start) is unique (validation), so an unstable sort
    // is as stable; the keys sit beside the rows, so comparing them reads
    // no row (a sort through the references was a cache miss per compare).
    let mut keyed: Vec<((Date, PersonId, InsatsId), &Deltagande)> =
        chosen.into_iter().map(|d| ((d.start, d.person, d.insats), d)).collect();
    keyed.sort_unstable_by_key(|(key, _)| *key);
    let chosen = keyed.into_iter().map(|(_, d)| d);
    let mut units = Vec::with_capacity(chosen.len());
    for d in chosen {
        if options.years.as_ref().is_some_and(|y| !y.contains(&d.start.year())) {
            excluded.add(OUTSIDE_YEARS, 1);
            continue;
        }
        if d.start > cutoff {
            excluded.add(AFTER_CUTOFF, 1);
            continue;
        }
        units.push(Unit {
            person: d.person,
            treated: true,
            kon: d.kon,
            fodelsear: d.fodelsear,
            reference: d.start,
            forbund: insatser.get(&d.insats).map(|i| i.forbund),
            kommun: None,
            insats: Some(d.insats),
            forsorjning: d.forsorjning_fore,
            remittent: d.remittent,
            arbete_studier: d.utfall.map(|u| matches!(u, Utfall::Arbete | Utfall::Studier)),
        });
    }
    units
}

/// The comparison persons' rows, less those who also took part.
fn comparison_units(
    data: &Dataset,
    deltaganden: &[Deltagande],
    options: &AnalysisOptions,
    cutoff: Date,
    units: &mut Vec<Unit>,
    excluded: &mut Excluded,
) -> Result<()> {
    let starts: Vec<Date> = units.iter().map(|u| u.reference).collect();
    let needs_draw = match options.reference {
        Reference::Fixed(_) => false,
        Reference::Drawn => true,
        Reference::Registered => data.jamforelsepersoner.iter().any(|j| j.forsorjning_datum.is_none()),
    };
    if starts.is_empty() && needs_draw && !data.jamforelsepersoner.is_empty() {
        return Err(Error::InvalidArgument {
            name: "reference",
            message: "comparison persons get a participant's start date, but no participant is in the frame; give a fixed reference date".into(),
        });
    }
    let participants: FxHashSet<PersonId> = deltaganden.iter().map(|d| d.person).collect();
    let areas = KommunAreas::new(&data.forbund);
    let mut rng = Pcg64Mcg::seed_from_u64(options.seed);
    for j in &data.jamforelsepersoner {
        // Drawn for every row, so that a person's date does not depend on
        // which other persons are left out.
        let drawn = starts.get(below(&mut rng, starts.len())).copied();
        if participants.contains(&j.person) {
            excluded.add(ALSO_PARTICIPANT, 1);
            continue;
        }
        let reference = match (options.reference, j.forsorjning_datum, drawn) {
            (Reference::Fixed(date), _, _) | (Reference::Registered, Some(date), _) => date,
            (_, _, Some(date)) => date,
            // Unreachable: without participants a draw is refused above.
            (_, _, None) => continue,
        };
        if reference > cutoff {
            excluded.add(AFTER_CUTOFF, 1);
            continue;
        }
        units.push(Unit {
            person: j.person,
            treated: false,
            kon: j.kon,
            fodelsear: j.fodelsear,
            reference,
            forbund: j.kommun.and_then(|k| areas.forbund_of(k, reference)),
            kommun: j.kommun,
            insats: None,
            forsorjning: j.forsorjning,
            remittent: None,
            arbete_studier: None,
        });
    }
    Ok(())
}

/// A uniform index below `n` (0 when `n` is 0).
fn below(rng: &mut Pcg64Mcg, n: usize) -> usize {
    ((rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * n as f64) as usize
}

/// Which förbund a kommun belonged to on a date, from the membership history.
struct KommunAreas<'a> {
    forbund: &'a [Forbund],
}

impl<'a> KommunAreas<'a> {
    fn new(forbund: &'a [Forbund]) -> Self {
        KommunAreas { forbund }
    }

    /// The förbund, active on `date`, of which `kommun` was a member then.
    fn forbund_of(&self, kommun: KommunKod, date: Date) -> Option<ForbundId> {
        self.forbund.iter().find(|f| is_member(f, kommun, date)).map(|f| f.id)
    }
}

/// Whether `kommun` is a member of `f` on `date` (within its lifetime): the
/// latest of its events up to the date is a joining.
fn is_member(f: &Forbund, kommun: KommunKod, date: Date) -> bool {
    if f.start > date || f.slut.is_some_and(|s| s < date) {
        return false;
    }
    f.medlemskap
        .iter()
        .filter(|m| m.kommun == kommun && m.datum <= date)
        .max_by_key(|m| (m.datum, m.handelse == Medlemshandelse::Uttrade))
        .is_some_and(|m| m.handelse == Medlemshandelse::Intrade)
}

/// The columns of the frame, in one pass over the rows with one buffer.
/// `wanted` says which columns to build (the others are skipped, and so is
/// the join with the spells when no column of days is wanted); the names
/// of every column it can build come back beside the frame.
fn build_frame(
    data: &Dataset,
    units: &[Unit],
    options: &AnalysisOptions,
    cutoff: Date,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<(Frame, Vec<String>)> {
    let before = options.quarters_before as i32;
    let after = options.quarters_after as i32;
    let first_q = -before;
    let last_q = after - 1;
    let width = (last_q - first_q + 1) as usize;
    let mut spells: Vec<&Ersattningsperiod> = data.ersattningsperioder.iter().collect();
    spells.sort_unstable_by_key(|s| (s.person, s.fran));
    let groups: Vec<Ersattningsgrupp> = present_groups(&data.ersattningsperioder);
    let n = units.len();
    let mut quarters: Vec<Vec<Option<f64>>> = vec![vec![None; n]; width];
    let mut fore: Vec<Vec<Option<f64>>> = vec![vec![None; n]; groups.len() + 1];
    let mut buffer = [[0i64; MAX_QUARTERS]; 8];
    let days_wanted = (first_q..=last_q).any(|q| wanted(&quarter_name(q)))
        || wanted("dagar_fore")
        || groups.iter().any(|g| wanted(&format!("dagar_fore_{}", g.code())));
    // The rows in person order, joined with the spells (in person order) in
    // one pass: looking each row's spells up in a row order of their own
    // was a cache miss per row and most of the frame's time at ×20 (perf).
    let mut order: Vec<(PersonId, u32)> = units.iter().enumerate().map(|(row, u)| (u.person, row as u32)).collect();
    order.sort_unstable();
    let mut first = 0;
    for (_, row) in order.into_iter().filter(|_| days_wanted) {
        let (row, u) = (row as usize, &units[row as usize]);
        // Forward only: every spell is passed once over all rows.
        while spells.get(first).is_some_and(|s| s.person < u.person) {
            first += 1;
        }
        let end = first + spells[first..].iter().take_while(|s| s.person == u.person).count();
        // Only the frame's quarters are used: clearing all of them was a
        // 2 KB memset per row.
        buffer.iter_mut().for_each(|g| g[..width].fill(0));
        for s in &spells[first..end] {
            add_spell_quarters(s, u.reference, first_q, last_q, &mut buffer);
        }
        for (i, column) in quarters.iter_mut().enumerate() {
            let q = first_q + i as i32;
            let closed = quarter_window(u.reference, q).1 <= cutoff;
            column[row] = closed.then(|| buffer.iter().map(|g| g[i]).sum::<i64>() as f64 / 4.0);
        }
        // The four quarters before: indices before-4 .. before-1.
        let window = (before - 4).max(0) as usize..before as usize;
        let per_group = |g: usize| buffer[g][window.clone()].iter().sum::<i64>() as f64 / 4.0;
        fore[0][row] = Some(groups.iter().map(|&g| per_group(g as usize)).sum());
        for (column, &g) in fore[1..].iter_mut().zip(&groups) {
            column[row] = Some(per_group(g as usize));
        }
    }
    let age = |u: &Unit| u.fodelsear.map(|y| u.reference.year() - i32::from(y));
    let band = |u: &Unit| options.age_bands.band_of(age(u));
    let numeric = |value: &dyn Fn(&Unit) -> Option<f64>| Column::Numeric(units.iter().map(value).collect());
    // Ids as text: a keyed-hash id uses all 64 bits, more than a float holds.
    // Categorical columns of ids are built from the ids and named once per
    // distinct value (text per row was most of the frame's time).
    let mut columns: Vec<(String, Box<dyn FnOnce() -> Column + '_>)> = vec![
        ("person".into(), Box::new(|| categorical_ids(units.iter().map(|u| Some(u.person.0))))),
        ("treated".into(), Box::new(|| numeric(&|u| Some(f64::from(u8::from(u.treated)))))),
        ("kon".into(), Box::new(|| categorical_keys(units.iter().map(|u| Some(u.kon)), |k| k.code().to_owned()))),
        ("alder".into(), Box::new(|| numeric(&|u| age(u).map(f64::from)))),
        (
            "aldersgrupp".into(),
            Box::new(|| categorical_keys(units.iter().map(|u| Some(band(u))), |b| options.age_bands.label(b))),
        ),
        ("referensar".into(), Box::new(|| numeric(&|u| Some(f64::from(u.reference.year()))))),
        ("forbund".into(), Box::new(|| categorical_ids(units.iter().map(|u| u.forbund.map(|f| u64::from(f.0)))))),
        ("kommun".into(), Box::new(|| categorical_keys(units.iter().map(|u| u.kommun), |k| k.to_string()))),
        ("insats".into(), Box::new(|| categorical_ids(units.iter().map(|u| u.insats.map(|i| u64::from(i.0)))))),
        ("remittent".into(), Box::new(|| categorical_keys(units.iter().map(|u| u.remittent), |p| p.code().to_owned()))),
    ];
    for &source in Forsorjning::ALL {
        let has =
            move |u: &Unit| (!u.forsorjning.is_empty()).then(|| f64::from(u8::from(u.forsorjning.contains(source))));
        columns.push((format!("forsorjning_{}", source.code()), Box::new(move || numeric(&has))));
    }
    let mut fore = fore.into_iter();
    let total = fore.next().unwrap_or_default();
    columns.push(("dagar_fore".into(), Box::new(|| Column::Numeric(total))));
    for (&g, column) in groups.iter().zip(fore) {
        columns.push((format!("dagar_fore_{}", g.code()), Box::new(|| Column::Numeric(column))));
    }
    for (i, column) in quarters.into_iter().enumerate() {
        columns.push((quarter_name(first_q + i as i32), Box::new(|| Column::Numeric(column))));
    }
    columns
        .push(("arbete_studier".into(), Box::new(|| numeric(&|u| u.arbete_studier.map(|w| f64::from(u8::from(w)))))));
    let mut frame = Frame::new();
    let mut names = Vec::with_capacity(columns.len());
    for (name, column) in columns {
        if wanted(&name) {
            frame = frame.with_column(&name, column())?;
        }
        names.push(name);
    }
    Ok((frame, names))
}

/// The benefit groups that occur in the spells, in their order.
pub(crate) fn present_groups(spells: &[Ersattningsperiod]) -> Vec<Ersattningsgrupp> {
    let mut present = [false; 8];
    for s in spells {
        present[s.slag.grupp() as usize] = true;
    }
    Ersattningsgrupp::ALL.iter().copied().filter(|g| present[*g as usize]).collect()
}

/// The column name of quarter `q`: `dagar_q-1`, `dagar_q+0`, `dagar_q+8`.
///
/// ```
/// use finsam_core::evaluation::data::quarter_name;
/// assert_eq!(quarter_name(-8), "dagar_q-8");
/// assert_eq!(quarter_name(0), "dagar_q+0");
/// ```
pub fn quarter_name(q: i32) -> String {
    format!("dagar_q{q:+}")
}

impl AnalysisFrame {
    /// The frame in long form for event studies: one row per person and
    /// closed quarter, with `unit` (the person id), `rel_quarter`,
    /// `treated` and `outcome` (benefit days in that quarter). Quarters not
    /// yet closed have no row. Matching weights or matched sets are joined
    /// by the user on `unit`.
    ///
    /// ```
    /// use finsam_core::evaluation::data::{analysis_frame, AnalysisOptions};
    /// let data = finsam_core::synthetic::generate(&finsam_core::synthetic::SyntheticConfig { scale: 0.02, ..Default::default() })?;
    /// let af = analysis_frame(&data, &AnalysisOptions::default())?;
    /// let panel = af.person_panel()?;
    /// assert!(panel.rows() > af.frame.rows() * 8);
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// `missing_column` if the frame lacks its quarter columns.
    pub fn person_panel(&self) -> Result<Frame> {
        let first_q = -(self.config.quarters_before as i32);
        let last_q = self.config.quarters_after as i32 - 1;
        let Column::Categorical { codes: person, levels } = self.frame.column("person")? else {
            return Err(Error::InvalidArgument {
                name: "person",
                message: "the person column must hold ids as text".into(),
            });
        };
        let treated = self.frame.numeric("treated")?;
        let columns: Vec<&[Option<f64>]> =
            (first_q..=last_q).map(|q| self.frame.numeric(&quarter_name(q))).collect::<Result<_>>()?;
        let capacity = self.frame.rows() * columns.len();
        let (mut unit, mut rel, mut tr, mut outcome) = (
            Vec::with_capacity(capacity),
            Vec::with_capacity(capacity),
            Vec::with_capacity(capacity),
            Vec::with_capacity(capacity),
        );
        for row in 0..self.frame.rows() {
            for (i, column) in columns.iter().enumerate() {
                if let Some(y) = column[row] {
                    unit.push(person[row]);
                    rel.push(Some(f64::from(first_q + i as i32)));
                    tr.push(treated[row]);
                    outcome.push(Some(y));
                }
            }
        }
        Frame::new()
            .with_column("unit", Column::Categorical { codes: unit, levels: levels.clone() })?
            .with_column("rel_quarter", Column::Numeric(rel))?
            .with_column("treated", Column::Numeric(tr))?
            .with_column("outcome", Column::Numeric(outcome))
    }
}

/// The long person × quarter panel of [`AnalysisFrame::person_panel`],
/// from a data set.
///
/// # Errors
/// As [`analysis_frame`].
pub fn person_panel(data: &Dataset, options: &AnalysisOptions) -> Result<(Frame, Vec<(String, u64)>)> {
    let af = analysis_frame(data, options)?;
    Ok((af.person_panel()?, af.excluded))
}

/// Which years a kommun panel covers.
///
/// ```
/// use finsam_core::evaluation::data::PanelOptions;
/// assert_eq!(PanelOptions::default().years, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PanelOptions {
    /// The years (`None`: every year in `kommunstatistik`).
    pub years: Option<RangeInclusive<i32>>,
}

/// The kommun × year panel for studies of staggered membership: one row per
/// row of `kommunstatistik` within the years.
///
/// | column | holds |
/// |---|---|
/// | `kommun` | the kommunkod |
/// | `ar` | the year |
/// | `first_year` | the first year the kommun was a member of any förbund (joined on any day of it) |
/// | `medlem` | 1 if the kommun was a member of a förbund on any day of the year |
/// | `invanare`, `invanare_16_64` | inhabitants |
/// | `forsorjningsmatt` | the försörjningsmått per inhabitant 16–64 |
/// | `forsorjningsmatt_<grupp>` | the same per benefit kind (`sp_rp`, `ae`, `sa`, `a_kassa`, `aktivitetsstod`, `etableringsersattning`, `forsorjningsstod`) |
///
/// `first_year` is 0 for a kommun that was never a member up to the panel's
/// last year. For a kommun that joined before the panel's first year it is
/// that earlier year: the kommun is treated in every year of the panel (R's
/// `did` drops such units as always treated; keep or drop them knowingly).
/// Treatment is absorbing: a kommun that leaves keeps its `first_year`
/// (as in staggered-adoption designs); `medlem` shows the years it was out,
/// so that leavers can be found and dropped.
///
/// ```
/// use finsam_core::evaluation::data::{kommun_panel, PanelOptions};
/// let data = finsam_core::synthetic::generate(&finsam_core::synthetic::SyntheticConfig { scale: 0.02, ..Default::default() })?;
/// let panel = kommun_panel(&data, &PanelOptions { years: Some(2010..=2012) })?;
/// assert_eq!(panel.rows(), 290 * 3);
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `invalid_argument` if the years are empty, or the data set was narrowed
/// by [`Dataset::filter`].
pub fn kommun_panel(data: &Dataset, options: &PanelOptions) -> Result<Frame> {
    data.scope.require_nation("the kommun panel (its comparison kommuner are those of every other förbund)")?;
    data.scope.require_all_years("the kommun panel")?;
    let years = match &options.years {
        Some(y) if y.is_empty() => {
            return Err(Error::InvalidArgument { name: "years", message: format!("{y:?} holds no year") });
        }
        Some(y) => y.clone(),
        None => {
            let min = data.kommunstatistik.iter().map(|s| s.ar).min().unwrap_or(0);
            min..=data.kommunstatistik.iter().map(|s| s.ar).max().unwrap_or(-1)
        }
    };
    let first = first_years(&data.forbund);
    let mut rows: Vec<&Kommunstatistik> = data.kommunstatistik.iter().filter(|s| years.contains(&s.ar)).collect();
    rows.sort_by_key(|s| (s.kommun, s.ar));
    let first_of = |k: KommunKod| first.get(&k).copied().filter(|&y| y <= *years.end()).unwrap_or(0);
    let per_inhabitant = |s: &Kommunstatistik, h: Hundradelar| {
        (s.invanare_16_64 > 0).then(|| h.0 as f64 / 100.0 / f64::from(s.invanare_16_64))
    };
    let mut frame = Frame::new()
        .with_categorical("kommun", rows.iter().map(|s| Some(s.kommun.to_string())))?
        .with_numeric("ar", rows.iter().map(|s| Some(f64::from(s.ar))))?
        .with_numeric("first_year", rows.iter().map(|s| Some(f64::from(first_of(s.kommun)))))?
        .with_numeric(
            "medlem",
            rows.iter()
                .map(|s| Some(f64::from(u8::from(data.forbund.iter().any(|f| member_in_year(f, s.kommun, s.ar)))))),
        )?
        .with_numeric("invanare", rows.iter().map(|s| Some(f64::from(s.invanare))))?
        .with_numeric("invanare_16_64", rows.iter().map(|s| Some(f64::from(s.invanare_16_64))))?
        .with_numeric("forsorjningsmatt", rows.iter().map(|s| per_inhabitant(s, s.forsorjningsmatt_total())))?;
    for (k, g) in FORSORJNINGSMATT.iter().enumerate() {
        frame = frame.with_numeric(
            &format!("forsorjningsmatt_{}", g.code()),
            rows.iter().map(|s| per_inhabitant(s, s.forsorjningsmatt[k])),
        )?;
    }
    Ok(frame)
}

/// Each kommun's first year of membership in any förbund: the year of its
/// earliest joining within the förbund's lifetime.
pub(crate) fn first_years(forbund: &[Forbund]) -> FxHashMap<KommunKod, i32> {
    let mut first: FxHashMap<KommunKod, i32> = FxHashMap::default();
    for f in forbund {
        for m in &f.medlemskap {
            let within = m.datum >= f.start && f.slut.is_none_or(|s| m.datum <= s);
            if m.handelse == Medlemshandelse::Intrade && within {
                let y = first.entry(m.kommun).or_insert(m.datum.year());
                *y = (*y).min(m.datum.year());
            }
        }
    }
    first
}

/// Whether `kommun` was a member of `f` on some day of `year`: at its start
/// (or the förbund's, if later), or by joining during the year.
fn member_in_year(f: &Forbund, kommun: KommunKod, year: i32) -> bool {
    let (Some(jan1), Some(dec31)) = (Date::first_of_year(year), Date::last_of_year(year)) else {
        return false;
    };
    if !f.is_active_in(year) {
        return false;
    }
    let from = f.start.max(jan1);
    let to = f.slut.map_or(dec31, |s| s.min(dec31));
    is_member(f, kommun, from)
        || f.medlemskap
            .iter()
            .any(|m| m.kommun == kommun && m.handelse == Medlemshandelse::Intrade && m.datum >= from && m.datum <= to)
}
