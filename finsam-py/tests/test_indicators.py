"""Indicators from Python, checked against statsmodels and scipy.

Tolerances: 1e-9 for closed forms and numerically inverted quantiles
(scipy/statsmodels use the same formulas); counts exact.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

import finsam
from finsam.stats import newcombe_diff, paired_mean_ci, proportion_ci, welch_diff

METHODS = {"wilson": "wilson", "clopper-pearson": "beta", "agresti-coull": "agresti_coull"}


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 5000), frac=st.floats(0, 1), method=st.sampled_from(sorted(METHODS)), level=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_proportion_ci_agrees_with_statsmodels(n: int, frac: float, method: str, level: float) -> None:
    k = round(frac * n)
    ci = proportion_ci(k, n, method=method, level=level)  # type: ignore[arg-type]
    lo, hi = proportion_confint(k, n, alpha=1 - level, method=METHODS[method])
    assert ci.lo == pytest.approx(max(lo, 0.0), abs=1e-9)
    assert ci.hi == pytest.approx(min(hi, 1.0), abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    pairs=st.lists(st.tuples(st.integers(0, 365), st.integers(0, 365)), min_size=2, max_size=300),
    level=st.sampled_from([0.9, 0.95, 0.99]),
)
def test_paired_mean_ci_agrees_with_scipy(pairs: list[tuple[int, int]], level: float) -> None:
    before = [float(b) for b, _ in pairs]
    after = [float(a) for _, a in pairs]
    diffs = np.array(after) - np.array(before)
    ci = paired_mean_ci(before, after, level=level)
    assert ci.estimate == pytest.approx(float(diffs.mean()), abs=1e-9)
    if np.all(diffs == diffs[0]):
        return  # zero variance: scipy gives nan bounds, finsam the point itself
    ref = sps.ttest_rel(after, before).confidence_interval(level)
    assert ci.lo == pytest.approx(ref.low, abs=1e-7)
    assert ci.hi == pytest.approx(ref.high, abs=1e-7)


@settings(max_examples=200, deadline=None)
@given(n1=st.integers(1, 3000), n2=st.integers(1, 3000), f1=st.floats(0, 1), f2=st.floats(0, 1))
def test_newcombe_agrees_with_statsmodels(n1: int, n2: int, f1: float, f2: float) -> None:
    k1, k2 = round(f1 * n1), round(f2 * n2)
    ci = newcombe_diff(k1, n1, k2, n2)
    lo, hi = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff")
    assert ci.lo == pytest.approx(lo, abs=1e-9)
    assert ci.hi == pytest.approx(hi, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    a=st.lists(st.integers(-365, 365), min_size=2, max_size=200),
    b=st.lists(st.integers(-365, 365), min_size=2, max_size=200),
)
def test_welch_agrees_with_scipy(a: list[int], b: list[int]) -> None:
    if np.var(a) == 0 and np.var(b) == 0:
        return
    ci = welch_diff([float(x) for x in a], [float(x) for x in b])
    ref = sps.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert ci.lo == pytest.approx(ref.low, abs=1e-7)
    assert ci.hi == pytest.approx(ref.high, abs=1e-7)


def test_outcome_table_intervals_match_statsmodels(small: finsam.Dataset) -> None:
    t = finsam.outcome_rates(small, by=["kon"], years=2020, suppress=False)
    rows = {r["kon"]: r for r in t.to_dicts()}
    cats = finsam.outcome_categories(small, years=2020, suppress=False)
    counts = {r["status"]: r["antal"] for r in cats.to_dicts()}
    k = counts["arbete"] + counts["studier"]
    n = counts["alla"]
    lo, hi = proportion_confint(k, n, method="wilson")
    assert rows["alla"]["andel_arbete_studier"] == pytest.approx(k / n, abs=1e-12)
    assert (rows["alla"]["lo"], rows["alla"]["hi"]) == (pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12))


def test_national_figures_from_python() -> None:
    data = finsam.synthetic()
    t = finsam.participants(data, years=(2019, 2021))
    assert t.value(["2020"], "deltagare") == 24_867
    assert round(t.value(["2020"], "forandring_procent") or 0, 1) == -20.2
    days = finsam.benefit_days(data, years=2020)
    assert days.value(["2020", "sp_rp"], "medel_skillnad") == pytest.approx(-12, abs=2.5)


def test_suppressed_cells_are_none_with_a_reason(small: finsam.Dataset) -> None:
    t = finsam.participants(small, by=["forbund"], years=2020)
    rows = t.to_dicts()
    hidden = [r for r in rows if r["personer"] is None]
    assert hidden, "the small data set has small cells"
    assert all(r["personer_reason"] in {"primary", "complementary"} for r in hidden)
    assert not any(r["personer"] == 0 for r in hidden)
    off = finsam.participants(small, by=["forbund"], years=2020, suppress=False)
    assert all(r["personer"] is not None for r in off.to_dicts())


def test_annual_report_and_catalogue(small: finsam.Dataset) -> None:
    report = finsam.annual_report(small, 2020, level=0.9, method="clopper-pearson")
    assert report.year == 2020
    assert {t.id for t in report.tables} >= {"deltagare", "utfall", "ersattningsdagar", "forsorjning_overgang", "konsskillnad", "tackning"}
    assert "Finsam årsrapport 2020" in report.to_markdown()
    assert '"suppressed"' in report.to_json()
    ids = [i["id"] for i in finsam.catalogue()]
    assert ids == [t for t in ids if t] and "utfall" in ids


def test_bad_options_raise_argument_errors(small: finsam.Dataset) -> None:
    with pytest.raises(finsam.ArgumentError):
        finsam.outcome_rates(small, by=["nonsense"])
    with pytest.raises(finsam.ArgumentError):
        finsam.outcome_rates(small, level=1.5)
    with pytest.raises(finsam.ArgumentError):
        finsam.outcome_rates(small, method="wald")
    with pytest.raises(finsam.ArgumentError):
        finsam.outcome_rates(small, colour="blue")
    with pytest.raises(finsam.ArgumentError):
        finsam.gender_gap(small, by=["kon"])
    with pytest.raises(finsam.ArgumentError):
        proportion_ci(3, 2)
    assert math.isfinite(proportion_ci(0, 5).hi)


def test_counts_are_integer_columns_in_pandas_and_polars(small: finsam.Dataset) -> None:
    import pandas as pd
    import polars as pl

    t = finsam.participants(small, by=["forbund"], years=2020)
    df = t.to_pandas()
    assert df["personer"].isna().any(), "the small data set has withheld cells"
    # Nullable Int64 for every integer column, withheld or not: one rule, whatever the data.
    for col in ["ar", "deltagare", "personer", "anonyma", "deltaganden", "startade"]:
        assert df[col].dtype == pd.Int64Dtype(), col
    assert df["forandring_procent"].dtype == "float64"
    full = finsam.participants(small, years=2020, suppress=False).to_pandas()
    assert full["deltagare"].dtype == pd.Int64Dtype()
    assert str(full["deltagare"].iloc[0]).isdigit()  # 8706, never 8706.0
    p = t.to_polars()
    assert p.schema["personer"] == pl.Int64 and p.schema["forandring_procent"] == pl.Float64
    assert p["personer"].null_count() == df["personer"].isna().sum()
    money = finsam.allocation(small, 2021).to_polars()
    assert money.schema["tilldelning"] == pl.Int64
