"""The annual report's figures as a reader sees them: units, changes, years."""

import json
from decimal import Decimal

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
    assert row["diff"] == pytest.approx(row["man"] - row["kvinnor"], abs=1e-12)
    assert row["diff_lo"] < row["diff"] < row["diff_hi"]
    markdown = gap.to_markdown()
    assert f"{row['man'] * 100:.1f} %" in markdown
    assert f"{row['diff'] * 100:+.1f} pp" in markdown
    units = {c["name"]: c["unit"] for c in json.loads(gap.to_json())["columns"]}
    assert units["man"] == "share" and units["diff"] == "share_difference"
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
    with pytest.raises(finsam.ArgumentError, match="valid years are 2016–2025"):
        finsam.annual_report(data, year)
    with pytest.raises(finsam.ArgumentError, match="valid years"):
        finsam.outcome_rates(data, years=year)


def _aggregate_participants(data: finsam.Dataset, year: int) -> int:
    """The participants of individinriktade insatser the aggregate rows count, summed by pandas."""
    frames = data.to_arrow()
    insatser = frames["insatser"].to_pandas()
    rows = frames["insats_ar"].to_pandas().merge(insatser[["insats_id", "inriktning"]], on="insats_id")
    rows = rows[(rows["ar"] == year) & (rows["inriktning"] == "individ")]
    return int(rows["deltagare_kvinnor"].fillna(0).sum() + rows["deltagare_man"].fillna(0).sum())


def test_the_aggregate_years_report_the_aggregates_and_say_so(data: finsam.Dataset) -> None:
    person = finsam.annual_report(data, 2022)
    assert person.era == "personniva" and 'era="personniva"' in repr(person)
    for year in (2023, 2024, 2025):
        report = finsam.annual_report(data, year)
        assert report.era == "aggregat"
        assert any("aggregate era" in n for n in report.notes)
        ids = {t.id for t in report.tables}
        assert "deltagare" in ids and "utfall" not in ids and "ersattningsdagar" not in ids
        national = report.tables[0].to_pandas()
        assert int(national["deltagare"].iloc[0]) == _aggregate_participants(data, year)
        assert (national["personer_reason"] == "not_in_source").all()


def test_a_break_in_the_series_is_a_boolean_flag_or_withheld(data: finsam.Dataset) -> None:
    t = finsam.participants(data, years=(2021, 2025)).to_pandas()
    assert t["brott_i_serien"].dtype == bool
    assert t.set_index("ar")["brott_i_serien"].to_dict() == {2021: False, 2022: False, 2023: True, 2024: False, 2025: False}
    row = t.set_index("ar").loc[2023]
    before = t.set_index("ar").loc[2022, "deltagare"]
    assert row["forandring_procent"] == pytest.approx((row["deltagare"] - before) / before * 100, rel=1e-12)
    withheld = finsam.participants(data, years=(2022, 2024), series_break="withhold").to_pandas().set_index("ar")
    assert withheld.loc[2023, "forandring_procent_reason"] == "series_break"
    assert withheld.loc[2024, "forandring_procent"] == pytest.approx(
        (withheld.loc[2024, "deltagare"] - withheld.loc[2023, "deltagare"]) / withheld.loc[2023, "deltagare"] * 100
    )


def test_2023_from_its_person_rows_says_how_far_they_reach(data: finsam.Dataset) -> None:
    t = finsam.participants(data, years=2023, mixed_year="person_level", suppress=False)
    frame = t.to_pandas()
    assert frame["deltagare"].iloc[0] == frame["personer"].iloc[0]
    assert frame["forandring_procent_reason"].iloc[0] == "not_computable"
    assert any("only until 2023-04-30" in n for n in t.notes)
    # A förbund whose own register runs through 2023 makes it a person-level year.
    own = finsam.annual_report(data, 2023, person_level_until="2023-12-31")
    assert own.era == "personniva"


def test_the_catalogue_says_which_eras_give_each_indicator() -> None:
    eras = {i["id"]: i["eras"] for i in finsam.catalogue()}
    assert eras["utfall"].startswith("Person-level years only")
    assert eras["deltagare"].startswith("Both")


