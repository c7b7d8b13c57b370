//! Survey indicators and money: thin wrappers over `finsam_core::survey` and
//! `finsam_core::finance`.

use std::sync::Arc;

use finsam_core::finance::{self, AllocationInput, AllocationParams, EquityRule, EquityStep};
use finsam_core::survey::{self, SurveyConfig, SurveyIndicator, SurveySplit};
use finsam_core::{Dataset, Error, Ore, Respondentgrupp};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::{PyDataset, PyTable, argument, config, detached, to_py_err};

/// The survey options: `scale`, `top_box`, `min_responses` and `mapping`
/// are the survey's own; the rest (`level`, `method`, `suppress`, …) are
/// the indicator options.
fn survey_config(options: Option<&Bound<'_, PyDict>>) -> PyResult<SurveyConfig> {
    let Some(options) = options else { return Ok(SurveyConfig::default()) };
    let py = options.py();
    let bad = |name: &'static str, message: String| to_py_err(py, &argument(name, message));
    let rest = options.copy()?;
    let mut own = SurveyConfig::default();
    if let Some(v) = options.get_item("scale")? {
        (own.skala_min, own.skala_max) =
            v.extract().map_err(|_| bad("scale", "give a (min, max) pair of whole numbers".into()))?;
        rest.del_item("scale")?;
    }
    if let Some(v) = options.get_item("top_box")? {
        own.hog_niva = v.extract()?;
        rest.del_item("top_box")?;
    }
    if let Some(v) = options.get_item("min_responses")? {
        own.min_svar = v.extract()?;
        rest.del_item("min_responses")?;
    }
    if let Some(v) = options.get_item("mapping")? {
        own.indikatorer = mapping(&v)?;
        rest.del_item("mapping")?;
    }
    let base = config(Some(&rest))?;
    let c = SurveyConfig { level: base.level, method: base.method, disclosure: base.disclosure, ..own };
    c.check().map_err(|e| to_py_err(py, &e))?;
    Ok(c)
}

/// A mapping: a list of dicts with `id`, `items`, `groups` and optional
/// `label_sv` / `label_en`.
fn mapping(value: &Bound<'_, PyAny>) -> PyResult<Vec<SurveyIndicator>> {
    let py = value.py();
    let bad = |message: String| to_py_err(py, &argument("mapping", message));
    let mut out = Vec::new();
    for item in value.try_iter()? {
        let d = item?.cast_into::<PyDict>().map_err(|_| bad("each indicator is a dict".into()))?;
        let text = |key: &str| -> PyResult<Option<String>> { d.get_item(key)?.map(|v| v.extract()).transpose() };
        let id = text("id")?.ok_or_else(|| bad("an indicator needs an `id`".into()))?;
        let items: Vec<String> =
            d.get_item("items")?.ok_or_else(|| bad(format!("indicator {id:?} needs `items`")))?.extract()?;
        let groups: Vec<String> =
            d.get_item("groups")?.ok_or_else(|| bad(format!("indicator {id:?} needs `groups`")))?.extract()?;
        let grupper =
            groups.iter().map(|g| g.parse::<Respondentgrupp>().map_err(&bad)).collect::<PyResult<Vec<_>>>()?;
        out.push(SurveyIndicator {
            label_sv: text("label_sv")?.unwrap_or_else(|| id.clone()),
            label_en: text("label_en")?.unwrap_or_else(|| id.clone()),
            id,
            grupper,
            fragor: items,
        });
    }
    Ok(out)
}

fn survey_split(py: Python<'_>, by: Option<Vec<String>>) -> PyResult<SurveySplit> {
    let mut split = SurveySplit::default();
    for name in by.unwrap_or_default() {
        match name.as_str() {
            "forbund" => split.forbund = true,
            "kon" => split.kon = true,
            other => {
                return Err(to_py_err(py, &argument("by", format!("give \"forbund\" and/or \"kon\", got {other:?}"))));
            }
        }
    }
    Ok(split)
}

fn survey_years(data: &Dataset, value: Option<&Bound<'_, PyAny>>) -> PyResult<std::ops::RangeInclusive<i32>> {
    if value.is_some() {
        return crate::years(data, value);
    }
    let years = data.enkatsvar.iter().map(|a| a.ar);
    match (years.clone().min(), years.max()) {
        (Some(a), Some(b)) => Ok(a..=b),
        _ => Err(PyErr::new::<pyo3::exceptions::PyValueError, _>("the data have no survey answers; give years=")),
    }
}

/// NNS survey indicators per year, respondent group and indicator.
#[pyfunction]
#[pyo3(signature = (data, *, by = None, years = None, **options))]
fn survey_indicators(
    py: Python<'_>,
    data: &PyDataset,
    by: Option<Vec<String>>,
    years: Option<&Bound<'_, PyAny>>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyTable> {
    let config = survey_config(options)?;
    let split = survey_split(py, by)?;
    let years = survey_years(&data.inner, years)?;
    let inner = Arc::clone(&data.inner);
    Ok(PyTable { inner: detached(py, move || survey::indicators(&inner, years, split, &config))? })
}

