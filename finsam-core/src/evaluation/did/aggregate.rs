//! Aggregations of the ATT(g, t) as `did::aggte`: the overall effect
//! (`simple`), per group, per event time (`dynamic`) and per calendar
//! period, each weighted by the groups' shares of the units, with
//! standard errors from the aggregated influence functions, including
//! the term from estimating those shares (`did`'s `wif`).

use serde::{Deserialize, Serialize};

use super::{AttGt, COLUMNS, Combination, Shares, estimate_values, key};
use crate::disclosure::Disclosure;
use crate::error::{Error, Result};
use crate::evaluation::Estimate;
use crate::publish::Table;
use crate::publish::table::Builder;
use crate::stats;

/// How to aggregate the ATT(g, t) (`did::aggte`'s `type`).
///
/// ```
/// # use finsam_core::evaluation::did::{att_gt, AttGtOptions, Aggregation};
/// # use finsam_core::evaluation::Frame;
/// # let unit = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0];
/// # let time = [1.0, 2.0, 3.0].repeat(4);
/// # let group = [2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
/// # let y = [1.0, 3.0, 4.0, 2.0, 3.0, 7.0, 1.0, 2.0, 3.0, 3.0, 4.0, 6.0];
/// # let frame = Frame::new().with_numeric("id", unit.map(Some))?
/// #     .with_numeric("t", time.into_iter().map(Some))?
/// #     .with_numeric("g", group.map(Some))?.with_numeric("y", y.map(Some))?;
/// # let result = att_gt(&frame, &AttGtOptions::new("y", "id", "t", "g"))?;
/// let by_group = result.aggregate(&Aggregation::Group)?;
/// assert_eq!(by_group.rows.iter().map(|r| r.key).collect::<Vec<_>>(), [2.0, 3.0]);
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// The average of the post-treatment cells weighted by group size.
    Simple,
    /// Per group the average of its post-treatment cells; overall their
    /// average weighted by group size.
    Group,
    /// Per event time `e = t − g` the group-size weighted average of the
    /// cells at that distance from the start (within `min_e ..= max_e`
    /// when given); overall the average over `e ≥ 0`.
    Dynamic {
        /// The earliest event time shown.
        min_e: Option<f64>,
        /// The latest event time shown.
        max_e: Option<f64>,
    },
    /// Per period the group-size weighted average of the groups treated by
    /// then; overall the average over periods.
    Calendar,
}

/// One row of an aggregation: a group, an event time or a period.
///
/// ```
/// # use finsam_core::evaluation::did::{att_gt, AttGtOptions, Aggregation};
/// # use finsam_core::evaluation::Frame;
/// # let unit = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0];
/// # let time = [1.0, 2.0, 3.0].repeat(4);
/// # let group = [2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
/// # let y = [1.0, 3.0, 4.0, 2.0, 3.0, 7.0, 1.0, 2.0, 3.0, 3.0, 4.0, 6.0];
/// # let frame = Frame::new().with_numeric("id", unit.map(Some))?
/// #     .with_numeric("t", time.into_iter().map(Some))?
/// #     .with_numeric("g", group.map(Some))?.with_numeric("y", y.map(Some))?;
/// # let result = att_gt(&frame, &AttGtOptions::new("y", "id", "t", "g"))?;
/// let calendar = result.aggregate(&Aggregation::Calendar)?;
/// let row = &calendar.rows[0];
/// assert_eq!(row.key, 2.0); // only group 2 is treated in period 2
/// assert_eq!(row.att, result.cells.iter().find(|c| c.group == 2.0 && c.time == 2.0).unwrap().att);
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AggregateRow {
    /// The group, event time or period.
    pub key: f64,
    /// The aggregated effect.
    pub att: f64,
    /// Its standard error (`None` when the influence function vanishes,
    /// as at the reference event time of a universal base period).
    pub se: Option<f64>,
    /// The interval `att ± c·se` with the aggregation's critical value.
    pub lo: Option<f64>,
    /// The upper bound.
    pub hi: Option<f64>,
}

