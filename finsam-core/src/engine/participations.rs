//! The columnar participations batch: one row per participation with its
//! förbund, the catalogue's population fields and the benefit days in the
//! windows around it, column by column. It is the one input of the state
//! builder ([`build`](super::build)).
//!
//! A [`Dataset`] is turned into it once ([`Participations::from_dataset`]):
//! the insats is looked up, the catalogue's population (individinriktade
//! insatser) applied with the exclusions counted, and the spell join to
//! window days done in one merge pass. Written out it is the **flat
//! extract** that [`ingest::flat`](crate::ingest::flat) reads (and that förbund and
//! researchers exchange), so the two paths of the engine can be compared on
//! the same participations (`tests/agreement.rs`).

use std::io::Write;

use crate::error::{Error, Result};
use crate::indicators::context::WindowDays;
use crate::indicators::{Config, Context};
use crate::model::{
    Avslutsanledning, BehovsgruppSet, Deltagande, Ersattningsgrupp, ForsorjningSet, Inriktning, Kon, Part, Utfall,
};
use crate::{Dataset, Date};

/// Quarter days before and after one participation for one benefit group,
/// [`NO_DAYS`] where the data have no value (not ended, felregistrering, the
/// after-window not closed by the cut-off, or no delivered days): 16 bytes,
/// not the 32 of a pair of options, for there is one per ended row and group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WindowPair {
    fore: i64,
    efter: i64,
}

/// No value in a [`WindowPair`].
const NO_DAYS: i64 = i64::MIN;

impl WindowPair {
    const UNKNOWN: WindowPair = WindowPair { fore: NO_DAYS, efter: NO_DAYS };

    pub(crate) fn new(fore: Option<i64>, efter: Option<i64>) -> WindowPair {
        WindowPair { fore: fore.unwrap_or(NO_DAYS), efter: efter.unwrap_or(NO_DAYS) }
    }

    pub(crate) fn fore(self) -> Option<i64> {
        (self.fore != NO_DAYS).then_some(self.fore)
    }

    pub(crate) fn efter(self) -> Option<i64> {
        (self.efter != NO_DAYS).then_some(self.efter)
    }
}

/// The persons whose ids lie in `from..to` (`to` excluded; `None`: no upper
/// end): a share of the work when workers take the persons apart instead of
/// the rows, so that their person sets need no merging (see
/// [`State::compute_parallel`](crate::indicators::State::compute_parallel)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PersonRange {
    pub(crate) from: u64,
    pub(crate) to: Option<u64>,
}

impl PersonRange {
    /// Every person.
    pub(crate) const ALL: PersonRange = PersonRange { from: 0, to: None };

    /// Whether `person` is in the range.
    pub(crate) fn contains(&self, person: u64) -> bool {
        person >= self.from && self.to.is_none_or(|to| person < to)
    }

    /// Up to `parts` consecutive ranges that cut `persons` into shares of
    /// about equal counts, from a sample of them; together they hold every id.
    pub(crate) fn cut(persons: impl ExactSizeIterator<Item = u64>, parts: usize) -> Vec<PersonRange> {
        const SAMPLE: usize = 4096;
        let step = (persons.len() / SAMPLE).max(1);
        let mut sample: Vec<u64> = persons.step_by(step).collect();
        sample.sort_unstable();
        let mut cuts: Vec<u64> =
            (1..parts.max(1)).filter_map(|k| sample.get(k * sample.len() / parts).copied()).collect();
        cuts.dedup();
        let froms = std::iter::once(0).chain(cuts.iter().copied());
        let tos = cuts.iter().map(|&c| Some(c)).chain(std::iter::once(None));
        froms
            .zip(tos)
            .filter(|&(from, to)| to.is_none_or(|to| from < to))
            .map(|(from, to)| PersonRange { from, to })
            .collect()
    }
}

/// No window days for a row.
pub(crate) const NO_WINDOW: u32 = u32::MAX;

