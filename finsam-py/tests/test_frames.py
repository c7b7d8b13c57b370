"""DataFrames in and out: pandas, polars and pyarrow give identical results;
the follow-up of a flat extract agrees with pandas + statsmodels + scipy on
random data; malformed frames raise finsam errors, never a panic."""

from __future__ import annotations

import datetime
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

import finsam

STATUSES = ["arbete", "studier", "arbetssokande", "fortsatt_insats", "sjukskriven", "annat", None]
KON = {"K": "kvinna", "M": "man"}


def flat_extract(seed: int, rows: int, persons: int | None = None) -> pa.Table:
    """A random flat extract in the shape of ../shared/peer-bench (with
    ongoing participations, missing statuses and open after-windows)."""
    rng = np.random.default_rng(seed)
    persons = persons or max(rows // 2, 1)
    start = rng.integers(17_500, 19_700, rows)
    length = rng.integers(0, 500, rows)
    ended = rng.random(rows) < 0.8
    status = [STATUSES[i] if e else None for i, e in zip(rng.integers(0, len(STATUSES), rows), ended)]
    fore = rng.integers(0, 366, rows)
    after = np.where(rng.random(rows) < 0.9, rng.integers(0, 366, rows), -1)
    return pa.table(
        {
            "deltagare_id": pa.array(rng.integers(1, persons + 1, rows), pa.int64()),
            "forbund_id": pa.array(rng.integers(1, 6, rows), pa.int16()),
            "kon": pa.array(rng.choice(["K", "M"], rows)),
            "startdatum": pa.array(start, pa.int32()).cast(pa.date32()),
            "slutdatum": pa.array([int(s + n) if e else None for s, n, e in zip(start, length, ended)], pa.int32()).cast(
                pa.date32()
            ),
            "status_efter": pa.array(status, pa.string()),
            "sp_rp_fore": pa.array(fore, pa.int16()),
            "sp_rp_efter": pa.array([int(a) if a >= 0 else None for a in after], pa.int16()),
        }
    )


def reference(table: pa.Table) -> dict[str, pd.DataFrame]:
    """The follow-up computed independently with pandas, statsmodels and scipy."""
    df = table.to_pandas()
    df["slut"] = pd.to_datetime(df["slutdatum"])
    ended = df[df["slut"].notna()].copy()
    ended["ar"] = ended["slut"].dt.year
    ended["kon"] = ended["kon"].map(KON)
    ended["has_status"] = ended["status_efter"].notna()
    ended["ws"] = ended["status_efter"].isin(["arbete", "studier"])
    ended["wss"] = ended["status_efter"].isin(["arbete", "studier", "arbetssokande"])
    by_kon = ended.groupby(["ar", "kon"]).agg(
        n_avslutade=("deltagare_id", "size"),
        n_deltagare=("deltagare_id", "nunique"),
        n_status=("has_status", "sum"),
        ws=("ws", "sum"),
        wss=("wss", "sum"),
    )
    lo, hi = proportion_confint(by_kon["ws"], by_kon["n_status"], method="wilson")
    by_kon["andel_arbete_studier"], by_kon["lo"], by_kon["hi"] = by_kon["ws"] / by_kon["n_status"], lo, hi
    both = ended[ended["sp_rp_efter"].notna()].copy()
    both["d"] = both["sp_rp_efter"].astype(float) - both["sp_rp_fore"].astype(float)
    days = both.groupby("ar")["d"].agg(["size", "mean", "std"])
    half = sps.t.ppf(0.975, days["size"] - 1) * days["std"] / np.sqrt(days["size"])
    days["lo"], days["hi"] = days["mean"] - half, days["mean"] + half
    started = pd.to_datetime(df["startdatum"]).dt.year.value_counts().sort_index()
    return {"by_kon": by_kon, "days": days, "started": started}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 400))
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_follow_up_agrees_with_pandas_statsmodels_scipy(seed: int, rows: int) -> None:
    table = flat_extract(seed, rows)
    ref = reference(table)
    f = finsam.follow_up(table, suppress=False)
    got = f.by_kon.to_pandas().set_index(["ar", "kon"])
    r = ref["by_kon"]
    assert len(got) == len(r)
    for col in ["n_avslutade", "n_deltagare"]:
        assert (got[col].to_numpy() == r[col].to_numpy()).all(), col
    # Shares and Wilson limits: 1e-12 absolute (closed forms); undefined where no status.
    for mine, theirs in [("andel_arbete_studier", "andel_arbete_studier"), ("andel_arbete_studier_lo", "lo"), ("andel_arbete_studier_hi", "hi")]:
        np.testing.assert_allclose(got[mine].to_numpy(dtype=float), r[theirs].to_numpy(dtype=float), atol=1e-12, equal_nan=True)
    days = f.benefit_days.to_pandas()
    days = days[days["summerat"] == "kon"].set_index("ar")
    # Years with ended participations but none with both values have n = 0.
    d = ref["days"].reindex(days.index)
    assert (days["n_sp_rp"].to_numpy() == d["size"].fillna(0).to_numpy()).all()
    # Means exactly (integer sums); t-interval limits to 1e-9 (t quantile).
    np.testing.assert_allclose(days["sp_rp_medel"].to_numpy(dtype=float), d["mean"].to_numpy(), atol=1e-12, equal_nan=True)
    for col in ["lo", "hi"]:
        np.testing.assert_allclose(
            days[f"sp_rp_medel_{col}"].to_numpy(dtype=float), d[col].to_numpy(dtype=float), atol=1e-9, equal_nan=True
        )
    started = f.started.to_pandas().set_index("ar")["n_startade"]
    assert started.to_dict() == {int(k): float(v) for k, v in ref["started"].items()}


