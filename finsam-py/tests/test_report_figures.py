"""The annual report's figures as a reader sees them: units, changes, years."""

import json

import pytest

import finsam


@pytest.fixture(scope="module")
def data() -> finsam.Dataset:
    return finsam.synthetic()


@pytest.fixture(scope="module")
def report_2020(data: finsam.Dataset) -> finsam.AnnualReport:
    return finsam.annual_report(data, 2020)


def _table(report: finsam.AnnualReport, id: str) -> finsam.Table:
    return next(t for t in report.tables if t.id == id)


def test_the_gender_gap_of_shares_is_shares_not_days(report_2020: finsam.AnnualReport) -> None:
    gap = _table(report_2020, "konsskillnad")
    frame = gap.to_pandas()
    row = frame[frame["matt"] == "arbete_studier"].iloc[0]
    assert 0.25 < row["man"] < 0.40 and 0.20 < row["kvinnor"] < 0.35
    assert row["skillnad"] == pytest.approx(row["man"] - row["kvinnor"], abs=1e-12)
    assert row["lo"] < row["skillnad"] < row["hi"]
    markdown = gap.to_markdown()
    assert f"{row['man'] * 100:.1f} %" in markdown
    assert f"{row['skillnad'] * 100:+.1f} pp" in markdown
    units = {c["name"]: c["unit"] for c in json.loads(gap.to_json())["columns"]}
    assert units["man"] == "share" and units["skillnad"] == "share_difference"
    days = _table(report_2020, "konsskillnad_dagar")
    assert {c["unit"] for c in json.loads(days.to_json())["columns"][2:]} == {"days"}


def test_gender_gap_days_is_its_own_function(data: finsam.Dataset) -> None:
    t = finsam.gender_gap_days(data, years=2020)
    assert t.id == "konsskillnad_dagar"
    assert t.keys == ["ar", "grupp"]


def test_the_first_reporting_year_shows_no_change_against_the_warm_up(data: finsam.Dataset) -> None:
    t = _table(finsam.annual_report(data, 2017), "deltagare")
    frame = t.to_pandas()
    assert frame["forandring_procent"].isna().all()
    assert (frame["forandring_procent_reason"] == "not_computable").all()
    later = finsam.annual_report(data, 2018).tables[0].to_pandas()
    assert later["forandring_procent"].notna().all()


@pytest.mark.parametrize("year", [1990, 2030])
def test_years_outside_the_data_are_an_argument_error(data: finsam.Dataset, year: int) -> None:
    with pytest.raises(finsam.ArgumentError, match="valid years are 2016–2023"):
        finsam.annual_report(data, year)
    with pytest.raises(finsam.ArgumentError, match="valid years"):
        finsam.outcome_rates(data, years=year)