/// An aggregation of the ATT(g, t): the result of [`AttGt::aggregate`].
///
/// ```
/// # use finsam_core::evaluation::did::{att_gt, AttGtOptions, Aggregation};
/// # use finsam_core::evaluation::Frame;
/// # let unit = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0];
/// # let time = [1.0, 2.0, 3.0].repeat(4);
/// # let group = [2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
/// # let y = [1.0, 3.0, 4.0, 2.0, 3.0, 7.0, 1.0, 2.0, 3.0, 3.0, 4.0, 6.0];
/// # let frame = Frame::new().with_numeric("id", unit.map(Some))?
/// #     .with_numeric("t", time.into_iter().map(Some))?
/// #     .with_numeric("g", group.map(Some))?.with_numeric("y", y.map(Some))?;
/// # let result = att_gt(&frame, &AttGtOptions::new("y", "id", "t", "g"))?;
/// let simple = result.aggregate(&Aggregation::Simple)?;
/// let overall = simple.overall.expect("a standard error");
/// assert!(overall.lo < overall.estimate && overall.estimate < overall.hi);
/// assert!(simple.rows.is_empty());
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    /// The aggregation.
    pub aggregation: Aggregation,
    /// The overall effect with a pointwise interval; `None` when its
    /// standard error vanishes.
    pub overall: Option<Estimate>,
    /// The rows (none for `Simple`).
    pub rows: Vec<AggregateRow>,
    /// The critical value of the rows' intervals: normal, or with the
    /// bootstrap the simultaneous critical value over the rows.
    pub critical_value: f64,
    note: String,
}

impl Aggregate {
    /// The published table: one row per group, event time or period
    /// (key `group`, `event_time` or `time`) and a last row `overall`.
    ///
    /// ```
    /// # use finsam_core::evaluation::did::{att_gt, AttGtOptions, Aggregation};
    /// # use finsam_core::evaluation::Frame;
    /// # let unit = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0];
    /// # let time = [1.0, 2.0, 3.0].repeat(4);
    /// # let group = [2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    /// # let y = [1.0, 3.0, 4.0, 2.0, 3.0, 7.0, 1.0, 2.0, 3.0, 3.0, 4.0, 6.0];
    /// # let frame = Frame::new().with_numeric("id", unit.map(Some))?
    /// #     .with_numeric("t", time.into_iter().map(Some))?
    /// #     .with_numeric("g", group.map(Some))?.with_numeric("y", y.map(Some))?;
    /// # let result = att_gt(&frame, &AttGtOptions::new("y", "id", "t", "g"))?;
    /// let table = result.aggregate(&Aggregation::Group)?.table();
    /// assert_eq!(table.rows.len(), 3);
    /// assert!(table.value(&["overall"], "att").is_some());
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn table(&self) -> Table {
        let (id, name, title) = match self.aggregation {
            Aggregation::Simple => ("att_simple", "overall", "Genomsnittlig effekt (ATT)"),
            Aggregation::Group => ("att_group", "group", "Effekt per grupp"),
            Aggregation::Dynamic { .. } => ("att_dynamic", "event_time", "Effekt per tid sedan start"),
            Aggregation::Calendar => ("att_calendar", "time", "Effekt per period"),
        };
        let mut b = Builder::new(id, title, vec![name.into()], &COLUMNS);
        for r in &self.rows {
            b.push(vec![key(r.key)], estimate_values(r.att, r.se, r.lo, r.hi));
        }
        match &self.overall {
            Some(e) => b.push(vec!["overall".into()], estimate_values(e.estimate, Some(e.se), Some(e.lo), Some(e.hi))),
            None => b.push(vec!["overall".into()], estimate_values(f64::NAN, None, None, None)),
        };
        b.table.notes.push(self.note.clone());
        b.finish(&Disclosure::default())
    }
}

/// A row before inference: its key, estimate and influence combination.
struct Draft {
    key: f64,
    att: f64,
    comb: Combination,
}