/// Participations in columns (see the [module](self)).
///
/// ```
/// use finsam_core::engine::Participations;
/// use finsam_core::indicators::Config;
/// let data = finsam_core::synthetic::generate(&finsam_core::synthetic::SyntheticConfig { scale: 0.02, ..Default::default() })?;
/// let batch = Participations::from_dataset(&data, &Config::default())?;
/// assert_eq!(batch.len() as u64 + batch.structural() + batch.unknown_insats(), data.deltaganden.len() as u64);
/// let mut csv = Vec::new();
/// batch.write_flat_csv(&mut csv)?;
/// assert!(csv.starts_with(b"deltagare_id;forbund_id;insats_id;kon;startdatum;slutdatum;status_efter;avslutsanledning"));
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// The columns a flat extract has no data for (insats, behovsgrupper,
/// födelseår, remittent, försörjning) are empty in its batches rather than
/// filled with a constant per row; read them through their accessors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Participations {
    pub(crate) person: Vec<u64>,
    pub(crate) forbund: Vec<u32>,
    pub(crate) insats: Vec<u32>,
    /// The behovsgrupper the insats targets.
    pub(crate) behov: Vec<BehovsgruppSet>,
    pub(crate) kon: Vec<Kon>,
    pub(crate) fodelsear: Vec<Option<u16>>,
    pub(crate) start: Vec<Date>,
    pub(crate) slut: Vec<Option<Date>>,
    pub(crate) utfall: Vec<Option<Utfall>>,
    pub(crate) avslutsanledning: Vec<Option<Avslutsanledning>>,
    pub(crate) remittent: Vec<Option<Part>>,
    pub(crate) fore: Vec<ForsorjningSet>,
    pub(crate) efter: Vec<ForsorjningSet>,
    /// Ended participations whose after-window had not closed by the cut-off.
    pub(crate) open: Vec<bool>,
    /// The benefit groups measured.
    pub(crate) groups: Vec<Ersattningsgrupp>,
    /// Per row, its place in `days` ([`NO_WINDOW`] if it has no window days:
    /// ongoing, felregistrering, or ended outside the years computed).
    pub(crate) window: Vec<u32>,
    /// Per measured row, one pair per group (in `groups` order).
    pub(crate) days: Vec<WindowPair>,
    pub(crate) structural: u64,
    pub(crate) unknown_insats: u64,
    /// The earliest year of start among every participation offered, also
    /// those left out (where the data begin).
    pub(crate) first_start: Option<i32>,
}

impl Participations {
    /// The participations of `data` in the catalogue's population
    /// (individinriktade insatser of the data), with benefit days in the
    /// windows of `config` from spells or delivered days.
    ///
    /// # Errors
    /// `invalid_argument` if `config` is invalid or the cut-off is unknown.
    pub fn from_dataset(data: &Dataset, config: &Config) -> Result<Participations> {
        let ctx = Context::new(data, config, i32::MIN..=i32::MAX)?;
        Ok(Participations::from_rows(&ctx, &data.deltaganden))
    }

    /// The participations among `rows` under `ctx` that a state of the
    /// context's years counts (active in one of them, or ended in one), with
    /// window days for those that ended in them.
    pub(crate) fn from_rows(ctx: &Context<'_>, rows: &[Deltagande]) -> Participations {
        Participations::from_rows_of(ctx, rows, &PersonRange::ALL)
    }

    /// [`from_rows`](Self::from_rows) of the rows whose person is in `persons`
    /// (the others are not counted anywhere, so that workers given disjoint
    /// ranges of persons together count every row once).
    pub(crate) fn from_rows_of(ctx: &Context<'_>, rows: &[Deltagande], persons: &PersonRange) -> Participations {
        let mut out = Participations { groups: ctx.groups.clone(), ..Participations::default() };
        let (first, last) = (*ctx.years.start(), *ctx.years.end());
        let counted = |d: &Deltagande| {
            let end_year = d.slut.unwrap_or(ctx.uttagsdatum).year().min(last);
            d.start.year().max(first) <= end_year || d.slut.is_some_and(|s| ctx.years.contains(&s.year()))
        };
        let mut kept: Vec<(Deltagande, u32, BehovsgruppSet)> = Vec::new();
        for d in rows.iter().filter(|d| persons.contains(d.person.0)) {
            let year = d.start.year();
            out.first_start = Some(out.first_start.map_or(year, |y| y.min(year)));
            match ctx.insatser.get(&d.insats) {
                None => out.unknown_insats += 1,
                Some(info) if info.inriktning != Inriktning::Individ => out.structural += 1,
                Some(_) if !counted(d) => {}
                Some(info) => kept.push((*d, info.forbund.0, info.behovsgrupper)),
            }
        }
        // Rows in person order: the spell join is then one forward pass, and
        // every cell's persons arrive sorted (no sort when the state finishes).
        kept.sort_unstable_by_key(|(d, _, _)| (d.person, d.start));
        for (d, forbund, behov) in &kept {
            out.push(d, *forbund, *behov);
        }
        out.open = vec![false; kept.len()];
        out.window = vec![NO_WINDOW; kept.len()];
        out.join_window_days(ctx, kept.iter().map(|(d, _, _)| d));
        out
    }

