//! `insatser`: insatser active per year, nationally or per förbund.

use std::collections::{BTreeMap, HashMap};
use std::ops::RangeInclusive;

use super::catalogue::{IndicatorSpec, REPORTS};
use super::parts::*;
use super::state::{Key, UNUSED};
use super::{Config, Dim, Split};
use crate::Dataset;
use crate::engine::source::*;
use crate::error::Result;
use crate::model::*;
use crate::publish::table::{Builder, Raw};
use crate::publish::{Table, Unit};

/// The catalogue entry of `insatser`.
pub const SPEC: IndicatorSpec = IndicatorSpec {
    id: "insatser",
    label_sv: "Insatser",
    label_en: "Interventions",
    unit: "insatser",
    population: "Insatser active on any day of the year (start ≤ 31 Dec and no end, or end ≥ 1 Jan).",
    definition: "Counts by inriktning; the structural share of all; the number aimed at at least one prioritised behovsgrupp and its share of the individinriktade (417 of 1,087 = 38 % in 2020); participants in strukturövergripande insatser from the aggregate rows.",
    source: REPORTS,
    eras: "Both: the insatser table; participants in strukturövergripande insatser from the aggregate rows.",
};

/// Insatser active per year (national, or per förbund with `by_forbund`):
/// by inriktning, the structural share, those aimed at behovsgrupper and
/// their share of the individinriktade, and participants in structural ones.
///
/// # Errors
/// `invalid_argument` for an empty range of years.
pub fn insatser(data: &Dataset, by_forbund: bool, years: RangeInclusive<i32>, config: &Config) -> Result<Table> {
    check_years(data.into(), config, &years)?;
    Ok(data.named(insatser_table(data, by_forbund, years).finish(&config.disclosure)))
}

pub(crate) fn insatser_table(data: &Dataset, by_forbund: bool, years: RangeInclusive<i32>) -> Builder {
    let mut keys = vec!["ar".to_owned()];
    if by_forbund {
        keys.push("forbund".into());
    }
    let mut b = Builder::new(
        SPEC.id,
        SPEC.label_sv,
        keys,
        &[
            ("individ", Unit::Tally),
            ("struktur", Unit::Tally),
            ("andel_struktur", Unit::Share),
            ("behovsgrupp", Unit::Tally),
            ("andel_behovsgrupp", Unit::Share),
            ("deltagare_struktur", Unit::Count),
        ],
    );
    let structural: HashMap<InsatsId, ForbundId> =
        data.insatser.iter().filter(|i| i.inriktning == Inriktning::Struktur).map(|i| (i.id, i.forbund)).collect();
    let mut rows: Vec<(Key, ())> = Vec::new();
    let mut counts: BTreeMap<Key, [u64; 4]> = BTreeMap::new();
    for year in years.clone() {
        let mut bump = |forbund: u32, f: &dyn Fn(&mut [u64; 4])| {
            for part in [ALLA, forbund] {
                if part != ALLA && !by_forbund {
                    continue;
                }
                let mut parts = [UNUSED; Split::MAX];
                parts[0] = part;
                f(counts.entry(Key { ar: year, parts }).or_insert([0; 4]));
            }
        };
        for i in data.insatser.iter().filter(|i| i.is_active_in(year)) {
            let individ = i.inriktning == Inriktning::Individ;
            let behov = individ && !i.behovsgrupper.is_empty();
            bump(i.forbund.0, &|c| {
                c[0] += u64::from(individ);
                c[1] += u64::from(!individ);
                c[2] += u64::from(behov);
            });
        }
        for r in data.insats_ar.iter().filter(|r| r.ar == year) {
            if let (Some(f), Some(n)) = (structural.get(&r.insats), r.deltagare()) {
                bump(f.0, &|c| c[3] += u64::from(n));
            }
        }
    }
    for (k, c) in &counts {
        let r = rows.len();
        rows.push((*k, ()));
        let mut key = vec![k.ar.to_string()];
        if by_forbund {
            key.push(if k.parts[0] == ALLA { "alla".into() } else { k.parts[0].to_string() });
        }
        b.push(
            key,
            vec![
                Raw::Count(c[0]),
                Raw::Count(c[1]),
                Raw::Derived(share(c[1], c[0] + c[1]), vec![(r, 0), (r, 1)]),
                Raw::Count(c[2]),
                Raw::Derived(share(c[2], c[0]), vec![(r, 0)]),
                Raw::Count(c[3]),
            ],
        );
        let split = if by_forbund { Split(vec![Dim::Forbund]) } else { Split::national() };
        b.ids.push(((r, 5), count_id("deltagare_struktur", &split, k)));
    }
    let dims: &[Dim] = if by_forbund { &[Dim::Forbund] } else { &[] };
    b.margins = margins(&rows, dims);
    b.table.notes.push("Active: on any day of the year. andel_behovsgrupp is of the individinriktade insatser.".into());
    b
}
