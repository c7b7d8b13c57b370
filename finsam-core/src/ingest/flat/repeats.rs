//! Exact repeats of flat-extract rows, found without keeping the rows: a
//! 128-bit hash of each row with its position; the hashes pass a bitmap
//! filter, and only the few that may repeat another are sorted.
//! The CSV reader hashes a record's fields as written (every field, used or
//! not), and so does the Arrow reader of a stream (every column in Arrow's
//! row format). The Arrow reader of batches in memory hashes the fields it
//! reads and confirms a candidate against every column of the frame, which
//! it holds anyway. Either way a row repeats another only if every field,
//! used or not, is equal.

use std::sync::atomic::{AtomicU64, Ordering};

/// Bits of a key that hold the row's position (the rest is its hash).
const POSITION_BITS: u32 = 40;

/// The sortable key of a row with hash `hash` at `position` (a line or a
/// row number, below 2⁴⁰).
pub(crate) fn key(hash: u128, position: u64) -> u128 {
    (hash >> POSITION_BITS << POSITION_BITS) | u128::from(position.min((1 << POSITION_BITS) - 1))
}

/// The positions of rows whose hashes are equal, group by group (each in
/// ascending order), from the keys of every worker; `threads` threads mark
/// and pick the candidates.
///
/// Nearly every row is unique, so the keys are not sorted: each marks the
/// slot of its hash in a bitmap (16 to 32 slots per key; a second bitmap of
/// the same size marks slots hit twice), the keys whose slot another key
/// hit too are the candidates (the repeats and a few per cent of chance
/// neighbours), and only those are sorted and grouped, on one thread.
/// Beyond 2³¹ slots (some 130 million rows) the share of chance neighbours
/// grows, and with it the sort; the result is the same.
pub(crate) fn repeat_groups(parts: Vec<Vec<u128>>, threads: usize) -> Vec<Vec<u64>> {
    let position = |k: u128| (k & ((1 << POSITION_BITS) - 1)) as u64;
    let hash = |k: u128| k >> POSITION_BITS;
    let slices: Vec<&[u128]> = parts.iter().flat_map(|part| part.chunks(1 << 16)).collect();
    let filter = HashFilter::for_keys(parts.iter().map(Vec::len).sum());
    crate::exec::map_chunks(&slices, threads, |_, share| {
        share.iter().for_each(|s| s.iter().for_each(|&k| filter.mark(k)))
    });
    let found = crate::exec::map_chunks(&slices, threads, |_, share| {
        share.iter().flat_map(|s| s.iter().copied().filter(|&k| filter.marked_twice(k))).collect::<Vec<u128>>()
    });
    drop(slices);
    drop(parts);
    let mut candidates: Vec<u128> = found.into_iter().flatten().collect();
    candidates.sort_unstable();
    candidates
        .chunk_by(|a, b| hash(*a) == hash(*b))
        .filter(|run| run.len() > 1)
        .map(|run| run.iter().map(|&k| position(k)).collect())
        .collect()
}

/// Which hashes were seen once and which more than once, one bit each per
/// slot of the top bits of the hash (shared by the threads that mark it).
struct HashFilter {
    slot_bits: u32,
    seen: Vec<AtomicU64>,
    twice: Vec<AtomicU64>,
}

impl HashFilter {
    /// A filter of about 16 slots per key (so some 6 % of unique keys share
    /// a slot by chance), from 2¹⁶ to 2³¹ slots.
    fn for_keys(keys: usize) -> HashFilter {
        let slots = (keys.saturating_mul(16)).next_power_of_two().clamp(1 << 16, 1 << 31);
        let words = || (0..slots / 64).map(|_| AtomicU64::new(0)).collect();
        HashFilter { slot_bits: slots.trailing_zeros(), seen: words(), twice: words() }
    }

    /// The word and bit of the slot of key `k` (the top bits of its hash).
    fn slot(&self, k: u128) -> (usize, u64) {
        let slot = (k >> (128 - self.slot_bits)) as usize;
        (slot / 64, 1 << (slot % 64))
    }

