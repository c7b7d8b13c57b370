//! The disclosure solver on arbitrary tables with margins (a two-way table
//! with row, column and grand totals, or a hierarchy of subtotals), checked
//! against an independent oracle: every small count is withheld, shown
//! counts are the counts, and no withheld cell is derivable, neither
//! linearly from the margins (it would lie in the row space of the margin
//! equations over the withheld cells, decided with exact integer
//! elimination) nor by non-negativity (withheld parts of a margin that must
//! sum to zero).
#![no_main]

use finsam_core::disclosure::Disclosure;
use libfuzzer_sys::fuzz_target;

type Margins = Vec<(Vec<usize>, usize)>;

/// A two-way table r × c: cells row-major, then row totals, column totals, grand total.
fn two_way(r: usize, c: usize, inner: &[u64]) -> (Vec<u64>, Margins) {
    let mut counts = inner.to_vec();
    let row_total = |i: usize| r * c + i;
    let col_total = |j: usize| r * c + r + j;
    let grand = r * c + r + c;
    counts.extend((0..r).map(|i| (0..c).map(|j| inner[i * c + j]).sum::<u64>()));
    counts.extend((0..c).map(|j| (0..r).map(|i| inner[i * c + j]).sum::<u64>()));
    counts.push(inner.iter().sum());
    let mut margins: Margins = Vec::new();
    for i in 0..r {
        margins.push(((0..c).map(|j| i * c + j).collect(), row_total(i)));
    }
    for j in 0..c {
        margins.push(((0..r).map(|i| i * c + j).collect(), col_total(j)));
    }
    margins.push(((0..r).map(row_total).collect(), grand));
    margins.push(((0..c).map(col_total).collect(), grand));
    (counts, margins)
}

/// Groups of leaves with a subtotal each, and a total of the subtotals.
fn hierarchy(groups: &[usize], leaves: &[u64]) -> (Vec<u64>, Margins) {
    let mut counts = leaves.to_vec();
    let mut margins: Margins = Vec::new();
    let mut start = 0;
    let mut subtotals = Vec::new();
    for &g in groups {
        let parts: Vec<usize> = (start..start + g).collect();
        counts.push(parts.iter().map(|&i| leaves[i]).sum());
        subtotals.push(counts.len() - 1);
        margins.push((parts, counts.len() - 1));
        start += g;
    }
    counts.push(subtotals.iter().map(|&i| counts[i]).sum());
    margins.push((subtotals, counts.len() - 1));
    (counts, margins)
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

/// The rank of integer rows, by exact elimination; `None` on overflow.
fn rank(mut rows: Vec<Vec<i128>>) -> Option<usize> {
    let cols = rows.first().map_or(0, Vec::len);
    let mut rank = 0;
    for col in 0..cols {
        let Some(p) = (rank..rows.len()).find(|&i| rows[i][col] != 0) else { continue };
        rows.swap(rank, p);
        for i in rank + 1..rows.len() {
            if rows[i][col] == 0 {
                continue;
            }
            let (a, b) = (rows[rank][col], rows[i][col]);
            let mut g = 0;
            for k in 0..cols {
                let v = rows[i][k].checked_mul(a)?.checked_sub(rows[rank][k].checked_mul(b)?)?;
                rows[i][k] = v;
                g = gcd(g, v);
            }
            if g > 1 {
                rows[i].iter_mut().for_each(|v| *v /= g);
            }
        }
        rank += 1;
    }
    Some(rank)
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else { return };
    let Some((&threshold, rest)) = rest.split_first() else { return };
    let (counts, margins) = if control % 2 == 0 {
        let (r, c) = (1 + usize::from(control >> 1) % 4, 1 + usize::from(control >> 3) % 4);
        if rest.len() < r * c {
            return;
        }
        let inner: Vec<u64> = rest[..r * c].iter().map(|&b| u64::from(b % 24)).collect();
        two_way(r, c, &inner)
    } else {
        let groups: Vec<usize> = (0..1 + usize::from(control >> 1) % 3).map(|i| 1 + usize::from(control >> (3 + i)) % 3).collect();
        let n: usize = groups.iter().sum();
        if rest.len() < n {
            return;
        }
        let leaves: Vec<u64> = rest[..n].iter().map(|&b| u64::from(b % 24)).collect();
        hierarchy(&groups, &leaves)
    };
    let d = Disclosure { enabled: true, threshold: u64::from(threshold % 8), show_zeros: control & 0x80 != 0, rounding: None };
    let cells = d.suppress(&counts, &margins);
    assert_eq!(cells.len(), counts.len());
    for (i, cell) in cells.iter().enumerate() {
        match cell.value() {
            Some(v) => {
                assert_eq!(v, counts[i], "a shown cell is its count");
                assert!(!d.is_small(counts[i]), "cell {i} ({}) is small but shown", counts[i]);
            }
            None => {}
        }
    }
    // The withheld cells are the unknowns; each margin is an equation over them.
    let hidden: Vec<usize> = (0..cells.len()).filter(|&i| cells[i].value().is_none()).collect();
    if hidden.is_empty() {
        return;
    }
    let position = |i: usize| hidden.iter().position(|&h| h == i);
    let equations: Vec<Vec<i128>> = margins
        .iter()
        .map(|(parts, total)| {
            let mut row = vec![0i128; hidden.len()];
            for &p in parts {
                if let Some(k) = position(p) {
                    row[k] += 1;
                }
            }
            if let Some(k) = position(*total) {
                row[k] -= 1;
            }
            row
        })
        .filter(|row| row.iter().any(|&v| v != 0))
        .collect();
    let Some(base) = rank(equations.clone()) else { return };
    for (k, &cell) in hidden.iter().enumerate() {
        let mut with = equations.clone();
        let mut unit = vec![0i128; hidden.len()];
        unit[k] = 1;
        with.push(unit);
        let Some(r) = rank(with) else { return };
        assert!(r > base, "withheld cell {cell} is derivable from the margins: {counts:?} {margins:?} {cells:?}");
    }
    // Non-negativity: withheld parts under a shown total that must sum to zero.
    for (parts, total) in &margins {
        if cells[*total].value().is_none() {
            continue;
        }
        let withheld: Vec<usize> = parts.iter().copied().filter(|&p| cells[p].value().is_none()).collect();
        let rest: u64 = withheld.iter().map(|&p| counts[p]).sum();
        assert!(
            withheld.is_empty() || rest > 0,
            "withheld cells {withheld:?} must be zero given their shown total: {counts:?} {margins:?} {cells:?}"
        );
    }
});
