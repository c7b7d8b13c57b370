//! The multiplier bootstrap of `did` (`mboot`, `BMisc::multiplier_bootstrap`):
//! each draw multiplies every unit's influence by a Mammen weight and
//! averages; standard errors are the draws' interquartile range over that
//! of the normal, and the simultaneous critical value is the `level`
//! quantile of the largest standardised draw across columns (sup-t).
//!
//! The weight of unit `i` in draw `b` is a hash of `(seed, b, i)`, so a
//! draw can be regenerated for any block of units: the draws run over the
//! units in blocks, in parallel, without a draws × units matrix, and the
//! same seed gives the same result whatever the number of threads.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::{AttGt, Bootstrap, CHUNK, Combination, SE_FLOOR};
use crate::stats;

/// The standard errors and critical value of a bootstrap.
pub(super) struct Draws {
    /// Per column; `None` for a degenerate one (all draws ~0).
    pub se: Vec<Option<f64>>,
    /// The simultaneous critical value over the non-degenerate columns.
    pub critical_value: Option<f64>,
}

/// Runs the bootstrap of `columns`.
pub(super) fn run(result: &AttGt, columns: &[Combination], b: Bootstrap) -> Draws {
    let n = result.panel.n;
    let k = columns.len();
    let iters = b.iterations;
    let sums = draw_sums(result, columns, b);
    // R's bres: √n × the mean of IF·v, i.e. Σ IF·v / √n.
    let root_n = (n as f64).sqrt();
    let bres: Vec<f64> = sums.iter().map(|s| s / root_n).collect();
    let iqr_normal = stats::z(0.75) - stats::z(0.25);
    let mut sigma: Vec<Option<f64>> = Vec::with_capacity(k);
    let mut column = vec![0.0; iters];
    for j in 0..k {
        for (bi, c) in column.iter_mut().enumerate() {
            *c = bres[bi * k + j];
        }
        let energy: f64 = column.iter().map(|v| v * v).sum();
        if energy <= SE_FLOOR {
            sigma.push(None);
            continue;
        }
        column.sort_by(f64::total_cmp);
        let s = (quantile_type1(&column, 0.75) - quantile_type1(&column, 0.25)) / iqr_normal;
        sigma.push((s > SE_FLOOR).then_some(s));
    }
    let se = sigma.iter().map(|s| s.map(|s| s / root_n)).collect();
    let mut sup: Vec<f64> = (0..iters)
        .filter_map(|bi| {
            (0..k)
                .filter_map(|j| sigma[j].map(|s| (bres[bi * k + j] / s).abs()))
                .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
        })
        .collect();
    sup.sort_by(f64::total_cmp);
    let critical_value = (!sup.is_empty()).then(|| quantile_type1(&sup, result.options.level));
    Draws { se, critical_value }
}

/// Segments of units whose draw sums are added in a fixed order, so that
/// the result is the same bit for bit whatever the number of threads.
const SEGMENTS: usize = 8;

/// `Σ_i IF_j,i · v_b,i` for every draw `b` and column `j` (row-major
/// draws × columns): the units are cut into [`SEGMENTS`] contiguous
/// segments, summed block by block in parallel over segments, and the
/// segments' sums are added in order.
fn draw_sums(result: &AttGt, columns: &[Combination], b: Bootstrap) -> Vec<f64> {
    let n = result.panel.n;
    let k = columns.len();
    let per_segment = n.div_ceil(SEGMENTS).max(1);
    let segments = n.div_ceil(per_segment);
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(segments).max(1);
    let mut done: Vec<(usize, Vec<f64>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(crate::exec::inherit(|| {
                    let mut out = Vec::new();
                    loop {
                        let s = next.fetch_add(1, Ordering::Relaxed);
                        if s >= segments {
                            break out;
                        }
                        let units = s * per_segment..((s + 1) * per_segment).min(n);
                        out.push((s, segment_sums(result, columns, b, units)));
                    }
                }))
            })
            .collect();
        // A worker that panicked takes the bootstrap with it (never draws missing from its sums).
        crate::exec::join_all(handles).into_iter().flatten().collect()
    });
    done.sort_by_key(|(s, _)| *s);
    let mut sums = vec![0.0; b.iterations * k];
    for (_, part) in done {
        for (s, v) in sums.iter_mut().zip(part) {
            *s += v;
        }
    }
    sums
}

/// The draw sums over one segment of units, block by block.
fn segment_sums(result: &AttGt, columns: &[Combination], b: Bootstrap, units: std::ops::Range<usize>) -> Vec<f64> {
    let k = columns.len();
    let mut acc = vec![0.0; b.iterations * k];
    let width = CHUNK.min(units.len());
    let mut block = vec![0.0; k * width];
    let mut v = vec![0.0; width];
    for start in units.clone().step_by(CHUNK) {
        let len = (start + CHUNK).min(units.end) - start;
        for (j, comb) in columns.iter().enumerate() {
            result.influence(comb, start..start + len, &mut block[j * len..(j + 1) * len]);
        }
        for draw in 0..b.iterations {
            for (o, i) in v[..len].iter_mut().zip(start..) {
                *o = mammen(b.seed, draw as u64, i as u64);
            }
            for j in 0..k {
                let col = &block[j * len..(j + 1) * len];
                acc[draw * k + j] += col.iter().zip(&v[..len]).map(|(x, w)| x * w).sum::<f64>();
            }
        }
    }
    acc
}

/// R's `quantile(type = 1)` of sorted values: the smallest value with at
/// least a share `p` of the values at or below it.
fn quantile_type1(sorted: &[f64], p: f64) -> f64 {
    let m = sorted.len();
    // R's fuzz guards against `m · p` landing a hair above a whole number.
    let k = ((m as f64 * p) - 4.0 * f64::EPSILON * m as f64).ceil().max(1.0) as usize;
    sorted[k.min(m) - 1]
}

/// The Mammen weight of unit `i` in draw `b`: `(1 − √5)/2` with
/// probability `(√5 + 1)/(2√5)`, else `(1 + √5)/2` (mean 0, variance 1).
fn mammen(seed: u64, b: u64, i: u64) -> f64 {
    let s5 = 5f64.sqrt();
    let h = splitmix(splitmix(seed ^ splitmix(b.wrapping_mul(0x9E37_79B9_7F4A_7C15))) ^ i);
    let u = (h >> 11) as f64 / (1u64 << 53) as f64;
    if u < (s5 + 1.0) / (2.0 * s5) { (1.0 - s5) / 2.0 } else { (1.0 + s5) / 2.0 }
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mammen_weights_have_mean_zero_and_variance_one() {
        let draws: Vec<f64> = (0..200_000).map(|i| mammen(7, 3, i)).collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let var = draws.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / draws.len() as f64;
        assert!(mean.abs() < 0.01 && (var - 1.0).abs() < 0.01, "{mean} {var}");
    }

    #[test]
    fn type1_quantile_is_r_s() {
        // R: quantile(1:10, c(.25, .75, .95), type = 1) = 3, 8, 10
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!([quantile_type1(&x, 0.25), quantile_type1(&x, 0.75), quantile_type1(&x, 0.95)], [3.0, 8.0, 10.0]);
    }
}
