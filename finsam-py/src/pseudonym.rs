//! Keyed pseudonymisation of a personnummer column from Python: of a frame
//! (`finsam.pseudonymise`) and of a CSV file (`finsam.pseudonymise_csv`,
//! which the `finsam pseudonymise` command calls). All the work is
//! finsam-core's; this converts arguments and results.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use finsam_core::pseudonym::{OnInvalid, PseudonymKey, PseudonymOptions, pseudonymise_batches, pseudonymise_csv_file};
use finsam_core::{Error, ErrorPolicy};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use crate::frames::batches;
use crate::{argument, bad_option, date_arg, detached, opt_choice, to_py_err};

/// `key=`: bytes, or text (its UTF-8 bytes).
fn key_arg(value: &Bound<'_, PyAny>) -> PyResult<PseudonymKey> {
    let bytes: Vec<u8> = if let Ok(b) = value.cast::<PyBytes>() {
        b.as_bytes().to_vec()
    } else if let Ok(s) = value.cast::<PyString>() {
        s.to_str()?.as_bytes().to_vec()
    } else {
        // Name the type only: the value may be a key.
        let kind = value.get_type().name()?;
        return Err(to_py_err(
            value.py(),
            &argument("key", format!("must be bytes or str (at least 16 random bytes), got a {kind}")),
        ));
    };
    PseudonymKey::new(bytes).map_err(|e| to_py_err(value.py(), &e))
}

/// `invalid=`: what to do with an invalid number.
fn invalid_arg(value: &Bound<'_, PyAny>) -> PyResult<(OnInvalid, ErrorPolicy)> {
    Ok(match opt_choice("invalid", value, &["raise", "collect", "reject"])? {
        "raise" => (OnInvalid::Fail, ErrorPolicy::FailFast),
        "collect" => (OnInvalid::Fail, ErrorPolicy::COLLECT),
        _ => (OnInvalid::Reject, ErrorPolicy::FailFast),
    })
}

fn column_arg(value: &Bound<'_, PyAny>) -> PyResult<String> {
    match value.cast::<PyString>() {
        Ok(s) if !s.to_str()?.trim().is_empty() => Ok(s.to_str()?.to_owned()),
        _ => Err(bad_option("column", "the name of the personnummer column", value)),
    }
}

fn arrow_error(e: impl std::fmt::Display) -> Error {
    Error::ArrowType { at: Box::new(finsam_core::Location::table("frame")), message: e.to_string() }
}

/// `_finsam.pseudonymise_frame`: the frame as a `pyarrow.Table` with the
/// column replaced, and the rejected rows (`row`, `reason`) as another, or
/// `None` unless `invalid="reject"`.
#[pyfunction]
#[pyo3(signature = (frame, *, column, key, invalid = None, reference_date = None))]
fn pseudonymise_frame<'py>(
    py: Python<'py>,
    frame: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = column_arg)] column: String,
    #[pyo3(from_py_with = key_arg)] key: PseudonymKey,
    invalid: Option<&Bound<'py, PyAny>>,
    reference_date: Option<&Bound<'py, PyAny>>,
) -> PyResult<(Bound<'py, PyAny>, Option<Bound<'py, PyAny>>)> {
    let (on_invalid, policy) = match invalid {
        Some(v) => invalid_arg(v)?,
        None => (OnInvalid::Fail, ErrorPolicy::FailFast),
    };
    let mut opts = PseudonymOptions::new(&column).policy(policy);
    if let Some(date) = reference_date.map(|d| date_arg("reference_date", d)).transpose()?.flatten() {
        opts = opts.reference_date(date);
    }
    let input = batches(frame, "frame")?;
    let schema = input.first().map(RecordBatch::schema);
    let out = detached(py, || pseudonymise_batches(&input, &key, &opts, on_invalid))?;
    let schema = match out.batches.first() {
        Some(b) => b.schema(),
        // No batch at all: the schema of an empty frame with the column replaced.
        None => match schema {
            Some(s) => s,
            None => Arc::new(Schema::empty()),
        },
    };
    let table = pyo3_arrow::PyTable::try_new(out.batches, schema)?.into_pyarrow(py)?;
    let rejected = match on_invalid {
        OnInvalid::Fail => None,
        OnInvalid::Reject => {
            let rows: ArrayRef = Arc::new(Int64Array::from_iter_values(out.rejected.iter().map(|r| r.row as i64)));
            let reasons: ArrayRef =
                Arc::new(StringArray::from_iter_values(out.rejected.iter().map(|r| r.reason.code())));
            let schema = Arc::new(Schema::new(vec![
                Field::new("row", DataType::Int64, false),
                Field::new("reason", DataType::Utf8, false),
            ]));
            let batch = RecordBatch::try_new(schema.clone(), vec![rows, reasons])
                .map_err(|e| to_py_err(py, &arrow_error(e)))?;
            Some(pyo3_arrow::PyTable::try_new(vec![batch], schema)?.into_pyarrow(py)?)
        }
    };
    Ok((table, rejected))
}

