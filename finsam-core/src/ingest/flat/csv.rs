//! Reading a flat extract from CSV: blocks of whole records are parsed on
//! worker threads straight into [`Rows`] and folded into per-thread states,
//! which are merged at the end. Memory stays at a few blocks plus the state
//! (and 16 bytes a row to find exact duplicates), whatever the size of the
//! file.
//!
//! The file is read as the contract reader reads CSV: headers folded,
//! unused columns ignored, blank lines skipped, and quoted fields may hold
//! the delimiter, quotes (`""`) and line breaks. A block without a quote is
//! cut at its last line break and split by hand (the fast path); a block
//! with one is cut and parsed by the `csv` crate's record parser, the same
//! as the contract reader's.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use super::repeats::{first_repeat, key, record_hash, repeat_groups};
use super::{CodeMemo, FlatSink, NO_DATE, NO_DAYS, NO_STATUS, Rows, code_error, decode_field, flat_columns};
use crate::Date;
use crate::error::{Error, Location, Result};
use crate::model::{Avslutsanledning, Dagar, Ersattningsgrupp, Kon, Utfall};

/// Options of the flat CSV reader ([`Extract::from_csv`](crate::engine::Extract::from_csv),
/// [`Partial::from_csv`](crate::engine::Partial::from_csv)).
///
/// ```
/// use finsam_core::ingest::flat::FlatCsvOptions;
/// let options = FlatCsvOptions { delimiter: Some(b','), ..FlatCsvOptions::default() };
/// assert_eq!(options.threads, 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlatCsvOptions {
    /// The field delimiter; `None` detects `;`, `,` or tab from the header.
    pub delimiter: Option<u8>,
    /// Worker threads parsing blocks (at least 1).
    pub threads: usize,
    /// Bytes read per block.
    pub block_size: usize,
}

impl Default for FlatCsvOptions {
    fn default() -> Self {
        FlatCsvOptions { delimiter: None, threads: 2, block_size: 4 << 20 }
    }
}

/// What each field of a line is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Id,
    Forbund,
    Kon,
    Start,
    Slut,
    Status,
    Avslutsanledning,
    Days { group: usize, after: bool },
    Ignore,
}

/// The header, resolved.
struct Layout {
    source: String,
    delimiter: u8,
    headers: Vec<String>,
    roles: Vec<Role>,
    groups: Vec<Ersattningsgrupp>,
    /// Whether the header has an `avslutsanledning` column.
    avslut_known: bool,
}

/// A block of whole records and the line number of its first.
struct Block {
    bytes: Vec<u8>,
    first_line: u64,
}

/// What a worker hands back: its state, the duplicate keys of its rows
/// and the lines of its blocks that start no record.
struct Part<S> {
    state: S,
    keys: Vec<u128>,
    skipped: Vec<u64>,
}

