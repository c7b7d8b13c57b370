//! Narrowing a data set to some förbund, insatser or years
//! ([`Dataset::filter`]), and what the narrowed data set remembers of it
//! ([`Scope`]) so that no figure outside the part can be computed from it.

use std::collections::BTreeSet;
use std::ops::RangeInclusive;

use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use super::{Dataset, Origins};
use crate::error::{Error, Result};
use crate::model::*;

/// A part of a data set: some förbund (with the förbund they were formed
/// from), some insatser, some years. `None` is "all". As the argument of
/// [`Dataset::filter`] it is what to keep; as [`Dataset::scope`] it is what
/// a data set was narrowed to.
///
/// ```
/// use finsam_core::{ForbundId, dataset::Scope};
/// let part = Scope { forbund: Some(vec![ForbundId(7)]), years: Some(2021..=2022), ..Scope::default() };
/// assert!(!part.is_whole());
/// assert!(Scope::default().is_whole());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Scope {
    /// The förbund. In a data set's scope, with their predecessors by merger.
    pub forbund: Option<Vec<ForbundId>>,
    /// The insatser.
    pub insatser: Option<Vec<InsatsId>>,
    /// The years.
    pub years: Option<RangeInclusive<i32>>,
    /// Recorded by [`Dataset::filter`] (not read from its argument): the
    /// years whose participant figures the whole data set took from the
    /// aggregates, so that a part has the whole's eras even where its own
    /// insatser have no aggregate rows.
    pub aggregate_years: Vec<i32>,
}

impl Scope {
    /// `true` for the whole data set (nothing narrowed).
    pub fn is_whole(&self) -> bool {
        self.forbund.is_none() && self.insatser.is_none() && self.years.is_none()
    }

    /// Refuses an empty list of ids: a part of nothing is a mistake.
    fn check_not_empty(&self) -> Result<()> {
        let empty = |name: &'static str| Error::InvalidArgument { name, message: "an empty list of ids".into() };
        match (&self.forbund, &self.insatser) {
            (Some(f), _) if f.is_empty() => Err(empty("forbund")),
            (_, Some(i)) if i.is_empty() => Err(empty("insats")),
            _ => Ok(()),
        }
    }

    /// `true` if the förbund or insatser were narrowed (the data set holds
    /// some förbund, not the nation).
    pub fn is_part_of_nation(&self) -> bool {
        self.forbund.is_some() || self.insatser.is_some()
    }

    /// `true` if `year` lies in the scope's years.
    pub fn has_year(&self, year: i32) -> bool {
        self.years.as_ref().is_none_or(|y| y.contains(&year))
    }

    /// The scope in words, for the notes of tables and reports.
    ///
    /// ```
    /// use finsam_core::{ForbundId, InsatsId, dataset::Scope};
    /// let s = Scope { forbund: Some(vec![ForbundId(3), ForbundId(7)]), years: Some(2021..=2022), ..Scope::default() };
    /// assert_eq!(s.describe(), "Avgränsat till förbund 3, 7; år 2021–2022.");
    /// ```
    pub fn describe(&self) -> String {
        let ids = |v: &[u32]| v.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
        let mut parts = Vec::new();
        if let Some(f) = &self.forbund {
            parts.push(format!("förbund {}", ids(&f.iter().map(|f| f.0).collect::<Vec<_>>())));
        }
        if let Some(i) = &self.insatser {
            parts.push(format!("insatser {}", ids(&i.iter().map(|i| i.0).collect::<Vec<_>>())));
        }
        sentence(parts, self.years.as_ref())
    }

    /// Refuses a computation that needs the whole nation (`what` names it)
    /// on a data set narrowed to some förbund or insatser.
    pub(crate) fn require_nation(&self, what: &str) -> Result<()> {
        if self.is_part_of_nation() {
            return Err(Error::InvalidArgument {
                name: "data",
                message: format!(
                    "{what} needs every förbund, but the data set is narrowed ({}); compute it on the whole data set and read the förbund's rows",
                    self.describe()
                ),
            });
        }
        Ok(())
    }