impl AttGt {
    /// Aggregates the ATT(g, t) as `did::aggte(type = ...)`.
    ///
    /// # Errors
    /// `invalid_argument` for `min_e > max_e` or an event-time window
    /// without cells.
    ///
    /// ```
    /// # use finsam_core::evaluation::did::{att_gt, AttGtOptions, Aggregation};
    /// # use finsam_core::evaluation::Frame;
    /// # let unit = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0];
    /// # let time = [1.0, 2.0, 3.0].repeat(4);
    /// # let group = [2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    /// # let y = [1.0, 3.0, 4.0, 2.0, 3.0, 7.0, 1.0, 2.0, 3.0, 3.0, 4.0, 6.0];
    /// # let frame = Frame::new().with_numeric("id", unit.map(Some))?
    /// #     .with_numeric("t", time.into_iter().map(Some))?
    /// #     .with_numeric("g", group.map(Some))?.with_numeric("y", y.map(Some))?;
    /// let result = att_gt(&frame, &AttGtOptions::new("y", "id", "t", "g"))?;
    /// let dynamic = result.aggregate(&Aggregation::Dynamic { min_e: None, max_e: None })?;
    /// let keys: Vec<f64> = dynamic.rows.iter().map(|r| r.key).collect();
    /// assert_eq!(keys, [-1.0, 0.0, 1.0]);
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn aggregate(&self, aggregation: &Aggregation) -> Result<Aggregate> {
        let (drafts, overall) = match *aggregation {
            Aggregation::Simple => (Vec::new(), self.weighted(|c| c.post)),
            Aggregation::Group => self.by_group(),
            Aggregation::Dynamic { min_e, max_e } => self.by_event_time(min_e, max_e)?,
            Aggregation::Calendar => self.by_period(),
        };
        let z = stats::z(0.5 + self.options.level / 2.0);
        let (mut ses, mut critical_value) = (Vec::new(), z);
        let overall_se = match self.options.bootstrap {
            None => {
                ses = drafts.iter().map(|d| self.analytic_se(&d.comb)).collect();
                self.analytic_se(&overall.comb)
            }
            Some(b) => {
                if !drafts.is_empty() {
                    let combs: Vec<Combination> = drafts.iter().map(|d| d.comb.clone()).collect();
                    let draws = self.bootstrap(&combs, b);
                    ses = draws.se;
                    // As `aggte`: a simultaneous value that is missing or
                    // narrower than the pointwise one falls back to it.
                    critical_value = draws.critical_value.filter(|c| c.is_finite() && *c >= z).unwrap_or(z);
                }
                self.bootstrap(std::slice::from_ref(&overall.comb), b).se[0]
            }
        };
        let rows = drafts
            .iter()
            .zip(ses)
            .map(|(d, se)| AggregateRow {
                key: d.key,
                att: d.att,
                se,
                lo: se.map(|s| d.att - critical_value * s),
                hi: se.map(|s| d.att + critical_value * s),
            })
            .collect();
        let level = self.options.level;
        let overall = match overall_se {
            Some(se) if overall.att.is_finite() => Some(Estimate::normal(overall.att, se, level)?),
            _ => None,
        };
        Ok(Aggregate { aggregation: *aggregation, overall, rows, critical_value, note: self.note() })
    }

    /// The share of units in group `g` (`did`'s `pg`).
    fn share(&self, g: f64) -> f64 {
        let p = &self.panel;
        p.group_values.binary_search_by(|v| v.total_cmp(&g)).map_or(0.0, |k| p.group_counts[k] as f64 / p.n as f64)
    }

    /// The group-share weighted average of the cells `keep` selects, with
    /// the influence of the estimated shares.
    fn weighted(&self, keep: impl Fn(&super::GroupTime) -> bool) -> Draft {
        let chosen: Vec<usize> = (0..self.cells.len()).filter(|&c| keep(&self.cells[c])).collect();
        let pg: Vec<f64> = chosen.iter().map(|&c| self.share(self.cells[c].group)).collect();
        let total: f64 = pg.iter().sum();
        let att = chosen.iter().zip(&pg).map(|(&c, w)| self.cells[c].att * w).sum::<f64>() / total;
        let comb = Combination {
            cells: chosen.iter().zip(&pg).map(|(&c, w)| (c, w / total)).collect(),
            shares: vec![Shares {
                scale: 1.0,
                terms: chosen.iter().zip(&pg).map(|(&c, &w)| (self.cells[c].group, w, self.cells[c].att)).collect(),
            }],
        };
        Draft { key: f64::NAN, att, comb }
    }

