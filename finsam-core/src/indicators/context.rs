//! What the row-by-row computation needs besides the rows: the insatser, the
//! benefit data, the cut-off date and the years. Built once from the small
//! tables of a data set, so that participations can be streamed in chunks.

use std::borrow::Cow;
use std::ops::RangeInclusive;

use rustc_hash::FxHashMap;

use super::{BenefitSource, Config};
use crate::error::{Error, Result};
use crate::model::*;
use crate::{Dataset, Date};

/// What is known of an insats when a participation is counted.
#[derive(Clone, Copy, Debug)]
pub(crate) struct InsatsInfo {
    pub(crate) forbund: ForbundId,
    pub(crate) inriktning: Inriktning,
    pub(crate) behovsgrupper: BehovsgruppSet,
}

/// Quarter days before and after one participation, per reporting group
/// (`None`: no data for that group).
pub(crate) type WindowDays = [Option<(i64, Option<i64>)>; 8];

/// The context of a computation.
#[derive(Debug)]
pub struct Context<'a> {
    pub(crate) config: &'a Config,
    pub(crate) insatser: FxHashMap<InsatsId, InsatsInfo>,
    /// Spells sorted by person and start: the data's own when they come
    /// sorted (as exports and the synthetic data do), else a sorted copy.
    spells: Cow<'a, [Ersattningsperiod]>,
    precomputed: FxHashMap<DeltagandeKey, WindowDays>,
    use_precomputed: bool,
    /// The benefit groups present in the benefit data.
    pub(crate) groups: Vec<Ersattningsgrupp>,
    /// The cut-off date in force.
    pub uttagsdatum: Date,
    /// The years computed.
    pub years: RangeInclusive<i32>,
}

