"""The data of an evaluation: the analysis frame, the person panel and the
kommun panel agree with an independent pandas computation from the CSV
export, the same frames come from memory and from the CSV round trip, and
the synthetic data's planted effects are visible."""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import finsam
from finsam.evaluation import analysis_frame, kommun_panel, person_panel

YEARS = (2017, 2022)
QUARTER = 91


@pytest.fixture(scope="module")
def export(small: finsam.Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("evaluation_data")
    small.to_csv(path)
    return path


def read(path: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(path / f"{table}.csv", sep=";", dtype=str, keep_default_na=False)


def dates(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column.replace("", None))


def units_by_pandas(path: Path) -> pd.DataFrame:
    """Participants (first individinriktad participation per person that is
    no felregistrering, started within YEARS) and comparison persons at their
    register date, computed from the CSV files alone."""
    d = read(path, "deltaganden")
    insatser = read(path, "insatser")
    individ = set(insatser.loc[insatser["inriktning"] == "individ", "insats_id"])
    d = d[(d["avslutsanledning"] != "felregistrering") & d["insats_id"].isin(individ)].copy()
    d["start"] = dates(d["startdatum"])
    d["insats_int"] = d["insats_id"].astype(int)
    first = d.sort_values(["start", "insats_int"]).groupby("deltagare_id", as_index=False).first()
    first = first[first["start"].dt.year.between(*YEARS)]
    participants = pd.DataFrame(
        {
            "person": first["deltagare_id"],
            "treated": 1.0,
            "reference": first["start"],
            "fodelsear": pd.to_numeric(first["fodelsear"]),
            "arbete_studier": first["status_efter"].map(
                lambda s: np.nan if s == "" else float(s in ("arbete", "studier"))
            ),
        }
    )
    j = read(path, "jamforelsepersoner")
    j = j[~j["deltagare_id"].isin(set(read(path, "deltaganden")["deltagare_id"]))]
    comparison = pd.DataFrame(
        {
            "person": j["deltagare_id"],
            "treated": 0.0,
            "reference": dates(j["forsorjning_datum"]),
            "fodelsear": pd.to_numeric(j["fodelsear"]),
            "arbete_studier": np.nan,
        }
    )
    units = pd.concat([participants, comparison], ignore_index=True)
    units["alder"] = units["reference"].dt.year - units["fodelsear"]
    return units


def quarter_days_by_pandas(path: Path, units: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Benefit days per 91-day quarter −8..+8 around each unit's reference
    date, from the spells: overlap days × extent, null if not closed."""
    s = read(path, "ersattningsperioder")
    s = pd.DataFrame(
        {
            "person": s["deltagare_id"],
            "fran": dates(s["from_datum"]),
            "till": dates(s["till_datum"]),
            "extent": s["omfattning"].astype(float) / 100.0,
        }
    )
    joined = units[["person", "reference"]].merge(s, on="person")
    out = units[["person"]].copy()
    for q in range(-8, 9):
        first = units["reference"] + pd.to_timedelta(QUARTER * q, unit="D")
        last = first + pd.to_timedelta(QUARTER - 1, unit="D")
        jf = joined["reference"] + pd.to_timedelta(QUARTER * q, unit="D")
        jl = jf + pd.to_timedelta(QUARTER - 1, unit="D")
        overlap = (np.minimum(joined["till"], jl) - np.maximum(joined["fran"], jf)).dt.days + 1
        days = (overlap.clip(lower=0) * joined["extent"]).groupby(joined["person"]).sum()
        column = units["person"].map(days).fillna(0.0)
        out[f"dagar_q{q:+d}"] = column.where(last <= cutoff)
    return out


def test_the_analysis_frame_agrees_with_pandas(small: finsam.Dataset, export: Path) -> None:
    frame = analysis_frame(small, years=YEARS).to_pandas()
    frame["person"] = frame["person"].astype(str)
    units = units_by_pandas(export)
    assert len(frame) == len(units)
    expected = units.merge(quarter_days_by_pandas(export, units, pd.Timestamp("2023-12-31")), on="person")
    got = frame.set_index("person").loc[expected["person"]].reset_index()
    for column in ["treated", "alder", "arbete_studier"] + [f"dagar_q{q:+d}" for q in range(-8, 9)]:
        np.testing.assert_allclose(
            got[column].to_numpy(dtype=float), expected[column].to_numpy(dtype=float), err_msg=column
        )
    fore = sum(got[f"dagar_q{q:+d}"] for q in range(-4, 0))
    np.testing.assert_allclose(got["dagar_fore"], fore)
    kinds = [c for c in frame.columns if c.startswith("dagar_fore_")]
    assert kinds == ["dagar_fore_sp_rp", "dagar_fore_ae", "dagar_fore_sa"]
    np.testing.assert_allclose(frame[kinds].sum(axis=1), frame["dagar_fore"])
    assert isinstance(frame["kon"].dtype, pd.CategoricalDtype)


def test_memory_and_csv_round_trip_give_the_same_frames(small: finsam.Dataset, export: Path) -> None:
    back = finsam.Dataset.from_csv(export)
    for build in (analysis_frame, person_panel):
        a, b = build(small, years=YEARS), build(back, years=YEARS)
        assert a.to_arrow().equals(b.to_arrow())
        assert a.excluded == b.excluded
    assert kommun_panel(small).to_arrow().equals(kommun_panel(back).to_arrow())


def test_the_person_panel_is_the_frame_in_long_form(small: finsam.Dataset) -> None:
    frame = analysis_frame(small, years=YEARS).to_pandas()
    panel = person_panel(small, years=YEARS).to_pandas()
    frame["person"] = frame["person"].astype(str)
    panel["unit"] = panel["unit"].astype(str)
    assert list(panel.columns) == ["unit", "rel_quarter", "treated", "outcome"]
    quarters = [f"dagar_q{q:+d}" for q in range(-8, 9)]
    long = frame.melt(id_vars=["person", "treated"], value_vars=quarters, var_name="q", value_name="outcome").dropna()
    assert len(long) == len(panel)
    long["rel_quarter"] = long["q"].str.removeprefix("dagar_q").astype(float)
    merged = panel.merge(long, left_on=["unit", "rel_quarter"], right_on=["person", "rel_quarter"])
    assert len(merged) == len(panel)
    np.testing.assert_allclose(merged["outcome_x"], merged["outcome_y"])


def test_the_kommun_panel_agrees_with_pandas(small: finsam.Dataset, export: Path) -> None:
    panel = kommun_panel(small).to_pandas()
    stats = read(export, "kommunstatistik")
    fm_columns = [c for c in stats.columns if c.startswith("fm_")]
    fm = stats[fm_columns].astype(float).sum(axis=1) / stats["invanare_16_64"].astype(float)
    expected = pd.DataFrame({"kommun": stats["kommunkod"], "ar": stats["ar"].astype(float), "fm": fm})
    merged = panel.merge(expected, on=["kommun", "ar"])
    assert len(merged) == len(panel) == 290 * 22
    np.testing.assert_allclose(merged["forsorjningsmatt"], merged["fm"])
    # first_year: the earliest joining within the förbund's lifetime.
    members = read(export, "medlemskap")
    forbund = read(export, "forbund").set_index("forbund_id")
    members = members[members["handelse"] == "intrade"].copy()
    members["datum"] = dates(members["datum"])
    start = dates(members["forbund_id"].map(forbund["startdatum"]))
    end = dates(members["forbund_id"].map(forbund["slutdatum"]))
    members = members[(members["datum"] >= start) & (end.isna() | (members["datum"] <= end))]
    first = members.groupby("kommunkod")["datum"].min().dt.year
    got = panel.groupby("kommun", observed=True)["first_year"].first()
    expected_first = got.index.to_series().map(first).fillna(0).astype(float)
    np.testing.assert_array_equal(got.to_numpy(), expected_first.to_numpy())
    # The published path of membership (domain.md §9).
    per_year = panel[panel["medlem"] == 1].groupby("ar").size()
    assert {y: per_year[y] for y in (2012, 2016, 2017, 2018, 2020)} == {
        2012: 221,
        2016: 247,
        2017: 253,
        2018: 260,
        2020: 271,
    }


def test_the_planted_effect_is_visible_and_the_naive_difference_biased(small: finsam.Dataset) -> None:
    truth = finsam.synthetic_true_effects(scale=0.05, seed=11)
    assert truth["parameters"]["arbete_studier"] == 0.08
    assert truth["parameters"]["kommun_forsorjningsmatt"] == -0.05
    att = {q["quarter"]: q["att"] for q in truth["realised"]["dagar"]}
    assert all(att[q] == 0.0 for q in range(-8, 0))
    frame = analysis_frame(small, years=YEARS).to_pandas()
    assert truth["realised"]["dagar"][8]["n"] == int((frame["treated"] == 1).sum())
    means = frame.groupby("treated")[["dagar_fore", "dagar_q+1"]].mean()
    # Selection: participants had far more benefit days before.
    assert means.loc[1.0, "dagar_fore"] > 2 * means.loc[0.0, "dagar_fore"]
    naive = means.loc[1.0, "dagar_q+1"] - means.loc[0.0, "dagar_q+1"]
    # Exact matching on the days of the quarter before (10-day bins).
    frame["bin"] = (frame["dagar_q-1"] // 10).astype(int)
    cells = frame.groupby(["bin", "treated"])["dagar_q+1"].agg(["mean", "size"]).unstack("treated").dropna()
    matched = np.average(cells[("mean", 1.0)] - cells[("mean", 0.0)], weights=cells[("size", 1.0)])
    assert abs(matched - att[1]) < abs(naive - att[1]) / 2, (matched, naive, att[1])
    assert att[1] < naive


def test_the_comparison_pool_size_is_an_option() -> None:
    none = finsam.synthetic(scale=0.02, seed=3, comparison=0)
    assert none.num_rows["jamforelsepersoner"] == 0
    two = finsam.synthetic(scale=0.02, seed=3, comparison=2.0)
    frame = analysis_frame(two, years=YEARS).to_pandas()
    ratio = (frame["treated"] == 0).sum() / (frame["treated"] == 1).sum()
    assert abs(ratio - 2.0) < 0.01
    with pytest.raises(finsam.ArgumentError):
        finsam.synthetic(scale=0.02, comparison=-1)


def test_options_are_typed_and_checked(small: finsam.Dataset) -> None:
    fixed = analysis_frame(small, years=2020, reference=datetime.date(2020, 6, 1))
    df = fixed.to_pandas()
    assert (df.loc[df["treated"] == 0, "referensar"] == 2020).all()
    assert fixed.config["reference"] == {"kind": "fixed", "date": "2020-06-01"}
    drawn = analysis_frame(small, years=2020, reference="drawn", seed=5).to_pandas()
    assert (drawn.loc[drawn["treated"] == 0, "referensar"] == 2020).all()
    short = analysis_frame(small, years=YEARS, quarters_before=2, quarters_after=3, comparison=False)
    assert [c for c in short.columns if c.startswith("dagar_q")] == [
        "dagar_q-2",
        "dagar_q-1",
        "dagar_q+0",
        "dagar_q+1",
        "dagar_q+2",
    ]
    assert short.to_pandas()["treated"].eq(1).all()
    assert len(short) == len(short.to_polars())
    for bad in (
        {"reference": "sometimes"},
        {"quarters_before": 0},
        {"comparison": 1},
        {"seed": -1},
        {"uttagsdatum": "2023-13-01"},
    ):
        with pytest.raises(finsam.ArgumentError) as info:
            analysis_frame(small, **bad)  # type: ignore[arg-type]
        assert info.value.code == "invalid_argument"
    assert "rows=" in repr(kommun_panel(small, years=(2010, 2012)))
