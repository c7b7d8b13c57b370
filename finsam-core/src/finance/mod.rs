//! Money: the parties' split of a förbund's budget (law §5) and the state's
//! allocation among förbund (domain.md §6).
//!
//! Every amount is integer öre ([`Ore`]) and never passes through floating
//! point. Where an amount is divided, [`apportion`] gives integer parts that
//! sum exactly to it (the largest-remainder method), so a table of parts
//! always adds up to its total.
//!
//! ```
//! use finsam_core::{finance::apportion, Ore};
//! // 100.01 kr split 2 : 1 : 1 (the state, the region, the kommuner).
//! let parts = apportion(Ore(10_001), &[2, 1, 1])?;
//! assert_eq!(parts, vec![Ore(5_001), Ore(2_500), Ore(2_500)]);
//! # Ok::<(), finsam_core::Error>(())
//! ```

pub mod allocation;
pub mod split;

pub use crate::model::AllocationInput;
pub use allocation::{Allocation, AllocationParams, AllocationRow, EquityRule, EquityStep, allocate};
pub use split::{Betalare, Contribution, FinancingSplit, KommunBasis, financing, split_budget};

use crate::error::{Error, Result};
use crate::model::Ore;

/// Integer parts of `total` in proportion to `weights`, summing exactly to
/// `total`: each part is the whole öre of its exact quota, and the öre left
/// over go one each to the largest remainders (ties to the earlier weight).
///
/// # Formula
/// quota_i = total · w_i / Σw; part_i = ⌊quota_i⌋ + (1 if i is among the
/// `total − Σ⌊quota⌋` largest remainders). Exact in 128-bit integers.
///
/// # Examples
/// ```
/// use finsam_core::{finance::apportion, Ore};
/// assert_eq!(apportion(Ore(100), &[1, 1, 1])?, vec![Ore(34), Ore(33), Ore(33)]);
/// assert_eq!(apportion(Ore(0), &[5, 0])?, vec![Ore(0), Ore(0)]);
/// assert!(apportion(Ore(100), &[0, 0]).is_err());
/// # Ok::<(), finsam_core::Error>(())
/// ```
///
/// # Errors
/// `invalid_argument` if `total` is negative, positive while every weight
/// is 0, or so large with a weight that the exact product overflows 128 bits.
pub fn apportion(total: Ore, weights: &[u128]) -> Result<Vec<Ore>> {
    if total.0 < 0 {
        return Err(Error::InvalidArgument { name: "total", message: format!("{total} kr is negative") });
    }
    let sum: u128 = weights.iter().sum();
    if total.0 == 0 {
        return Ok(vec![Ore(0); weights.len()]);
    }
    if sum == 0 {
        return Err(Error::InvalidArgument {
            name: "weights",
            message: format!("{total} kr cannot be split by weights that are all 0"),
        });
    }
    let t = total.0 as u128;
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        // t < 2^63, so t · w fits whenever w < 2^65; larger weights are refused
        // rather than rounded into a wrong amount.
        let exact = t.checked_mul(w).ok_or_else(|| Error::InvalidArgument {
            name: "weights",
            message: format!("weight {w} is too large to split {total} kr exactly"),
        })?;
        parts.push((exact / sum) as i64);
        remainders.push((exact % sum, i));
    }
    let short = total.0 - parts.iter().sum::<i64>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take(short as usize) {
        parts[i] += 1;
    }
    Ok(parts.into_iter().map(Ore).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_sum_to_the_total_and_follow_the_weights() {
        let parts = apportion(Ore(1_000_003), &[3, 7, 0, 11]).unwrap();
        assert_eq!(parts.iter().map(|p| p.0).sum::<i64>(), 1_000_003);
        assert_eq!(parts[2], Ore(0));
        // Exact quotas 142857.57, 333334.33, 0, 523810.95: the two öre left go to the largest remainders.
        assert_eq!(parts, vec![Ore(142_858), Ore(333_334), Ore(0), Ore(523_811)]);
    }

    #[test]
    fn negative_totals_and_overflowing_weights_are_rejected() {
        assert_eq!(apportion(Ore(-1), &[1]).unwrap_err().code(), "invalid_argument");
        assert_eq!(apportion(Ore(i64::MAX), &[u128::MAX / 2, 1]).unwrap_err().code(), "invalid_argument");
    }
}
