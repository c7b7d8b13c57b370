//! The two eras of data (domain.md §3): which source a year's participant
//! figures come from, and the participant counts of the aggregate era.
//!
//! Until SUS closed for Finsam (April 2023) participations were registered
//! person by person; from 2023 Uppföljning Finsam holds per insats and year
//! only aggregates: participants by kön (individinriktade insatser) or in
//! total. A year is a **person-level** year when the person rows cover all
//! of it, and an **aggregate** year when they do not and the aggregates count
//! it. The year both touch (2023: person rows until April, aggregates for the
//! whole year) is an aggregate year by default, as in the national report
//! ([`MixedYear`]).
//!
//! Indicators of participants take an aggregate year's figures from the
//! aggregates. Indicators that need persons (status after, benefit days,
//! transitions, gender gaps of shares) have no figures for it: their tables
//! leave the year out and say why. A change between a person-level and an
//! aggregate year is a break in the series ([`SeriesBreak`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use crate::engine::source::Source;
use crate::indicators::parts::with_alla;
use crate::indicators::state::{Key, UNUSED};
use crate::indicators::{Config, Dim, Split};
use crate::model::*;
use crate::{Dataset, Date};

/// Where a year's participant figures come from.
///
/// ```
/// use finsam_core::engine::era::YearSource;
/// assert_eq!(YearSource::Aggregates.code(), "aggregat");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YearSource {
    /// Person-level participations (SUS, or a förbund's own register),
    /// covering the whole year.
    PersonLevel,
    /// The aggregates per insats and year (Uppföljning Finsam).
    Aggregates,
}

impl YearSource {
    /// The code written in tables and notes.
    pub fn code(self) -> &'static str {
        match self {
            YearSource::PersonLevel => "personniva",
            YearSource::Aggregates => "aggregat",
        }
    }

    /// A description for readers.
    pub fn describe(self) -> &'static str {
        match self {
            YearSource::PersonLevel => "person-level participations",
            YearSource::Aggregates => "the aggregates per insats of Uppföljning Finsam",
        }
    }
}

/// The source of a year that person rows cover in part and aggregates in
/// whole (2023).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MixedYear {
    /// The aggregates, as the national report does: the person rows of
    /// part of a year are not the year.
    #[default]
    Aggregates,
    /// The person rows, for what they cover: every table says how far.
    PersonLevel,
}

/// What a change between two years of different sources shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeriesBreak {
    /// The change is shown, with `brott_i_serien` = 1 and a note.
    #[default]
    Flag,
    /// The change is withheld (reason `series_break`).
    Withhold,
}

/// The last day SUS registered Finsam participations (domain.md §3: it
/// closed in April 2023; the day is an assumption, configurable as
/// [`Config::person_level_until`]).
///
/// ```
/// assert_eq!(finsam_core::engine::era::sus_closed().to_string(), "2023-04-30");
/// ```
pub fn sus_closed() -> Date {
    // 2023-04-30 as a day number: a constant, so no parse can fail here.
    Date::from_checked(19_477)
}

/// The era of every year of a source.
///
/// ```
/// use finsam_core::engine::era::{Eras, YearSource};
/// use finsam_core::indicators::Config;
/// let data = finsam_core::synthetic::generate(&Default::default())?;
/// let eras = Eras::of(&data, &Config::default(), data.uttagsdatum.unwrap());
/// assert_eq!(eras.source(2022), YearSource::PersonLevel);
/// assert_eq!(eras.source(2023), YearSource::Aggregates);
/// assert!(eras.is_break(2023) && !eras.is_break(2024));
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Eras {
    /// The end of person-level data ([`Config::person_level_until`]): the
    /// years after it are of the aggregate era.
    sus_end: Date,
    /// The last day person rows cover: the end of person-level data, or the
    /// cut-off if earlier.
    person_until: Date,
    /// The years the aggregates count participants of individinriktade
    /// insatser for.
    aggregate_years: BTreeSet<i32>,
    mixed: MixedYear,
}

impl Eras {
    /// The eras of a data set with cut-off `cutoff` under `config`.
    pub fn of(data: &Dataset, config: &Config, cutoff: Date) -> Eras {
        Eras {
            sus_end: config.person_level_until,
            person_until: cutoff.min(config.person_level_until),
            aggregate_years: participant_aggregate_years(data),
            mixed: config.mixed_year,
        }
    }

    /// The eras of a source of person rows only (a flat extract): every
    /// year is a person-level year, covered up to the cut-off or the end of
    /// person-level data.
    pub fn person_level(cutoff: Date, config: &Config) -> Eras {
        Eras {
            sus_end: config.person_level_until,
            person_until: cutoff.min(config.person_level_until),
            aggregate_years: BTreeSet::new(),
            mixed: MixedYear::Aggregates,
        }
    }

