//! The columnar participations batch: one row per participation with its
//! förbund, the catalogue's population fields and the benefit days in the
//! windows around it, column by column.
//!
//! A [`Dataset`] is turned into it once ([`Participations::from_dataset`]):
//! the insats is looked up, the catalogue's population (individinriktade
//! insatser) applied with the exclusions counted, and the spell join to
//! window days done in one merge pass. Written out it is the **flat
//! extract** that [`followup`](crate::followup) reads (and that förbund and
//! researchers exchange), so the two paths of the engine can be compared on
//! the same participations (`tests/agreement.rs`).

use std::io::Write;

use crate::error::{Error, Result};
use crate::indicators::{Config, Context};
use crate::model::{Avslutsanledning, Ersattningsgrupp, Inriktning, Kon, Utfall};
use crate::{Dataset, Date};

/// Quarter days before and after one participation for one benefit group:
/// `None` where the data have no value (not ended, felregistrering, the
/// after-window not closed by the cut-off, or no delivered days).
type WindowPair = (Option<i64>, Option<i64>);

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
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Participations {
    person: Vec<u64>,
    forbund: Vec<u32>,
    insats: Vec<u32>,
    kon: Vec<Kon>,
    start: Vec<Date>,
    slut: Vec<Option<Date>>,
    utfall: Vec<Option<Utfall>>,
    avslutsanledning: Vec<Option<Avslutsanledning>>,
    /// The benefit groups measured, and per group one pair per row.
    groups: Vec<Ersattningsgrupp>,
    days: Vec<Vec<WindowPair>>,
    structural: u64,
    unknown_insats: u64,
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
        let mut out = Participations { groups: ctx.groups.clone(), ..Participations::default() };
        out.days = vec![Vec::new(); out.groups.len()];
        let mut rows = Vec::with_capacity(data.deltaganden.len());
        for (row, d) in data.deltaganden.iter().enumerate() {
            match ctx.insatser.get(&d.insats) {
                None => out.unknown_insats += 1,
                Some(info) if info.inriktning != Inriktning::Individ => out.structural += 1,
                Some(info) => {
                    out.person.push(d.person.0);
                    out.forbund.push(info.forbund.0);
                    out.insats.push(d.insats.0);
                    out.kon.push(d.kon);
                    out.start.push(d.start);
                    out.slut.push(d.slut);
                    out.utfall.push(d.utfall);
                    out.avslutsanledning.push(d.avslutsanledning);
                    rows.push(row);
                }
            }
        }
        for days in &mut out.days {
            days.resize(rows.len(), (None, None));
        }
        out.join_window_days(data, &ctx, &rows);
        Ok(out)
    }

    /// Fills the window days of ended participations by one merge join with
    /// the spells (both in person order). `rows[i]` is the data row of
    /// batch row `i`.
    fn join_window_days(&mut self, data: &Dataset, ctx: &Context<'_>, rows: &[usize]) {
        let mut ended: Vec<usize> = (0..rows.len())
            .filter(|&i| self.slut[i].is_some() && self.avslutsanledning[i] != Some(Avslutsanledning::Felregistrering))
            .collect();
        ended.sort_unstable_by_key(|&i| self.person[i]);
        let mut cursor = 0;
        for i in ended {
            let d = &data.deltaganden[rows[i]];
            let Some(slut) = d.slut else { continue };
            let spells = ctx.spells_from(&mut cursor, d.person);
            let window = ctx.window_days(d, slut, spells);
            for (g, group) in self.groups.iter().enumerate() {
                self.days[g][i] = match window {
                    // The after-window is open: the days before are known.
                    None => (ctx.days_before(d, spells, *group), None),
                    Some(days) => days[*group as usize].map_or((None, None), |(f, e)| (Some(f), e)),
                };
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
    /// columns of [`followup::COLUMNS`](crate::followup::COLUMNS) plus
    /// `insats_id`, `avslutsanledning` and `<grupp>_fore`/`<grupp>_efter`
    /// per benefit group (days, quarter days as `.25`; empty where unknown).
    ///
    /// # Errors
    /// `io` if writing fails.
    pub fn write_flat_csv(&self, out: &mut impl Write) -> Result<()> {
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
                self.insats[i],
                self.kon[i].code(),
                self.start[i],
                text(self.slut[i].map(|d| d.to_string())),
                text(self.utfall[i].map(|u| u.code().to_owned())),
                text(self.avslutsanledning[i].map(|a| a.code().to_owned())),
            );
            for g in &self.days {
                let (fore, efter) = g[i];
                line.push_str(&format!(";{};{}", days(fore), days(efter)));
            }
            writeln!(out, "{line}").map_err(io)?;
        }
        Ok(())
    }
}
