//! Exact repeats of flat-extract rows, found without keeping the rows: a
//! 128-bit hash of each row's fields with its position, sorted per worker,
//! and merged at the end. The CSV reader hashes a record's fields as
//! written; the Arrow reader the row-format bytes of every column, so in
//! both a row repeats another only if every field, used or not, is equal.

/// Bits of a key that hold the row's position (the rest is its hash).
const POSITION_BITS: u32 = 40;

/// The sortable key of a row with hash `hash` at `position` (a line or a
/// row number, below 2⁴⁰).
pub(crate) fn key(hash: u128, position: u64) -> u128 {
    (hash >> POSITION_BITS << POSITION_BITS) | u128::from(position.min((1 << POSITION_BITS) - 1))
}

/// The positions (first, second) of the exact repeat whose second row comes
/// first, from the sorted keys of each worker.
pub(crate) fn first_duplicate(keys: Vec<&[u128]>) -> Option<(u64, u64)> {
    let position = |k: u128| (k & ((1 << POSITION_BITS) - 1)) as u64;
    let hash = |k: u128| k >> POSITION_BITS;
    // A merge of the sorted runs: equal hashes meet, in position order.
    let mut heads: Vec<&[u128]> = keys.into_iter().filter(|k| !k.is_empty()).collect();
    let mut best: Option<(u64, u64)> = None;
    let mut previous: Option<u128> = None;
    let mut group_first = 0u64;
    while let Some((i, _)) = heads.iter().enumerate().min_by_key(|(_, h)| h[0]) {
        let key = heads[i][0];
        heads[i] = &heads[i][1..];
        if heads[i].is_empty() {
            heads.swap_remove(i);
        }
        match previous {
            Some(p) if hash(p) == hash(key) => {
                // The second of a group is its earliest repeat.
                if position(p) == group_first && best.is_none_or(|(_, s)| position(key) < s) {
                    best = Some((group_first, position(key)));
                }
            }
            _ => group_first = position(key),
        }
        previous = Some(key);
    }
    best
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

/// A 128-bit hash of self-delimiting bytes (an Arrow row-format row).
#[cfg(feature = "arrow")]
pub(crate) fn row_hash(bytes: &[u8]) -> u128 {
    bytes_hash(bytes, 0)
}

const K: [u64; 4] = [0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344, 0xa409_3822_299f_31d0, 0x082e_fa98_ec4e_6c89];

/// Two lanes of folded multiplication over 16-byte chunks, seeded with the
/// length and `salt`.
fn bytes_hash(bytes: &[u8], salt: u64) -> u128 {
    #[inline]
    fn mix(a: u64, b: u64) -> u64 {
        let p = u128::from(a) * u128::from(b);
        (p as u64) ^ ((p >> 64) as u64)
    }
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
    let (a, b) = (mix(a ^ K[3], b ^ K[1]), mix(b ^ K[2], a ^ K[0]));
    (u128::from(a) << 64) | u128::from(b)
}
