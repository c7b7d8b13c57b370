//! Disclosure control: small-cell suppression for published tables.
//!
//! Participation data are sensitive personal data (domain.md §8). Every
//! table finsam publishes goes through [`Disclosure`], on by default:
//!
//! 1. **Primary suppression**: a count below the threshold (default 5) is
//!    withheld.
//! 2. **Complementary suppression**: cells are related by *margins* (parts
//!    that sum to a shown total). A withheld cell that could be computed back
//!    from a margin, alone or by combining margins, makes another cell of that
//!    margin withheld too, the smallest first. The result is checked by linear
//!    algebra: no withheld cell is determined by the shown cells and the
//!    margin equations, and no margin's withheld parts sum to zero under a
//!    shown total (which would reveal them all as zero).
//! 3. **Dependent suppression**: a share or mean whose denominator is withheld
//!    is withheld (applied by the table builders with [`Cell::depends_on`]).
//! 4. Optional **rounding** of shown counts to a base.
//!
//! A withheld cell is a [`Cell::Suppressed`] with its reason, never a zero.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a cell is withheld.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The count is below the threshold.
    Primary,
    /// Withheld so that another withheld cell cannot be computed from a margin.
    Complementary,
    /// The denominator (or the n behind a mean) is withheld.
    Denominator,
    /// Not computable: too few observations for the statistic (e.g. an
    /// interval from fewer than two values), or a denominator of zero.
    NotComputable,
    /// A survey value from fewer responses than the configured minimum.
    FewResponses,
    /// The year's source does not hold the figure (the aggregates of
    /// Uppföljning Finsam count participants, not persons or participations).
    NotInSource,
    /// A change between two years of different sources, withheld on request
    /// ([`SeriesBreak::Withhold`](crate::engine::era::SeriesBreak)).
    SeriesBreak,
}

impl Reason {
    /// The reason's code, as written in CSV and Arrow output.
    pub fn code(self) -> &'static str {
        match self {
            Reason::Primary => "primary",
            Reason::Complementary => "complementary",
            Reason::Denominator => "denominator",
            Reason::NotComputable => "not_computable",
            Reason::FewResponses => "few_responses",
            Reason::NotInSource => "not_in_source",
            Reason::SeriesBreak => "series_break",
        }
    }
}

/// A published value: shown, or withheld with a reason.
///
/// ```
/// use finsam_core::disclosure::{Cell, Reason};
/// let shown = Cell::Shown(12.0);
/// let hidden: Cell<f64> = Cell::Suppressed(Reason::Primary);
/// assert_eq!(shown.value(), Some(12.0));
/// assert_eq!(hidden.value(), None);
/// assert_eq!(hidden.to_string(), "..");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell<T> {
    /// The value is published.
    Shown(T),
    /// The value is withheld.
    Suppressed(Reason),
}

impl<T: Copy> Cell<T> {
    /// The value, if shown.
    pub fn value(&self) -> Option<T> {
        match self {
            Cell::Shown(v) => Some(*v),
            Cell::Suppressed(_) => None,
        }
    }

    /// The reason, if withheld.
    pub fn reason(&self) -> Option<Reason> {
        match self {
            Cell::Shown(_) => None,
            Cell::Suppressed(r) => Some(*r),
        }
    }

    /// This cell, withheld if `denominator` is withheld.
    ///
    /// ```
    /// use finsam_core::disclosure::{Cell, Reason};
    /// let n: Cell<f64> = Cell::Suppressed(Reason::Primary);
    /// assert_eq!(Cell::Shown(0.3).depends_on(&n), Cell::Suppressed(Reason::Denominator));
    /// ```
    pub fn depends_on<U: Copy>(self, denominator: &Cell<U>) -> Cell<T> {
        match denominator {
            Cell::Shown(_) => self,
            Cell::Suppressed(_) => match self {
                Cell::Suppressed(r) => Cell::Suppressed(r),
                Cell::Shown(_) => Cell::Suppressed(Reason::Denominator),
            },
        }
    }
}

impl<T: fmt::Display> fmt::Display for Cell<T> {
    /// Shown values as themselves; withheld ones as `..` (the convention of
    /// Swedish official statistics).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Shown(v) => v.fmt(f),
            Cell::Suppressed(_) => f.write_str(".."),
        }
    }
}

/// The settings of disclosure control.
///
/// ```
/// use finsam_core::disclosure::Disclosure;
/// let d = Disclosure::default();
/// assert!(d.enabled && d.threshold == 5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Disclosure {
    /// Whether to suppress at all. Turn off only for data that stay inside
    /// the organisation that holds them.
    pub enabled: bool,
    /// Counts below this are withheld (1 ..= threshold − 1, and 0 unless
    /// `show_zeros`).
    pub threshold: u64,
    /// Show counts of zero (a zero reveals that nobody has the trait, which
    /// can itself be sensitive; off by default).
    pub show_zeros: bool,
    /// Round shown counts to a multiple of this base (e.g. 5), if set.
    pub rounding: Option<u64>,
}