def test_pandas_polars_pyarrow_and_csv_give_identical_results(tmp_path: Path) -> None:
    table = flat_extract(7, 3000)
    expected = finsam.follow_up(table)
    path = tmp_path / "extract.csv"
    table.to_pandas().to_csv(path, sep=";", index=False)
    sources = {
        "pandas": table.to_pandas(),
        "polars": pl.from_arrow(table),
        "pyarrow record batch": table.to_batches(max_chunksize=700)[0],
        "chunked": pa.Table.from_batches(table.to_batches(max_chunksize=700)),
        "csv": path,
        "csv as str": str(path),
    }
    for name, source in sources.items():
        if name == "pyarrow record batch":
            continue
        got = finsam.follow_up(source)
        for a, b in zip(expected.tables, got.tables):
            assert a.to_arrow().equals(b.to_arrow()), (name, a.id)
    one_batch = finsam.follow_up(sources["pyarrow record batch"])
    assert one_batch.rows == 700


def test_dataset_from_frames_of_each_library_gives_the_same_report(small: finsam.Dataset) -> None:
    tables = small.to_arrow()
    expected = finsam.annual_report(small, 2020).to_json()
    as_pandas = {name: t.to_pandas() for name, t in tables.items()}
    as_polars = {name: pl.from_arrow(t) for name, t in tables.items()}
    for frames in (tables, as_pandas, as_polars):
        data = finsam.Dataset.from_frames(uttagsdatum=small.uttagsdatum, **frames)
        assert data.num_rows == small.num_rows
        assert finsam.annual_report(data, 2020).to_json() == expected


def test_tables_export_arrow_with_nulls_and_reasons(small: finsam.Dataset) -> None:
    t = finsam.outcome_rates(small, by=["forbund"], years=2020)
    arrow = pa.table(t)
    assert arrow.column_names[:2] == ["ar", "forbund"]
    assert arrow.schema.field("ar").type == pa.int64()
    df = t.to_pandas()
    withheld = df[df["n"].isna()]
    assert len(withheld) > 0, "the small förbund must have withheld cells"
    assert withheld["n_reason"].notna().all()
    shown = df[df["n"].notna()]
    assert shown["n_reason"].isna().all()
    assert t.to_polars().shape == df.shape
    assert len(t) == len(df)


def test_follow_up_state_merges_and_round_trips(tmp_path: Path) -> None:
    table = flat_extract(3, 2000)
    whole = finsam.follow_up(table, suppress=False)
    a = finsam.follow_up_state(table.slice(0, 1234))
    b = finsam.follow_up_state(table.slice(1234))
    merged = finsam.FollowUpState.from_json(a.to_json()).merge(b)
    assert merged.rows == 2000
    got = merged.finish(suppress=False)
    for x, y in zip(whole.tables, got.tables):
        assert x.to_arrow().equals(y.to_arrow())


def test_suppressed_cells_are_null_never_zero() -> None:
    table = flat_extract(5, 60, persons=50)
    f = finsam.follow_up(table)
    df = f.by_forbund.to_pandas()
    assert df["n_avslutade"].isna().any()
    assert not (df["n_avslutade"] == 0).any()
    assert set(df.loc[df["n_avslutade"].isna(), "n_avslutade_reason"]) <= {"primary", "complementary"}


