//! Computing a state over a participation file in streaming chunks, in
//! parallel: for files larger than memory.

use std::path::Path;
use std::sync::mpsc;

use super::{Context, Split, State};
use crate::error::{Error, Location, Result, ValidationReport};
use crate::ingest::{CsvOptions, CsvReader, DeltagandeRad};
use crate::model::{AnonymaDeltagare, Deltagande};

/// Participations read per chunk by default.
pub const CHUNK_ROWS: usize = 64 * 1024;

impl State {
    /// The state of the participations in the CSV file at `path` (the
    /// `deltaganden` table of the contract), read in chunks of `chunk_rows`
    /// rows and computed on `threads` worker threads; memory holds a few
    /// chunks at a time, whatever the file's size. Each row gets the
    /// field-level checks of the contract and must name an insats of the
    /// context (`unknown_insats`); the data-set rules that need all rows at
    /// once (duplicates, lifetimes) are not applied: validate the data set
    /// for those.
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
    /// let streamed = State::compute_csv(&split, &ctx, &dir.join("deltaganden.csv"), &Default::default(), &data.anonyma_deltagare, 1000, 2)?;
    /// assert_eq!(streamed, State::compute(&split, &ctx, &data.deltaganden, &data.anonyma_deltagare));
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// `io` if the file cannot be read; row errors under `opts.policy`.
    pub fn compute_csv(
        split: &Split,
        ctx: &Context<'_>,
        path: &Path,
        opts: &CsvOptions,
        anonyma: &[AnonymaDeltagare],
        chunk_rows: usize,
        threads: usize,
    ) -> Result<State> {
        let mut reader = CsvReader::<DeltagandeRad>::open(path, opts)?;
        let mut report = ValidationReport::new(opts.policy);
        let source = path.display().to_string();
        let threads = threads.max(1);
        let chunk_rows = chunk_rows.max(1);
        std::thread::scope(|scope| -> Result<State> {
            let (send, receive) = mpsc::sync_channel::<Vec<Deltagande>>(threads);
            let receive = std::sync::Arc::new(std::sync::Mutex::new(receive));
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let receive = std::sync::Arc::clone(&receive);
                    scope.spawn(move || {
                        let mut state = State::new(split.clone());
                        loop {
                            let chunk = match receive.lock() {
                                Ok(r) => r.recv(),
                                Err(_) => break,
                            };
                            let Ok(chunk) = chunk else { break };
                            state.merge_unchecked(State::compute(split, ctx, &chunk, &[]));
                        }
                        state
                    })
                })
                .collect();
            let mut chunk = Vec::with_capacity(chunk_rows);
            let mut failure = None;
            while let Some(item) = reader.next() {
                let row = item.and_then(|r| check_insats(r, ctx, &source, reader.line()));
                match report.check(row) {
                    Ok(Some(d)) => chunk.push(d),
                    Ok(None) => {}
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
                if chunk.len() == chunk_rows
                    && send.send(std::mem::replace(&mut chunk, Vec::with_capacity(chunk_rows))).is_err()
                {
                    break;
                }
            }
            if !chunk.is_empty() {
                let _ = send.send(chunk);
            }
            drop(send);
            let mut total = State::compute(split, ctx, &[], anonyma);
            for w in workers {
                let part = w.join().map_err(|_| Error::InvalidArgument {
                    name: "threads",
                    message: "a worker thread panicked".into(),
                })?;
                total.merge_unchecked(part);
            }
            match failure {
                Some(e) => Err(e),
                None => std::mem::take(&mut report).into_result(total),
            }
        })
    }
}

fn check_insats(row: DeltagandeRad, ctx: &Context<'_>, source: &str, line: u64) -> Result<Deltagande> {
    let d = row.deltagande;
    if ctx.insatser.contains_key(&d.insats) {
        Ok(d)
    } else {
        Err(Error::UnknownInsats {
            at: Box::new(Location::file(source).line(line).column("insats_id").value(d.insats.to_string())),
        })
    }
}