    fn mark(&self, k: u128) {
        let (word, bit) = self.slot(k);
        if self.seen[word].fetch_or(bit, Ordering::Relaxed) & bit != 0 {
            self.twice[word].fetch_or(bit, Ordering::Relaxed);
        }
    }

    fn marked_twice(&self, k: u128) -> bool {
        let (word, bit) = self.slot(k);
        self.twice[word].load(Ordering::Relaxed) & bit != 0
    }
}

/// The positions (first, second) of the repeat whose second row comes
/// first, among the `groups` of equal hashes, where `same` confirms that
/// two rows are equal (a hash of all fields needs no confirmation).
pub(crate) fn first_repeat(groups: &[Vec<u64>], same: impl Fn(u64, u64) -> bool) -> Option<(u64, u64)> {
    let mut best: Option<(u64, u64)> = None;
    for g in groups {
        'later: for (j, &second) in g.iter().enumerate().skip(1) {
            if best.is_some_and(|(_, s)| s <= second) {
                break;
            }
            for &first in &g[..j] {
                if same(first, second) {
                    best = Some((first, second));
                    break 'later;
                }
            }
        }
    }
    best
}

/// A 128-bit hash of a few whole numbers (the parsed fields of a row): two
/// independent lanes, each folding two numbers per multiplication.
#[cfg(feature = "arrow")]
pub(crate) fn words_hash(words: &[u64]) -> u128 {
    let (mut a, mut b) = (K[0] ^ words.len() as u64, K[1]);
    for pair in words.chunks(2) {
        let (x, y) = (pair[0], pair.get(1).copied().unwrap_or(K[3]));
        a = mix(a ^ x, K[2] ^ y);
        b = mix(b ^ y, K[3] ^ x);
    }
    finish(a, b)
}

/// A 128-bit hash of a CSV record (its fields joined by the delimiter, and
/// their lengths, so that a quoted delimiter cannot make two records one):
/// two rows of a file of 10 million share 88 bits by chance with a
/// probability near 10⁻¹³.
pub(crate) fn record_hash(joined: &[u8], fields: &[(usize, usize)]) -> u128 {
    let lengths =
        fields.iter().fold(fields.len() as u64, |h, &(s, e)| h.wrapping_mul(K[0]).wrapping_add((e - s) as u64));
    bytes_hash(joined, lengths)
}

/// A 128-bit hash of a row in Arrow's row format (every column, used or
/// not), which needs no confirmation.
#[cfg(feature = "arrow")]
pub(crate) fn row_hash(row: &[u8]) -> u128 {
    bytes_hash(row, K[2])
}

const K: [u64; 4] = [0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344, 0xa409_3822_299f_31d0, 0x082e_fa98_ec4e_6c89];

/// Two lanes of folded multiplication over 16-byte chunks, seeded with the
/// length and `salt`.
fn bytes_hash(bytes: &[u8], salt: u64) -> u128 {
    let word = |b: &[u8]| {
        let mut w = [0u8; 8];
        w[..b.len()].copy_from_slice(b);
        u64::from_le_bytes(w)
    };
    let (mut a, mut b) = (K[0] ^ bytes.len() as u64, K[1] ^ salt);
    for chunk in bytes.chunks(16) {
        let (x, y) = chunk.split_at(chunk.len().min(8));
        let (x, y) = (word(x), word(y));
        a = mix(a ^ x, K[2] ^ y);
        b = mix(b ^ y, K[3] ^ x);
    }
    finish(a, b)
}

/// Folded multiplication: the high and low halves of the product, xored.
#[inline]
fn mix(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// Mixes the two lanes into one 128-bit hash.
fn finish(a: u64, b: u64) -> u128 {
    let (a, b) = (mix(a ^ K[3], b ^ K[1]), mix(b ^ K[2], a ^ K[0]));
    (u128::from(a) << 64) | u128::from(b)
}
