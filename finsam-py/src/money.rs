//! Survey indicators and money: thin wrappers over `finsam_core::survey` and
//! `finsam_core::finance`.

use std::sync::Arc;

use finsam_core::finance::{self, AllocationInput, AllocationParams, EquityRule, EquityStep};
use finsam_core::survey::{self, SurveyConfig, SurveyIndicator, SurveySplit};
use finsam_core::{Dataset, Error, Ore, Respondentgrupp};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::{
    PyDataset, PyTable, argument, bad_option, by_names, config_with, detached, opt_bool, opt_float, opt_int, to_py_err,
};

/// The survey's own options (the indicator options are accepted too).
const SURVEY_OPTIONS: &[&str] = &["scale", "top_box", "min_responses", "mapping"];

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
        let accepts = "a (min, max) pair of whole numbers from 0 to 100 with min < max";
        let pair = v.cast::<pyo3::types::PyTuple>().ok().filter(|t| t.len() == 2);
        let Some(pair) = pair else { return Err(bad_option("scale", accepts, &v)) };
        let point =
            |i| opt_int::<u8>("scale", &pair.get_item(i)?, 0..=100).map_err(|_| bad_option("scale", accepts, &v));
        (own.skala_min, own.skala_max) = (point(0)?, point(1)?);
        rest.del_item("scale")?;
    }
    if let Some(v) = options.get_item("top_box")? {
        own.hog_niva = opt_float("top_box", &v, "a number on the scale", f64::is_finite)?;
        rest.del_item("top_box")?;
    }
    if let Some(v) = options.get_item("min_responses")? {
        own.min_svar = opt_int("min_responses", &v, 1..=i64::from(u32::MAX))?;
        rest.del_item("min_responses")?;
    }
    if let Some(v) = options.get_item("mapping")? {
        own.indikatorer = mapping(&v)?;
        rest.del_item("mapping")?;
    }
    let base = config_with(Some(&rest), SURVEY_OPTIONS)?;
    let c = SurveyConfig { level: base.level, method: base.method, disclosure: base.disclosure, ..own };
    c.check().map_err(|e| match e {
        // The core names the fields in Swedish; name the keywords the caller typed.
        Error::InvalidArgument { name, message } => {
            let name = match name {
                "skala" => "scale",
                "hog_niva" => "top_box",
                "min_svar" => "min_responses",
                "indikatorer" => "mapping",
                other => other,
            };
            bad(name, message)
        }
        other => to_py_err(py, &other),
    })?;
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