/// `finsam.pseudonymise_csv`: pseudonymises a CSV file into another; the
/// key from exactly one of `key`, `key_file` and `key_env`. Returns the
/// counts (`rows`, `pseudonymised`, `rejected`).
#[pyfunction]
#[pyo3(signature = (
    input, output, *, column, key = None, key_file = None, key_env = None, reject = None,
    invalid = None, encoding = "auto", delimiter = None, reference_date = None
))]
#[allow(clippy::too_many_arguments)]
fn pseudonymise_csv<'py>(
    py: Python<'py>,
    input: PathBuf,
    output: PathBuf,
    #[pyo3(from_py_with = column_arg)] column: String,
    key: Option<&Bound<'py, PyAny>>,
    key_file: Option<PathBuf>,
    key_env: Option<String>,
    reject: Option<PathBuf>,
    invalid: Option<&Bound<'py, PyAny>>,
    encoding: &str,
    delimiter: Option<&str>,
    reference_date: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let key = match (key, key_file, key_env) {
        (Some(k), None, None) => key_arg(k)?,
        (None, Some(path), None) => PseudonymKey::from_file(&path).map_err(|e| to_py_err(py, &e))?,
        (None, None, Some(var)) => PseudonymKey::from_env(&var).map_err(|e| to_py_err(py, &e))?,
        _ => {
            return Err(to_py_err(py, &argument("key", "give exactly one of key, key_file and key_env".to_owned())));
        }
    };
    let (on_invalid, policy) = match invalid {
        Some(v) => invalid_arg(v)?,
        None if reject.is_some() => (OnInvalid::Reject, ErrorPolicy::FailFast),
        None => (OnInvalid::Fail, ErrorPolicy::FailFast),
    };
    if (on_invalid == OnInvalid::Reject) != reject.is_some() {
        let message = "invalid=\"reject\" needs a reject file, and a reject file needs invalid=\"reject\"".to_owned();
        return Err(to_py_err(py, &argument("reject", message)));
    }
    let csv = crate::text_options(encoding, delimiter).map_err(|e| to_py_err(py, &e))?.policy(policy);
    let mut opts = PseudonymOptions::new(&column);
    opts.csv = csv;
    if let Some(date) = reference_date.map(|d| date_arg("reference_date", d)).transpose()?.flatten() {
        opts = opts.reference_date(date);
    }
    let summary = detached(py, || pseudonymise_csv_file(&input, &output, reject.as_deref(), &key, &opts))?;
    let out = PyDict::new(py);
    out.set_item("rows", summary.rows)?;
    out.set_item("pseudonymised", summary.pseudonymised)?;
    out.set_item("rejected", summary.rejected)?;
    Ok(out)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(pseudonymise_frame, m)?)?;
    m.add_function(wrap_pyfunction!(pseudonymise_csv, m)?)?;
    Ok(())
}