/// Reads a flat extract from any reader into the sink `S` (see
/// [`FlatSink`]); `source` names it in errors.
pub(crate) fn read_csv<S: FlatSink>(
    reader: impl Read,
    source: &str,
    options: &FlatCsvOptions,
    plan: &S::Plan,
) -> Result<S> {
    let mut reader = crate::exec::Counted::new(reader);
    {
        let io = |e| Error::Io { path: source.to_owned(), source: e };
        let block_size = options.block_size.max(1 << 12);
        let mut carry: Vec<u8> = Vec::new();
        let eof = fill(&mut reader, &mut carry, block_size).map_err(io)?;
        crate::ingest::csv::refuse_binary(&carry, source)?;
        let header_end = carry.iter().position(|&b| b == b'\n').unwrap_or(carry.len());
        let layout = layout(&carry[..header_end], source, options.delimiter)?;
        carry.drain(..(header_end + 1).min(carry.len()));
        let threads = options.threads.max(1);
        let (sender, receiver) = mpsc::sync_channel::<Block>(threads * 2);
        // Only the workers hold the receiver: once every one has stopped,
        // sending fails instead of blocking on a full channel.
        let receiver = Arc::new(Mutex::new(receiver));
        let receivers: Vec<_> = (0..threads).map(|_| Arc::clone(&receiver)).collect();
        drop(receiver);
        let failed = AtomicBool::new(false);
        let results: Vec<Result<Part<S>>> = std::thread::scope(|scope| {
            let workers: Vec<_> = receivers
                .into_iter()
                .map(|receiver| {
                    let (layout, failed) = (&layout, &failed);
                    scope.spawn(crate::exec::inherit(move || worker::<S>(&receiver, layout, failed, plan)))
                })
                .collect();
            let read = feed(&mut reader, carry, eof, block_size, layout.delimiter, &sender, &failed).map_err(io);
            drop(sender);
            // A worker that panicked is a bug: its panic reaches the caller,
            // never a result without its rows.
            let mut results: Vec<Result<Part<S>>> = crate::exec::join_all(workers);
            if let Err(e) = read {
                results.push(Err(e));
            }
            results
        });
        let (parts, errors): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
        // Workers stop at their first error; report the earliest in the file.
        let earliest = errors.into_iter().filter_map(Result::err).min_by_key(|e| e.location().and_then(|l| l.line));
        if let Some(e) = earliest {
            return Err(e);
        }
        let mut parts: Vec<Part<S>> = parts.into_iter().filter_map(Result::ok).collect();
        // A hash of every field: equal hashes are equal records.
        let groups = repeat_groups(parts.iter_mut().map(|p| std::mem::take(&mut p.keys)).collect(), threads);
        if let Some((first, second)) = first_repeat(&groups, |_, _| true) {
            let mut skipped: Vec<u64> = parts.iter().flat_map(|p| p.skipped.iter().copied()).collect();
            skipped.sort_unstable();
            // Rows are records: lines after the header less those that start none.
            let row = |line: u64| line.saturating_sub(2 + skipped.partition_point(|&s| s < line) as u64);
            return Err(Error::DuplicateRow {
                at: Box::new(Location::file(source).line(second).row(row(second))),
                first_row: row(first),
                first_line: Some(first),
            });
        }
        S::merge_all(parts.into_iter().map(|p| p.state).collect(), &layout.groups, plan)
    }
}

