//! Förbund and their members: the named förbund, the joiners of each year,
//! the kommuner that never join, and the members per year.

use super::*;
use crate::Date;
use crate::model::*;

pub(crate) fn k(code: u16) -> KommunKod {
    KommunKod::new(code).unwrap_or_else(|| unreachable!("constant kommunkod {code} is valid"))
}

pub(crate) struct Named {
    pub(crate) namn: &'static str,
    pub(crate) kommuner: &'static [u16],
}

/// Förbund named in the sources, with compositions assumed for the data set.
pub(crate) const NAMED_INITIAL: [Named; 9] = [
    Named { namn: "Samordningsförbundet Pyramis", kommuner: &[2580] },
    Named { namn: "Samordningsförbundet Activus", kommuner: &[2581] },
    Named { namn: "Samordningsförbundet Consensus", kommuner: &[2560] },
    Named { namn: "Samordningsförbundet Norra Skaraborg", kommuner: &[1447, 1497, 1446, 1493, 1472, 1473] },
    Named { namn: "Samordningsförbundet Västra Skaraborg", kommuner: &[1445, 1444, 1471, 1494, 1495, 1470] },
    Named { namn: "Samordningsförbundet Östra Skaraborg", kommuner: &[1499, 1496, 1498] },
    Named { namn: "Samordningsförbundet Södra Lappland", kommuner: &[2481, 2418, 2422, 2421, 2462, 2463] },
    Named { namn: "Samordningsförbundet Värend", kommuner: &[780, 764, 761] },
    Named { namn: "Samordningsförbundet Insjöriket", kommuner: &[1401, 1402] },
];
/// Kommuner whose joining the sources describe: Boden, Dorotea, Uppvidinge.
pub(crate) const NAMED_JOINERS: [u16; 3] = [2582, 2425, 760];
/// Förbund on 31 December 2016 (domain.md §9: 82).
pub(crate) const INITIAL_FORBUND: usize = 82;
/// Kommuner joining a förbund per year (2017–2021), beyond the named ones,
/// so that membership reaches 253, 260, 265, 271 and 272.
pub(crate) const JOINERS_PER_YEAR: [(i32, usize); 4] = [(2017, 6), (2018, 7), (2019, 5), (2020, 4)];
/// Kommuner never in a förbund in the data (290 − 272).
pub(crate) const NEVER_MEMBERS: usize = 18;

pub(crate) fn build_forbund(rng: &mut Sampler) -> Vec<Forbund> {
    let mut b = ForbundBuilder::default();
    let named: Vec<usize> = NAMED_INITIAL
        .iter()
        .map(|n| {
            let year = rng.range(2005, 2012);
            let start = rng.day_in(year);
            b.add(n.namn.to_owned(), start, n.kommuner.iter().map(|&c| k(c)).collect(), vec![])
        })
        .collect();
    let special: std::collections::HashSet<u16> =
        NAMED_INITIAL.iter().flat_map(|n| n.kommuner.iter().copied()).chain(NAMED_JOINERS).collect();
    let mut pool: Vec<KommunKod> = KommunKod::all().filter(|c| !special.contains(&c.code())).collect();
    rng.shuffle(&mut pool);
    let joiners_total: usize = JOINERS_PER_YEAR.iter().map(|(_, n)| n).sum();
    // Joiners come from län with other members, so they have a förbund to join.
    let lan_count = |c: &KommunKod, pool: &[KommunKod]| pool.iter().filter(|o| o.lan() == c.lan()).count();
    let mut outside: Vec<KommunKod> = Vec::new();
    let mut i = 0;
    while outside.len() < NEVER_MEMBERS + joiners_total && i < pool.len() {
        if lan_count(&pool[i], &pool) >= 4 {
            outside.push(pool.remove(i));
        } else {
            i += 1;
        }
    }
    let (never, joiners) = outside.split_at(NEVER_MEMBERS);
    let _ = never;
    pool.sort();
    for group in partition_by_lan(&pool, INITIAL_FORBUND - NAMED_INITIAL.len()) {
        let year = rng.range(2005, 2015);
        let start = rng.day_in(year);
        let namn = format!("Samordningsförbundet {}{}", group[0].name(), if group.len() > 1 { " m.fl." } else { "" });
        b.add(namn, start, group, vec![]);
    }
    calibrate_start_years(&mut b.forbund);
    // Year by year: mergers take effect on 1 January, then kommuner join.
    // In 2017 one joining kommun forms a förbund of its own; the others join
    // a förbund of their län.
    let mut joiners = joiners.iter().copied();
    let mut sn = 0;
    for year in *YEARS.start()..=*YEARS.end() {
        match year {
            2019 => b.merge_pairs(rng, 2019, 3),
            2020 => {
                sn = b.merge(
                    vec![named[0], named[1], named[2]],
                    "Samordningsförbundet Södra Norrbotten",
                    date(2020, 1, 1),
                );
                b.join_to(named[6], k(2425), date(2020, 1, 1));
                b.join_to(named[7], k(760), date(2020, 1, 1));
            }
            2021 => {
                b.join_to(sn, k(2582), date(2021, 1, 1));
                b.merge(vec![named[3], named[4], named[5]], "Samordningsförbundet Skaraborg", date(2021, 1, 1));
            }
            2022 => b.merge_pairs(rng, 2022, 1),
            _ => {}
        }
        let n = JOINERS_PER_YEAR.iter().find(|(y, _)| *y == year).map_or(0, |(_, n)| *n);
        for j in 0..n {
            let Some(kommun) = joiners.next() else { break };
            let when = date(year, 1 + rng.below(12) as u32, 1);
            if year == 2017 && j == 0 {
                b.add(format!("Samordningsförbundet {}", kommun.name()), when, vec![kommun], vec![]);
            } else {
                b.join(kommun, when);
            }
        }
    }
    b.leave(named[8], k(1401), date(2024, 1, 1));
    b.forbund
}

