//! Exact repeats of flat-extract rows, found without keeping the rows: a
//! 128-bit hash of each row with its position, scattered into buckets by
//! each worker, then sorted bucket by bucket across workers in parallel.
//! The CSV reader hashes a record's fields as written (every field, used or
//! not), and so does the Arrow reader of a stream (every column in Arrow's
//! row format). The Arrow reader of batches in memory hashes the fields it
//! reads and confirms a candidate against every column of the frame, which
//! it holds anyway. Either way a row repeats another only if every field,
//! used or not, is equal.

/// Bits of a key that hold the row's position (the rest is its hash).
const POSITION_BITS: u32 = 40;

/// The sortable key of a row with hash `hash` at `position` (a line or a
/// row number, below 2⁴⁰).
pub(crate) fn key(hash: u128, position: u64) -> u128 {
    (hash >> POSITION_BITS << POSITION_BITS) | u128::from(position.min((1 << POSITION_BITS) - 1))
}

/// The positions of rows whose hashes are equal, group by group (each in
/// ascending order), from the keys of every worker, on `threads` threads.
pub(crate) fn repeat_groups(parts: Vec<Vec<u128>>, threads: usize) -> Vec<Vec<u64>> {
    let position = |k: u128| (k & ((1 << POSITION_BITS) - 1)) as u64;
    let hash = |k: u128| k >> POSITION_BITS;
    // Each worker's keys are scattered into buckets on their own thread;
    // then each thread sorts a range of buckets, gathered from every part.
    let scattered = crate::exec::map_chunks(&parts, parts.len(), |_, part| bucketed(&part[0]));
    drop(parts);
    let buckets: Vec<usize> = (0..BUCKETS).collect();
    let found = crate::exec::map_chunks(&buckets, threads, |_, range| {
        let mut groups: Vec<Vec<u64>> = Vec::new();
        let mut keys = Vec::new();
        for &b in range {
            keys.clear();
            for (part, starts) in &scattered {
                keys.extend_from_slice(&part[starts[b]..starts[b + 1]]);
            }
            keys.sort_unstable();
            for run in keys.chunk_by(|a, b| hash(*a) == hash(*b)).filter(|run| run.len() > 1) {
                groups.push(run.iter().map(|&k| position(k)).collect());
            }
        }
        groups
    });
    found.into_iter().flatten().collect()
}

/// Top bits of a key that choose its bucket.
const BUCKET_BITS: u32 = 12;
const BUCKETS: usize = 1 << BUCKET_BITS;

/// The keys scattered into buckets by their top bits (uniform: a hash), and
/// where each bucket starts; one counting pass, so the sort of each small
/// bucket is several times faster than a comparison sort of 16-byte keys.
fn bucketed(keys: &[u128]) -> (Vec<u128>, Vec<usize>) {
    let bucket = |k: u128| (k >> (128 - BUCKET_BITS)) as usize;
    let mut starts = vec![0usize; BUCKETS + 1];
    for &k in keys {
        starts[bucket(k) + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut out = vec![0u128; keys.len()];
    let mut next = starts.clone();
    for &k in keys {
        let b = bucket(k);
        out[next[b]] = k;
        next[b] += 1;
    }
    (out, starts)
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