/// Reads until `buf` holds `want` more bytes or the input ends (`true`).
fn fill(reader: &mut impl Read, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    let target = buf.len() + want;
    let mut chunk = [0u8; 1 << 16];
    while buf.len() < target {
        let n = reader.read(&mut chunk)?;
        if n == 0 {
            return Ok(true);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(false)
}

/// Cuts the input into blocks of whole records and sends them to the workers.
fn feed(
    reader: &mut impl Read,
    mut carry: Vec<u8>,
    mut eof: bool,
    block_size: usize,
    delimiter: u8,
    sender: &mpsc::SyncSender<Block>,
    failed: &AtomicBool,
) -> std::io::Result<()> {
    let mut line = 2u64;
    loop {
        if !eof && carry.len() < block_size {
            let want = block_size - carry.len();
            eof = fill(reader, &mut carry, want)?;
        }
        let cut = if eof { carry.len() } else { record_cut(&carry, delimiter) };
        if cut == 0 && !eof {
            // A record longer than a block: read more before cutting.
            eof = fill(reader, &mut carry, block_size)?;
            continue;
        }
        let rest = carry.split_off(cut);
        let lines = carry.iter().filter(|&&b| b == b'\n').count() as u64;
        if !carry.is_empty()
            && (failed.load(Ordering::Relaxed) || sender.send(Block { bytes: carry, first_line: line }).is_err())
        {
            return Ok(());
        }
        line += lines;
        carry = rest;
        if eof && carry.is_empty() {
            return Ok(());
        }
    }
}

/// Where the last whole record of `bytes` (which starts at a record) ends.
/// Without a quote, every line break ends a record; with one, a line break
/// may be inside a quoted field, so the records are found by the same
/// parser the workers use, and the last one (perhaps cut by the end of the
/// bytes) is left for the next block.
fn record_cut(bytes: &[u8], delimiter: u8) -> usize {
    if !bytes.contains(&b'"') {
        return bytes.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    }
    let mut records = record_reader(bytes, delimiter);
    let mut record = csv::ByteRecord::new();
    let mut last = 0;
    // Reading a slice cannot fail (flexible field counts, no I/O).
    while let Ok(true) = records.read_byte_record(&mut record) {
        last = record_start(bytes, &record);
    }
    last
}

/// Where `record` starts in `bytes`: the `csv` crate's position is where
/// the reader was, which after a `\r\n` is before its `\n`.
fn record_start(bytes: &[u8], record: &csv::ByteRecord) -> usize {
    let mut start = record.position().map_or(0, |p| p.byte() as usize);
    while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
        start += 1;
    }
    start
}

/// The `csv` crate's reader of records, as the contract reader sets it up.
fn record_reader(bytes: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(bytes)
}

fn worker<S: FlatSink>(
    receiver: &Mutex<mpsc::Receiver<Block>>,
    layout: &Layout,
    failed: &AtomicBool,
    plan: &S::Plan,
) -> Result<Part<S>> {
    let mut state = S::empty(&layout.groups, plan);
    let mut parser = Parser::new(layout);
    loop {
        let block = match receiver.lock() {
            Ok(r) => r.recv(),
            // Another worker panicked holding the lock: its panic reaches
            // the caller when it is joined.
            Err(_) => break,
        };
        let Ok(block) = block else { break };
        if let Err(e) = crate::exec::check().and_then(|()| parser.block(&block, &mut state)) {
            failed.store(true, Ordering::Relaxed);
            return Err(e);
        }
    }
    state.seal();
    Ok(Part { state, keys: std::mem::take(&mut parser.keys), skipped: std::mem::take(&mut parser.skipped) })
}

/// Rows per batch handed to the state.
const BATCH: usize = 1 << 14;

struct Parser<'l> {
    layout: &'l Layout,
    rows: Rows,
    /// Line of each row in the batch (for errors).
    lines: Vec<u64>,
    kon: CodeMemo<Kon>,
    status: CodeMemo<Utfall>,
    avslut: CodeMemo<Avslutsanledning>,
    fields: Vec<(usize, usize)>,
    /// A quoted record's fields joined by the delimiter, as its line would
    /// read without quotes (for its duplicate key).
    joined: Vec<u8>,
    /// Per row: its hash and line (see [`LINE_BITS`]), to find repeats.
    keys: Vec<u128>,
    /// Lines that start no record (blank, or inside a quoted field).
    skipped: Vec<u64>,
}

impl<'l> Parser<'l> {
    fn new(layout: &'l Layout) -> Self {
        Parser {
            layout,
            rows: Rows::new(layout.groups.len(), layout.avslut_known),
            lines: Vec::with_capacity(BATCH),
            kon: CodeMemo::new(),
            status: CodeMemo::new(),
            avslut: CodeMemo::new(),
            fields: Vec::new(),
            joined: Vec::new(),
            keys: Vec::new(),
            skipped: Vec::new(),
        }
    }

    fn block<S: FlatSink>(&mut self, block: &Block, state: &mut S) -> Result<()> {
        if block.bytes.contains(&b'"') {
            return self.quoted_block(block, state);
        }
        // Blocks end with a line break (but the last of the file may not).
        let body = block.bytes.strip_suffix(b"\n").unwrap_or(&block.bytes);
        for (line, raw) in (block.first_line..).zip(body.split(|&b| b == b'\n')) {
            let text = raw.strip_suffix(b"\r").unwrap_or(raw);
            if text.is_empty() {
                self.skipped.push(line);
                continue;
            }
            split_plain(text, self.layout.delimiter, &mut self.fields);
            if self.line(text, line)? && self.rows.len() == BATCH {
                self.flush(state)?;
            }
        }
        self.flush(state)
    }

