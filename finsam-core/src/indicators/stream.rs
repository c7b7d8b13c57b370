//! Computing a state over a participation file in streaming chunks, in
//! parallel: for files larger than memory.

use std::path::Path;
use std::sync::mpsc;

use super::{Context, Split, State};
use crate::error::{Error, Location, Result, ValidationReport};
use crate::ingest::{CsvOptions, CsvReader, DeltagandeRad};
use crate::model::Deltagande;
use crate::validate::{SeenParticipations, check_deltagande, forbund_mismatch, unknown_deltaganden};
use crate::{Dataset, Rules};

/// Participations read per chunk by default.
pub const CHUNK_ROWS: usize = 64 * 1024;

impl State {
    /// The state of the participations in the CSV file at `path` (the
    /// `deltaganden` table of the contract), read in chunks of `chunk_rows`
    /// rows and computed on `threads` worker threads; memory holds a few
    /// chunks at a time, whatever the file's size. `data` holds the other
    /// tables of the data set (its own participations are not used).
    ///
    /// Every rule the in-memory path applies to participations is applied,
    /// with the same codes, file and line: the field checks of the contract,
    /// the row rules against the insats (`unknown_insats`, `end_before_start`,
    /// `outside_insats_lifetime`, `implausible_birth_year`,
    /// `outcome_without_end`, `forbund_mismatch`), repeats across the whole
    /// file (`duplicate_row`, `duplicate_key`; 32 bytes a row are kept for
    /// them) and the links of pre-computed benefit days (`unknown_deltagande`).
    ///
    /// ```
    /// use finsam_core::indicators::{Config, Context, Split, State};
    /// use finsam_core::synthetic::{generate, SyntheticConfig};
    /// let data = generate(&SyntheticConfig { scale: 0.02, ..Default::default() })?;
    /// let dir = std::env::temp_dir().join(format!("finsam-stream-doc-{}", std::process::id()));
    /// data.write_csv_dir(&dir)?;
    /// let config = Config::default();
    /// let ctx = Context::new(&data, &config, 2019..=2020)?;
    /// let split = Split::parse(&["kon"])?;
    /// let path = dir.join("deltaganden.csv");
    /// let streamed = State::compute_csv(&split, &ctx, &path, &Default::default(), &data, &Default::default(), 1000, 2)?;
    /// assert_eq!(streamed, State::compute(&split, &ctx, &data.deltaganden, &data.anonyma_deltagare));
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// `io` if the file cannot be read; row and rule errors under `opts.policy`.
    #[allow(clippy::too_many_arguments)]
    pub fn compute_csv(
        split: &Split,
        ctx: &Context<'_>,
        path: &Path,
        opts: &CsvOptions,
        data: &Dataset,
        rules: &Rules,
        chunk_rows: usize,
        threads: usize,
    ) -> Result<State> {
        let stream =
            Stream { split, ctx, data, rules, chunk_rows: chunk_rows.max(1), threads: threads.max(1), keep: None };
        stream.run(path, opts, &|e| e).map(|(state, _)| state)
    }
}

/// One streamed computation.
pub(crate) struct Stream<'s, 'c> {
    pub(crate) split: &'s Split,
    pub(crate) ctx: &'s Context<'c>,
    pub(crate) data: &'s Dataset,
    pub(crate) rules: &'s Rules,
    pub(crate) chunk_rows: usize,
    pub(crate) threads: usize,
    /// Rows starting in these years are also kept and returned (the annual
    /// report's comparison of insatser fits a model on them).
    pub(crate) keep: Option<std::ops::RangeInclusive<i32>>,
}