MALFORMED = {
    "missing column": lambda t: t.drop_columns(["kon"]),
    "bad code": lambda t: t.set_column(2, "kon", pa.array(["X"] * t.num_rows)),
    "null id": lambda t: t.set_column(0, "deltagare_id", pa.array([None] * t.num_rows, pa.int64())),
    "float id": lambda t: t.set_column(0, "deltagare_id", pa.array([1.5] * t.num_rows)),
    "text forbund": lambda t: t.set_column(1, "forbund_id", pa.array(["a"] * t.num_rows)),
    "bad date text": lambda t: t.set_column(3, "startdatum", pa.array(["2021-02-30"] * t.num_rows)),
    "days out of range": lambda t: t.set_column(6, "sp_rp_fore", pa.array([400] * t.num_rows, pa.int32())),
    "end before start": lambda t: t.set_column(
        4, "slutdatum", pa.array([datetime.date(1990, 1, 1)] * t.num_rows, pa.date32())
    ),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_frames_raise_finsam_errors(name: str) -> None:
    table = MALFORMED[name](flat_extract(1, 50))
    with pytest.raises(finsam.FinsamError) as info:
        finsam.follow_up(table)
    assert info.value.code in finsam.ERROR_CODES
    if name not in ("missing column",):
        assert info.value.row is not None or info.value.column is not None


def test_non_frames_and_unknown_tables_are_argument_errors(small: finsam.Dataset) -> None:
    with pytest.raises(finsam.ArgumentError):
        finsam.follow_up(42)  # type: ignore[arg-type]
    # A LazyFrame is collected (streaming engine), not refused.
    lazy = finsam.follow_up(pl.from_arrow(flat_extract(1, 10)).lazy())  # type: ignore[arg-type]
    assert lazy.national.to_json() == finsam.follow_up(flat_extract(1, 10)).national.to_json()
    with pytest.raises(finsam.ArgumentError):
        finsam.Dataset.from_frames(deltagare=pd.DataFrame())
    with pytest.raises(finsam.FinsamError):
        finsam.Dataset.from_frames(deltaganden=pd.DataFrame({"x": [1]}))


def test_follow_up_is_safe_from_threads() -> None:
    table = flat_extract(9, 5000)
    expected = finsam.follow_up(table).to_markdown()
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(finsam.follow_up(table).to_markdown())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


REQUIRED = ["deltagare_id", "forbund_id", "kon", "startdatum", "slutdatum", "status_efter"]


def test_empty_frames_need_the_columns_but_no_rows() -> None:
    for empty in (pd.DataFrame(), pl.DataFrame(), pa.table({})):
        with pytest.raises(finsam.InputError) as info:
            finsam.follow_up(empty)
        assert (info.value.code, info.value.column) == ("missing_column", "deltagare_id")
    no_rows = flat_extract(1, 10).slice(0, 0)
    zero_batches = pa.Table.from_batches([], flat_extract(1, 10).schema)
    for frame in (pd.DataFrame(columns=REQUIRED), no_rows, zero_batches, no_rows.to_pandas()):
        f = finsam.follow_up(frame)
        assert f.rows == 0
        assert f.national.to_arrow().num_rows == 0


def test_dictionary_nulls_and_slices_of_pyarrow_tables() -> None:
    table = flat_extract(3, 40)
    kon = pa.array(["K", None, *(["M"] * 38)]).dictionary_encode()
    with pytest.raises(finsam.InputError) as info:
        finsam.follow_up(table.set_column(2, "kon", kon))
    assert (info.value.code, info.value.row, info.value.column) == ("missing_value", 1, "kon")
    encoded = table.set_column(2, "kon", table["kon"].combine_chunks().dictionary_encode())
    sliced = encoded.slice(3, 10)
    expected = finsam.follow_up(table.slice(3, 10), suppress=False)
    got = finsam.follow_up(sliced, suppress=False)
    assert got.rows == 10
    for a, b in zip(expected.tables, got.tables):
        assert a.to_arrow().equals(b.to_arrow()), a.id


def test_zoned_dates_count_on_their_own_civil_date() -> None:
    frame = pd.DataFrame(
        {
            "Deltagare-ID": [1, 2],
            "Förbund ID": [7, 7],
            "Kön": ["K", "M"],
            "startdatum": pd.to_datetime(["2021-01-01", "2021-03-01"]).tz_localize("Europe/Stockholm"),
            "slutdatum": pd.to_datetime(["2021-12-31", None]).tz_localize("Europe/Stockholm"),
            "status_efter": ["arbete", None],
        }
    )
    f = finsam.follow_up(frame, suppress=False)
    assert f.started.to_pandas().set_index("ar")["n_startade"].to_dict() == {2021: 2.0}
    assert f.national.to_pandas().set_index("ar")["n_avslutade"].to_dict() == {2021: 1.0}
    noon = frame.assign(startdatum=frame["startdatum"] + pd.Timedelta(hours=12))
    with pytest.raises(finsam.InputError) as info:
        finsam.follow_up(noon)
    assert info.value.code == "invalid_date"
    assert info.value.value == "2021-01-01T12:00:00+01:00[Europe/Stockholm]"


def test_tampered_states_are_errors_never_a_panic() -> None:
    state = finsam.follow_up_state(flat_extract(5, 200))
    text = state.to_json()
    for tampered in (text.replace('"kon":0', '"kon":9', 1), text.replace('"utan_status":', '"utan_status":1000', 1)):
        assert tampered != text
        with pytest.raises(finsam.InputError) as info:
            finsam.FollowUpState.from_json(tampered).finish()
        assert info.value.code == "invalid_json"


def test_a_repeated_row_of_a_frame_is_refused_like_one_of_a_file(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "deltagare_id": [1, 2, 2],
            "forbund_id": [7, 7, 7],
            "kon": ["K", "M", "M"],
            "startdatum": pd.to_datetime(["2021-01-10", "2021-02-01", "2021-02-01"]),
            "slutdatum": pd.to_datetime(["2021-06-30", None, None]),
            "status_efter": ["arbete", None, None],
            "kommentar": ["a", "b", "b"],
        }
    )
    path = tmp_path / "extract.csv"
    frame.to_csv(path, sep=";", index=False, date_format="%Y-%m-%d")
    for source in (frame, pl.from_pandas(frame), path):
        with pytest.raises(finsam.FinsamError) as caught:
            finsam.follow_up(source)
        assert caught.value.code == "duplicate_row"
    # Another comment makes it another row, in a frame as in a file.
    other = frame.assign(kommentar=["a", "b", "c"])
    other.to_csv(path, sep=";", index=False, date_format="%Y-%m-%d")
    for source in (other, path):
        finsam.follow_up(source)