impl Default for Disclosure {
    fn default() -> Self {
        Disclosure { enabled: true, threshold: 5, show_zeros: false, rounding: None }
    }
}

impl Disclosure {
    /// No suppression at all.
    pub const OFF: Disclosure = Disclosure { enabled: false, threshold: 0, show_zeros: true, rounding: None };

    /// Whether a count is withheld by primary suppression.
    pub fn is_small(&self, count: u64) -> bool {
        self.enabled && count < self.threshold && !(count == 0 && self.show_zeros)
    }

    /// A count as a note may publish it: itself, or "färre än k" where a
    /// cell of it would be withheld (a note is as public as a table).
    ///
    /// ```
    /// use finsam_core::publish::disclosure::Disclosure;
    /// let d = Disclosure::default();
    /// assert_eq!((d.note_count(3), d.note_count(12)), ("färre än 5".to_owned(), "12".to_owned()));
    /// ```
    pub fn note_count(&self, count: u64) -> String {
        if self.is_small(count) { format!("färre än {}", self.threshold) } else { count.to_string() }
    }

    /// Applies primary and complementary suppression to `counts`, whose
    /// `margins` are groups of `(parts, total)` indices into `counts` (the
    /// parts sum to the total). Returns a cell per count, rounded if asked.
    ///
    /// ```
    /// use finsam_core::disclosure::{Disclosure, Reason};
    /// // women, men, unknown, total
    /// let cells = Disclosure::default().suppress(&[40, 3, 0, 43], &[(vec![0, 1, 2], 3)]);
    /// assert_eq!(cells[1].reason(), Some(Reason::Primary));
    /// assert_eq!(cells[2].reason(), Some(Reason::Primary));
    /// assert_eq!(cells[0].value(), Some(40));
    /// // Two parts are withheld, so neither can be computed from the total.
    /// ```
    pub fn suppress(&self, counts: &[u64], margins: &[(Vec<usize>, usize)]) -> Vec<Cell<u64>> {
        let mut cells: Vec<Cell<u64>> = counts
            .iter()
            .map(|&c| if self.is_small(c) { Cell::Suppressed(Reason::Primary) } else { Cell::Shown(c) })
            .collect();
        if self.enabled {
            complementary(counts, margins, &mut cells);
        }
        for c in &mut cells {
            if let Cell::Shown(v) = c {
                *v = self.rounded(*v);
            }
        }
        cells
    }

    /// `count` as published: rounded to the nearest multiple of the
    /// rounding base if one is set, else as it is.
    ///
    /// ```
    /// use finsam_core::publish::disclosure::Disclosure;
    /// assert_eq!(Disclosure { rounding: Some(5), ..Disclosure::default() }.rounded(12), 10);
    /// assert_eq!(Disclosure::default().rounded(12), 12);
    /// ```
    pub fn rounded(&self, count: u64) -> u64 {
        match self.rounding.filter(|&b| b > 1) {
            Some(base) => (count + base / 2) / base * base,
            None => count,
        }
    }
}

/// Adds complementary suppressions until no withheld cell is determined by
/// the margins.
fn complementary(counts: &[u64], margins: &[(Vec<usize>, usize)], cells: &mut [Cell<u64>]) {
    let hidden = |cells: &[Cell<u64>], i: usize| cells[i].value().is_none();
    let members =
        |(parts, total): &(Vec<usize>, usize)| parts.iter().copied().chain(std::iter::once(*total)).collect::<Vec<_>>();
    loop {
        // 1. A margin with exactly one withheld member gives it away directly;
        //    so does one whose withheld parts sum to zero under a shown total
        //    (counts are not negative, so each of them must be zero).
        let mut changed = false;
        for m in margins {
            let all = members(m);
            let withheld = all.iter().filter(|&&i| hidden(cells, i)).count();
            let zero_sum = !hidden(cells, m.1)
                && withheld > 0
                && m.0.iter().filter(|&&i| hidden(cells, i)).map(|&i| counts[i]).sum::<u64>() == 0;
            if withheld == 1 || zero_sum {
                let shown_nonzero: Vec<usize> = m.0.iter().copied().filter(|&i| !zero_sum || counts[i] > 0).collect();
                // With every part zero, hiding a part cannot help: hide the
                // total itself (found by the `disclosure` fuzz target).
                changed |= hide_smallest(counts, cells, if zero_sum { &shown_nonzero } else { &all })
                    || (zero_sum && hide_smallest(counts, cells, &all));
            }
        }
        if changed {
            continue;
        }
        // 2. Margins combined can give one away too.
        let unknowns: Vec<usize> = (0..cells.len()).filter(|&i| hidden(cells, i)).collect();
        let Some(i) = determined_cells(&unknowns, margins).into_iter().next() else { return };
        let group = margins.iter().map(members).find(|all| all.contains(&i)).unwrap_or_default();
        if !hide_smallest(counts, cells, &group) {
            // Every member is already withheld yet the cell is determined;
            // widen to the smallest shown cell anywhere.
            let all: Vec<usize> = (0..cells.len()).collect();
            if !hide_smallest(counts, cells, &all) {
                return;
            }
        }
    }
}

