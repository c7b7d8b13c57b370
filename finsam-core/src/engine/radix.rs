//! Least-significant-digit radix sorting of 64-bit keys: the sort behind
//! every distinct count of persons. Person ids are dense enough that two or
//! three passes of up to 12 bits replace a comparison sort of millions of
//! ids (measured with `cargo bench -p finsam-benches --bench report`).

/// Sorts `keys` by bits `lo .. lo + width` (least significant digit first,
/// stable, up to 12 bits per pass); the bits below `lo` are carried along.
/// `scratch` is reused between calls.
pub(crate) fn radix_sort(keys: &mut Vec<u64>, scratch: &mut Vec<u64>, lo: u32, width: u32) {
    if width == 0 || keys.len() < 2 {
        return;
    }
    let passes = width.div_ceil(12);
    let digit = width.div_ceil(passes);
    let radix = 1usize << digit;
    let mask = (radix - 1) as u64;
    scratch.clear();
    scratch.resize(keys.len(), 0);
    let mut counts = vec![0usize; radix];
    for pass in 0..passes {
        let shift = lo + pass * digit;
        counts.iter_mut().for_each(|c| *c = 0);
        for &k in keys.iter() {
            counts[((k >> shift) & mask) as usize] += 1;
        }
        let mut sum = 0;
        for c in counts.iter_mut() {
            let n = *c;
            *c = sum;
            sum += n;
        }
        for &k in keys.iter() {
            let d = ((k >> shift) & mask) as usize;
            scratch[counts[d]] = k;
            counts[d] += 1;
        }
        std::mem::swap(keys, scratch);
    }
}

/// The number of bits needed to write `n`.
pub(crate) fn bits(n: u64) -> u32 {
    64 - n.leading_zeros()
}

/// Sorts `values` ascending and removes repeats. Sorted inputs are only
/// deduplicated; small ones take the comparison sort; large ones are offset
/// by their minimum and radix-sorted on the bits their range needs.
pub(crate) fn sort_dedup(values: &mut Vec<u64>) {
    const RADIX_FROM: usize = 4096;
    if values.is_sorted() {
        // Built from rows in person order: nothing to sort.
    } else if values.len() < RADIX_FROM {
        values.sort_unstable();
    } else {
        let (min, max) = values.iter().fold((u64::MAX, 0), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        values.iter_mut().for_each(|v| *v -= min);
        let mut scratch = Vec::new();
        radix_sort(values, &mut scratch, 0, bits(max - min));
        values.iter_mut().for_each(|v| *v += min);
    }
    values.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_sort_orders_by_the_selected_bits_only() {
        let mut keys: Vec<u64> = (0..5000u64).map(|i| (i * 7919 % 5000) << 3 | (i % 8)).collect();
        let mut scratch = Vec::new();
        radix_sort(&mut keys, &mut scratch, 3, 13);
        assert!(keys.windows(2).all(|w| w[0] >> 3 <= w[1] >> 3));
    }

    #[test]
    fn sort_dedup_agrees_with_the_comparison_sort_on_small_and_large_ranges() {
        for (n, spread) in [(10usize, 7u64), (5000, 7), (20_000, 1 << 20), (20_000, u64::MAX / 3)] {
            let mut values: Vec<u64> =
                (0..n as u64).map(|i| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) % spread) + u64::MAX / 2).collect();
            values.push(u64::MAX);
            values.push(0);
            let mut expected = values.clone();
            expected.sort_unstable();
            expected.dedup();
            sort_dedup(&mut values);
            assert_eq!(values, expected, "n = {n}, spread = {spread}");
        }
    }
}
