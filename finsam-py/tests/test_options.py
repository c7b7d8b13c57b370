"""Typed keyword options (issue 15, point 1): every option is in the
signature with the core's default, documented, used by the function that
takes it, and refused by the functions that do not."""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Callable
from typing import Any

import pytest

import finsam
from finsam import _finsam

# Every public function or method with keyword options.
WITH_OPTIONS: dict[str, Callable[..., Any]] = {
    "participants": finsam.participants,
    "outcome_rates": finsam.outcome_rates,
    "outcome_categories": finsam.outcome_categories,
    "outcome_change": finsam.outcome_change,
    "benefit_days": finsam.benefit_days,
    "transitions": finsam.transitions,
    "gender_gap": finsam.gender_gap,
    "gender_gap_days": finsam.gender_gap_days,
    "annual_report": finsam.annual_report,
    "insats_economy": finsam.insats_economy,
    "survey_indicators": finsam.survey_indicators,
    "survey_change": finsam.survey_change,
    "survey_comparison": finsam.survey_comparison,
    "follow_up": finsam.follow_up,
    "proportion_ci": finsam.stats.proportion_ci,
    "Dataset.to_flat_csv": finsam.Dataset.to_flat_csv,
}


def options_of(function: Callable[..., Any]) -> dict[str, inspect.Parameter]:
    return {
        p.name: p for p in inspect.signature(function).parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY
    }


def comparable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


@pytest.mark.parametrize("name", sorted(WITH_OPTIONS))
def test_every_default_in_a_signature_is_the_cores(name: str) -> None:
    core = _finsam.option_defaults()
    checked = 0
    for option, p in options_of(WITH_OPTIONS[name]).items():
        if option in core:
            assert comparable(p.default) == core[option], (name, option)
            checked += 1
    assert checked >= 1


def public_callables() -> list[tuple[str, Any]]:
    out = []
    for module in (finsam, finsam.evaluation, finsam.stats):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj):
                out += [(f"{name}.{m}", f) for m, f in vars(obj).items() if callable(f) and not m.startswith("_")]
            elif callable(obj):
                out.append((f"{module.__name__}.{name}", obj))
    return out


def test_no_public_function_takes_arbitrary_keywords() -> None:
    # Only the tables of a data set are open-ended (their names are the
    # contract's, checked at run time); every option is spelled out.
    found = []
    for name, f in public_callables():
        try:
            params = inspect.signature(f).parameters.values()
        except (TypeError, ValueError):
            continue
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
            found.append(name)
    assert found == ["Dataset.from_frames"]


@pytest.mark.parametrize("name", sorted(WITH_OPTIONS))
def test_every_option_is_documented(name: str) -> None:
    function = WITH_OPTIONS[name]
    for option in options_of(function):
        assert option in (function.__doc__ or ""), (name, option)


@pytest.fixture(scope="module")
def data() -> finsam.Dataset:
    return finsam.synthetic(scale=0.3)


@pytest.mark.parametrize(
    ("function", "option", "value"),
    [
        (finsam.participants, "method", "wilson"),
        (finsam.participants, "level", 0.9),
        (finsam.participants, "before_days", 100),
        (finsam.transitions, "level", 0.9),
        (finsam.gender_gap, "method", "wilson"),
        (finsam.gender_gap, "after_days", 100),
        (finsam.outcome_rates, "series_break", "flag"),
        (finsam.outcome_rates, "compare_insatser", False),
        (finsam.insats_economy, "level", 0.9),
        (finsam.survey_comparison, "before_days", 100),
    ],
)
def test_an_option_a_function_does_not_use_is_refused(
    data: finsam.Dataset, function: Callable[..., Any], option: str, value: Any
) -> None:
    with pytest.raises(TypeError, match=option):
        function(data, **{option: value})


@pytest.mark.parametrize(
    ("option", "value", "accepts"),
    [
        ("method", "wilsom", "wilson"),
        ("level", 95, "between 0 and 1"),
        ("threshold", 0, "≥ 1"),
        ("mixed_year", "persons", "person_level"),
        ("age_bands", [30, 20], "ascending"),
        ("uttagsdatum", "2021-13-01", "YYYY-MM-DD"),
    ],
)
def test_a_bad_value_is_an_argument_error_naming_the_option(
    data: finsam.Dataset, option: str, value: Any, accepts: str
) -> None:
    with pytest.raises(finsam.ArgumentError, match=option) as e:
        finsam.outcome_rates(data, years=2020, **{option: value})
    assert accepts in str(e.value)