    /// The source of `year`'s participant figures: the aggregates if they
    /// count the year and person-level data do not reach its end (for the
    /// year person-level data end in, as [`MixedYear`] says); else
    /// person-level data.
    pub fn source(&self, year: i32) -> YearSource {
        let whole = Date::last_of_year(year).is_some_and(|d| d <= self.sus_end);
        let mixed_by_person = self.mixed == MixedYear::PersonLevel && year == self.sus_end.year();
        if whole || mixed_by_person || !self.aggregate_years.contains(&year) {
            YearSource::PersonLevel
        } else {
            YearSource::Aggregates
        }
    }

    /// Whether person rows cover all of `year`.
    pub fn person_level_whole(&self, year: i32) -> bool {
        Date::last_of_year(year).is_some_and(|d| d <= self.person_until)
    }

    /// Whether `year` and the year before come from different sources.
    pub fn is_break(&self, year: i32) -> bool {
        self.source(year) != self.source(year.saturating_sub(1))
    }

    /// The aggregate years among `years`.
    pub fn aggregate_years_in(&self, years: &RangeInclusive<i32>) -> BTreeSet<i32> {
        years.clone().filter(|&y| self.source(y) == YearSource::Aggregates).collect()
    }

    /// The years the aggregates count (whole years: complete for a change).
    pub fn counted_aggregate_years(&self) -> BTreeSet<i32> {
        self.aggregate_years.iter().copied().filter(|&y| self.source(y) == YearSource::Aggregates).collect()
    }

    /// The last day person rows cover.
    pub fn person_until(&self) -> Date {
        self.person_until
    }

    /// What a table of person-level figures says of `years`: which are
    /// aggregate years and have no figures, and which person-level years
    /// are covered only in part or not at all.
    pub fn person_level_notes(&self, years: &RangeInclusive<i32>) -> Vec<String> {
        let mut notes = Vec::new();
        let aggregate = self.aggregate_years_in(years);
        if !aggregate.is_empty() {
            notes.push(format!(
                "No figures for {}: a year of the aggregate era, whose data (Uppföljning Finsam) hold no persons; person-level data end on {}.",
                year_list(&aggregate),
                self.person_until
            ));
        }
        notes.extend(self.coverage_notes(years));
        notes
    }

    /// What any table says of the person-level years among `years` that
    /// person rows do not cover whole: the year they end in, and the years
    /// after it that no aggregates count either.
    pub fn coverage_notes(&self, years: &RangeInclusive<i32>) -> Vec<String> {
        let person_years = years.clone().filter(|&y| self.source(y) == YearSource::PersonLevel);
        let (mut part, mut none) = (BTreeSet::new(), BTreeSet::new());
        for y in person_years.filter(|&y| !self.person_level_whole(y)) {
            if Date::first_of_year(y).is_some_and(|d| d <= self.person_until) {
                part.insert(y)
            } else {
                none.insert(y)
            };
        }
        let mut notes = Vec::new();
        if !part.is_empty() {
            notes.push(format!(
                "{} is covered by person-level data only until {}: its figures are of part of the year.",
                year_list(&part),
                self.person_until
            ));
        }
        if !none.is_empty() {
            notes.push(format!(
                "No figures for {}: person-level data end on {} and the data have no aggregates of participants for it.",
                year_list(&none),
                self.person_until
            ));
        }
        notes
    }

    /// What a participant table says of the sources of `years`, if they
    /// are not all person-level.
    pub fn source_note(&self, years: &RangeInclusive<i32>) -> Option<String> {
        let aggregate = self.aggregate_years_in(years);
        if aggregate.is_empty() {
            return None;
        }
        let person: BTreeSet<i32> = years.clone().filter(|y| !aggregate.contains(y)).collect();
        let mut parts = Vec::new();
        if !person.is_empty() {
            parts.push(format!("{} person-level participations (persons plus anonymous)", year_list(&person)));
        }
        parts.push(format!(
            "{} the aggregates per insats of Uppföljning Finsam (a person in two insatser counts in each; persons, anonymous, participations and started are not in them)",
            year_list(&aggregate)
        ));
        Some(format!("Source of deltagare: {}.", parts.join("; ")))
    }
}

/// The years whose aggregate rows count participants of individinriktade
/// insatser.
pub(crate) fn participant_aggregate_years(data: &Dataset) -> BTreeSet<i32> {
    let individ: HashMap<InsatsId, bool> =
        data.insatser.iter().map(|i| (i.id, i.inriktning == Inriktning::Individ)).collect();
    let own =
        data.insats_ar.iter().filter(|r| individ.get(&r.insats).copied().unwrap_or(false) && r.deltagare().is_some());
    // A part of a data set has the eras of the whole it was taken from.
    own.map(|r| r.ar).chain(data.scope.aggregate_years.iter().copied()).collect()
}