    /// The plain average of drafts (no share influence: `did` averages
    /// event times and periods with equal weights).
    fn average(drafts: &[&Draft]) -> Draft {
        let w = 1.0 / drafts.len() as f64;
        let mut comb = Combination::default();
        for d in drafts {
            comb.add(&d.comb, w);
        }
        Draft { key: f64::NAN, att: drafts.iter().map(|d| d.att).sum::<f64>() * w, comb }
    }

    fn by_group(&self) -> (Vec<Draft>, Draft) {
        let mut drafts = Vec::new();
        for &g in &self.groups {
            let chosen: Vec<usize> =
                (0..self.cells.len()).filter(|&c| self.cells[c].group == g && self.cells[c].post).collect();
            if chosen.is_empty() {
                continue;
            }
            let w = 1.0 / chosen.len() as f64;
            let att = chosen.iter().map(|&c| self.cells[c].att).sum::<f64>() * w;
            let comb = Combination { cells: chosen.iter().map(|&c| (c, w)).collect(), shares: Vec::new() };
            drafts.push(Draft { key: g, att, comb });
        }
        // Overall: the groups weighted by their shares, with the shares'
        // influence over the groups.
        let pg: Vec<f64> = drafts.iter().map(|d| self.share(d.key)).collect();
        let total: f64 = pg.iter().sum();
        let mut comb = Combination::default();
        for (d, w) in drafts.iter().zip(&pg) {
            comb.add(&d.comb, w / total);
        }
        comb.shares
            .push(Shares { scale: 1.0, terms: drafts.iter().zip(&pg).map(|(d, &w)| (d.key, w, d.att)).collect() });
        let att = drafts.iter().zip(&pg).map(|(d, w)| d.att * w).sum::<f64>() / total;
        (drafts, Draft { key: f64::NAN, att, comb })
    }

    fn by_event_time(&self, min_e: Option<f64>, max_e: Option<f64>) -> Result<(Vec<Draft>, Draft)> {
        let (lo, hi) = (min_e.unwrap_or(f64::NEG_INFINITY), max_e.unwrap_or(f64::INFINITY));
        if lo.is_nan() || hi.is_nan() || lo > hi {
            return Err(Error::InvalidArgument {
                name: "min_e",
                message: format!("min_e {lo} must not exceed max_e {hi}"),
            });
        }
        let mut events: Vec<f64> =
            self.cells.iter().map(|c| c.time - c.group).filter(|e| (lo..=hi).contains(e)).collect();
        events.sort_by(f64::total_cmp);
        events.dedup();
        if events.is_empty() {
            return Err(Error::InvalidArgument {
                name: "max_e",
                message: format!("no event time falls within [{lo}, {hi}]"),
            });
        }
        let drafts: Vec<Draft> =
            events.iter().map(|&e| Draft { key: e, ..self.weighted(|c| c.time - c.group == e) }).collect();
        let post: Vec<&Draft> = drafts.iter().filter(|d| d.key >= 0.0).collect();
        let overall = if post.is_empty() {
            Draft { key: f64::NAN, att: f64::NAN, comb: Combination::default() }
        } else {
            Self::average(&post)
        };
        Ok((drafts, overall))
    }

    fn by_period(&self) -> (Vec<Draft>, Draft) {
        let first_group = self.groups.iter().copied().fold(f64::INFINITY, f64::min);
        let mut periods: Vec<f64> =
            self.cells.iter().filter(|c| c.post && c.time >= first_group).map(|c| c.time).collect();
        periods.sort_by(f64::total_cmp);
        periods.dedup();
        let drafts: Vec<Draft> =
            periods.iter().map(|&t| Draft { key: t, ..self.weighted(|c| c.time == t && c.post) }).collect();
        let overall = Self::average(&drafts.iter().collect::<Vec<_>>());
        (drafts, overall)
    }
}
