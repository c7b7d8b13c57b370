//! Reading a flat extract from CSV: blocks of whole lines are parsed on
//! worker threads straight into [`Rows`] and folded into per-thread states,
//! which are merged at the end. Memory stays at a few blocks plus the state,
//! whatever the size of the file.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use super::{CodeMemo, FollowUpState, NO_DATE, NO_DAYS, NO_STATUS, Rows, benefit_columns, code_error, decode_field};
use crate::Date;
use crate::error::{Error, Location, Result};
use crate::model::{Dagar, Ersattningsgrupp, Kon, Utfall};

/// Options of [`FollowUpState::from_csv`].
///
/// ```
/// use finsam_core::followup::FlatCsvOptions;
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
}

/// A block of whole lines and the line number of its first.
struct Block {
    bytes: Vec<u8>,
    first_line: u64,
}

impl FollowUpState {
    /// Reads a flat extract from a CSV file (UTF-8 with or without BOM, or
    /// Windows-1252; `;`, `,` or tab separated; see the [module](super)).
    ///
    /// # Errors
    /// `io` if the file cannot be read; `missing_column`,
    /// `wrong_field_count`, `missing_value`, `invalid_number`,
    /// `invalid_date`, `invalid_code`, `invalid_days`, `end_before_start` or
    /// `outcome_without_end` with the file, line, column and value of the
    /// first bad row.
    pub fn from_csv(path: &Path, options: &FlatCsvOptions) -> Result<FollowUpState> {
        let io = |source| Error::Io { path: path.display().to_string(), source };
        let file = std::fs::File::open(path).map_err(io)?;
        FollowUpState::from_csv_reader(file, &path.display().to_string(), options)
    }

    /// Reads a flat extract from any reader; `source` names it in errors.
    ///
    /// # Errors
    /// As [`from_csv`](Self::from_csv).
    pub fn from_csv_reader(mut reader: impl Read, source: &str, options: &FlatCsvOptions) -> Result<FollowUpState> {
        let io = |e| Error::Io { path: source.to_owned(), source: e };
        let block_size = options.block_size.max(1 << 12);
        let mut carry: Vec<u8> = Vec::new();
        let eof = fill(&mut reader, &mut carry, block_size).map_err(io)?;
        let header_end = carry.iter().position(|&b| b == b'\n').unwrap_or(carry.len());
        let layout = layout(&carry[..header_end], source, options.delimiter)?;
        carry.drain(..(header_end + 1).min(carry.len()));
        let threads = options.threads.max(1);
        let (sender, receiver) = mpsc::sync_channel::<Block>(threads * 2);
        let receiver = Arc::new(Mutex::new(receiver));
        let failed = AtomicBool::new(false);
        let results: Vec<Result<FollowUpState>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let receiver = Arc::clone(&receiver);
                    let (layout, failed) = (&layout, &failed);
                    scope.spawn(move || worker(&receiver, layout, failed))
                })
                .collect();
            let read = feed(&mut reader, carry, eof, block_size, &sender, &failed).map_err(io);
            drop(sender);
            let mut results: Vec<Result<FollowUpState>> =
                workers.into_iter().map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect();
            if let Err(e) = read {
                results.push(Err(e));
            }
            results
        });
        let (states, errors): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
        // Workers stop at their first error; report the earliest in the file.
        let earliest = errors.into_iter().filter_map(Result::err).min_by_key(|e| e.location().and_then(|l| l.line));
        match earliest {
            Some(e) => Err(e),
            None => FollowUpState::merge_all(states.into_iter().filter_map(Result::ok).collect(), &layout.groups),
        }
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

