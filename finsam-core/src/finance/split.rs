//! The parties' split of a förbund's budget (law §5).
//!
//! # The rule
//!
//! 1. The budget is split 2 : 1 : 1 into the state's half (paid by
//!    Försäkringskassan, Arbetsförmedlingen's part included), the region(s)'
//!    quarter and the kommuner's quarter ([`apportion`]: whole öre that sum
//!    to the budget).
//! 2. The kommuner's quarter is split among the member kommuner in
//!    proportion to their *weight*: the basis times the days the kommun was a
//!    member in the year. The basis is the kommun's share in the
//!    förbundsordning if the data give shares for the förbund and year
//!    (`kommunandelar`), and otherwise its inhabitants (`kommunstatistik`).
//! 3. If the member kommuner lie in several regions, the regions' quarter is
//!    split by the inhabitants × member days of their kommuner in the förbund.
//!
//! Pro-rating by days is finsam's documented reading of how a mid-year join
//! or leave is handled: the parties' fractions are fixed by law, so a kommun
//! that is a member for half the year carries half its weight and the other
//! kommuner's parts grow to cover the quarter. A förbundsordning that says
//! otherwise is entered as shares.

use serde::Serialize;

use super::apportion;
use crate::Dataset;
use crate::error::{Error, Location, Result};
use crate::model::*;
use crate::publish::disclosure::Cell;
use crate::publish::{Column, Row, Table, Unit};

/// Who pays a part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Betalare {
    /// The state: Försäkringskassan, Arbetsförmedlingen's part included.
    Staten,
    /// The region of a län (by its two-digit länskod).
    Region(u8),
    /// A member kommun.
    Kommun(KommunKod),
}

impl Betalare {
    /// The payer's kind: `staten`, `region` or `kommun`.
    pub fn kind(self) -> &'static str {
        match self {
            Betalare::Staten => "staten",
            Betalare::Region(_) => "region",
            Betalare::Kommun(_) => "kommun",
        }
    }

    /// The payer's code: empty for the state, the länskod of a region, the
    /// kommunkod of a kommun.
    pub fn code(self) -> String {
        match self {
            Betalare::Staten => String::new(),
            Betalare::Region(lan) => format!("{lan:02}"),
            Betalare::Kommun(k) => k.to_string(),
        }
    }
}

/// How the kommuner's quarter was split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KommunBasis {
    /// By inhabitants (the common rule).
    Befolkning,
    /// By the shares in the förbundsordning.
    Forbundsordning,
}

/// One party's contribution, with what it was computed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Contribution {
    /// Who pays.
    pub betalare: Betalare,
    /// The basis: a kommun's inhabitants or its share (in hundredths of a
    /// percent); a region's inhabitants in the förbund; 0 for the state.
    pub underlag: u64,
    /// Days of membership in the year (for the state and regions, the most
    /// days of any of their kommuner).
    pub dagar: u32,
    /// The weight within its party's fraction: basis × days.
    pub vikt: u128,
    /// The amount.
    pub belopp: Ore,
}

/// A förbund's budget for one year split among its parties.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FinancingSplit {
    /// The förbund.
    pub forbund: ForbundId,
    /// Its name.
    pub namn: String,
    /// The year.
    pub ar: i32,
    /// The budget split.
    pub budget: Ore,
    /// How the kommuner's quarter was split.
    pub kommun_basis: KommunBasis,
    /// The state first, then the regions and the kommuner in code order.
    pub parts: Vec<Contribution>,
}

impl FinancingSplit {
    /// The sum of the parts of one kind (`staten`, `region`, `kommun`).
    pub fn total_of(&self, kind: &str) -> Ore {
        Ore(self.parts.iter().filter(|p| p.betalare.kind() == kind).map(|p| p.belopp.0).sum())
    }
}