/// Member kommuner on 31 December of the years before the calibrated ones:
/// 221 in 2012 and 247 in 2016 are published (domain.md §9), the others
/// assumed along a path of early growth that slows.
pub const MEMBERS_BEFORE: [(i32, usize); 11] = [
    (2005, 30),
    (2006, 70),
    (2007, 110),
    (2008, 145),
    (2009, 175),
    (2010, 195),
    (2011, 210),
    (2012, 221),
    (2013, 230),
    (2014, 239),
    (2015, 247),
];

/// Moves the start years of the förbund that exist by 2016 so that the
/// member kommuner follow [`MEMBERS_BEFORE`]: in the order of their drawn
/// start dates, each year takes every förbund whose members still fit under
/// its target (smaller ones can fill the gap a larger one leaves). The month
/// and day drawn are kept, and no random number is drawn, so every later
/// part of the data set stays as it was; nothing from 2016 on depends on
/// these years.
pub(crate) fn calibrate_start_years(forbund: &mut [Forbund]) {
    let mut order: Vec<usize> = (0..forbund.len()).collect();
    order.sort_by_key(|&i| (forbund[i].start, forbund[i].id));
    let mut year_of: Vec<Option<i32>> = vec![None; forbund.len()];
    let mut members = 0;
    for &(year, target) in &MEMBERS_BEFORE {
        for &i in &order {
            let size = forbund[i].medlemskap.len();
            if year_of[i].is_none() && members + size <= target {
                year_of[i] = Some(year);
                members += size;
            }
        }
    }
    let last = MEMBERS_BEFORE[MEMBERS_BEFORE.len() - 1].0;
    for (f, year) in forbund.iter_mut().zip(year_of) {
        let (_, m, d) = f.start.ymd();
        let year = year.unwrap_or(last);
        // 29 February has no day in a common year; the 28th stands in.
        let start = Date::from_ymd(year, m, d).or_else(|| Date::from_ymd(year, m, 28)).unwrap_or(f.start);
        f.start = start;
        for e in &mut f.medlemskap {
            e.datum = start;
        }
    }
}

/// Splits kommuner (sorted by code) into `groups` förbund of contiguous
/// codes, allotting groups to each län by largest remainder.
pub(crate) fn partition_by_lan(kommuner: &[KommunKod], groups: usize) -> Vec<Vec<KommunKod>> {
    let mut by_lan: Vec<Vec<KommunKod>> = Vec::new();
    for &c in kommuner {
        match by_lan.last_mut() {
            Some(v) if v[0].lan() == c.lan() => v.push(c),
            _ => by_lan.push(vec![c]),
        }
    }
    // Every län gets one förbund; the rest are allotted by the kommuner left.
    let weights: Vec<f64> = by_lan.iter().map(|v| (v.len() - 1) as f64).collect();
    let allot = largest_remainder(&weights, groups.saturating_sub(by_lan.len()) as u64);
    let mut out = Vec::new();
    for (members, extra) in by_lan.iter().zip(allot) {
        let n = (1 + extra as usize).min(members.len());
        for g in 0..n {
            let (lo, hi) = (g * members.len() / n, (g + 1) * members.len() / n);
            out.push(members[lo..hi].to_vec());
        }
    }
    out
}

