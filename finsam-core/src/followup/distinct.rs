//! Distinct persons among ended participations, per year nationally, per
//! kön and per förbund, in one sort.
//!
//! The persons of a year are packed into 64-bit keys (person id relative to
//! the year's smallest, then the cell), radix-sorted by the id bits only,
//! and scanned once: each run of equal ids is one person, counted once in
//! the year, once per kön and once per förbund it appears with. Years are
//! sorted on two threads. If the ids and cells do not fit in 64 bits, the
//! year is sorted by comparison instead (same result, slower).

use std::collections::BTreeMap;

use super::{CellKey, Persons};
use crate::engine::radix::{bits, radix_sort};

/// Distinct persons per year, per (year, kön) and per (year, förbund).
#[derive(Debug, Default)]
pub(crate) struct Distinct {
    pub(crate) national: BTreeMap<i32, u64>,
    pub(crate) kon: BTreeMap<(i32, u8), u64>,
    pub(crate) forbund: BTreeMap<(i32, u32), u64>,
}

/// What the scan of one year needs to know of a cell.
struct Cells<'a> {
    keys: &'a [CellKey],
    /// Dense index of each cell's förbund.
    forbund: Vec<u32>,
    forbund_ids: Vec<u32>,
}

/// The counts of one year.
struct YearCounts {
    national: u64,
    kon: [u64; 3],
    forbund: Vec<u64>,
}

pub(crate) fn count(cells: &[CellKey], persons: &Persons) -> Distinct {
    let mut forbund_ids: Vec<u32> = cells.iter().map(|c| c.forbund).collect();
    forbund_ids.sort_unstable();
    forbund_ids.dedup();
    let forbund = cells.iter().map(|c| forbund_ids.partition_point(|&f| f < c.forbund) as u32).collect();
    let cells = Cells { keys: cells, forbund, forbund_ids };
    let mut years: Vec<i32> = cells.keys.iter().map(|c| c.ar).collect();
    years.sort_unstable();
    years.dedup();
    let year_of_cell: Vec<usize> = cells.keys.iter().map(|c| years.partition_point(|&y| y < c.ar)).collect();
    let buckets = bucket_by_year(persons, &year_of_cell, years.len(), cells.keys.len());
    let counts = count_buckets(buckets, &cells);
    let mut out = Distinct::default();
    for (&ar, c) in years.iter().zip(counts) {
        if c.national == 0 {
            continue;
        }
        out.national.insert(ar, c.national);
        for (k, &n) in c.kon.iter().enumerate() {
            if n > 0 {
                out.kon.insert((ar, k as u8), n);
            }
        }
        for (f, &n) in c.forbund.iter().enumerate() {
            if n > 0 {
                out.forbund.insert((ar, cells.forbund_ids[f]), n);
            }
        }
    }
    out
}

/// The persons of one year: packed keys, or pairs if they do not fit.
enum Bucket {
    Packed { keys: Vec<u64>, cell_bits: u32, id_bits: u32 },
    Pairs(Vec<(i64, u32)>),
}

fn bucket_by_year(persons: &Persons, year_of_cell: &[usize], years: usize, cells: usize) -> Vec<Bucket> {
    let mut len = vec![0usize; years];
    let mut range = vec![(i64::MAX, i64::MIN); years];
    for (&id, &cell) in persons.ids.iter().zip(&persons.cells) {
        let y = year_of_cell[cell as usize];
        len[y] += 1;
        range[y] = (range[y].0.min(id), range[y].1.max(id));
    }
    let cell_bits = bits(cells.saturating_sub(1) as u64);
    let mut buckets: Vec<Bucket> = (0..years)
        .map(|y| {
            let (lo, hi) = range[y];
            let id_bits = if len[y] == 0 { 0 } else { bits(hi.wrapping_sub(lo) as u64) };
            if len[y] > 0 && (hi.checked_sub(lo).is_none() || id_bits + cell_bits > 64) {
                Bucket::Pairs(Vec::with_capacity(len[y]))
            } else {
                Bucket::Packed { keys: Vec::with_capacity(len[y]), cell_bits, id_bits }
            }
        })
        .collect();
    for (&id, &cell) in persons.ids.iter().zip(&persons.cells) {
        let y = year_of_cell[cell as usize];
        match &mut buckets[y] {
            Bucket::Packed { keys, cell_bits, .. } => {
                keys.push(((id.wrapping_sub(range[y].0) as u64) << *cell_bits) | u64::from(cell));
            }
            Bucket::Pairs(pairs) => pairs.push((id, cell)),
        }
    }
    buckets
}