/// A member kommun's basis in one year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    /// The kommun.
    pub kommun: KommunKod,
    /// Its basis for the kommuner's quarter (inhabitants, or its share).
    pub underlag: u64,
    /// Its inhabitants, for splitting the regions' quarter when there are
    /// several regions (`None` if unknown; then there must be one region).
    pub invanare: Option<u64>,
    /// Days it was a member in the year.
    pub dagar: u32,
}

/// Splits `budget` among the state, the regions and `members` (see the
/// [module docs](self) for the rule).
///
/// # Examples
/// ```
/// use finsam_core::{finance::split::{split_budget, Member}, KommunKod, Ore};
/// let k = |c| KommunKod::new(c).unwrap();
/// // Luleå and Piteå all year (365 days), Boden from 1 July (184 days).
/// let members = [
///     Member { kommun: k(2580), underlag: 80_000, invanare: Some(80_000), dagar: 365 },
///     Member { kommun: k(2581), underlag: 42_000, invanare: Some(42_000), dagar: 365 },
///     Member { kommun: k(2582), underlag: 28_000, invanare: Some(28_000), dagar: 184 },
/// ];
/// let parts = split_budget(Ore::from_kronor(10_000_000), &members)?;
/// assert_eq!(parts[0].belopp, Ore::from_kronor(5_000_000)); // the state's half
/// assert_eq!(parts[1].belopp, Ore::from_kronor(2_500_000)); // Region Norrbotten
/// // The kommuner's 2,500,000 kr by 80,000·365 : 42,000·365 : 28,000·184.
/// assert_eq!(parts[2].belopp, Ore(146_934_504)); // Luleå: 1,469,345.04 kr
/// assert_eq!(parts.iter().map(|p| p.belopp.0).sum::<i64>(), 1_000_000_000);
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `invalid_argument` for a negative budget, no members, or weights that are
/// all zero; `missing_statistics` if the members lie in several regions and
/// one has no inhabitants.
pub fn split_budget(budget: Ore, members: &[Member]) -> Result<Vec<Contribution>> {
    if members.is_empty() {
        return Err(Error::InvalidArgument { name: "members", message: "a budget needs at least one member".into() });
    }
    let fractions = apportion(budget, &[2, 1, 1])?;
    let days = members.iter().map(|m| m.dagar).max().unwrap_or(0);
    let mut parts =
        vec![Contribution { betalare: Betalare::Staten, underlag: 0, dagar: days, vikt: 2, belopp: fractions[0] }];
    parts.extend(region_parts(fractions[1], members)?);
    let weights: Vec<u128> = members.iter().map(|m| u128::from(m.underlag) * u128::from(m.dagar)).collect();
    let amounts = apportion(fractions[2], &weights)?;
    parts.extend(members.iter().zip(weights).zip(amounts).map(|((m, vikt), belopp)| Contribution {
        betalare: Betalare::Kommun(m.kommun),
        underlag: m.underlag,
        dagar: m.dagar,
        vikt,
        belopp,
    }));
    Ok(parts)
}

/// The regions' quarter: all to the one region, or split by inhabitants × days.
fn region_parts(quarter: Ore, members: &[Member]) -> Result<Vec<Contribution>> {
    let mut regions: Vec<(u8, u64, u32, u128)> = Vec::new();
    for m in members {
        let lan = m.kommun.lan();
        let pos = match regions.iter().position(|r| r.0 == lan) {
            Some(p) => p,
            None => {
                regions.push((lan, 0, 0, 0));
                regions.len() - 1
            }
        };
        let r = &mut regions[pos];
        r.2 = r.2.max(m.dagar);
        if let Some(inv) = m.invanare {
            r.1 += inv;
            r.3 += u128::from(inv) * u128::from(m.dagar);
        }
    }
    regions.sort_by_key(|r| r.0);
    if regions.len() > 1
        && let Some(m) = members.iter().find(|m| m.invanare.is_none())
    {
        return Err(Error::MissingStatistics {
            at: Box::new(Location::table("kommunstatistik").column("invanare").value(m.kommun.to_string())),
            message: format!(
                "the members lie in {} regions, so the regions' quarter is split by inhabitants, and kommun {} has none",
                regions.len(),
                m.kommun
            ),
        });
    }
    let weights: Vec<u128> = if regions.len() == 1 { vec![1] } else { regions.iter().map(|r| r.3).collect() };
    let amounts = apportion(quarter, &weights)?;
    Ok(regions
        .iter()
        .zip(weights)
        .zip(amounts)
        .map(|((r, vikt), belopp)| Contribution {
            betalare: Betalare::Region(r.0),
            underlag: r.1,
            dagar: r.2,
            vikt,
            belopp,
        })
        .collect())
}

