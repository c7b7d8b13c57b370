//! What leaves the library: published [`Table`]s and the disclosure
//! control every count passes on its way out.
//!
//! This module is a leaf: it imports only the error type, the interval
//! statistics and the domain values (to show money), so that every part that publishes (indicators, surveys,
//! money, evaluation, reports) can use it without import cycles.
//!
//! ```
//! use finsam_core::publish::{Cell, Disclosure, Reason};
//! let d = Disclosure::default();
//! assert_eq!(d.suppress(&[3], &[]), vec![Cell::Suppressed(Reason::Primary)]);
//! ```

pub mod chart;
pub mod disclosure;
pub mod labels;
pub mod table;

pub use disclosure::{Cell, Disclosure, Reason};
pub use table::{Column, Row, Table, Unit};