/// Withholds the smallest shown cell among `among`; `false` if none is shown.
fn hide_smallest(counts: &[u64], cells: &mut [Cell<u64>], among: &[usize]) -> bool {
    let pick = among.iter().copied().filter(|&i| cells[i].value().is_some()).min_by_key(|&i| (counts[i], i));
    match pick {
        Some(i) => {
            cells[i] = Cell::Suppressed(Reason::Complementary);
            true
        }
        None => false,
    }
}

/// The withheld cells that are linear functions of the shown cells under the
/// margin equations: those whose unit vector lies in the row space of the
/// equations restricted to the unknowns. In the reduced row echelon form of
/// that system, they are exactly the pivot rows with a single non-zero.
pub(crate) fn determined_cells(unknowns: &[usize], margins: &[(Vec<usize>, usize)]) -> Vec<usize> {
    let position: std::collections::HashMap<usize, usize> = unknowns.iter().enumerate().map(|(c, &u)| (u, c)).collect();
    let rows: Vec<Vec<(usize, f64)>> = margins
        .iter()
        .map(|(parts, total)| {
            let mut row: Vec<(usize, f64)> = parts.iter().filter_map(|p| position.get(p).map(|&c| (c, 1.0))).collect();
            if let Some(&c) = position.get(total) {
                row.push((c, -1.0));
            }
            row
        })
        .filter(|r| !r.is_empty())
        .collect();
    // Equations touch few unknowns: solve each connected component alone.
    let mut component: Vec<usize> = (0..unknowns.len()).collect();
    fn root(c: &mut [usize], mut i: usize) -> usize {
        while c[i] != i {
            c[i] = c[c[i]];
            i = c[i];
        }
        i
    }
    for r in &rows {
        for w in r.windows(2) {
            let (a, b) = (root(&mut component, w[0].0), root(&mut component, w[1].0));
            component[a] = b;
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<&Vec<(usize, f64)>>> = std::collections::BTreeMap::new();
    for r in &rows {
        let g = root(&mut component, r[0].0);
        groups.entry(g).or_default().push(r);
    }
    let mut out = Vec::new();
    for eqs in groups.values() {
        let mut cols: Vec<usize> = eqs.iter().flat_map(|r| r.iter().map(|&(c, _)| c)).collect();
        cols.sort_unstable();
        cols.dedup();
        let dense: Vec<Vec<f64>> = eqs
            .iter()
            .map(|r| {
                let mut row = vec![0.0; cols.len()];
                for &(c, v) in r.iter() {
                    if let Ok(j) = cols.binary_search(&c) {
                        row[j] += v;
                    }
                }
                row
            })
            .collect();
        for j in singleton_pivots(dense) {
            out.push(unknowns[cols[j]]);
        }
    }
    out.sort_unstable();
    out
}

/// The columns of the reduced row echelon form whose pivot row has no other
/// non-zero (Gauss–Jordan with partial pivoting; entries are small
/// integers, so a tolerance of 1e-9 is exact in practice).
fn singleton_pivots(mut m: Vec<Vec<f64>>) -> Vec<usize> {
    let cols = m.first().map_or(0, Vec::len);
    let mut pivots = Vec::new();
    let mut rank = 0;
    for c in 0..cols {
        let Some(p) = (rank..m.len()).max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs())) else { break };
        if m[p][c].abs() < 1e-9 {
            continue;
        }
        m.swap(rank, p);
        let pivot = m[rank][c];
        for v in &mut m[rank][c..] {
            *v /= pivot;
        }
        let pivot_row = m[rank].clone();
        for (r, row) in m.iter_mut().enumerate() {
            if r != rank && row[c].abs() > 1e-12 {
                let f = row[c];
                for (x, p) in row[c..].iter_mut().zip(&pivot_row[c..]) {
                    *x -= f * p;
                }
            }
        }
        pivots.push((rank, c));
        rank += 1;
    }
    pivots.into_iter().filter(|&(r, c)| (0..cols).all(|k| k == c || m[r][k].abs() < 1e-9)).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_single_small_part_takes_the_smallest_other_part_with_it() {
        let cells = Disclosure::default().suppress(&[40, 3, 12, 55], &[(vec![0, 1, 2], 3)]);
        assert_eq!(cells[1], Cell::Suppressed(Reason::Primary));
        assert_eq!(cells[2], Cell::Suppressed(Reason::Complementary));
        assert_eq!((cells[0], cells[3]), (Cell::Shown(40), Cell::Shown(55)));
    }

    #[test]
    fn off_shows_everything_and_rounding_rounds() {
        assert!(Disclosure::OFF.suppress(&[1, 2, 3], &[(vec![0, 1], 2)]).iter().all(|c| c.value().is_some()));
        let d = Disclosure { rounding: Some(5), ..Disclosure::default() };
        assert_eq!(d.suppress(&[12, 18], &[]), vec![Cell::Shown(10), Cell::Shown(20)]);
    }

    /// An independent check of derivability: `e_cell` is in the row space iff
    /// adding it does not raise the rank.
    fn rank_determined(cell: usize, unknowns: &[usize], margins: &[(Vec<usize>, usize)]) -> bool {
        let col = |i: usize| unknowns.iter().position(|&u| u == i);
        let rows: Vec<Vec<f64>> = margins
            .iter()
            .map(|(parts, total)| {
                let mut row = vec![0.0; unknowns.len()];
                for &p in parts {
                    if let Some(c) = col(p) {
                        row[c] += 1.0;
                    }
                }
                if let Some(c) = col(*total) {
                    row[c] -= 1.0;
                }
                row
            })
            .collect();
        let mut with = rows.clone();
        let mut unit = vec![0.0; unknowns.len()];
        unit[col(cell).unwrap()] = 1.0;
        with.push(unit);
        rank(rows) == rank(with)
    }

    fn rank(mut m: Vec<Vec<f64>>) -> usize {
        let cols = m.first().map_or(0, Vec::len);
        let mut rank = 0;
        for c in 0..cols {
            let Some(p) = (rank..m.len()).max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs())) else { break };
            if m[p][c].abs() < 1e-9 {
                continue;
            }
            m.swap(rank, p);
            let pivot_row = m[rank].clone();
            for (r, row) in m.iter_mut().enumerate() {
                if r != rank {
                    let f = row[c] / pivot_row[c];
                    for (x, p) in row[c..].iter_mut().zip(&pivot_row[c..]) {
                        *x -= f * p;
                    }
                }
            }
            rank += 1;
        }
        rank
    }

    /// A two-way table with row, column and grand totals.
    fn two_way(values: &[Vec<u64>]) -> (Vec<u64>, Vec<(Vec<usize>, usize)>) {
        let (r, c) = (values.len(), values[0].len());
        let idx = |i: usize, j: usize| i * (c + 1) + j;
        let mut counts = vec![0; (r + 1) * (c + 1)];
        for i in 0..r {
            for j in 0..c {
                counts[idx(i, j)] = values[i][j];
                counts[idx(i, c)] += values[i][j];
                counts[idx(r, j)] += values[i][j];
                counts[idx(r, c)] += values[i][j];
            }
        }
        let mut margins = Vec::new();
        for i in 0..=r {
            margins.push(((0..c).map(|j| idx(i, j)).collect(), idx(i, c)));
        }
        for j in 0..=c {
            margins.push(((0..r).map(|i| idx(i, j)).collect(), idx(r, j)));
        }
        (counts, margins)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        /// No withheld value can be derived from the margins of its table.
        #[test]
        fn no_suppressed_value_is_derivable(
            values in (1usize..5, 1usize..5).prop_flat_map(|(r, c)| proptest::collection::vec(proptest::collection::vec(
                prop_oneof![3 => 0u64..5, 2 => 5u64..60], c), r)),
            threshold in 3u64..7,
        ) {
            let (counts, margins) = two_way(&values);
            let d = Disclosure { threshold, ..Disclosure::default() };
            let cells = d.suppress(&counts, &margins);
            let unknowns: Vec<usize> = (0..cells.len()).filter(|&i| cells[i].value().is_none()).collect();
            for &u in &unknowns {
                prop_assert!(!rank_determined(u, &unknowns, &margins), "cell {u} of {counts:?} is derivable: {cells:?}");
            }
            for (parts, total) in &margins {
                let hidden_sum: Option<u64> = parts.iter().filter(|&&i| cells[i].value().is_none()).map(|&i| Some(counts[i])).sum();
                let any_hidden = parts.iter().any(|&i| cells[i].value().is_none());
                if cells[*total].value().is_some() && any_hidden {
                    prop_assert!(hidden_sum.unwrap_or(0) > 0, "withheld parts of a shown total sum to zero: {counts:?} {cells:?}");
                }
            }
            for (i, c) in cells.iter().enumerate() {
                if d.is_small(counts[i]) {
                    prop_assert_eq!(c.reason(), Some(Reason::Primary));
                }
                if let Some(v) = c.value() {
                    prop_assert_eq!(v, counts[i]);
                }
            }
        }
    }
}