    /// Refuses a computation that needs every year of the participations
    /// (`what` names it) on a data set narrowed to some years.
    pub(crate) fn require_all_years(&self, what: &str) -> Result<()> {
        if self.years.is_some() {
            return Err(Error::InvalidArgument {
                name: "data",
                message: format!(
                    "{what} follows participations across years, but the data set is narrowed ({}); filter by förbund or insats only",
                    self.describe()
                ),
            });
        }
        Ok(())
    }
}

impl Dataset {
    /// The part of the data set given by `keep`, which then remembers it
    /// ([`Dataset::scope`]).
    ///
    /// - **Förbund** keep their predecessors too: a förbund formed by a
    ///   merger keeps the history of those it was formed from. Their
    ///   insatser, participations, anonymous counts, aggregate rows, survey
    ///   answers, economy rows and kommun shares are kept.
    /// - **Insatser** keep their förbund and participation rows.
    /// - **Years** keep the participations active in any of them, and the
    ///   counts and aggregate rows of them. The participation figures of the
    ///   years are then those of the whole data set; other years are refused
    ///   ([`data_years`](crate::engine::source::data_years) covers only
    ///   these), and so are the evaluations, which follow persons across
    ///   years. The small tables (förbund, insatser, surveys, economy) are
    ///   kept whole.
    /// - The benefit spells of every kept participant and comparison person
    ///   are kept whole, since their windows reach outside the years. The
    ///   kommun statistics and the comparison persons are kept whole: they
    ///   describe the nation a part is compared with.
    ///
    /// Figures that need every förbund (the state's allocation model) are
    /// refused on a data set narrowed to some förbund or insatser.
    ///
    /// ```
    /// use finsam_core::{ForbundId, dataset::Scope, indicators::{self, Config, Split}};
    /// let data = finsam_core::synthetic::generate(&finsam_core::synthetic::SyntheticConfig { scale: 0.05, ..Default::default() })?;
    /// let forbund = data.forbund[0].id;
    /// let part = data.filter(&Scope { forbund: Some(vec![forbund]), ..Scope::default() })?;
    /// assert!(part.insatser.iter().all(|i| i.forbund == forbund || data.forbund[0].foregangare.contains(&i.forbund)));
    /// assert_eq!(part.scope.forbund.as_deref().map(|f| f.contains(&forbund)), Some(true));
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// `invalid_argument` for a förbund or insats not in the data set, an
    /// empty range of years, or years outside those a narrowed data set
    /// already holds.
    pub fn filter(&self, keep: &Scope) -> Result<Dataset> {
        keep.check_not_empty()?;
        let forbund = keep.forbund.as_deref().map(|ids| self.lineage_of(ids)).transpose()?;
        let insatser = self.insatser_in(keep.insatser.as_deref(), forbund.as_ref())?;
        if keep.insatser.is_some() && insatser.as_ref().is_some_and(FxHashSet::is_empty) {
            return Err(Error::InvalidArgument {
                name: "insats",
                message: "none of the insatser belongs to the förbund asked for".into(),
            });
        }
        let years = self.years_in(keep.years.as_ref())?;
        // Insatser keep their förbund and those it was formed from, so that
        // the part is a valid data set.
        let owners: Option<FxHashSet<ForbundId>> = match (&forbund, &insatser) {
            (Some(f), _) => Some(f.iter().copied().collect()),
            (None, Some(i)) => {
                let owners: Vec<ForbundId> =
                    self.insatser.iter().filter(|x| i.contains(&x.id)).map(|x| x.forbund).collect();
                Some(self.lineage_of(&owners)?)
            }
            (None, None) => None,
        };
        let in_forbund = |f: ForbundId| owners.as_ref().is_none_or(|o| o.contains(&f));
        let in_insats = |i: InsatsId| insatser.as_ref().is_none_or(|s| s.contains(&i));
        let in_years = |ar: i32| years.as_ref().is_none_or(|y| y.contains(&ar));
        let active = |d: &Deltagande| years.as_ref().is_none_or(|y| y.clone().any(|ar| d.is_active_in(ar)));

        let deltaganden: Vec<Deltagande> =
            self.deltaganden.iter().filter(|d| in_insats(d.insats) && active(d)).cloned().collect();
        let narrowed = deltaganden.len() < self.deltaganden.len();
        let kept: FxHashSet<DeltagandeKey> = deltaganden.iter().map(Deltagande::key).collect();
        let persons: FxHashSet<PersonId> =
            deltaganden.iter().map(|d| d.person).chain(self.jamforelsepersoner.iter().map(|j| j.person)).collect();
        let scope = Scope {
            forbund: owners.as_ref().map(sorted).or_else(|| self.scope.forbund.clone()),
            // Insatser are the scope only when asked for, not as the
            // insatser of the förbund kept.
            insatser: if keep.insatser.is_some() { insatser.as_ref().map(sorted) } else { self.scope.insatser.clone() },
            years: years.clone(),
            aggregate_years: crate::engine::era::participant_aggregate_years(self).into_iter().collect(),
        };
        Ok(Dataset {
            forbund: self.forbund.iter().filter(|f| in_forbund(f.id)).cloned().collect(),
            insatser: self.insatser.iter().filter(|i| in_insats(i.id) && in_forbund(i.forbund)).cloned().collect(),
            anonyma_deltagare: keep_rows(&self.anonyma_deltagare, |a| in_insats(a.insats) && in_years(a.ar)),
            insats_ar: keep_rows(&self.insats_ar, |r| in_insats(r.insats) && in_years(r.ar)),
            ersattningsperioder: if narrowed {
                keep_rows(&self.ersattningsperioder, |s| persons.contains(&s.person))
            } else {
                self.ersattningsperioder.clone()
            },
            ersattningsdagar: keep_rows(&self.ersattningsdagar, |w| kept.contains(&w.key())),
            deltaganden,
            enkatsvar: keep_rows(&self.enkatsvar, |s| in_forbund(s.forbund)),
            forbund_ekonomi: keep_rows(&self.forbund_ekonomi, |e| in_forbund(e.forbund)),
            kommunstatistik: self.kommunstatistik.clone(),
            kommunandelar: keep_rows(&self.kommunandelar, |k| in_forbund(k.forbund)),
            jamforelsepersoner: self.jamforelsepersoner.clone(),
            // A part's own latest date is not the whole's cut-off.
            uttagsdatum: self.uttagsdatum.or_else(|| crate::indicators::context::latest_date(self)),
            scope,
            // The rows no longer stand where they were read.
            origins: Origins::default(),
        })
    }