impl<'a> Context<'a> {
    /// The context for `years` of `data` (whose participations may be empty
    /// when they are streamed from a file).
    ///
    /// ```
    /// use finsam_core::indicators::{Config, Context};
    /// let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let config = Config::default();
    /// let ctx = Context::new(&data, &config, 2019..=2020)?;
    /// assert_eq!(ctx.uttagsdatum.to_string(), "2023-12-31");
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// `invalid_argument` if the configuration is invalid, or the cut-off
    /// date is neither configured, nor in the data, nor observable.
    pub fn new(data: &'a Dataset, config: &'a Config, years: RangeInclusive<i32>) -> Result<Context<'a>> {
        config.check()?;
        Ok(Context::with_cutoff(data, config, years, Context::cutoff(data, config)?))
    }

    /// [`new`](Self::new) with the cut-off `uttagsdatum` already found
    /// ([`cutoff`](Self::cutoff)) and `config` checked.
    pub(crate) fn with_cutoff(
        data: &'a Dataset,
        config: &'a Config,
        years: RangeInclusive<i32>,
        uttagsdatum: Date,
    ) -> Context<'a> {
        let insatser = data
            .insatser
            .iter()
            .map(|i| {
                (i.id, InsatsInfo { forbund: i.forbund, inriktning: i.inriktning, behovsgrupper: i.behovsgrupper })
            })
            .collect();
        let use_precomputed = match config.benefit_source {
            BenefitSource::Auto => !data.ersattningsdagar.is_empty(),
            BenefitSource::Spells => false,
            BenefitSource::Precomputed => true,
        };
        let mut precomputed: FxHashMap<DeltagandeKey, WindowDays> = FxHashMap::default();
        let mut present = [false; 8];
        if use_precomputed {
            for w in &data.ersattningsdagar {
                let g = w.grupp as usize;
                present[g] = true;
                precomputed.entry(w.key()).or_insert([None; 8])[g] =
                    Some((i64::from(w.fore.quarters()), w.efter.map(|e| i64::from(e.quarters()))));
            }
        }
        let spells = if use_precomputed { Cow::Borrowed(&[][..]) } else { sorted_spells(&data.ersattningsperioder) };
        for s in spells.iter() {
            present[s.slag.grupp() as usize] = true;
        }
        let groups = Ersattningsgrupp::ALL.iter().copied().filter(|g| present[*g as usize]).collect();
        Context { config, insatser, spells, precomputed, use_precomputed, groups, uttagsdatum, years }
    }

    /// The cut-off date of `data` under `config`: the configuration's, the
    /// data set's, or else the latest date in its participations and spells.
    ///
    /// # Errors
    /// `invalid_argument` if there is none.
    pub(crate) fn cutoff(data: &Dataset, config: &Config) -> Result<Date> {
        config.uttagsdatum.or(data.uttagsdatum).or_else(|| latest_date(data)).ok_or_else(|| Error::InvalidArgument {
            name: "uttagsdatum",
            message: "the cut-off date is not in the data; set it in the configuration".into(),
        })
    }

    /// The spells of `person`, found by galloping forward from `cursor`:
    /// callers ask for persons in ascending order, so the search stays near
    /// the last hit instead of missing the cache at every step of a binary
    /// search over all spells.
    pub(crate) fn spells_from(&self, cursor: &mut usize, person: PersonId) -> &[Ersattningsperiod] {
        let spells = &self.spells;
        let mut step = 1;
        let mut lo = *cursor;
        while lo + step < spells.len() && spells[lo + step].person < person {
            lo += step;
            step *= 2;
        }
        let hi = (lo + step + 1).min(spells.len());
        let start = lo + spells[lo..hi].partition_point(|s| s.person < person);
        let end = start + spells[start..].iter().take_while(|s| s.person == person).count();
        *cursor = start;
        &spells[start..end]
    }

    /// Benefit days around an ended participation, from the person's
    /// `spells`; `None` if its after-window has not closed by the cut-off
    /// (it is then excluded).
    pub(crate) fn window_days(&self, d: &Deltagande, slut: Date, spells: &[Ersattningsperiod]) -> Option<WindowDays> {
        if self.use_precomputed {
            let days = self.precomputed.get(&d.key()).copied().unwrap_or([None; 8]);
            // Delivered days need an observed after-window, like spells do.
            let open = days.iter().flatten().any(|(_, after)| after.is_none());
            return (!open).then_some(days);
        }
        let after_end = slut.add_days(self.config.after_days as i32);
        if after_end > self.uttagsdatum {
            return None;
        }
        let (b0, b1) = (d.start.add_days(-(self.config.before_days as i32)), d.start.add_days(-1));
        let (a0, a1) = (slut.add_days(1), after_end);
        let mut days: WindowDays = [None; 8];
        for &g in &self.groups {
            days[g as usize] = Some((0, Some(0)));
        }
        for s in spells {
            let (before, after) = (self.days(s, b0, b1), self.days(s, a0, a1));
            if let Some((f, Some(e))) = &mut days[s.slag.grupp() as usize] {
                *f += before;
                *e += after;
            }
        }
        Some(days)
    }

    /// Quarter days of `group` in the window before `d` (known even while the
    /// after-window is open), or `None` if the data have none for the group.
    pub(crate) fn days_before(
        &self,
        d: &Deltagande,
        spells: &[Ersattningsperiod],
        group: Ersattningsgrupp,
    ) -> Option<i64> {
        if self.use_precomputed {
            return self.precomputed.get(&d.key()).and_then(|days| days[group as usize]).map(|(before, _)| before);
        }
        let (b0, b1) = (d.start.add_days(-(self.config.before_days as i32)), d.start.add_days(-1));
        Some(spells.iter().filter(|s| s.slag.grupp() == group).map(|s| self.days(s, b0, b1)).sum())
    }

    /// Quarter days of a spell within a window, by the configured counting.
    fn days(&self, s: &Ersattningsperiod, from: Date, to: Date) -> i64 {
        let q = i64::from(s.days_within(from, to).quarters());
        if self.config.whole_days { q / i64::from(s.omfattning.quarters()) * 4 } else { q }
    }
}

/// `spells` in (person, start) order, borrowed when they already are: the
/// sort of every spell was a fifth of the annual report's time at ×100.
fn sorted_spells(spells: &[Ersattningsperiod]) -> Cow<'_, [Ersattningsperiod]> {
    if spells.is_sorted_by_key(|s| (s.person, s.fran)) {
        return Cow::Borrowed(spells);
    }
    let mut copy = spells.to_vec();
    copy.sort_unstable_by_key(|s| (s.person, s.fran));
    Cow::Owned(copy)
}

/// The latest date in participations and spells.
pub(crate) fn latest_date(data: &Dataset) -> Option<Date> {
    let d = data.deltaganden.iter().map(|d| d.slut.unwrap_or(d.start));
    let s = data.ersattningsperioder.iter().map(|s| s.till);
    d.chain(s).max()
}