fn survey_split(py: Python<'_>, by: Option<&Bound<'_, PyAny>>) -> PyResult<SurveySplit> {
    let mut split = SurveySplit::default();
    for name in by_names(by)? {
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

fn survey_years(
    py: Python<'_>,
    data: &Dataset,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<std::ops::RangeInclusive<i32>> {
    if value.is_some() {
        return crate::years(py, data, value);
    }
    let years = data.enkatsvar.iter().map(|a| a.ar);
    match (years.clone().min(), years.max()) {
        (Some(a), Some(b)) => Ok(a..=b),
        _ => Err(to_py_err(py, &argument("years", "the data have no survey answers; give years=".into()))),
    }
}

/// NNS survey indicators per year, respondent group and indicator.
#[pyfunction]
#[pyo3(signature = (data, *, by = None, years = None, **options))]
fn survey_indicators(
    py: Python<'_>,
    data: &PyDataset,
    by: Option<&Bound<'_, PyAny>>,
    years: Option<&Bound<'_, PyAny>>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyTable> {
    let config = survey_config(options)?;
    let split = survey_split(py, by)?;
    let years = survey_years(py, &data.inner, years)?;
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
    by: Option<&Bound<'_, PyAny>>,
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
    let names = data.inner.key_names();
    let splits = detached(py, move || finance::financing(&inner, year))?;
    let mut table = finance::split::financing_table(&splits);
    names.apply(&mut table);
    Ok(PyTable { inner: table })
}

/// Kronor given as an int, a `Decimal` or a string with at most two
/// decimals, not negative.
fn kronor(name: &'static str, value: &Bound<'_, PyAny>) -> PyResult<Ore> {
    let accepts = "kronor ≥ 0 with at most two decimals, as an int, a Decimal or a string";
    if value.is_instance_of::<pyo3::types::PyBool>() || value.is_instance_of::<pyo3::types::PyFloat>() {
        // A float's text is not exact kronor (0.1 + 0.2), and True is not an amount.
        return Err(bad_option(name, accepts, value));
    }
    let text: String = value.str()?.extract()?;
    Ore::parse_kronor(&text).filter(|o| o.0 >= 0).ok_or_else(|| bad_option(name, accepts, value))
}

fn percent(name: &'static str, value: &Bound<'_, PyAny>) -> PyResult<u32> {
    opt_int(name, value, 0..=100)
}

fn forsorjning_percent_arg(value: &Bound<'_, PyAny>) -> PyResult<u32> {
    percent("forsorjning_percent", value)
}

fn max_fall_percent_arg(value: &Bound<'_, PyAny>) -> PyResult<u32> {
    percent("max_fall_percent", value)
}

fn equity_reduction_percent_arg(value: &Bound<'_, PyAny>) -> PyResult<u32> {
    percent("equity_reduction_percent", value)
}

fn equity_arg(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    opt_bool("equity", value)
}

/// The equity staircase: `(budget up to, max percent)` pairs, the last
/// budget `None`.
fn equity_steps_arg(value: &Bound<'_, PyAny>) -> PyResult<Option<Vec<EquityStep>>> {
    let accepts = "a non-empty list of (budget up to in kronor or None, max percent 0–100) pairs";
    if value.is_none() {
        return Ok(None);
    }
    let list = value.cast::<PyList>().map_err(|_| bad_option("equity_steps", accepts, value))?;
    if list.is_empty() {
        return Err(bad_option("equity_steps", accepts, value));
    }
    list.iter()
        .map(|step| {
            let pair = step.cast::<pyo3::types::PyTuple>().ok().filter(|t| t.len() == 2);
            let Some(pair) = pair else { return Err(bad_option("equity_steps", accepts, value)) };
            let upto = pair.get_item(0)?;
            let budget_upto = if upto.is_none() { None } else { Some(kronor("equity_steps", &upto)?) };
            let max_procent = opt_int("equity_steps", &pair.get_item(1)?, 0..=100)
                .map_err(|_| bad_option("equity_steps", accepts, value))?;
            Ok(EquityStep { budget_upto, max_procent })
        })
        .collect::<PyResult<Vec<_>>>()
        .map(Some)
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
    #[pyo3(from_py_with = forsorjning_percent_arg)] forsorjning_percent: u32,
    #[pyo3(from_py_with = max_fall_percent_arg)] max_fall_percent: u32,
    #[pyo3(from_py_with = equity_arg)] equity: bool,
    #[pyo3(from_py_with = equity_steps_arg)] equity_steps: Option<Vec<EquityStep>>,
    #[pyo3(from_py_with = equity_reduction_percent_arg)] equity_reduction_percent: u32,
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
            rule.steps = steps;
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
    let mut table = result.to_table();
    if let Some(d) = data {
        // Named by the data set's förbund; inputs given as a frame have no names.
        d.inner.key_names().apply(&mut table);
    }
    Ok(PyTable { inner: table })
}

/// Budget, utfall and participants of insatser per year and group.
#[pyfunction]
#[pyo3(signature = (data, *, by = None, years = None, **options))]
fn insats_economy(
    py: Python<'_>,
    data: &PyDataset,
    by: Option<&Bound<'_, PyAny>>,
    years: Option<&Bound<'_, PyAny>>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyTable> {
    let config = config_with(options, &[])?;
    let split = crate::split(py, by)?;
    let years = crate::years(py, &data.inner, years)?;
    let inner = Arc::clone(&data.inner);
    let table = detached(py, move || finsam_core::report::insats_economy(&inner, &split, years, &config))?;
    Ok(PyTable { inner: table })
}

/// Each förbund's budget, allocation, administrative costs and equity
/// against the recommended level, per year.
#[pyfunction]
#[pyo3(signature = (data, *, years = None, equity_steps = None))]
fn forbund_economy(
    py: Python<'_>,
    data: &PyDataset,
    years: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = equity_steps_arg)] equity_steps: Option<Vec<EquityStep>>,
) -> PyResult<PyTable> {
    let mut rule = EquityRule::default();
    if let Some(steps) = equity_steps {
        rule.steps = steps;
    }
    let years = crate::years(py, &data.inner, years)?;
    let inner = Arc::clone(&data.inner);
    let config = finsam_core::indicators::Config::default();
    let table = detached(py, move || finsam_core::report::forbund_economy(&inner, years, &rule, &config))?;
    Ok(PyTable { inner: table })
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(insats_economy, m)?)?;
    m.add_function(wrap_pyfunction!(forbund_economy, m)?)?;
    m.add_function(wrap_pyfunction!(survey_indicators, m)?)?;
    m.add_function(wrap_pyfunction!(survey_change, m)?)?;
    m.add_function(wrap_pyfunction!(survey_comparison, m)?)?;
    m.add_function(wrap_pyfunction!(survey_mapping, m)?)?;
    m.add_function(wrap_pyfunction!(financing, m)?)?;
    m.add_function(wrap_pyfunction!(allocation, m)?)?;
    Ok(())
}