def test_a_polars_frame_reads_the_same_through_pyarrow_and_through_its_own_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A polars frame is handed over as `to_arrow(compat_level=newest)` when
    pyarrow is installed (its string views as they are, not converted by
    polars' own stream), else through the frame's own stream: both give the
    same tables, the same errors at the same place, the same repeat rule."""
    table = flat_extract(11, 4000)
    chunked = pl.concat([pl.from_arrow(t) for t in table.to_batches(max_chunksize=900)], rechunk=False)
    bad = chunked.with_columns(pl.when(pl.int_range(pl.len()) == 2345).then(pl.lit("X")).otherwise("kon").alias("kon"))
    repeated = pl.concat([chunked, chunked.slice(1234, 1)], rechunk=False)

    def read(frame: pl.DataFrame) -> list[pa.Table]:
        extract = finsam.read_extract(frame)
        return [
            finsam.outcome_rates(extract, by="forbund", suppress=False).to_arrow(),
            finsam.participants(extract, by="kon").to_arrow(),
            finsam.benefit_days(extract, by="kon").to_arrow(),
        ]

    def error(frame: pl.DataFrame) -> tuple:
        with pytest.raises(finsam.FinsamError) as caught:
            finsam.read_extract(frame)
        return caught.value.code, caught.value.row, caught.value.column

    calls: list[object] = []
    to_arrow = pl.DataFrame.to_arrow

    def spy(frame: pl.DataFrame, **kwargs: object) -> pa.Table:
        calls.append(kwargs.get("compat_level"))
        return to_arrow(frame, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "to_arrow", spy)
    through_pyarrow = (read(chunked), error(bad), error(repeated))
    assert calls == [pl.CompatLevel.newest()] * 3
    state = finsam.partial(chunked, years=(2017, 2023)).to_bytes()
    empty = finsam.read_extract(chunked.clear())
    assert empty.rows == 0 and len(calls) == 5
    assert through_pyarrow[1] == ("invalid_code", 2345, "kon")
    assert through_pyarrow[2][:2] == ("duplicate_row", 4000)

    def no_pyarrow(*args: object, **kwargs: object) -> None:
        raise ModuleNotFoundError("No module named 'pyarrow'")

    monkeypatch.setattr(pl.DataFrame, "to_arrow", no_pyarrow)
    own_stream = (read(chunked), error(bad), error(repeated))
    assert all(a.equals(b) for a, b in zip(through_pyarrow[0], own_stream[0]))
    assert through_pyarrow[1:] == own_stream[1:]
    assert finsam.partial(chunked, years=(2017, 2023)).to_bytes() == state
    # A pyarrow without string views fails otherwise: the frame's own stream then too.
    def no_string_views(*args: object, **kwargs: object) -> None:
        raise pa.ArrowNotImplementedError("string_view")

    monkeypatch.setattr(pl.DataFrame, "to_arrow", no_string_views)
    assert all(a.equals(b) for a, b in zip(read(chunked), own_stream[0]))


def test_a_data_set_and_its_flat_extract_give_the_same_figures_through_every_path(
    small: finsam.Dataset, tmp_path: Path
) -> None:
    """Issue 12's agreement test from Python: the flat extract of a data set,
    read from CSV and as pyarrow, pandas and polars frames, gives identical
    follow-up tables, and their figures equal the indicator functions' on the
    data set (ended = with status + without; shares to 1e-12)."""
    import pyarrow.csv as pv

    path = tmp_path / "flat.csv"
    small.to_flat_csv(path)
    table = pv.read_csv(path, parse_options=pv.ParseOptions(delimiter=";"))
    sources = {"csv": path, "pyarrow": table, "pandas": table.to_pandas(), "polars": pl.from_arrow(table)}
    results = {name: finsam.follow_up(source, suppress=False) for name, source in sources.items()}
    expected = results["csv"]
    for name, got in results.items():
        for a, b in zip(expected.tables, got.tables):
            assert a.to_arrow().equals(b.to_arrow()), (name, a.id)
    flat = expected.by_kon.to_pandas().set_index(["ar", "kon"])
    for year in (2019, 2020):
        rates = finsam.outcome_rates(small, by=["kon"], years=year, suppress=False).to_pandas()
        for row in rates.itertuples():
            if row.summerat or pd.isna(row.n) or row.n + row.utan_status == 0:
                continue
            mine = flat.loc[(year, row.kon)]
            assert mine["n_avslutade"] == row.n + row.utan_status
            assert mine["andel_arbete_studier"] == pytest.approx(row.andel_arbete_studier, abs=1e-12, nan_ok=True)


def test_indicator_functions_take_an_extract_and_publish_the_data_sets_tables(
    small: finsam.Dataset, tmp_path: Path
) -> None:
    """One definition per indicator: `outcome_rates(extract)` is the same
    table, cell for cell and withheld cell for withheld cell (disclosure on),
    as `outcome_rates(data)`, whichever frame library the extract comes in."""
    import pyarrow.csv as pv

    path = tmp_path / "flat.csv"
    small.to_flat_csv(path)
    table = pv.read_csv(path, parse_options=pv.ParseOptions(delimiter=";"))
    extracts = {
        "csv": finsam.read_extract(path),
        "pyarrow": finsam.read_extract(table),
        "pandas": finsam.read_extract(table.to_pandas()),
        "polars": finsam.read_extract(pl.from_arrow(table)),
    }
    assert {e.rows for e in extracts.values()} == {small.num_rows["deltaganden"]}
    for function in (finsam.outcome_rates, finsam.outcome_categories, finsam.benefit_days):
        expected = function(small, by="kon", years=(2019, 2021)).to_pandas()
        for name, extract in extracts.items():
            got = function(extract, by="kon", years=(2019, 2021))
            pd.testing.assert_frame_equal(got.to_pandas(), expected, check_exact=True, obj=f"{name} {function.__name__}")
            assert any(n.startswith("Source: a flat extract") for n in got.notes)
    with pytest.raises(finsam.ArgumentError, match="aldersgrupp"):
        finsam.outcome_rates(extracts["csv"], by="aldersgrupp")
    with pytest.raises(finsam.ArgumentError, match="finsam.Extract"):
        finsam.outcome_rates(table)  # type: ignore[arg-type]


def test_the_annual_report_of_an_extract_names_the_sections_it_cannot_give(
    small: finsam.Dataset, tmp_path: Path
) -> None:
    path = tmp_path / "flat.csv"
    small.to_flat_csv(path)
    report = finsam.annual_report(finsam.read_extract(path), 2020)
    assert report.notes and "Not in this report" in report.notes[0]
    ids = [t.id for t in report.tables]
    assert "utfall" in ids and "insatser" not in ids and "finansiering" not in ids
    assert "Not in this report" in report.to_markdown()
    assert finsam.annual_report(small, 2020).notes == []