    /// A block with quotes, record by record through the `csv` crate.
    fn quoted_block<S: FlatSink>(&mut self, block: &Block, state: &mut S) -> Result<()> {
        let mut records = record_reader(&block.bytes, self.layout.delimiter);
        let mut record = csv::ByteRecord::new();
        let mut next_line = block.first_line;
        // The byte and line a record last started at.
        let (mut at, mut line) = (0, block.first_line);
        // Reading a slice cannot fail (flexible field counts, no I/O).
        while let Ok(true) = records.read_byte_record(&mut record) {
            let start = record_start(&block.bytes, &record);
            line += block.bytes[at..start].iter().filter(|&&b| b == b'\n').count() as u64;
            at = start;
            self.skipped.extend(next_line..line);
            next_line = line + 1;
            let delimiter = self.layout.delimiter;
            let (joined, fields) = (&mut self.joined, &mut self.fields);
            joined.clear();
            fields.clear();
            for (i, field) in record.iter().enumerate() {
                if i > 0 {
                    joined.push(delimiter);
                }
                fields.push((joined.len(), joined.len() + field.len()));
                joined.extend_from_slice(field);
            }
            let joined = std::mem::take(&mut self.joined);
            let kept = self.line(&joined, line);
            self.joined = joined;
            if kept? && self.rows.len() == BATCH {
                self.flush(state)?;
            }
        }
        // Lines after the last record's first: inside it, or blank.
        let lines =
            block.bytes.iter().filter(|&&b| b == b'\n').count() as u64 + u64::from(!block.bytes.ends_with(b"\n"));
        self.skipped.extend(next_line..block.first_line + lines);
        self.flush(state)
    }

    fn flush<S: FlatSink>(&mut self, state: &mut S) -> Result<()> {
        let (lines, source) = (&self.lines, &self.layout.source);
        let locate = |i: usize, column: &str, value: String| {
            Location::file(source.as_str()).line(lines[i]).column(column).value(value)
        };
        let result = state.add_rows(&self.rows, &locate);
        self.rows.clear();
        self.lines.clear();
        result
    }

    /// Reads the record of `line` whose fields are `self.fields` in
    /// `bytes`; `false` if it is blank (skipped, as the contract reader does).
    fn line(&mut self, bytes: &[u8], line: u64) -> Result<bool> {
        let layout = self.layout;
        if self.fields.len() != layout.roles.len() {
            if self.fields.len() == 1 && bytes.iter().all(u8::is_ascii_whitespace) {
                self.skipped.push(line);
                return Ok(false);
            }
            return Err(Error::WrongFieldCount {
                at: Box::new(Location::file(layout.source.as_str()).line(line)),
                expected: layout.roles.len() as u64,
                found: self.fields.len() as u64,
            });
        }
        let at = |c: usize| {
            let (s, e) = self.fields[c];
            Location::file(layout.source.as_str())
                .line(line)
                .column(layout.headers[c].as_str())
                .value(decode_field(&bytes[s..e]).into_owned())
        };
        let rows = &mut self.rows;
        for (c, role) in layout.roles.iter().enumerate() {
            let (s, e) = self.fields[c];
            let field = trim(&bytes[s..e]);
            let missing = || Error::MissingValue { at: Box::new(at(c)) };
            match *role {
                Role::Ignore => {}
                Role::Id => {
                    let v = parse_int(field).ok_or_else(|| number_error(at(c), field, "a 64-bit integer"))?;
                    rows.id.push(v);
                }
                Role::Forbund => {
                    let v = parse_int(field).and_then(|v| u32::try_from(v).ok()).filter(|&v| v <= crate::model::MAX_ID);
                    rows.forbund.push(v.ok_or_else(|| number_error(at(c), field, crate::model::ID_RANGE))?);
                }
                Role::Kon => {
                    if field.is_empty() {
                        return Err(missing());
                    }
                    rows.kon.push(self.kon.get(field).ok_or_else(|| code_error::<Kon>(at(c)))? as u8);
                }
                Role::Start => {
                    if field.is_empty() {
                        return Err(missing());
                    }
                    rows.start.push(parse_date(field).ok_or_else(|| Error::InvalidDate { at: Box::new(at(c)) })?);
                }
                Role::Slut => rows.slut.push(if field.is_empty() {
                    NO_DATE
                } else {
                    parse_date(field).ok_or_else(|| Error::InvalidDate { at: Box::new(at(c)) })?
                }),
                Role::Status => rows.status.push(if field.is_empty() {
                    NO_STATUS
                } else {
                    self.status.get(field).ok_or_else(|| code_error::<Utfall>(at(c)))? as u8
                }),
                Role::Avslutsanledning => rows.avslut.push(if field.is_empty() {
                    NO_STATUS
                } else {
                    self.avslut.get(field).ok_or_else(|| code_error::<Avslutsanledning>(at(c)))? as u8
                }),
                Role::Days { group, after } => {
                    let v = if field.is_empty() {
                        NO_DAYS
                    } else {
                        parse_days(field).ok_or_else(|| Error::InvalidDays { at: Box::new(at(c)) })?
                    };
                    rows.days[group][usize::from(after)].push(v);
                }
            }
        }
        if !layout.avslut_known {
            rows.avslut.push(NO_STATUS);
        }
        self.lines.push(line);
        self.keys.push(key(record_hash(bytes, &self.fields), line));
        Ok(true)
    }
}

