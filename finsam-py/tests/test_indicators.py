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

# `follow_up` and `follow_up_state` stay one release and warn; their options
# are still checked here.
pytestmark = pytest.mark.filterwarnings("ignore:finsam.follow_up:DeprecationWarning")

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
    n = counts[None]  # the total over every status
    lo, hi = proportion_confint(k, n, method="wilson")
    assert rows[None]["andel_arbete_studier"] == pytest.approx(k / n, abs=1e-12)
    assert (rows[None]["andel_arbete_studier_lo"], rows[None]["andel_arbete_studier_hi"]) == (pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12))


def test_national_figures_from_python() -> None:
    data = finsam.synthetic()
    t = finsam.participants(data, years=(2019, 2021))
    assert t.value(["2020"], "deltagare") == 24_867
    assert round(t.value(["2020"], "forandring_procent") or 0, 1) == -20.2
    days = finsam.benefit_days(data, years=2020)
    assert days.value(["2020", "sp_rp"], "medel_diff") == pytest.approx(-12, abs=2.5)


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
    with pytest.raises(TypeError, match="colour"):
        finsam.outcome_rates(small, colour="blue")  # type: ignore[call-arg]
    with pytest.raises(finsam.ArgumentError):
        finsam.gender_gap(small, by=["kon"])
    with pytest.raises(finsam.ArgumentError):
        proportion_ci(3, 2)
    assert math.isfinite(proportion_ci(0, 5).hi)


# Every keyword option of every function that takes options: a bad value of
# the wrong type, out of range or unknown is an ArgumentError that names the
# option (and, for unknown keywords, lists the valid ones).
def _flat() -> object:
    import pyarrow as pa

    return pa.table(
        {
            "deltagare_id": pa.array([1, 2], pa.int64()),
            "forbund_id": pa.array([1, 1], pa.int64()),
            "kon": pa.array(["K", "M"]),
            "startdatum": pa.array([18_000, 18_100], pa.int32()).cast(pa.date32()),
            "slutdatum": pa.array([18_200, None], pa.int32()).cast(pa.date32()),
            "status_efter": pa.array(["arbete", None]),
            "sp_rp_fore": pa.array([10, 20], pa.int16()),
            "sp_rp_efter": pa.array([5, None], pa.int16()),
        }
    )


INDICATOR_OPTIONS: list[tuple[str, object]] = [
    ("level", "high"),
    ("level", 1.5),
    ("level", True),
    ("method", "wald"),
    ("method", 3),
    ("before_days", -5),
    ("before_days", 0),
    ("before_days", "365"),
    ("after_days", 10_000),
    ("whole_days", 1),
    ("age_bands", [30, 20]),
    ("age_bands", "16,25"),
    ("age_bands", [16, "x"]),
    ("suppress", 0),
    ("suppress", "no"),
    ("threshold", -1),
    ("threshold", 0),
    ("threshold", 2.5),
    ("threshold", True),
    ("show_zeros", "yes"),
    ("rounding", 0),
    ("rounding", "5"),
    ("uttagsdatum", 20231231),
    ("uttagsdatum", "31/12/2023"),
    ("benefit_source", "registers"),
    ("person_level_until", None),
    ("person_level_until", "2023-13-01"),
    ("mixed_year", "aggregate"),
    ("series_break", True),
    ("compare_insatser", "yes"),
]

CALLS = {
    "participants": lambda d, **kw: finsam.participants(d, **kw),
    "outcome_rates": lambda d, **kw: finsam.outcome_rates(d, **kw),
    "outcome_categories": lambda d, **kw: finsam.outcome_categories(d, **kw),
    "benefit_days": lambda d, **kw: finsam.benefit_days(d, **kw),
    "transitions": lambda d, **kw: finsam.transitions(d, **kw),
    "gender_gap": lambda d, **kw: finsam.gender_gap(d, **kw),
    "gender_gap_days": lambda d, **kw: finsam.gender_gap_days(d, **kw),
    "annual_report": lambda d, **kw: finsam.annual_report(d, 2020, **kw),
    "survey_indicators": lambda d, **kw: finsam.survey_indicators(d, **kw),
    "survey_change": lambda d, **kw: finsam.survey_change(d, 2021, **kw),
    "survey_comparison": lambda d, **kw: finsam.survey_comparison(d, 2021, **kw),
    "follow_up": lambda d, **kw: finsam.follow_up(_flat(), **kw),
}

