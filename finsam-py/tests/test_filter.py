"""Dataset.filter and the forbund= argument: a part's figures are the whole
data set's rows for that part, the part is named in every table, and what
needs the whole nation or every year is refused rather than computed from
part of the data."""

from __future__ import annotations

import copy
import json
import pickle

import numpy as np
import pandas as pd
import pytest

import finsam

OFF = {"suppress": False}


def old_forbund(data: finsam.Dataset) -> int:
    """A förbund of every year 2018–2022, never merged."""
    merged = {f["id"] for f in json.loads(data.to_json())["forbund"] if f["foregangare"]}
    t = finsam.participants(data, by="forbund", years=(2018, 2022), **OFF).to_pandas(totals=False)
    years = t.groupby("forbund")["ar"].nunique()
    return int(next(f for f in years[years == 5].index if f not in merged))


def rows_of(whole: pd.DataFrame, forbund: int) -> pd.DataFrame:
    part = whole[whole["forbund"] == forbund].drop(columns=["forbund", "forbund_namn", "summerat"], errors="ignore")
    return part.reset_index(drop=True)


@pytest.mark.parametrize("indicator", ["participants", "outcome_rates", "benefit_days", "transitions"])
def test_a_forbunds_figures_are_its_rows_of_the_whole(small: finsam.Dataset, indicator: str) -> None:
    f = old_forbund(small)
    compute = getattr(finsam, indicator)
    whole = compute(small, by="forbund", years=(2018, 2022), **OFF).to_pandas(totals=False)
    by_argument = compute(small, forbund=f, years=(2018, 2022), **OFF).to_pandas(totals=False)
    by_filter = compute(small.filter(forbund=f), years=(2018, 2022), **OFF).to_pandas(totals=False)
    expected = rows_of(whole, f)
    assert len(expected) >= 5
    for got in (by_argument, by_filter):
        pd.testing.assert_frame_equal(got[expected.columns].reset_index(drop=True), expected, check_exact=False, rtol=1e-12)


def test_every_table_names_the_part(small: finsam.Dataset) -> None:
    f = old_forbund(small)
    t = finsam.outcome_rates(small, forbund=f, years=2021)
    assert any(n.startswith("Avgränsat till ") and f"({f})" in n for n in t.notes), t.notes
    report = finsam.annual_report(small, 2021, forbund=f, compare_insatser=False)
    assert any(f"({f})" in n for n in report.notes)
    assert "statlig_fordelning" not in [t.id for t in report.tables]
    assert all("övriga landet" not in t.title for t in report.tables)


def test_a_merger_keeps_its_predecessors(small: finsam.Dataset) -> None:
    forbund = json.loads(small.to_json())["forbund"]
    merged = next(f for f in forbund if f["foregangare"])
    predecessors = {p for f in forbund if f["id"] in merged["foregangare"] for p in f["foregangare"]}
    part = small.filter(forbund=merged["id"])
    assert set(part.scope["forbund"]) == {merged["id"], *merged["foregangare"], *predecessors}
    assert part.scope["insats"] is None and part.scope["years"] is None
    report = finsam.annual_report(part, 2022, compare_insatser=False)
    assert any("med föregångarna" in n for n in report.notes), report.notes


def test_years_keep_the_years_figures(small: finsam.Dataset) -> None:
    part = small.filter(years=range(2020, 2022))
    assert part.scope["years"] == (2020, 2021)
    assert part.num_rows["deltaganden"] < small.num_rows["deltaganden"]
    for indicator in (finsam.participants, finsam.outcome_rates, finsam.benefit_days):
        whole = indicator(small, years=2021, **OFF).to_pandas()
        narrowed = indicator(part, years=2021, **OFF).to_pandas()
        pd.testing.assert_frame_equal(narrowed, whole, check_exact=False, rtol=1e-12)
        with pytest.raises(finsam.ArgumentError, match="years"):
            indicator(part, years=2019)
    # The change of 2020 would need 2019, which the part has not.
    change = finsam.participants(part, years=2020, **OFF).to_pandas()
    assert change["forandring_procent"].isna().all()
    assert finsam.participants(small, years=2020, **OFF).to_pandas()["forandring_procent"].notna().all()


def test_ids_come_in_every_integer_form(small: finsam.Dataset) -> None:
    f = old_forbund(small)
    expected = small.filter(forbund=f).num_rows
    for ids in (f, [f], (f,), np.int64(f), np.array([f]), pd.Series([f])):
        assert small.filter(forbund=ids).num_rows == expected
    assert small.filter(forbund=f).scope["forbund"] == [f]


@pytest.mark.parametrize(
    "arguments",
    [{"forbund": 999_999}, {"forbund": "7"}, {"forbund": True}, {"forbund": [1.5]}, {"insats": -1}, {"years": (2022, 2021)}],
)
def test_bad_filters_are_argument_errors(small: finsam.Dataset, arguments: dict[str, object]) -> None:
    with pytest.raises(finsam.ArgumentError) as e:
        small.filter(**arguments)  # type: ignore[arg-type]
    assert e.value.code == "invalid_argument"
    assert next(iter(arguments)) in str(e.value)


def test_a_part_refuses_what_needs_the_nation(small: finsam.Dataset) -> None:
    part = small.filter(forbund=old_forbund(small))
    with pytest.raises(finsam.ArgumentError, match="every förbund"):
        finsam.allocation(part, 2021)
    with pytest.raises(finsam.ArgumentError, match="rest of the country"):
        finsam.survey_comparison(part, 2021)
    with pytest.raises(finsam.ArgumentError, match="across years"):
        finsam.evaluation.analysis_frame(small.filter(years=2021))


def test_forbund_needs_a_dataset(tmp_path, small: finsam.Dataset) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "flat.csv"
    small.to_flat_csv(path)
    extract = finsam.read_extract(path)
    with pytest.raises(finsam.ArgumentError, match="forbund"):
        finsam.participants(extract, forbund=1)


def test_the_scope_survives_pickling_and_copies(small: finsam.Dataset) -> None:
    part = small.filter(forbund=old_forbund(small), years=(2020, 2021))
    for back in (pickle.loads(pickle.dumps(part)), copy.deepcopy(part)):
        assert back.scope == part.scope
        with pytest.raises(finsam.ArgumentError):
            finsam.participants(back, years=2019)
