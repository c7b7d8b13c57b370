//! # finsam-core
//!
//! The typed domain model, data ingest, indicator engine and statistics for
//! the follow-up and evaluation of Swedish *finansiell samordning* (Finsam):
//! the samordningsförbund in which Försäkringskassan, Arbetsförmedlingen,
//! regions and kommuner jointly finance rehabilitation insatser.
//!
//! ```
//! use finsam_core::{synthetic, Dataset, ErrorPolicy, Rules};
//!
//! // A calibrated synthetic national data set (seeded, deterministic).
//! let data: Dataset = synthetic::generate(&synthetic::SyntheticConfig::default())?;
//! data.validate(&Rules::default(), ErrorPolicy::FailFast)?;
//! let summary = data.summary();
//! assert!(summary.per_year.iter().any(|y| y.ar == 2020 && y.deltagare_totalt > 20_000));
//!
//! // Round-trip through the CSV data contract.
//! let dir = std::env::temp_dir().join(format!("finsam-doc-{}", std::process::id()));
//! data.write_csv_dir(&dir)?;
//! let (back, _) = Dataset::read_csv_dir(&dir, &Default::default(), &Rules::default())?;
//! assert_eq!(back.deltaganden.len(), data.deltaganden.len());
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), finsam_core::Error>(())
//! ```
//!
//! The model follows `domain.md` §2–3: [`Forbund`] with membership over
//! time, [`Insats`], [`Deltagande`], [`AnonymaDeltagare`], [`InsatsAr`] for
//! the aggregate era, and benefit data as spells ([`Ersattningsperiod`]) or
//! pre-computed window days ([`Ersattningsdagar`]). Every coded value is an
//! enum; money is integer öre ([`Ore`]); benefit days are exact quarter days
//! ([`Dagar`]).
//!
//! Errors carry a stable code and a [`Location`] (file, line, column,
//! value); see [`Error`] and [`ErrorPolicy`].

#![forbid(unsafe_code)]

pub mod dataset;
pub mod date;
pub mod engine;
pub mod error;
pub mod evaluation;
pub mod exec;
pub mod finance;
pub mod followup;
pub mod indicators;
pub mod ingest;
pub mod model;
pub mod personnummer;
pub mod pseudonym;
pub mod publish;
pub mod report;
pub mod stats;
pub mod summary;
pub mod survey;
pub mod synthetic;
mod validate;

#[cfg(feature = "arrow")]
pub mod arrow;

pub use dataset::{Dataset, LoadSummary, Rules};
pub use date::Date;
pub use error::{Error, ErrorPolicy, Location, Result, ValidationReport};
pub use model::*;
/// Disclosure control, at its former path (it lives in [`publish`]).
pub use publish::disclosure;

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