def test_statsmodels_spellings_are_the_same_methods(data: finsam.Dataset) -> None:
    for alias, name in [("beta", "clopper-pearson"), ("clopper_pearson", "clopper-pearson"), ("agresti_coull", "agresti-coull")]:
        a = finsam.outcome_rates(data, years=2020, by="kon", method=alias)  # type: ignore[arg-type]
        b = finsam.outcome_rates(data, years=2020, by="kon", method=name)  # type: ignore[arg-type]
        assert a.to_json() == b.to_json()
    ci = finsam.stats.proportion_ci(8, 20, method="beta", alpha=0.1)
    assert ci.estimate == 0.4
    # Clopper–Pearson from beta quantiles, as statsmodels' "beta" computes it.
    scipy_stats = pytest.importorskip("scipy.stats")
    assert ci.lo == pytest.approx(scipy_stats.beta.ppf(0.05, 8, 13), abs=1e-10)
    assert ci.hi == pytest.approx(scipy_stats.beta.ppf(0.95, 9, 12), abs=1e-10)
    with pytest.raises(finsam.ArgumentError, match="alpha"):
        finsam.stats.proportion_ci(8, 20, level=0.9, alpha=0.1)


# Each option a function takes, with another value: it must change what
# the function returns on the synthetic data, or the function would accept
# an option it ignores. `call` gives the arguments besides the option.
EFFECTS: list[tuple[str, str, Any, dict[str, Any]]] = [
    ("participants", "suppress", False, {"by": "forbund", "years": 2020}),
    ("participants", "threshold", 50, {"by": "forbund", "years": 2020}),
    ("participants", "show_zeros", True, {"by": ["forbund", "kon"], "years": 2020}),
    ("participants", "rounding", 5, {"years": 2020}),
    ("participants", "uttagsdatum", "2020-06-30", {"years": 2020}),
    ("participants", "person_level_until", "2022-06-30", {"years": 2022}),
    ("participants", "mixed_year", "person_level", {"years": 2023}),
    ("participants", "series_break", "withhold", {"years": 2023}),
    ("participants", "age_bands", [16, 30, 50], {"by": "aldersgrupp", "years": 2020}),
    ("outcome_rates", "method", "agresti-coull", {"years": 2020}),
    ("outcome_rates", "level", 0.9, {"years": 2020}),
    ("outcome_categories", "method", "clopper-pearson", {"years": 2020}),
    ("outcome_categories", "level", 0.9, {"years": 2020}),
    ("benefit_days", "level", 0.9, {"years": 2020}),
    ("benefit_days", "before_days", 180, {"years": 2020}),
    ("benefit_days", "after_days", 180, {"years": 2020}),
    ("benefit_days", "whole_days", True, {"years": 2020}),
    ("benefit_days", "benefit_source", "precomputed", {"years": 2020}),
    ("transitions", "suppress", False, {"years": 2020, "by": "forbund"}),
    ("gender_gap", "level", 0.9, {"years": 2020}),
    ("outcome_change", "level", 0.9, {"year": 2021}),
    ("outcome_change", "suppress", False, {"year": 2021, "by": "forbund"}),
    ("gender_gap_days", "level", 0.9, {"years": 2020}),
    ("gender_gap_days", "before_days", 180, {"years": 2020}),
    ("gender_gap_days", "after_days", 180, {"years": 2020}),
    ("gender_gap_days", "whole_days", True, {"years": 2020}),
    ("gender_gap_days", "benefit_source", "precomputed", {"years": 2020}),
    ("annual_report", "compare_insatser", False, {"year": 2022}),
    ("annual_report", "series_break", "withhold", {"year": 2023}),
    ("annual_report", "whole_days", True, {"year": 2020}),
    ("insats_economy", "suppress", False, {"by": "forbund", "years": 2020}),
    ("survey_indicators", "top_box", 9, {"years": 2021}),
    ("survey_indicators", "scale", (1, 9), {"years": 2021}),
    ("survey_indicators", "min_responses", 1000, {"years": 2021, "by": "forbund"}),
    ("survey_indicators", "method", "clopper-pearson", {"years": 2021}),
    ("survey_change", "level", 0.9, {"year": 2021}),
    ("survey_comparison", "threshold", 1000, {"year": 2021}),
    ("participants", "forbund", 7, {"years": 2020}),
    ("outcome_change", "forbund", [7, 8], {"year": 2021}),
    ("annual_report", "forbund", 7, {"year": 2021, "compare_insatser": False}),
    ("insats_economy", "forbund", 7, {"years": 2020}),
    ("survey_indicators", "forbund", 7, {"years": 2021}),
    ("survey_change", "forbund", 7, {"year": 2021}),
    ("survey_comparison", "min_responses", 1000, {"year": 2021}),
]


