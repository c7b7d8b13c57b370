//! Effect estimates for evaluators: propensity scores and matched
//! comparisons, difference-in-differences and staggered event studies.
//!
//! The descriptive indicators say what happened to participants; this
//! module estimates what participation *caused*, with the designs of
//! `domain.md` §7 and the conventions of the tools evaluators know from R
//! (`MatchIt`, `did`), so that a user moving from R gets the same numbers.
//!
//! Every estimator reads a [`Frame`] (named numeric and categorical
//! columns, from Rust or any Arrow source) and returns typed results that
//! carry their sample sizes, the units dropped and why, and their
//! configuration. What the data cannot support is a typed error
//! ([`Error::NotIdentified`](crate::Error::NotIdentified),
//! [`Error::NoOverlap`](crate::Error::NoOverlap),
//! [`Error::SingularDesign`](crate::Error::SingularDesign)), never a NaN
//! presented as a number.
//!
//! ```
//! use finsam_core::evaluation::{glm, Frame};
//!
//! let frame = Frame::new()
//!     .with_numeric("x", [0.0, 1.0, 2.0, 3.0, 4.0, 5.0].map(Some))?
//!     .with_numeric("y", [0.0, 0.0, 1.0, 0.0, 1.0, 1.0].map(Some))?;
//! let design = frame.design(&["x"], glm::Terms::Model)?;
//! let y = frame.numeric("y")?.iter().map(|v| v.unwrap_or(f64::NAN)).collect::<Vec<_>>();
//! let fit = glm::logit(&design, &y, None)?;
//! assert!(fit.coefficients[1] > 0.0);
//! # Ok::<(), finsam_core::Error>(())
//! ```

mod balance;
pub mod casemix;
pub mod data;
pub mod did;
pub mod event_study;
pub mod frame;
pub mod funnel;
pub mod glm;
pub(crate) mod linalg;
pub mod matching;
pub mod shrinkage;

use serde::{Deserialize, Serialize};

pub use frame::{Column, Design, Frame};

use crate::error::Result;
use crate::stats;

/// A point estimate with its standard error and a two-sided confidence
/// interval at `level`.
///
/// ```
/// use finsam_core::evaluation::Estimate;
/// let e = Estimate::normal(2.0, 0.5, 0.95)?;
/// assert!((e.lo - (2.0 - 1.959963984540054 * 0.5)).abs() < 1e-12);
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The point estimate.
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// The lower bound of the interval.
    pub lo: f64,
    /// The upper bound of the interval.
    pub hi: f64,
    /// The confidence level of the interval, e.g. 0.95.
    pub level: f64,
}

impl Estimate {
    /// An interval from the normal approximation: `estimate ± z·se`.
    pub fn normal(estimate: f64, se: f64, level: f64) -> Result<Estimate> {
        stats::check_level(level)?;
        let half = stats::z(0.5 + level / 2.0) * se;
        Ok(Estimate { estimate, se, lo: estimate - half, hi: estimate + half, level })
    }

    /// An interval from Student's t with `df` degrees of freedom:
    /// `estimate ± t·se` (as R's `confint` on an `lm` with cluster-robust
    /// errors, `df` = clusters − 1).
    ///
    /// ```
    /// use finsam_core::evaluation::Estimate;
    /// let e = Estimate::student(1.0, 0.5, 10.0, 0.95)?;
    /// assert!((e.hi - (1.0 + 2.228138851986274 * 0.5)).abs() < 1e-9);
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn student(estimate: f64, se: f64, df: f64, level: f64) -> Result<Estimate> {
        stats::check_level(level)?;
        let half = stats::t(0.5 + level / 2.0, df) * se;
        Ok(Estimate { estimate, se, lo: estimate - half, hi: estimate + half, level })
    }
}
