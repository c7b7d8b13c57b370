//! `tackning`: förbund and member kommuner on 31 December of each year.

use std::ops::RangeInclusive;

use super::Config;
use super::catalogue::IndicatorSpec;
use crate::engine::source::*;
use crate::error::Result;
use crate::model::*;
use crate::publish::table::{Builder, Raw};
use crate::publish::{Table, Unit};
use crate::{Dataset, Date};

/// The catalogue entry of `tackning`.
pub const SPEC: IndicatorSpec = IndicatorSpec {
    id: "tackning",
    label_sv: "Förbund och medlemskommuner",
    label_en: "Coverage: förbund and member kommuner",
    unit: "count",
    population: "Förbund existing on 31 December; kommuner that are members of one of them that day.",
    definition: "Counts per year, and the lineage of förbund formed by mergers.",
    source: "Finsam's national follow-up (domain.md §4.7)",
    eras: "Both: the förbund and membership tables.",
};

/// Förbund and member kommuner on 31 December of each year.
///
/// # Errors
/// `invalid_argument` for an empty range of years.
pub fn coverage(data: &Dataset, years: RangeInclusive<i32>) -> Result<Table> {
    check_years(data.into(), &Config::default(), &years)?;
    let mut b = Builder::new(
        "tackning",
        "Förbund och medlemskommuner den 31 december",
        vec!["ar".into()],
        &[("forbund", Unit::Tally), ("medlemskommuner", Unit::Tally)],
    );
    for year in years {
        let Some(dec31) = Date::last_of_year(year) else { continue };
        let active: Vec<&Forbund> =
            data.forbund.iter().filter(|f| f.start <= dec31 && f.slut.is_none_or(|s| s >= dec31)).collect();
        let kommuner: std::collections::BTreeSet<KommunKod> = active.iter().flat_map(|f| f.members_on(dec31)).collect();
        b.push(vec![year.to_string()], vec![Raw::Count(active.len() as u64), Raw::Count(kommuner.len() as u64)]);
    }
    Ok(b.finish(&crate::disclosure::Disclosure::OFF))
}