impl Stream<'_, '_> {
    /// Reads, checks and computes; `locate` places errors found in the other
    /// tables (the benefit days' links) at their file and line. Returns the
    /// state and the rows kept (see [`Stream::keep`]).
    pub(crate) fn run(
        &self,
        path: &Path,
        opts: &CsvOptions,
        locate: &dyn Fn(Error) -> Error,
    ) -> Result<(State, Vec<Deltagande>)> {
        let mut reader = CsvReader::<DeltagandeRad>::open(path, opts)?;
        let mut report = ValidationReport::new(opts.policy);
        let mut seen = SeenParticipations::default();
        let source = path.display().to_string();
        let (split, ctx) = (self.split, self.ctx);
        let mut kept = Vec::new();
        let state = std::thread::scope(|scope| -> Result<State> {
            let (send, receive) = mpsc::sync_channel::<Vec<Deltagande>>(self.threads);
            let receive = std::sync::Arc::new(std::sync::Mutex::new(receive));
            let workers: Vec<_> = (0..self.threads)
                .map(|_| {
                    let receive = std::sync::Arc::clone(&receive);
                    scope.spawn(crate::exec::inherit(move || {
                        let mut state = State::new(split.clone());
                        // A poisoned lock means another worker panicked; that panic reaches the caller.
                        while let Ok(chunk) = receive.lock().map_err(|_| ()).and_then(|r| r.recv().map_err(|_| ())) {
                            state.merge_unchecked(State::compute(split, ctx, &chunk, &[]));
                        }
                        state
                    }))
                })
                .collect();
            let read = self.read(&mut reader, &source, &mut report, &mut seen, &send, &mut kept);
            drop(send);
            let parts = crate::exec::join_all(workers);
            read?;
            let mut total = State::compute(split, ctx, &[], &self.data.anonyma_deltagare);
            for part in parts {
                total.merge_unchecked(part);
            }
            Ok(total)
        })?;
        let push = &mut |e: Error| report.push(e);
        seen.report_repeats(&|row, line| Box::new(Location::file(&source).row(row).line(line)), push)?;
        unknown_deltaganden(&self.data.ersattningsdagar, |k| seen.contains(k), &mut |e| push(locate(e)))?;
        report.into_result((state, kept))
    }

    /// Reads every row, applies the row rules and sends the rows in chunks.
    fn read(
        &self,
        reader: &mut CsvReader<DeltagandeRad>,
        source: &str,
        report: &mut ValidationReport,
        seen: &mut SeenParticipations,
        send: &mpsc::SyncSender<Vec<Deltagande>>,
        kept: &mut Vec<Deltagande>,
    ) -> Result<()> {
        let insatser = self.data.insats_index();
        let forbund: std::collections::HashSet<_> = self.data.forbund.iter().map(|f| f.id).collect();
        let mut chunk = Vec::with_capacity(self.chunk_rows);
        let mut row = 0usize;
        while let Some(item) = reader.next() {
            let Some(r) = report.check(item)? else { continue };
            let (d, line) = (r.deltagande, reader.line());
            let at = |column: &str, value: String| {
                Box::new(Location::file(source).row(row as u64).line(line).column(column).value(value))
            };
            let insats = insatser.get(&d.insats).copied();
            if let Some(expected) = forbund_mismatch(r.forbund, insats, |f| forbund.contains(&f)) {
                let given = r.forbund.map_or(String::new(), |f| f.to_string());
                report.push(Error::ForbundMismatch { at: at("forbund_id", given), expected: expected.0 })?;
            }
            check_deltagande(&d, insats, self.rules, &at, &mut |e| report.push(e))?;
            seen.add(&d, row, line)?;
            row += 1;
            if self.keep.as_ref().is_some_and(|years| years.contains(&d.start.year())) {
                kept.push(d);
            }
            chunk.push(d);
            if chunk.len() == self.chunk_rows
                && send.send(std::mem::replace(&mut chunk, Vec::with_capacity(self.chunk_rows))).is_err()
            {
                // Every worker has gone: one of them panicked, and joining it says so.
                return Ok(());
            }
        }
        if !chunk.is_empty() {
            let _ = send.send(chunk);
        }
        Ok(())
    }
}