@pytest.mark.parametrize(("name", "option", "value", "call"), EFFECTS, ids=[f"{e[0]}-{e[1]}" for e in EFFECTS])
def test_an_option_changes_what_its_function_returns(
    data: finsam.Dataset, name: str, option: str, value: Any, call: dict[str, Any]
) -> None:
    function = WITH_OPTIONS[name]
    assert option in options_of(function)
    call = dict(call)
    year = call.pop("year", None)
    args = (data,) if year is None else (data, year)
    try:
        changed = shown(function(*args, **call, **{option: value}))
    except finsam.RuleError as e:
        changed = e.code  # refusing the data (answers outside a smaller scale) is a use too
    assert shown(function(*args, **call)) != changed


def shown(result: Any) -> Any:
    """What a result shows: a table's rows (not its notes, which name the
    options whether or not they change a figure), or a report's every table."""
    if isinstance(result, finsam.AnnualReport):
        return [t.to_dicts() for t in result.tables]
    return result.to_dicts()


def test_every_option_of_a_participation_indicator_is_exercised() -> None:
    # The table above names each option of every indicator function at
    # least once (those shared by every participation indicator on one of
    # them): a new option without a test of its effect fails here.
    exercised = {(n, o) for n, o, _, _ in EFFECTS}
    shared = {
        "forbund", "suppress", "threshold", "show_zeros", "rounding", "uttagsdatum", "person_level_until", "mixed_year", "age_bands"
    }
    for name in ["participants", "outcome_rates", "outcome_categories", "benefit_days", "transitions", "gender_gap", "gender_gap_days"]:
        for option in options_of(WITH_OPTIONS[name]):
            if option in ("by", "years"):
                continue
            assert (name, option) in exercised or option in shared, (name, option)
    assert {o for n, o in exercised if n == "participants"} >= shared


def test_from_frames_takes_a_mapping_of_tables(data: finsam.Dataset) -> None:
    pa = pytest.importorskip("pyarrow")
    frames = data.to_arrow()
    from_mapping = finsam.Dataset.from_frames(frames, uttagsdatum=data.uttagsdatum)
    from_keywords = finsam.Dataset.from_frames(uttagsdatum=data.uttagsdatum, **frames)
    assert from_mapping.to_json() == from_keywords.to_json()
    with pytest.raises(finsam.ArgumentError, match="both"):
        finsam.Dataset.from_frames(frames, deltaganden=frames["deltaganden"])
    with pytest.raises(finsam.ArgumentError, match="frames"):
        finsam.Dataset.from_frames([frames["deltaganden"]])  # type: ignore[arg-type]
    assert isinstance(frames["deltaganden"], pa.Table)


def test_an_interval_unpacks_pickles_and_copies() -> None:
    import copy
    import pickle

    ci = finsam.stats.proportion_ci(8, 20)
    lo, hi = ci
    assert (lo, hi) == (ci.lo, ci.hi)
    for again in (pickle.loads(pickle.dumps(ci)), copy.deepcopy(ci), copy.copy(ci)):
        assert again == ci and type(again) is type(ci)
        assert (again.estimate, again.lo, again.hi) == (ci.estimate, ci.lo, ci.hi)
    assert ci != finsam.stats.proportion_ci(8, 20, level=0.9)
    assert ci != (ci.lo, ci.hi)