    /// The scope in words with the names of its förbund and insatser, the
    /// note every table of a narrowed data set carries; empty for a whole
    /// data set.
    ///
    /// ```
    /// use finsam_core::dataset::Scope;
    /// let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let part = data.filter(&Scope { forbund: Some(vec![data.forbund[0].id]), years: Some(2021..=2021), ..Scope::default() })?;
    /// assert!(part.scope_note().starts_with(&format!("Avgränsat till {} ({})", data.forbund[0].namn, data.forbund[0].id)));
    /// assert!(part.scope_note().ends_with("; år 2021."));
    /// assert_eq!(data.scope_note(), "");
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn scope_note(&self) -> String {
        let scope = &self.scope;
        let mut parts = Vec::new();
        if let Some(ids) = &scope.forbund {
            let named = |id: &ForbundId| {
                let name = self.forbund.iter().find(|f| f.id == *id).map_or("", |f| f.namn.as_str());
                format!("{name} ({id})")
            };
            // The förbund asked for are those no kept förbund was merged into.
            let merged_into: FxHashSet<ForbundId> =
                self.forbund.iter().flat_map(|f| f.foregangare.iter().copied()).collect();
            let (asked, before): (Vec<&ForbundId>, Vec<&ForbundId>) =
                ids.iter().partition(|id| !merged_into.contains(id));
            let mut text = asked.into_iter().map(named).collect::<Vec<_>>().join(", ");
            if !before.is_empty() {
                let before = before.into_iter().map(named).collect::<Vec<_>>().join(", ");
                text.push_str(&format!(" med föregångarna {before}"));
            }
            parts.push(text);
        }
        if let Some(ids) = &scope.insatser {
            let named: Vec<String> = ids
                .iter()
                .map(|id| {
                    let name = self.insatser.iter().find(|i| i.id == *id).map_or("", |i| i.namn.as_str());
                    format!("{name} ({id})")
                })
                .collect();
            parts.push(format!("insatserna {}", named.join(", ")));
        }
        sentence(parts, scope.years.as_ref())
    }