/// Splits the budget of every förbund with one for `year` in
/// `data.forbund_ekonomi`, taking members and their days from the
/// membership events, inhabitants from `data.kommunstatistik` and shares
/// from `data.kommunandelar`.
///
/// ```
/// let data = finsam_core::synthetic::generate(&Default::default())?;
/// let splits = finsam_core::finance::financing(&data, 2021)?;
/// for s in &splits {
///     assert!((s.total_of("staten").0 * 2 - s.budget.0).abs() <= 2);
///     assert_eq!(s.parts.iter().map(|p| p.belopp.0).sum::<i64>(), s.budget.0);
/// }
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `unknown_forbund` for a budget of a förbund not in the data;
/// `membership_conflict` if the förbund has no members in the year, or a
/// share names a kommun that is not a member; `missing_statistics` for a
/// member without inhabitants (or without a share when the förbund has
/// shares).
pub fn financing(data: &Dataset, year: i32) -> Result<Vec<FinancingSplit>> {
    financing_rows(data, year).map_err(|e| data.locate(e))
}

fn financing_rows(data: &Dataset, year: i32) -> Result<Vec<FinancingSplit>> {
    let mut out = Vec::new();
    for (row, e) in data.forbund_ekonomi.iter().enumerate().filter(|(_, e)| e.ar == year) {
        let Some(budget) = e.budget else { continue };
        let Some(f) = data.forbund.iter().find(|f| f.id == e.forbund) else {
            return Err(Error::UnknownForbund {
                at: Box::new(
                    Location::table("forbund_ekonomi")
                        .row(row as u64)
                        .column("forbund_id")
                        .value(e.forbund.to_string()),
                ),
            });
        };
        let (members, basis) = members_of(data, f, year, row)?;
        out.push(FinancingSplit {
            forbund: f.id,
            namn: f.namn.clone(),
            ar: year,
            budget,
            kommun_basis: basis,
            parts: split_budget(budget, &members)?,
        });
    }
    out.sort_by_key(|s| s.forbund);
    Ok(out)
}

fn members_of(data: &Dataset, f: &Forbund, year: i32, row: usize) -> Result<(Vec<Member>, KommunBasis)> {
    let days = f.member_days(year);
    if days.is_empty() {
        return Err(Error::MembershipConflict {
            at: Box::new(
                Location::table("forbund_ekonomi").row(row as u64).column("forbund_id").value(f.id.to_string()),
            ),
            message: format!("förbund {} has a budget for {year} but no member kommuner that year", f.id),
        });
    }
    let shares: Vec<&Kommunandel> = data.kommunandelar.iter().filter(|a| a.forbund == f.id && a.ar == year).collect();
    if let Some(a) = shares.iter().find(|a| !days.iter().any(|(k, _)| *k == a.kommun)) {
        return Err(Error::MembershipConflict {
            at: Box::new(Location::table("kommunandelar").column("kommunkod").value(a.kommun.to_string())),
            message: format!(
                "kommun {} has a share in förbund {} in {year} but is not a member that year",
                a.kommun, f.id
            ),
        });
    }
    let inhabitants =
        |k: KommunKod| data.kommunstatistik.iter().find(|s| s.kommun == k && s.ar == year).map(|s| s.invanare);
    let missing = |k: KommunKod, what: &str| Error::MissingStatistics {
        at: Box::new(Location::table(what).value(format!("{k} {year}"))),
        message: format!(
            "förbund {} needs the {} of kommun {k} in {year}",
            f.id,
            if what == "kommunandelar" { "share" } else { "inhabitants" }
        ),
    };
    let basis = if shares.is_empty() { KommunBasis::Befolkning } else { KommunBasis::Forbundsordning };
    let mut members = Vec::with_capacity(days.len());
    for &(kommun, dagar) in &days {
        let invanare = inhabitants(kommun).map(u64::from);
        let underlag = match basis {
            KommunBasis::Befolkning => invanare.ok_or_else(|| missing(kommun, "kommunstatistik"))?,
            KommunBasis::Forbundsordning => {
                shares.iter().find(|a| a.kommun == kommun).ok_or_else(|| missing(kommun, "kommunandelar"))?.andel.0
                    as u64
            }
        };
        members.push(Member { kommun, underlag, invanare, dagar });
    }
    Ok((members, basis))
}

