//! Reading and writing the data contract: CSV (streaming, with detected
//! delimiter and encoding and a configurable column mapping), flat
//! participation extracts ([`flat`]: CSV or Arrow, read in parallel), and Arrow
//! record batches behind the `arrow` feature, and Parquet behind the
//! `parquet` feature. JSON is serde on
//! [`Dataset`](crate::Dataset).

pub mod csv;
pub mod flat;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod table;

pub use self::csv::{CsvOptions, CsvReader, Encoding, FileFormat, TableMapping, write_csv};
pub use table::{
    ColumnSpec, DeltagandeRad, FieldSink, FieldSource, ForbundRad, Kind, MedlemskapRad, Record, TableSpec,
    contract_markdown, tables,
};