/// Cuts the input into blocks of whole lines and sends them to the workers.
fn feed(
    reader: &mut impl Read,
    mut carry: Vec<u8>,
    mut eof: bool,
    block_size: usize,
    sender: &mpsc::SyncSender<Block>,
    failed: &AtomicBool,
) -> std::io::Result<()> {
    let mut line = 2u64;
    loop {
        if !eof && carry.len() < block_size {
            let want = block_size - carry.len();
            eof = fill(reader, &mut carry, want)?;
        }
        let cut = if eof { carry.len() } else { carry.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) };
        if cut == 0 && !eof {
            // A line longer than a block: read more before cutting.
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

fn worker(receiver: &Mutex<mpsc::Receiver<Block>>, layout: &Layout, failed: &AtomicBool) -> Result<FollowUpState> {
    let mut state = FollowUpState::new(&layout.groups);
    let mut parser = Parser::new(layout);
    loop {
        let block = match receiver.lock() {
            Ok(r) => r.recv(),
            Err(_) => return Ok(state),
        };
        let Ok(block) = block else { return Ok(state) };
        if let Err(e) = parser.block(&block, &mut state) {
            failed.store(true, Ordering::Relaxed);
            return Err(e);
        }
    }
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
    fields: Vec<(usize, usize)>,
    unquoted: Vec<u8>,
}

impl<'l> Parser<'l> {
    fn new(layout: &'l Layout) -> Self {
        Parser {
            layout,
            rows: Rows::new(layout.groups.len()),
            lines: Vec::with_capacity(BATCH),
            kon: CodeMemo::new(),
            status: CodeMemo::new(),
            fields: Vec::new(),
            unquoted: Vec::new(),
        }
    }

    fn block(&mut self, block: &Block, state: &mut FollowUpState) -> Result<()> {
        for (line, raw) in (block.first_line..).zip(block.bytes.split(|&b| b == b'\n')) {
            let text = raw.strip_suffix(b"\r").unwrap_or(raw);
            if !text.is_empty() {
                self.line(text, line)?;
                if self.rows.len() == BATCH {
                    self.flush(state)?;
                }
            }
        }
        self.flush(state)
    }

    fn flush(&mut self, state: &mut FollowUpState) -> Result<()> {
        let (lines, source) = (&self.lines, &self.layout.source);
        let locate = |i: usize, column: &str, value: String| {
            Location::file(source.as_str()).line(lines[i]).column(column).value(value)
        };
        let result = state.add_rows(&self.rows, &locate);
        self.rows.clear();
        self.lines.clear();
        result
    }

    fn line(&mut self, text: &[u8], line: u64) -> Result<()> {
        let layout = self.layout;
        let bytes: &[u8] = if text.contains(&b'"') {
            split_quoted(text, layout.delimiter, &mut self.fields, &mut self.unquoted);
            &self.unquoted
        } else {
            split_plain(text, layout.delimiter, &mut self.fields);
            text
        };
        if self.fields.len() != layout.roles.len() {
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
                    let v = parse_int(field).and_then(|v| u32::try_from(v).ok());
                    rows.forbund.push(v.ok_or_else(|| number_error(at(c), field, "0..=4294967295"))?);
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
        self.lines.push(line);
        Ok(())
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

/// Splits a line with quoted fields (`"a;b"`, `""` for a quote) into
/// `unquoted`, recording each field's range there.
fn split_quoted(line: &[u8], delimiter: u8, out: &mut Vec<(usize, usize)>, unquoted: &mut Vec<u8>) {
    out.clear();
    unquoted.clear();
    let mut start = 0;
    let mut quoted = false;
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        match (quoted, b) {
            (true, b'"') if line.get(i + 1) == Some(&b'"') => {
                unquoted.push(b'"');
                i += 1;
            }
            (_, b'"') => quoted = !quoted,
            (false, d) if d == delimiter => {
                out.push((start, unquoted.len()));
                start = unquoted.len();
            }
            _ => unquoted.push(b),
        }
        i += 1;
    }
    out.push((start, unquoted.len()));
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
    let delimiter = delimiter.unwrap_or_else(|| {
        let count = |d: u8| header.iter().filter(|&&b| b == d).count();
        [b';', b',', b'\t'].into_iter().max_by_key(|&d| count(d)).unwrap_or(b';')
    });
    let (mut fields, mut unquoted) = (Vec::new(), Vec::new());
    split_quoted(header, delimiter, &mut fields, &mut unquoted);
    let headers: Vec<String> =
        fields.iter().map(|&(s, e)| decode_field(&unquoted[s..e]).trim().to_lowercase()).collect();
    let names: Vec<&str> = headers.iter().map(String::as_str).collect();
    for (i, h) in names.iter().enumerate() {
        if names[..i].contains(h) {
            return Err(Error::DuplicateColumn { at: Box::new(Location::file(source).line(1).column(*h)) });
        }
    }
    let mut roles = vec![Role::Ignore; names.len()];
    let required = [Role::Id, Role::Forbund, Role::Kon, Role::Start, Role::Slut, Role::Status];
    for (name, role) in super::COLUMNS.iter().zip(required) {
        let i = names.iter().position(|h| h == name).ok_or_else(|| Error::MissingColumn {
            at: Box::new(Location::file(source).line(1).column(*name)),
            found: names.join(", "),
        })?;
        roles[i] = role;
    }
    let benefits = benefit_columns(&names);
    for (group, &(_, before, after)) in benefits.iter().enumerate() {
        roles[before] = Role::Days { group, after: false };
        roles[after] = Role::Days { group, after: true };
    }
    Ok(Layout { source: source.to_owned(), delimiter, headers, roles, groups: benefits.iter().map(|b| b.0).collect() })
}