/// The splits as one table: a row per förbund and payer with the basis, the
/// days, the share of its party's fraction and the amount; then a total row
/// per förbund (its budget). Amounts are money, not persons: no cell is
/// withheld.
///
/// ```
/// let data = finsam_core::synthetic::generate(&Default::default())?;
/// let t = finsam_core::finance::split::financing_table(&finsam_core::finance::financing(&data, 2021)?);
/// assert_eq!(t.keys, vec!["ar", "forbund", "betalare", "kod"]);
/// # Ok::<(), finsam_core::Error>(())
/// ```
pub fn financing_table(splits: &[FinancingSplit]) -> Table {
    let mut rows = Vec::new();
    for s in splits {
        let fraction_total = |kind: &str| -> u128 {
            s.parts.iter().filter(|p| p.betalare.kind() == kind).map(|p| p.vikt).sum::<u128>().max(1)
        };
        for p in &s.parts {
            let share = if p.betalare == Betalare::Staten {
                1.0
            } else {
                p.vikt as f64 / fraction_total(p.betalare.kind()) as f64
            };
            rows.push(Row {
                key: vec![s.ar.to_string(), s.forbund.to_string(), p.betalare.kind().to_owned(), p.betalare.code()],
                values: vec![
                    Cell::Shown(p.underlag as f64),
                    Cell::Shown(f64::from(p.dagar)),
                    Cell::Shown(share),
                    Cell::Shown(p.belopp.0 as f64),
                ],
            });
        }
        rows.push(Row {
            key: vec![s.ar.to_string(), s.forbund.to_string(), "alla".into(), String::new()],
            values: vec![
                Cell::Suppressed(crate::publish::disclosure::Reason::NotComputable),
                Cell::Suppressed(crate::publish::disclosure::Reason::NotComputable),
                Cell::Shown(1.0),
                Cell::Shown(s.budget.0 as f64),
            ],
        });
    }
    let column = |name: &str, unit| Column { name: name.to_owned(), unit };
    Table {
        names: Default::default(),
        id: "finansiering".into(),
        title: "Finansiering enligt lagen §5: parternas andelar".into(),
        keys: vec!["ar".into(), "forbund".into(), "betalare".into(), "kod".into()],
        columns: vec![
            column("underlag", Unit::Tally),
            column("dagar", Unit::Tally),
            column("andel_av_parten", Unit::Share),
            column("belopp", Unit::Ore),
        ],
        rows,
        notes: vec![
            "The state (Försäkringskassan, Arbetsförmedlingen's part included) pays one half, the region(s) one quarter, the kommuner one quarter. The kommuner's quarter is split by inhabitants × member days, or by the förbundsordning's shares × member days; several regions split theirs by inhabitants × days. Amounts are whole öre that sum exactly to the budget (largest remainder). `underlag` is inhabitants, or a share in hundredths of a percent; the total row's basis and days do not apply.".into(),
        ],
    }
}