SURVEY_CALLS = ["survey_indicators", "survey_change", "survey_comparison"]
SURVEY_OPTIONS: list[tuple[str, object]] = [
    ("scale", (5, 1)),
    ("scale", "1-10"),
    ("scale", (1, 1000)),
    ("top_box", 11),
    ("top_box", "8"),
    ("min_responses", 0),
    ("min_responses", -3),
    ("mapping", [{"id": "x"}]),
    ("mapping", "default"),
]

OTHER_CALLS: list[tuple[str, str, object]] = [
    ("proportion_ci", "level", "x"),
    ("proportion_ci", "level", 0),
    ("proportion_ci", "method", "wald"),
    ("paired_mean_ci", "level", 2),
    ("newcombe_diff", "level", "0.9"),
    ("welch_diff", "level", None),
    ("synthetic", "scale", 0),
    ("synthetic", "scale", "big"),
    ("synthetic", "seed", -1),
    ("allocation", "forsorjning_percent", -1),
    ("allocation", "max_fall_percent", 101),
    ("allocation", "equity_reduction_percent", "half"),
    ("allocation", "equity", 0),
    ("allocation", "equity_steps", [(1, 2, 3)]),
    ("allocation", "equity_steps", []),
    ("allocation", "total", -5),
    ("allocation", "total", 1.5),
    ("allocation", "base", "x"),
    ("follow_up", "threads", -1),
    ("follow_up", "threads", 0),
    ("follow_up", "delimiter", ";;"),
    ("read_extract", "threads", "2"),
    ("read_extract", "delimiter", 5),
    ("partial", "threads", 0),
    ("partial", "delimiter", ";;"),
    ("follow_up_state", "threads", "2"),
    ("follow_up_state", "delimiter", 5),
    ("follow_up_state", "years", "recent"),
]


def _other(small: finsam.Dataset, function: str, option: str, value: object) -> None:
    kw = {option: value}
    if function == "proportion_ci":
        finsam.stats.proportion_ci(3, 10, **kw)
    elif function == "paired_mean_ci":
        finsam.stats.paired_mean_ci([1.0, 2.0], [2.0, 2.0], **kw)
    elif function == "newcombe_diff":
        finsam.stats.newcombe_diff(3, 10, 4, 10, **kw)
    elif function == "welch_diff":
        finsam.stats.welch_diff([1.0, 2.0], [2.0, 4.0], **kw)
    elif function == "synthetic":
        finsam.synthetic(**kw)
    elif function == "allocation":
        finsam.allocation(small, 2021, **kw)
    elif function == "follow_up":
        finsam.follow_up(_flat(), **kw)
    elif function == "follow_up_state":
        finsam.follow_up_state(_flat(), **kw)
    elif function == "read_extract":
        finsam.read_extract(_flat(), **kw)
    else:
        finsam.partial(_flat(), years=(2018, 2022), **kw)


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize(("option", "value"), INDICATOR_OPTIONS)
def test_every_bad_indicator_option_is_an_argument_error(
    small: finsam.Dataset, call: str, option: str, value: object
) -> None:
    # A function takes only the options it uses (in its signature); any
    # other is a TypeError, as Python reports an unexpected keyword.
    if option not in _options_of(call):
        with pytest.raises(TypeError, match=option):
            CALLS[call](small, **{option: value})
        return
    with pytest.raises(finsam.ArgumentError) as info:
        CALLS[call](small, **{option: value})
    assert f"`{option}`" in str(info.value)


def _options_of(call: str) -> set[str]:
    import inspect

    function = getattr(finsam, call)
    return set(inspect.signature(function).parameters)


@pytest.mark.parametrize("call", sorted(CALLS))
def test_an_unknown_option_is_a_type_error(small: finsam.Dataset, call: str) -> None:
    with pytest.raises(TypeError, match="colour"):
        CALLS[call](small, colour="blue")