    fn push(&mut self, d: &Deltagande, forbund: u32, behov: BehovsgruppSet) {
        self.person.push(d.person.0);
        self.forbund.push(forbund);
        self.insats.push(d.insats.0);
        self.behov.push(behov);
        self.kon.push(d.kon);
        self.fodelsear.push(d.fodelsear);
        self.start.push(d.start);
        self.slut.push(d.slut);
        self.utfall.push(d.utfall);
        self.avslutsanledning.push(d.avslutsanledning);
        self.remittent.push(d.remittent);
        self.fore.push(d.forsorjning_fore);
        self.efter.push(d.forsorjning_efter);
    }

    /// Row `i`'s insats id (`u32::MAX` if the source has none).
    pub(crate) fn insats(&self, i: usize) -> u32 {
        self.insats.get(i).copied().unwrap_or(u32::MAX)
    }

    /// The behovsgrupper of row `i`'s insats (none if the source has none).
    pub(crate) fn behov(&self, i: usize) -> BehovsgruppSet {
        self.behov.get(i).copied().unwrap_or_default()
    }

    /// Row `i`'s year of birth.
    pub(crate) fn fodelsear(&self, i: usize) -> Option<u16> {
        self.fodelsear.get(i).copied().flatten()
    }

    /// Row `i`'s referring party.
    pub(crate) fn remittent(&self, i: usize) -> Option<Part> {
        self.remittent.get(i).copied().flatten()
    }

    /// Row `i`'s försörjning before and after (none registered if the
    /// source has none).
    pub(crate) fn forsorjning(&self, i: usize) -> (ForsorjningSet, ForsorjningSet) {
        (self.fore.get(i).copied().unwrap_or_default(), self.efter.get(i).copied().unwrap_or_default())
    }

    /// Whether row `i` was registered by mistake.
    pub(crate) fn is_felregistrering(&self, i: usize) -> bool {
        self.avslutsanledning[i] == Some(Avslutsanledning::Felregistrering)
    }

