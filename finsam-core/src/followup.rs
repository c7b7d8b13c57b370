//! **Deprecated** (kept for one release): the follow-up of a flat extract,
//! now the catalogue's indicator tables computed by the one engine.
//!
//! The follow-up had its own state and its own tables (`uppfoljning_*`
//! ids, columns such as `n_avslutade`), which disagreed with the
//! catalogue's definitions. Its readers are now
//! [`ingest::flat`](crate::ingest::flat); its state is
//! [`Partial`](crate::engine::Partial); its tables are the indicator
//! functions ([`outcomes`](crate::indicators::utfall::outcomes),
//! [`benefit_days`](crate::indicators::ersattningsdagar::benefit_days),
//! [`participants`](crate::indicators::deltagare::participants)) on an
//! [`Extract`] or a [`Partial`]. [`follow_up`] gathers those tables under
//! the old names. Migrate:
//!
//! | before | now |
//! |---|---|
//! | `FollowUpState::from_csv(path, &options)` | [`Partial::from_csv`](crate::engine::Partial::from_csv) (one pass) or [`Extract::from_csv`] |
//! | `state.merge(other)` | [`Partial::merge`](crate::engine::Partial::merge) |
//! | `state.finish(&config).by_kon` | `outcomes(&state, &Split::new(&[Dim::Kon])?, years, &config)` |
//! | `followup::FlatCsvOptions`, `followup::COLUMNS` | [`ingest::flat::FlatCsvOptions`](crate::ingest::flat::FlatCsvOptions), [`ingest::flat::COLUMNS`](crate::ingest::flat::COLUMNS) |
//! | a state's JSON | not readable: [`Partial`](crate::engine::Partial)'s form differs; count the rows again |
//!
//! ```
//! #![allow(deprecated)]
//! use finsam_core::engine::Extract;
//! use finsam_core::followup::follow_up;
//! use finsam_core::indicators::Config;
//! let csv = "deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter\n\
//!            1;7;K;2021-02-01;2021-10-31;arbete\n\
//!            2;7;M;2021-03-15;;\n";
//! let extract = Extract::from_csv_reader(csv.as_bytes(), "extract.csv", &Default::default())?;
//! let config = Config { disclosure: finsam_core::disclosure::Disclosure::OFF, ..Config::default() };
//! let tables = follow_up(&extract, &config)?;
//! assert_eq!(tables.national.id, "utfall");
//! assert_eq!(tables.national.value(&["2021"], "n"), Some(1.0));
//! assert_eq!(tables.started.value(&["2021"], "startade"), Some(2.0));
//! # Ok::<(), finsam_core::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::engine::{Extract, Partial, source::Source};
use crate::error::Result;
use crate::indicators::{Config, Dim, Split, deltagare, ersattningsdagar, utfall};
use crate::publish::Table;

/// The options of the flat CSV reader, now
/// [`ingest::flat::FlatCsvOptions`](crate::ingest::flat::FlatCsvOptions).
#[deprecated(since = "0.1.0", note = "use finsam_core::ingest::flat::FlatCsvOptions")]
pub type FlatCsvOptions = crate::ingest::flat::FlatCsvOptions;

/// The required columns of a flat extract, now
/// [`ingest::flat::COLUMNS`](crate::ingest::flat::COLUMNS).
#[deprecated(since = "0.1.0", note = "use finsam_core::ingest::flat::COLUMNS")]
pub const COLUMNS: [&str; 6] = crate::ingest::flat::COLUMNS;

/// The tables the follow-up published, now the catalogue's.
#[deprecated(since = "0.1.0", note = "use the indicator functions on an Extract or a Partial")]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    /// Status after ended participations per year, nationally (`utfall`).
    pub national: Table,
    /// The same per year and kön.
    pub by_kon: Table,
    /// The same per year and förbund.
    pub by_forbund: Table,
    /// Benefit days before and after per year and kön
    /// (`ersattningsdagar`, with the national total).
    pub benefit_days: Table,
    /// Participants, participations and started ones per year, with the
    /// change from the year before (`deltagare`).
    pub started: Table,
    /// Rows read.
    pub rows: u64,
}

#[allow(deprecated)]
impl FollowUp {
    /// The tables of a state split by förbund and kön (or finer), over the
    /// years it can report on ([`Partial::report_years`]).
    ///
    /// # Errors
    /// `invalid_argument` if the state holds no participations, or its
    /// split has no förbund or no kön.
    pub fn of(state: &Partial, config: &Config) -> Result<FollowUp> {
        let years = state.report_years()?;
        let split = |dims: &[Dim]| Split::new(dims);
        Ok(FollowUp {
            national: utfall::outcomes(state, &Split::national(), years.clone(), config)?,
            by_kon: utfall::outcomes(state, &split(&[Dim::Kon])?, years.clone(), config)?,
            by_forbund: utfall::outcomes(state, &split(&[Dim::Forbund])?, years.clone(), config)?,
            benefit_days: ersattningsdagar::benefit_days(state, &split(&[Dim::Kon])?, years.clone(), config)?,
            started: deltagare::participants(state, &Split::national(), years, config)?,
            rows: state.rows(),
        })
    }

    /// The tables in order.
    pub fn tables(&self) -> [&Table; 5] {
        [&self.national, &self.by_kon, &self.by_forbund, &self.benefit_days, &self.started]
    }

    /// Every table as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("## Uppföljning ({} rader)\n\n", self.rows);
        for t in self.tables() {
            out.push_str(&t.to_markdown());
            out.push('\n');
        }
        out
    }
}

/// The follow-up tables of an extract: [`follow_up_state`] on two threads,
/// then [`FollowUp::of`].
///
/// # Errors
/// `invalid_argument` if the extract holds no participations, or for
/// invalid options.
#[deprecated(since = "0.1.0", note = "use the indicator functions on an Extract or a Partial")]
#[allow(deprecated)]
pub fn follow_up(extract: &Extract, config: &Config) -> Result<FollowUp> {
    FollowUp::of(&follow_up_state(extract, config, 2)?, config)
}

/// The state a follow-up is finished from: the extract counted by förbund
/// and kön over the years it can report on, on `threads` threads.
///
/// # Errors
/// As [`follow_up`].
#[deprecated(since = "0.1.0", note = "use Partial::compute with the years you report on")]
pub fn follow_up_state(extract: &Extract, config: &Config, threads: usize) -> Result<Partial> {
    let years = Source::Extract(extract).years(config)?;
    let split = Split::new(&[Dim::Forbund, Dim::Kon])?;
    Partial::compute_on(extract, &split, years, config, threads)
}