@pytest.mark.parametrize("call", SURVEY_CALLS)
@pytest.mark.parametrize(("option", "value"), SURVEY_OPTIONS)
def test_every_bad_survey_option_is_an_argument_error(
    small: finsam.Dataset, call: str, option: str, value: object
) -> None:
    with pytest.raises(finsam.ArgumentError) as info:
        CALLS[call](small, **{option: value})
    assert f"`{option}`" in str(info.value)


@pytest.mark.parametrize(("function", "option", "value"), OTHER_CALLS)
def test_every_bad_keyword_of_other_functions_is_an_argument_error(
    small: finsam.Dataset, function: str, option: str, value: object
) -> None:
    with pytest.raises(finsam.ArgumentError) as info:
        _other(small, function, option, value)
    assert f"`{option}`" in str(info.value)


def test_good_options_are_still_accepted(small: finsam.Dataset) -> None:
    import datetime

    t = finsam.annual_report(
        small,
        2020,
        level=0.9,
        method="agresti-coull",
        before_days=180,
        whole_days=True,
        age_bands=(16, 30),
        suppress=True,
        threshold=3,
        show_zeros=True,
        rounding=None,
        uttagsdatum=datetime.date(2023, 12, 31),
        benefit_source="auto",
        person_level_until="2023-04-30",
        mixed_year="aggregates",
        series_break="flag",
    )
    assert len(t.tables) > 0
    assert len(finsam.outcome_rates(small, years=2020, uttagsdatum="2023-12-31")) > 0


def test_by_accepts_one_dimension_as_a_string(small: finsam.Dataset) -> None:
    one = finsam.outcome_rates(small, by="kon", years=2020)
    assert one.keys == ["ar", "kon"]
    assert one.to_dicts() == finsam.outcome_rates(small, by=["kon"], years=2020).to_dicts()
    s = finsam.survey_indicators(small, by="kon", years=2021)
    assert "kon" in s.keys
    with pytest.raises(finsam.ArgumentError, match="`by`"):
        finsam.outcome_rates(small, by=3)  # type: ignore[arg-type]
    with pytest.raises(finsam.ArgumentError, match="`by`"):
        finsam.outcome_rates(small, by=["kon", 3])  # type: ignore[list-item]


@pytest.mark.parametrize("years", [range(2019, 2022, 2), range(2021, 2019), range(2020, 2020), (2021, 2019), (2019,), True, 2020.0, "2020"])
def test_years_that_cannot_be_honoured_are_refused(small: finsam.Dataset, years: object) -> None:
    with pytest.raises(finsam.ArgumentError, match="`years`"):
        finsam.participants(small, years=years)  # type: ignore[arg-type]


def test_years_of_each_form(small: finsam.Dataset) -> None:
    a = finsam.participants(small, years=range(2019, 2022)).to_dicts()
    assert a == finsam.participants(small, years=(2019, 2021)).to_dicts()
    assert [r["ar"] for r in a] == [2019, 2020, 2021]


def test_value_refuses_a_misspelled_column_or_a_wrong_key(small: finsam.Dataset) -> None:
    t = finsam.participants(small, by=["kon"], years=2020)
    with pytest.raises(finsam.ArgumentError, match="deltagare, personer") as info:
        t.value(["2020", "alla"], "deltgare")
    assert "`column`" in str(info.value)
    with pytest.raises(finsam.ArgumentError, match="`key`"):
        t.value(["2020"], "deltagare")
    with pytest.raises(finsam.ArgumentError, match="`key`"):
        t.value(["2030", "alla"], "deltagare")
    assert isinstance(t.value(["2020", "alla"], "deltagare"), float)
    hidden = finsam.participants(small, by=["forbund"], years=2020)
    row = next(r for r in hidden.to_dicts() if r["personer"] is None)
    assert hidden.value([row["ar"], row["forbund"]], "personer") is None


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