/// Counts the buckets on two threads, the largest first to whichever
/// thread has less work.
fn count_buckets(buckets: Vec<Bucket>, cells: &Cells<'_>) -> Vec<YearCounts> {
    let sizes: Vec<usize> = buckets.iter().map(Bucket::len).collect();
    let mut order: Vec<usize> = (0..buckets.len()).collect();
    order.sort_unstable_by_key(|&i| std::cmp::Reverse(sizes[i]));
    let mut lanes: [Vec<(usize, Bucket)>; 2] = [Vec::new(), Vec::new()];
    let mut load = [0usize; 2];
    let mut slots: Vec<Option<Bucket>> = buckets.into_iter().map(Some).collect();
    for i in order {
        let lane = usize::from(load[1] < load[0]);
        load[lane] += sizes[i];
        if let Some(b) = slots[i].take() {
            lanes[lane].push((i, b));
        }
    }
    let [a, b] = lanes;
    let mut results: Vec<(usize, YearCounts)> = std::thread::scope(|scope| {
        let other = scope.spawn(crate::exec::inherit(|| count_lane(b, cells)));
        let mut mine = count_lane(a, cells);
        // A panic in the other lane is a bug; surface it rather than lose counts.
        mine.extend(other.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        mine
    });
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, c)| c).collect()
}

impl Bucket {
    fn len(&self) -> usize {
        match self {
            Bucket::Packed { keys, .. } => keys.len(),
            Bucket::Pairs(p) => p.len(),
        }
    }
}

fn count_lane(lane: Vec<(usize, Bucket)>, cells: &Cells<'_>) -> Vec<(usize, YearCounts)> {
    let mut scratch = Vec::new();
    let mut run: Vec<u32> = Vec::new();
    lane.into_iter()
        .map(|(i, bucket)| {
            let mut counts = YearCounts { national: 0, kon: [0; 3], forbund: vec![0; cells.forbund_ids.len()] };
            match bucket {
                Bucket::Packed { mut keys, cell_bits, id_bits } => {
                    radix_sort(&mut keys, &mut scratch, cell_bits, id_bits);
                    let mask = (1u64 << cell_bits) - 1;
                    let mut start = 0;
                    while start < keys.len() {
                        let id = keys[start] >> cell_bits;
                        let end = start + keys[start..].iter().take_while(|&&k| k >> cell_bits == id).count();
                        run.clear();
                        run.extend(keys[start..end].iter().map(|&k| (k & mask) as u32));
                        count_person(&run, cells, &mut counts);
                        start = end;
                    }
                }
                Bucket::Pairs(mut pairs) => {
                    pairs.sort_unstable();
                    for group in pairs.chunk_by(|a, b| a.0 == b.0) {
                        run.clear();
                        run.extend(group.iter().map(|p| p.1));
                        count_person(&run, cells, &mut counts);
                    }
                }
            }
            (i, counts)
        })
        .collect()
}

/// Counts one person, given the cells of their ended participations.
fn count_person(run: &[u32], cells: &Cells<'_>, counts: &mut YearCounts) {
    counts.national += 1;
    let mut kon_seen = 0u8;
    for (j, &c) in run.iter().enumerate() {
        let kon = cells.keys[c as usize].kon;
        if kon_seen & (1 << kon) == 0 {
            kon_seen |= 1 << kon;
            counts.kon[kon as usize] += 1;
        }
        let f = cells.forbund[c as usize];
        // Runs are a person's participations in one year: a handful, so a
        // look back is cheaper than a set.
        if !run[..j].iter().any(|&p| cells.forbund[p as usize] == f) {
            counts.forbund[f as usize] += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_and_pair_buckets_count_the_same() {
        let cells = [
            CellKey { ar: 2020, forbund: 1, kon: 0 },
            CellKey { ar: 2020, forbund: 2, kon: 0 },
            CellKey { ar: 2020, forbund: 1, kon: 1 },
            CellKey { ar: 2021, forbund: 1, kon: 1 },
        ];
        let persons = |ids: [i64; 6]| Persons { ids: ids.to_vec(), cells: vec![0, 1, 2, 0, 3, 3] };
        let small = count(&cells, &persons([5, 5, 6, 7, 5, 6]));
        let huge = count(&cells, &persons([i64::MIN, i64::MIN, 0, i64::MAX, i64::MIN, 0]));
        for d in [&small, &huge] {
            assert_eq!(d.national, BTreeMap::from([(2020, 3), (2021, 2)]));
            assert_eq!(d.kon, BTreeMap::from([((2020, 0), 2), ((2020, 1), 1), ((2021, 1), 2)]));
            assert_eq!(d.forbund, BTreeMap::from([((2020, 1), 3), ((2020, 2), 1), ((2021, 1), 2)]));
        }
    }
}
