//! The shared machinery of the indicator engine (see `../shared/architecture.md`):
//! the parts every participation source uses alike: the columnar
//! [`Participations`] batch (the flat extract of a data set), the one state
//! builder, a flat extract in memory ([`Extract`]), the public mergeable
//! state of any chunk of one ([`Partial`]) and the sort that distinct
//! person counts rest on. The flat readers are in
//! [`ingest::flat`](crate::ingest::flat).

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