def test_insats_economy_agrees_with_pandas_on_the_aggregate_rows(data: finsam.Dataset) -> None:
    frames = data.to_arrow()
    insatser = frames["insatser"].to_pandas()[["insats_id", "forbund_id", "inriktning"]]
    rows = frames["insats_ar"].to_pandas().merge(insatser, on="insats_id")
    rows = rows[rows["ar"] == 2024]
    t = finsam.insats_economy(data, by="forbund", years=2024, suppress=False).to_pandas()
    mine = t[t["grupp"] != "behovsgrupp"]
    for (forbund, inriktning), group in rows.groupby(["forbund_id", "inriktning"]):
        got = mine[(mine["forbund"] == forbund) & (mine["grupp"] == inriktning)].iloc[0]
        budget = round(group["budget"].sum() * 100)       # kronor in the frame, öre in the table
        utfall = round(group["utfall"].sum() * 100)
        assert got["budget"] == budget and got["utfall"] == utfall
        counted = (group["deltagare_totalt"].fillna(group["deltagare_kvinnor"].fillna(0) + group["deltagare_man"].fillna(0)))
        assert got["deltagare"] == counted.sum()
        assert got["utfall_per_deltagare"] == round(utfall / counted.sum())
    national = finsam.insats_economy(data, years=2024).to_pandas()
    # The total (grupp null) and the subtotal individ both sum over grupp.
    alla = national[national["summerat"].eq("grupp") & national["grupp"].isna()].iloc[0]
    national = national.set_index("grupp")
    assert alla["utfall"] == national.loc["individ", "utfall"] + national.loc["struktur", "utfall"]
    assert national.loc["individ", "andel_av_utfall"] + national.loc["struktur", "andel_av_utfall"] == pytest.approx(1.0)


def test_forbund_economy_sums_and_counts_the_forbund_above_the_level(data: finsam.Dataset) -> None:
    eko = data.to_arrow()["forbund_ekonomi"].to_pandas()    # money as exact Decimal kronor
    eko = eko[eko["ar"] == 2025]
    eko = eko.set_index("forbund_id")
    t = finsam.forbund_economy(data, years=2025).to_pandas()
    alla = t[t["summerat"] == "forbund"].iloc[0]
    assert alla["statlig_tilldelning"] == 339_000_000 * 100
    above = (eko["eget_kapital"] > eko["budget"] * Decimal("0.20")).sum()
    assert alla["over_rekommenderad_niva"] == above
    # The förbund rows by their integer id, as the data's forbund_id.
    per_forbund = finsam.forbund_economy(data, years=2025).to_pandas(totals=False).set_index("forbund")
    share = eko["administrationskostnad"].astype(float) / eko["budget"].astype(float)
    assert (per_forbund["administrationsandel"] - share).abs().max() < 1e-12


def test_an_aggregate_export_with_its_own_headers_reads_through_a_mapping(tmp_path) -> None:
    data = finsam.synthetic(scale=0.02)
    data.to_csv(tmp_path)
    path = tmp_path / "insats_ar.csv"
    renamed = {"insats_id": "InsatsID", "deltagare_kvinnor": "Antal kvinnor", "deltagare_man": "Antal män"}
    lines = path.read_text(encoding="utf-8").splitlines()
    header = [renamed.get(h, h) for h in lines[0].split(";")]
    path.write_text("\n".join([";".join(header), *lines[1:]]) + "\n", encoding="utf-8")
    mapping = {"insats_ar": renamed}
    again = finsam.Dataset.from_csv(tmp_path, columns=mapping)
    assert finsam.annual_report(again, 2024).to_json() == finsam.annual_report(data, 2024).to_json()
    # Participants in a year the insats had not started: the file, line and column are named.
    first = lines[1].split(";")
    bad = first.copy()
    bad[header.index("ar")] = "2005"
    bad[header.index("Antal kvinnor")] = "3"
    path.write_text("\n".join([";".join(header), *lines[1:], ";".join(bad)]) + "\n", encoding="utf-8")
    with pytest.raises(finsam.ValidationError) as info:
        finsam.Dataset.from_csv(tmp_path, columns=mapping, errors="collect")
    errors = [e for e in info.value.errors if e.code == "outside_insats_lifetime"]
    assert len(errors) == 1
    assert errors[0].path.endswith("insats_ar.csv") and errors[0].line == len(lines) + 1 and errors[0].column == "ar"