fn number_error(at: Location, field: &[u8], range: &str) -> Error {
    if field.is_empty() {
        Error::MissingValue { at: Box::new(at) }
    } else {
        Error::InvalidNumber { at: Box::new(at), range: range.to_owned() }
    }
}

fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

fn split_plain(line: &[u8], delimiter: u8, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let mut start = 0;
    for (i, &b) in line.iter().enumerate() {
        if b == delimiter {
            out.push((start, i));
            start = i + 1;
        }
    }
    out.push((start, line.len()));
}

fn parse_int(b: &[u8]) -> Option<i64> {
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut v: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(i64::from(d - b'0'))?;
    }
    Some(if neg { -v } else { v })
}

/// `YYYY-MM-DD` to a day number.
fn parse_date(b: &[u8]) -> Option<i32> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |a, &d| d.is_ascii_digit().then(|| a * 10 + u32::from(d - b'0')))
    };
    Date::from_ymd(num(0..4)? as i32, num(5..7)?, num(8..10)?).map(Date::days_since_epoch)
}

/// Benefit days (0–366, quarter days allowed) in quarter days.
fn parse_days(b: &[u8]) -> Option<i64> {
    if let Some(v) = parse_int(b) {
        return (0..=366).contains(&v).then_some(v * 4);
    }
    Dagar::parse(std::str::from_utf8(b).ok()?).map(|d| i64::from(d.quarters()))
}

/// Resolves the header line.
fn layout(header: &[u8], source: &str, delimiter: Option<u8>) -> Result<Layout> {
    let header = header.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(header);
    let header = header.strip_suffix(b"\r").unwrap_or(header);
    let delimiter = delimiter.unwrap_or_else(|| crate::ingest::csv::sniff_delimiter(header));
    let mut record = csv::ByteRecord::new();
    // Reading a slice cannot fail (flexible field counts, no I/O).
    let _ = record_reader(header, delimiter).read_byte_record(&mut record);
    let headers: Vec<String> = record.iter().map(|h| decode_field(h).trim().to_owned()).collect();
    let columns = flat_columns(&headers, &|| Location::file(source).line(1))?;
    let mut roles = vec![Role::Ignore; headers.len()];
    let required = [Role::Id, Role::Forbund, Role::Kon, Role::Start, Role::Slut, Role::Status];
    for (&i, role) in columns.required.iter().zip(required) {
        roles[i] = role;
    }
    if let Some(i) = columns.avslutsanledning {
        roles[i] = Role::Avslutsanledning;
    }
    for (group, &(_, before, after)) in columns.days.iter().enumerate() {
        roles[before] = Role::Days { group, after: false };
        roles[after] = Role::Days { group, after: true };
    }
    Ok(Layout {
        source: source.to_owned(),
        delimiter,
        headers,
        roles,
        groups: columns.days.iter().map(|d| d.0).collect(),
        avslut_known: columns.avslutsanledning.is_some(),
    })
}