def test_outcome_change_agrees_with_statsmodels_newcombe(small: finsam.Dataset) -> None:
    from statsmodels.stats.proportion import confint_proportions_2indep

    change = finsam.outcome_change(small, 2021, by="kon", suppress=False)
    now = finsam.outcome_rates(small, by="kon", years=2021, suppress=False)
    before = finsam.outcome_rates(small, by="kon", years=2020, suppress=False)
    cats = {
        year: {(r["kon"], r["status"]): r["antal"] for r in finsam.outcome_categories(small, by="kon", years=year, suppress=False).to_dicts()}
        for year in (2020, 2021)
    }
    checked = 0
    for row in change.to_dicts():
        kon = row["kon"]
        key_now, key_before = [2021, kon], [2020, kon]
        # The same counts and shares as the outcome tables of each year.
        assert row["n"] == now.value(key_now, "n") and row["n_fg"] == before.value(key_before, "n")
        assert row["andel_arbete_studier"] == now.value(key_now, "andel_arbete_studier")
        assert row["andel_arbete_studier_fg"] == before.value(key_before, "andel_arbete_studier")
        k1 = cats[2021][(kon, "arbete")] + cats[2021][(kon, "studier")]
        k2 = cats[2020][(kon, "arbete")] + cats[2020][(kon, "studier")]
        n1, n2 = int(row["n"]), int(row["n_fg"])
        if min(n1, n2) == 0:
            continue
        lo, hi = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff", alpha=0.05)
        assert row["andel_arbete_studier_diff"] == pytest.approx(k1 / n1 - k2 / n2, abs=1e-12)
        assert (row["andel_arbete_studier_diff_lo"], row["andel_arbete_studier_diff_hi"]) == (
            pytest.approx(lo, abs=1e-10),
            pytest.approx(hi, abs=1e-10),
        )
        checked += 1
    assert checked >= 2
    # Disclosure on: a withheld denominator withholds its share and the difference.
    protected = finsam.outcome_change(small, 2021, by="forbund").to_dicts()
    for row in protected:
        if row["n_reason"] or row["n_fg_reason"]:
            assert row["andel_arbete_studier_diff"] is None and row["andel_arbete_studier_diff_reason"]
    assert any(r["n_reason"] for r in protected)
    # Every cell of the year before has a row, also one the year lacks: the
    # total minus the rows shown gives no withheld count away.
    before_keys = {r["forbund"] for r in finsam.outcome_rates(small, by="forbund", years=2020).to_dicts()}
    assert before_keys <= {r["forbund"] for r in protected}
    # A change needs two whole person-level years.
    for year in (2016, 2023, 2024):
        with pytest.raises(finsam.ArgumentError):
            finsam.outcome_change(small, year)


def test_outcome_numerators_let_users_test_differences(small: finsam.Dataset) -> None:
    # The numerators are share × n exactly, shown and withheld with the share,
    # so a user can run statsmodels' tests on the table as published.
    from statsmodels.stats.proportion import proportions_ztest

    df = finsam.outcome_rates(small, by=["forbund", "kon"], years=2021).to_pandas(totals=False)
    for share, numerator in [("andel_arbete_studier", "n_arbete_studier"), ("andel_arbete_studier_sokande", "n_arbete_studier_sokande")]:
        assert df[numerator].dtype == "Int64"
        shown = df[share].notna()
        assert shown.any() and (~shown).any(), "some shares are withheld in this table"
        assert (df[numerator].notna() == shown).all(), "withheld exactly with the share"
        np.testing.assert_allclose(df.loc[shown, numerator].astype(float), df.loc[shown, share] * df.loc[shown, "n"], rtol=0, atol=1e-9)
        assert (df.loc[~shown, f"{numerator}_reason"] == df.loc[~shown, f"{share}_reason"]).all()
    national = finsam.outcome_rates(small, years=(2020, 2021)).to_pandas().set_index("ar")
    k = [int(national.loc[2020, "n_arbete_studier"]), int(national.loc[2021, "n_arbete_studier"])]
    n = [int(national.loc[2020, "n"]), int(national.loc[2021, "n"])]
    z, p = proportions_ztest(k, n)
    assert math.isfinite(z) and 0 < p < 1
    rounded = finsam.outcome_rates(small, by="kon", years=2021, rounding=5).to_pandas(totals=False)
    assert (rounded["n_arbete_studier"].dropna() % 5 == 0).all(), "rounded as counts are"