    /// Fills the window days of participations ended in the context's years
    /// by one merge join with the spells: `rows` (the batch's rows) come in
    /// person order, as the spells do.
    fn join_window_days<'d>(&mut self, ctx: &Context<'_>, rows: impl Iterator<Item = &'d Deltagande>) {
        let groups = self.groups.len();
        let mut cursor = 0;
        for (i, d) in rows.enumerate() {
            let Some(slut) = d.slut.filter(|s| ctx.years.contains(&s.year())) else { continue };
            if self.is_felregistrering(i) {
                continue;
            }
            let spells = ctx.spells_from(&mut cursor, d.person);
            let window: Option<WindowDays> = ctx.window_days(d, slut, spells);
            self.open[i] = window.is_none();
            self.window[i] = (self.days.len() / groups.max(1)) as u32;
            for group in &self.groups {
                self.days.push(match window {
                    // The after-window is open: the days before are known.
                    None => WindowPair::new(ctx.days_before(d, spells, *group), None),
                    Some(days) => {
                        days[*group as usize].map_or(WindowPair::UNKNOWN, |(f, e)| WindowPair::new(Some(f), e))
                    }
                });
            }
        }
    }

    /// The window days of row `i`, one pair per group (all unknown if the
    /// row has none).
    pub(crate) fn window_days(&self, i: usize) -> &[WindowPair] {
        const UNKNOWN: [WindowPair; 8] = [WindowPair::UNKNOWN; 8];
        match self.window[i] {
            NO_WINDOW => &UNKNOWN[..self.groups.len()],
            w => {
                let at = w as usize * self.groups.len();
                &self.days[at..at + self.groups.len()]
            }
        }
    }

    /// Participations in the batch.
    pub fn len(&self) -> usize {
        self.person.len()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.person.is_empty()
    }

    /// The benefit groups measured.
    pub fn groups(&self) -> &[Ersattningsgrupp] {
        &self.groups
    }

    /// Participations left out because their insats is structural
    /// (strukturinriktad), outside the catalogue's population.
    pub fn structural(&self) -> u64 {
        self.structural
    }

    /// Participations left out because their insats is not in the data.
    pub fn unknown_insats(&self) -> u64 {
        self.unknown_insats
    }

    /// Writes the batch as a flat extract: `;`-separated UTF-8 with the
    /// columns of [`flat::COLUMNS`](crate::ingest::flat::COLUMNS) plus
    /// `insats_id`, `avslutsanledning` and `<grupp>_fore`/`<grupp>_efter`
    /// per benefit group (days, quarter days as `.25`; empty where unknown).
    ///
    /// # Errors
    /// `invalid_argument` for a window value above 366 days (windows longer
    /// than a year, or overlapping spells of one group), which a flat
    /// extract cannot hold: the file would not read back. `io` if writing
    /// fails.
    pub fn write_flat_csv(&self, out: &mut impl Write) -> Result<()> {
        let too_many = |q: &Option<i64>| q.is_some_and(|q| q > i64::from(crate::model::Dagar::MAX.quarters()));
        let too_many_in = |w: &WindowPair| too_many(&w.fore()) || too_many(&w.efter());
        if let Some(i) = (0..self.len()).find(|&i| self.window_days(i).iter().any(too_many_in)) {
            return Err(Error::InvalidArgument {
                name: "data",
                message: format!(
                    "participation {} of person {} started {} has more than 366 benefit days in a window, which a flat extract cannot hold (windows of at most 366 days; overlapping spells of one group)",
                    i, self.person[i], self.start[i]
                ),
            });
        }
        let io = |e: std::io::Error| Error::io(std::path::Path::new("flat extract"), e);
        let mut header =
            String::from("deltagare_id;forbund_id;insats_id;kon;startdatum;slutdatum;status_efter;avslutsanledning");
        for g in &self.groups {
            header.push_str(&format!(";{0}_fore;{0}_efter", g.code()));
        }
        writeln!(out, "{header}").map_err(io)?;
        let text = |v: Option<String>| v.unwrap_or_default();
        let days = |v: Option<i64>| {
            v.map_or(String::new(), |q| format!("{}{}", q / 4, ["", ".25", ".5", ".75"][(q % 4) as usize]))
        };
        for i in 0..self.len() {
            let mut line = format!(
                "{};{};{};{};{};{};{};{}",
                self.person[i],
                self.forbund[i],
                self.insats(i),
                self.kon[i].code(),
                self.start[i],
                text(self.slut[i].map(|d| d.to_string())),
                text(self.utfall[i].map(|u| u.code().to_owned())),
                text(self.avslutsanledning[i].map(|a| a.code().to_owned())),
            );
            for w in self.window_days(i) {
                line.push_str(&format!(";{};{}", days(w.fore()), days(w.efter())));
            }
            writeln!(out, "{line}").map_err(io)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::PersonRange;

    /// Every id falls in exactly one range, the ranges are in order, and
    /// their shares of the ids are about equal.
    #[test]
    fn person_ranges_hold_every_id_once_in_about_equal_shares() {
        let ids: Vec<u64> = (0..100_000u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 24).collect();
        for parts in [1, 2, 3, 8] {
            let ranges = PersonRange::cut(ids.iter().copied(), parts);
            assert_eq!(ranges.len(), parts);
            assert!(ranges.windows(2).all(|w| w[0].to == Some(w[1].from)));
            for probe in [0, 1, u64::MAX - 1, u64::MAX].iter().chain(&ids) {
                assert_eq!(ranges.iter().filter(|r| r.contains(*probe)).count(), 1, "{probe}");
            }
            for r in &ranges {
                let share = ids.iter().filter(|&&id| r.contains(id)).count();
                assert!(share.abs_diff(ids.len() / parts) < ids.len() / parts / 5, "{parts}: {share}");
            }
        }
        // Fewer distinct ids than parts, and none: fewer ranges, still every id.
        assert_eq!(
            PersonRange::cut([7u64; 10].into_iter(), 4),
            [PersonRange { from: 0, to: Some(7) }, PersonRange { from: 7, to: None }]
        );
        assert_eq!(PersonRange::cut([0u64; 3].into_iter(), 2), [PersonRange::ALL]);
        assert_eq!(PersonRange::cut(std::iter::empty(), 2), [PersonRange::ALL]);
    }
}