    /// `ids` with every förbund they were formed from, at any remove.
    fn lineage_of(&self, ids: &[ForbundId]) -> Result<FxHashSet<ForbundId>> {
        let known: rustc_hash::FxHashMap<ForbundId, &Forbund> = self.forbund.iter().map(|f| (f.id, f)).collect();
        let mut out = FxHashSet::default();
        let mut todo: Vec<ForbundId> = Vec::with_capacity(ids.len());
        for &id in ids {
            if !known.contains_key(&id) {
                return Err(not_in_data("forbund", format!("förbund {id}"), self.scope.describe()));
            }
            todo.push(id);
        }
        while let Some(id) = todo.pop() {
            if out.insert(id)
                && let Some(f) = known.get(&id)
            {
                todo.extend(f.foregangare.iter().copied());
            }
        }
        Ok(out)
    }

    /// The insatser to keep: those asked for (each must be in the data), of
    /// the kept förbund if they were narrowed.
    fn insatser_in(
        &self,
        ids: Option<&[InsatsId]>,
        forbund: Option<&FxHashSet<ForbundId>>,
    ) -> Result<Option<FxHashSet<InsatsId>>> {
        if let Some(ids) = ids {
            let known: FxHashSet<InsatsId> = self.insatser.iter().map(|i| i.id).collect();
            if let Some(id) = ids.iter().find(|id| !known.contains(id)) {
                return Err(not_in_data("insats", format!("insats {id}"), self.scope.describe()));
            }
        }
        let asked: Option<FxHashSet<InsatsId>> = ids.map(|ids| ids.iter().copied().collect());
        Ok(match (asked, forbund) {
            (asked, Some(f)) => Some(
                self.insatser
                    .iter()
                    .filter(|i| f.contains(&i.forbund) && asked.as_ref().is_none_or(|a| a.contains(&i.id)))
                    .map(|i| i.id)
                    .collect(),
            ),
            (asked, None) => asked,
        })
    }

    /// The years to keep: those asked for, which must lie within the years a
    /// narrowed data set already holds.
    fn years_in(&self, asked: Option<&RangeInclusive<i32>>) -> Result<Option<RangeInclusive<i32>>> {
        let Some(asked) = asked else { return Ok(self.scope.years.clone()) };
        if asked.is_empty() {
            return Err(Error::InvalidArgument { name: "years", message: format!("empty range {asked:?}") });
        }
        if let Some(held) = &self.scope.years
            && !(held.contains(asked.start()) && held.contains(asked.end()))
        {
            return Err(not_in_data("years", format!("{}–{}", asked.start(), asked.end()), self.scope.describe()));
        }
        Ok(Some(asked.clone()))
    }
}

/// "Avgränsat till <parts>; år <years>." (empty for no part at all): the
/// one wording of a scope, with ids or with names.
fn sentence(mut parts: Vec<String>, years: Option<&RangeInclusive<i32>>) -> String {
    if let Some(y) = years {
        let years = if y.start() == y.end() { y.start().to_string() } else { format!("{}–{}", y.start(), y.end()) };
        parts.push(format!("år {years}"));
    }
    if parts.is_empty() { String::new() } else { format!("Avgränsat till {}.", parts.join("; ")) }
}

fn sorted<T: Copy + Ord>(ids: &FxHashSet<T>) -> Vec<T> {
    ids.iter().copied().collect::<BTreeSet<T>>().into_iter().collect()
}

fn keep_rows<T: Clone>(rows: &[T], keep: impl Fn(&T) -> bool) -> Vec<T> {
    rows.iter().filter(|r| keep(r)).cloned().collect()
}

fn not_in_data(name: &'static str, what: String, scope: String) -> Error {
    let narrowed = if scope.is_empty() { String::new() } else { format!(" ({scope})") };
    Error::InvalidArgument { name, message: format!("{what} is not in the data set{narrowed}") }
}