/// What the participant tables need of the eras: the eras of the source
/// and the aggregate counts of a split.
pub(crate) struct EraCounts {
    pub(crate) eras: Eras,
    pub(crate) aggregates: BTreeMap<Key, u64>,
}

impl EraCounts {
    /// The aggregate counts of `split` in the aggregate years among `years`
    /// (none for a flat extract, which holds person rows only).
    pub(crate) fn of(source: Source<'_>, split: &Split, years: &RangeInclusive<i32>, eras: &Eras) -> EraCounts {
        let aggregates = match source {
            Source::Data(data) => aggregate_participants(data, split, &eras.aggregate_years_in(years)),
            Source::Extract(_) | Source::Partial(_) => BTreeMap::new(),
        };
        EraCounts { eras: eras.clone(), aggregates }
    }
}

/// The participants of individinriktade insatser that the aggregates count
/// in `years`, per cell of `split` and with its total cells (`ALLA` where a
/// dimension is totalled), as [`with_totals`](crate::indicators::parts) gives
/// for a state. Women and men are counted by kön; a total above women + men
/// (or a total alone) counts the rest as kön `okand`. Empty if the split has
/// a dimension the aggregates do not know (only förbund, insats and kön).
pub(crate) fn aggregate_participants(data: &Dataset, split: &Split, years: &BTreeSet<i32>) -> BTreeMap<Key, u64> {
    let mut out = BTreeMap::new();
    if years.is_empty() || !split.knows_anonymous() {
        return out;
    }
    let insatser: HashMap<InsatsId, &Insats> = data.insatser.iter().map(|i| (i.id, i)).collect();
    let dims = split.dims();
    for r in data.insats_ar.iter().filter(|r| years.contains(&r.ar)) {
        let Some(insats) = insatser.get(&r.insats).filter(|i| i.inriktning == Inriktning::Individ) else { continue };
        for (kon, n) in by_kon(r) {
            let parts: Vec<u32> = dims
                .iter()
                .map(|dim| match dim {
                    Dim::Forbund => insats.forbund.0,
                    Dim::Insats => insats.id.0,
                    _ => kon as u32,
                })
                .collect();
            for key_parts in with_alla(&parts) {
                let mut key = Key { ar: r.ar, parts: [UNUSED; Split::MAX] };
                key.parts[..key_parts.len()].copy_from_slice(&key_parts);
                *out.entry(key).or_insert(0) += n;
            }
        }
    }
    out
}

/// An aggregate row's participants by kön: women, men, and the rest of the
/// total as unknown (a row with only one kön given counts that kön).
fn by_kon(r: &InsatsAr) -> Vec<(Kon, u64)> {
    let (k, m) = (u64::from(r.deltagare_kvinnor.unwrap_or(0)), u64::from(r.deltagare_man.unwrap_or(0)));
    let total = r.deltagare().map_or(0, u64::from);
    [(Kon::Kvinna, k), (Kon::Man, m), (Kon::Okand, total.saturating_sub(k + m))]
        .into_iter()
        .filter(|&(_, n)| n > 0)
        .collect()
}

