//! The shared machinery of the indicator engine (see `../shared/architecture.md`):
//! the parts every participation source uses alike. It grows as the
//! computations of `indicators/` and `followup/` move onto one engine; for now
//! it holds the columnar [`Participations`] batch (the flat extract of a
//! data set), the one state builder, a flat extract in memory
//! ([`Extract`]), its public mergeable state ([`Partial`]) and the sort that
//! distinct person counts rest on.

pub(crate) mod build;
pub mod era;
pub mod extract;
pub mod partial;
pub mod participations;
pub(crate) mod radix;
pub mod source;

pub use extract::Extract;
pub use partial::Partial;
pub use participations::Participations;