/// Integer parts of `total` proportional to `weights`, summing exactly to
/// `total` (largest-remainder method).
pub(crate) fn largest_remainder(weights: &[f64], total: u64) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 || weights.is_empty() {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| w / sum * total as f64).collect();
    let mut parts: Vec<u64> = exact.iter().map(|e| e.floor() as u64).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    let short = total.saturating_sub(parts.iter().sum());
    for &i in order.iter().cycle().take(short as usize) {
        parts[i] += 1;
    }
    parts
}

#[derive(Default)]
pub(crate) struct ForbundBuilder {
    pub(crate) forbund: Vec<Forbund>,
}

impl ForbundBuilder {
    pub(crate) fn add(
        &mut self,
        namn: String,
        start: Date,
        kommuner: Vec<KommunKod>,
        foregangare: Vec<ForbundId>,
    ) -> usize {
        let id = ForbundId(self.forbund.len() as u32 + 1);
        let medlemskap = kommuner
            .into_iter()
            .map(|kommun| Medlemskap { kommun, datum: start, handelse: Medlemshandelse::Intrade })
            .collect();
        self.forbund.push(Forbund { id, namn, start, slut: None, medlemskap, foregangare });
        self.forbund.len() - 1
    }

    pub(crate) fn active_on(&self, i: usize, when: Date) -> bool {
        let f = &self.forbund[i];
        f.start <= when && f.slut.is_none_or(|s| s >= when)
    }

    /// The kommun joins the first förbund of its län that exists then.
    pub(crate) fn join(&mut self, kommun: KommunKod, when: Date) {
        let target = (0..self.forbund.len()).find(|&i| {
            self.active_on(i, when) && self.forbund[i].members_on(when).iter().any(|m| m.lan() == kommun.lan())
        });
        let target =
            target.unwrap_or_else(|| (0..self.forbund.len()).rev().find(|&i| self.active_on(i, when)).unwrap_or(0));
        self.join_to(target, kommun, when);
    }

    pub(crate) fn join_to(&mut self, i: usize, kommun: KommunKod, when: Date) {
        self.forbund[i].medlemskap.push(Medlemskap { kommun, datum: when, handelse: Medlemshandelse::Intrade });
    }

    pub(crate) fn leave(&mut self, i: usize, kommun: KommunKod, when: Date) {
        self.forbund[i].medlemskap.push(Medlemskap { kommun, datum: when, handelse: Medlemshandelse::Uttrade });
    }

    /// The förbund end the day before `when`; a new one with all their
    /// members starts on `when`.
    pub(crate) fn merge(&mut self, parts: Vec<usize>, namn: &str, when: Date) -> usize {
        let mut members = Vec::new();
        for &p in &parts {
            members.extend(self.forbund[p].members_on(when.add_days(-1)));
            self.forbund[p].slut = Some(when.add_days(-1));
        }
        members.sort();
        let ids = parts.iter().map(|&p| self.forbund[p].id).collect();
        self.add(namn.to_owned(), when, members, ids)
    }

    /// Merges `n` pairs of förbund of the same län, effective 1 January of `year`.
    pub(crate) fn merge_pairs(&mut self, rng: &mut Sampler, year: i32, n: usize) {
        let when = date(year, 1, 1);
        let eve = when.add_days(-1);
        for _ in 0..n {
            let lan_of = |f: &Forbund| f.members_on(eve).first().map(|k| k.lan());
            let candidates: Vec<usize> = (0..self.forbund.len())
                .filter(|&i| {
                    self.active_on(i, when) && self.forbund[i].foregangare.is_empty() && !is_named(&self.forbund[i])
                })
                .collect();
            let pairs: Vec<(usize, usize)> = candidates
                .iter()
                .flat_map(|&a| candidates.iter().map(move |&b| (a, b)))
                .filter(|&(a, b)| {
                    a < b && lan_of(&self.forbund[a]).is_some() && lan_of(&self.forbund[a]) == lan_of(&self.forbund[b])
                })
                .collect();
            if pairs.is_empty() {
                return;
            }
            let (a, b) = pairs[rng.below(pairs.len())];
            let namn =
                format!("Samordningsförbundet {} och {}", short_name(&self.forbund[a]), short_name(&self.forbund[b]));
            self.merge(vec![a, b], &namn, when);
        }
    }
}

pub(crate) fn is_named(f: &Forbund) -> bool {
    NAMED_INITIAL.iter().any(|n| n.namn == f.namn)
}

pub(crate) fn short_name(f: &Forbund) -> String {
    f.namn.trim_start_matches("Samordningsförbundet ").trim_end_matches(" m.fl.").to_owned()
}