/// Years as a range where they are consecutive (`2023–2025`), else a list.
pub(crate) fn year_list(years: &BTreeSet<i32>) -> String {
    match (years.first(), years.last()) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) if years.len() as i64 == i64::from(*b) - i64::from(*a) + 1 => format!("{a}–{b}"),
        (Some(_), Some(_)) => years.iter().map(i32::to_string).collect::<Vec<_>>().join(", "),
        _ => "none".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::parts::ALLA;

    fn date(y: i32, m: u32, d: u32) -> Date {
        Date::from_ymd(y, m, d).unwrap()
    }

    fn insats(id: u32, forbund: u32, inriktning: Inriktning) -> Insats {
        Insats {
            id: InsatsId(id),
            forbund: ForbundId(forbund),
            namn: format!("insats {id}"),
            inriktning,
            behovsgrupper: BehovsgruppSet::empty(),
            start: date(2020, 1, 1),
            slut: None,
            budget: None,
            utfall: None,
        }
    }

    fn row(insats: u32, ar: i32, k: Option<u32>, m: Option<u32>, t: Option<u32>) -> InsatsAr {
        InsatsAr {
            insats: InsatsId(insats),
            ar,
            budget: None,
            utfall: None,
            budgeterade_deltagare: None,
            deltagare_kvinnor: k,
            deltagare_man: m,
            deltagare_totalt: t,
        }
    }

    fn data() -> Dataset {
        Dataset {
            insatser: vec![
                insats(1, 7, Inriktning::Individ),
                insats(2, 7, Inriktning::Individ),
                insats(3, 8, Inriktning::Individ),
                insats(4, 8, Inriktning::Struktur),
            ],
            insats_ar: vec![
                row(1, 2023, Some(10), Some(6), None),
                row(2, 2023, Some(3), Some(4), Some(9)), // 2 of unknown kön
                row(3, 2023, None, None, Some(5)),       // kön not given
                row(4, 2023, None, None, Some(400)),     // structural: not participants of individinriktade
                row(1, 2024, Some(1), Some(1), None),
                row(4, 2022, None, None, Some(300)), // structural only: 2022 stays person-level
            ],
            ..Dataset::default()
        }
    }

    #[test]
    fn a_year_is_aggregate_when_person_rows_do_not_cover_it_and_aggregates_count_it() {
        let config = Config::default();
        let eras = Eras::of(&data(), &config, date(2023, 12, 31));
        assert_eq!(eras.person_until(), date(2023, 4, 30));
        assert_eq!(eras.source(2022), YearSource::PersonLevel);
        assert_eq!(eras.source(2023), YearSource::Aggregates);
        assert_eq!(eras.source(2024), YearSource::Aggregates);
        assert_eq!(eras.source(2025), YearSource::PersonLevel, "no aggregates: nothing to take");
        assert!(eras.coverage_notes(&(2025..=2025))[0].starts_with("No figures for 2025"));
        assert!(eras.is_break(2023) && !eras.is_break(2024));
        let by_person = Config { mixed_year: MixedYear::PersonLevel, ..Config::default() };
        let eras = Eras::of(&data(), &by_person, date(2023, 12, 31));
        assert_eq!(eras.source(2023), YearSource::PersonLevel);
        assert_eq!(eras.source(2024), YearSource::Aggregates);
        // Person rows that cover 2023 whole (a förbund's own register) make it person-level.
        let own = Config { person_level_until: date(2023, 12, 31), ..Config::default() };
        assert_eq!(Eras::of(&data(), &own, date(2023, 12, 31)).source(2023), YearSource::PersonLevel);
        // A cut-off earlier than the end of person-level data bounds the
        // person rows but does not move the era: 2023 is covered in part.
        let early = Eras::of(&data(), &own, date(2023, 6, 30));
        assert_eq!((early.person_until(), early.source(2023)), (date(2023, 6, 30), YearSource::PersonLevel));
        assert!(!early.person_level_whole(2023) && early.person_level_whole(2022));
        // A mid-year cut-off in the SUS era leaves its year person-level.
        let mid = Eras::of(&data(), &Config::default(), date(2022, 6, 30));
        assert_eq!(mid.source(2022), YearSource::PersonLevel);
    }

    #[test]
    fn aggregate_participants_by_forbund_and_kon_sum_by_hand() {
        let split = Split::new(&[Dim::Forbund, Dim::Kon]).unwrap();
        let counts = aggregate_participants(&data(), &split, &BTreeSet::from([2023]));
        let at = |f: u32, k: u32| counts.get(&Key { ar: 2023, parts: [f, k, UNUSED, UNUSED] }).copied();
        let (kvinna, man, okand) = (Kon::Kvinna as u32, Kon::Man as u32, Kon::Okand as u32);
        assert_eq!(at(7, kvinna), Some(13));
        assert_eq!(at(7, man), Some(10));
        assert_eq!(at(7, okand), Some(2));
        assert_eq!(at(8, okand), Some(5));
        assert_eq!(at(8, kvinna), None);
        assert_eq!(at(7, ALLA), Some(25));
        assert_eq!(at(ALLA, okand), Some(7));
        assert_eq!(at(ALLA, ALLA), Some(30), "16 + 9 + 5; the structural 400 are not participants of this indicator");
        assert!(counts.keys().all(|k| k.ar == 2023));
        let by_age = Split::new(&[Dim::Aldersgrupp]).unwrap();
        assert!(aggregate_participants(&data(), &by_age, &BTreeSet::from([2023])).is_empty());
    }

    #[test]
    fn notes_name_the_years_and_sources() {
        let eras = Eras::of(&data(), &Config::default(), date(2023, 12, 31));
        let notes = eras.person_level_notes(&(2021..=2024));
        assert_eq!(notes.len(), 1);
        assert!(notes[0].starts_with("No figures for 2023–2024"), "{notes:?}");
        let source = eras.source_note(&(2022..=2023)).unwrap();
        assert!(source.contains("2022 person-level") && source.contains("2023 the aggregates"), "{source}");
        assert_eq!(eras.source_note(&(2020..=2022)), None);
        let mixed = Config { mixed_year: MixedYear::PersonLevel, ..Config::default() };
        let notes = Eras::of(&data(), &mixed, date(2023, 12, 31)).person_level_notes(&(2023..=2023));
        assert!(notes[0].contains("only until 2023-04-30"), "{notes:?}");
    }
}