/// The change of the survey indicators from `year − 1` to `year`.
#[pyfunction]
#[pyo3(signature = (data, year, *, by = None, **options))]
fn survey_change(
    py: Python<'_>,
    data: &PyDataset,
    year: i32,
    by: Option<Vec<String>>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyTable> {
    let config = survey_config(options)?;
    let split = survey_split(py, by)?;
    let inner = Arc::clone(&data.inner);
    Ok(PyTable { inner: detached(py, move || survey::change(&inner, year, split, &config))? })
}

/// Each förbund against the rest of the country in `year`.
#[pyfunction]
#[pyo3(signature = (data, year, **options))]
fn survey_comparison(
    py: Python<'_>,
    data: &PyDataset,
    year: i32,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyTable> {
    let config = survey_config(options)?;
    let inner = Arc::clone(&data.inner);
    Ok(PyTable { inner: detached(py, move || survey::comparison(&inner, year, &config))? })
}

/// The default item → indicator mapping, as `mapping=` takes it.
#[pyfunction]
fn survey_mapping(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let out = PyList::empty(py);
    for i in survey::default_indicators() {
        let d = PyDict::new(py);
        d.set_item("id", &i.id)?;
        d.set_item("label_sv", &i.label_sv)?;
        d.set_item("label_en", &i.label_en)?;
        d.set_item("groups", i.grupper.iter().map(|g| g.code()).collect::<Vec<_>>())?;
        d.set_item("items", &i.fragor)?;
        out.append(d)?;
    }
    Ok(out)
}

/// The §5 split of every förbund's budget for `year`.
#[pyfunction]
fn financing(py: Python<'_>, data: &PyDataset, year: i32) -> PyResult<PyTable> {
    let inner = Arc::clone(&data.inner);
    let splits = detached(py, move || finance::financing(&inner, year))?;
    Ok(PyTable { inner: finance::split::financing_table(&splits) })
}

/// Kronor given as an int, a `Decimal` or a string with at most two decimals.
fn kronor(name: &'static str, value: &Bound<'_, PyAny>) -> PyResult<Ore> {
    let text: String = value.str()?.extract()?;
    Ore::parse_kronor(&text).ok_or_else(|| {
        to_py_err(value.py(), &argument(name, format!("{text:?} is not kronor with at most two decimals")))
    })
}

/// The state's allocation model for `year`: inputs from the data set's
/// kommun statistics and economies, or förbund-level inputs in a frame.
#[pyfunction]
#[pyo3(signature = (data, year, *, inputs = None, total = None, base = None, forsorjning_percent = 75, max_fall_percent = 10, equity = true, equity_steps = None, equity_reduction_percent = 50))]
#[allow(clippy::too_many_arguments)]
fn allocation(
    py: Python<'_>,
    data: Option<&PyDataset>,
    year: i32,
    inputs: Option<&Bound<'_, PyAny>>,
    total: Option<&Bound<'_, PyAny>>,
    base: Option<&Bound<'_, PyAny>>,
    forsorjning_percent: u32,
    max_fall_percent: u32,
    equity: bool,
    equity_steps: Option<Vec<(Option<Bound<'_, PyAny>>, u32)>>,
    equity_reduction_percent: u32,
) -> PyResult<PyTable> {
    let mut params = AllocationParams {
        forsorjning_procent: forsorjning_percent,
        max_minskning_procent: max_fall_percent,
        ..Default::default()
    };
    if let Some(t) = total {
        params.total = kronor("total", t)?;
    }
    if let Some(b) = base {
        params.grundbelopp = kronor("base", b)?;
    }
    params.eget_kapital = if equity {
        let mut rule = EquityRule { minskning_procent: equity_reduction_percent, ..EquityRule::default() };
        if let Some(steps) = equity_steps {
            rule.steps = steps
                .into_iter()
                .map(|(upto, max_procent)| {
                    Ok(EquityStep { budget_upto: upto.map(|u| kronor("equity_steps", &u)).transpose()?, max_procent })
                })
                .collect::<PyResult<_>>()?;
        }
        Some(rule)
    } else {
        None
    };
    let given: Option<Vec<AllocationInput>> = match inputs {
        None => None,
        Some(frame) => {
            let batches = crate::frames::batches(frame, "fordelningsunderlag")?;
            Some(detached(py, move || {
                finsam_core::arrow::from_record_batches::<AllocationInput>(
                    &batches,
                    None,
                    finsam_core::ErrorPolicy::FailFast,
                )
            })?)
        }
    };
    let dataset = data.map(|d| Arc::clone(&d.inner));
    let result = detached(py, move || {
        let inputs = match (given, dataset) {
            (Some(rows), _) => rows,
            (None, Some(d)) => finance::allocation::allocation_inputs(&d, year)?,
            (None, None) => {
                return Err(Error::InvalidArgument { name: "inputs", message: "give a data set or inputs=".into() });
            }
        };
        finance::allocate(year, &inputs, &params)
    })?;
    Ok(PyTable { inner: result.to_table() })
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(survey_indicators, m)?)?;
    m.add_function(wrap_pyfunction!(survey_change, m)?)?;
    m.add_function(wrap_pyfunction!(survey_comparison, m)?)?;
    m.add_function(wrap_pyfunction!(survey_mapping, m)?)?;
    m.add_function(wrap_pyfunction!(financing, m)?)?;
    m.add_function(wrap_pyfunction!(allocation, m)?)?;
    Ok(())
}
