"""DataFrames in and out: pandas, polars and pyarrow give identical results;
the indicator tables of a flat extract agree with pandas + statsmodels +
scipy on random data; malformed frames raise finsam errors, never a panic;
the follow-up's deprecated names warn and give the indicator tables."""

from __future__ import annotations

import datetime
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
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


def tables(source: object, **options: object) -> list[finsam.Table]:
    """The indicator tables of a flat extract that a follow-up reads: status
    after by kön and by förbund, benefit days by kön, participants."""
    extract = source if isinstance(source, finsam.Extract) else finsam.read_extract(source)
    return [
        finsam.outcome_rates(extract, by="kon", **options),
        finsam.outcome_rates(extract, by="forbund", **options),
        finsam.benefit_days(extract, by="kon", **options),
        finsam.participants(extract, **options),
    ]


def same(a: list[finsam.Table], b: list[finsam.Table]) -> bool:
    return all(x.to_arrow().equals(y.to_arrow()) for x, y in zip(a, b, strict=True))


def reference(table: pa.Table) -> dict[str, pd.DataFrame]:
    """The indicators of a flat extract computed independently with pandas,
    statsmodels and scipy, by the catalogue's definitions: ended in the
    year of slutdatum (shares among those with a status), benefit days of
    ended participations with both values, participants active in a year
    (started by its end, not ended before it; ongoing ones through the
    cut-off, the latest date of the extract) counted once per person."""
    df = table.to_pandas()
    df["start"] = pd.to_datetime(df["startdatum"])
    df["slut"] = pd.to_datetime(df["slutdatum"])
    cutoff = max(df["start"].max(), df["slut"].max())
    ended = df[df["slut"].notna()].copy()
    ended["ar"] = ended["slut"].dt.year
    ended["kon"] = ended["kon"].map(KON)
    ended["has_status"] = ended["status_efter"].notna()
    ended["ws"] = ended["status_efter"].isin(["arbete", "studier"])
    by_kon = ended.groupby(["ar", "kon"]).agg(
        n_avslutade=("deltagare_id", "size"),
        n=("has_status", "sum"),
        ws=("ws", "sum"),
    )
    by_kon["utan_status"] = by_kon["n_avslutade"] - by_kon["n"]
    lo, hi = proportion_confint(by_kon["ws"], by_kon["n"], method="wilson")
    by_kon["andel_arbete_studier"], by_kon["lo"], by_kon["hi"] = by_kon["ws"] / by_kon["n"], lo, hi
    both = ended[ended["sp_rp_efter"].notna()].copy()
    both["d"] = both["sp_rp_efter"].astype(float) - both["sp_rp_fore"].astype(float)
    days = both.groupby("ar")["d"].agg(["size", "mean", "std"])
    half = sps.t.ppf(0.975, days["size"] - 1) * days["std"] / np.sqrt(days["size"])
    days["lo"], days["hi"] = days["mean"] - half, days["mean"] + half
    years = range(int(df["start"].dt.year.min()), int(cutoff.year) + 1)
    last = df["slut"].fillna(cutoff).dt.year
    active = {y: df.loc[(df["start"].dt.year <= y) & (last >= y), "deltagare_id"] for y in years}
    participants = pd.DataFrame(
        {
            "startade": df["start"].dt.year.value_counts().reindex(years, fill_value=0),
            "deltaganden": pd.Series({y: len(ids) for y, ids in active.items()}),
            "deltagare": pd.Series({y: ids.nunique() for y, ids in active.items()}),
        }
    )
    return {"by_kon": by_kon, "days": days, "participants": participants}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 400))
@example(seed=2, rows=2)  # years without a participation between two with one
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_indicators_of_an_extract_agree_with_pandas_statsmodels_scipy(seed: int, rows: int) -> None:
    table = flat_extract(seed, rows)
    ref = reference(table)
    by_kon, _, days, participants = tables(table, suppress=False)
    got = by_kon.to_pandas()
    got = got[got["summerat"] == ""].set_index(["ar", "kon"])
    # The table has a row for every cell with a participation; the
    # reference only for cells with an ended one.
    r = ref["by_kon"].reindex(got.index)
    for col in ["n", "utan_status"]:
        assert (got[col].to_numpy() == r[col].fillna(0).to_numpy()).all(), col
    # Shares and Wilson limits: 1e-12 absolute (closed forms); undefined where no status.
    for mine, theirs in [("andel_arbete_studier", "andel_arbete_studier"), ("andel_arbete_studier_lo", "lo"), ("andel_arbete_studier_hi", "hi")]:
        np.testing.assert_allclose(got[mine].to_numpy(dtype=float), r[theirs].to_numpy(dtype=float), atol=1e-12, equal_nan=True)
    assert int(got["n"].sum() + got["utan_status"].sum()) == int(ref["by_kon"]["n_avslutade"].sum()), "every ended row"
    days = days.to_pandas()
    days = days[days["summerat"] == "kon"].set_index("ar")
    # Years with participations but none ended with both values have n = 0.
    d = ref["days"].reindex(days.index)
    assert (days["n"].to_numpy() == d["size"].fillna(0).to_numpy()).all()
    # Means exactly (integer sums); t-interval limits to 1e-9 (t quantile).
    np.testing.assert_allclose(days["medel_diff"].to_numpy(dtype=float), d["mean"].to_numpy(), atol=1e-12, equal_nan=True)
    for col in ["lo", "hi"]:
        np.testing.assert_allclose(
            days[f"medel_diff_{col}"].to_numpy(dtype=float), d[col].to_numpy(dtype=float), atol=1e-9, equal_nan=True
        )
    got_p = participants.to_pandas().set_index("ar")
    # A row for every year with a participation, from the first start to
    # the cut-off; a year without one has no row (as from a data set).
    expected = ref["participants"][ref["participants"]["deltaganden"] > 0]
    assert got_p.index.tolist() == expected.index.tolist(), "every year with a participation"
    for col in ["startade", "deltaganden", "deltagare"]:
        assert got_p[col].astype(int).tolist() == expected[col].astype(int).tolist(), col


def test_pandas_polars_pyarrow_and_csv_give_identical_results(tmp_path: Path) -> None:
    table = flat_extract(7, 3000)
    expected = tables(table)
    path = tmp_path / "extract.csv"
    table.to_pandas().to_csv(path, sep=";", index=False)
    sources = {
        "pandas": table.to_pandas(),
        "polars": pl.from_arrow(table),
        "chunked": pa.Table.from_batches(table.to_batches(max_chunksize=700)),
        "csv": path,
        "csv as str": str(path),
    }
    for name, source in sources.items():
        assert same(expected, tables(source)), name
    one_batch = finsam.read_extract(table.to_batches(max_chunksize=700)[0])
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


def test_states_of_slices_merge_and_round_trip_to_the_whole(tmp_path: Path) -> None:
    table = flat_extract(3, 2000)
    whole = tables(table, suppress=False)
    years = (1900, 2025)
    a = finsam.partial(table.slice(0, 1234), years=years)
    b = finsam.partial(table.slice(1234), years=years)
    merged = finsam.Partial.from_json(a.to_json()).merge(finsam.Partial.from_bytes(b.to_bytes()))
    assert merged.rows == 2000
    assert same(whole, tables_of_state(merged, whole))


def tables_of_state(state: finsam.Partial, like: list[finsam.Table]) -> list[finsam.Table]:
    """`tables` of a state, over the years of the tables `like`."""
    years = sorted(set(like[0].to_pandas()["ar"]))
    span = (int(years[0]), int(years[-1]))
    return [
        finsam.outcome_rates(state, by="kon", years=span, suppress=False),
        finsam.outcome_rates(state, by="forbund", years=span, suppress=False),
        finsam.benefit_days(state, by="kon", years=span, suppress=False),
        finsam.participants(state, years=span, suppress=False),
    ]


def test_suppressed_cells_are_null_never_zero() -> None:
    table = flat_extract(5, 60, persons=50)
    df = tables(table)[1].to_pandas()
    assert df["n"].isna().any()
    assert not (df["n"] == 0).any()
    assert set(df.loc[df["n"].isna(), "n_reason"]) <= {"primary", "complementary"}


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
        finsam.read_extract(table)
    assert info.value.code in finsam.ERROR_CODES
    if name not in ("missing column",):
        assert info.value.row is not None or info.value.column is not None


def test_non_frames_and_unknown_tables_are_argument_errors(small: finsam.Dataset) -> None:
    with pytest.raises(finsam.ArgumentError):
        finsam.read_extract(42)  # type: ignore[arg-type]
    # A LazyFrame is collected (streaming engine), not refused.
    lazy = tables(pl.from_arrow(flat_extract(1, 10)).lazy())
    assert same(lazy, tables(flat_extract(1, 10)))
    with pytest.raises(finsam.ArgumentError):
        finsam.Dataset.from_frames(deltagare=pd.DataFrame())
    with pytest.raises(finsam.FinsamError):
        finsam.Dataset.from_frames(deltaganden=pd.DataFrame({"x": [1]}))


def test_reading_and_counting_is_safe_from_threads() -> None:
    table = flat_extract(9, 5000)

    def count() -> str:
        return "".join(t.to_markdown() for t in tables(table)) + finsam.partial(table, years=(2017, 2024)).to_json()

    expected = count()
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(count())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


REQUIRED = ["deltagare_id", "forbund_id", "kon", "startdatum", "slutdatum", "status_efter"]


def test_empty_frames_need_the_columns_but_no_rows() -> None:
    for empty in (pd.DataFrame(), pl.DataFrame(), pa.table({})):
        with pytest.raises(finsam.InputError) as info:
            finsam.read_extract(empty)
        assert (info.value.code, info.value.column) == ("missing_column", "deltagare_id")
    no_rows = flat_extract(1, 10).slice(0, 0)
    zero_batches = pa.Table.from_batches([], flat_extract(1, 10).schema)
    for frame in (pd.DataFrame(columns=REQUIRED), no_rows, zero_batches, no_rows.to_pandas()):
        assert finsam.read_extract(frame).rows == 0
        assert finsam.partial(frame, years=(2020, 2021)).rows == 0
        # No rows, no years to report on: said, not an empty table.
        with pytest.raises(finsam.ArgumentError):
            finsam.outcome_rates(finsam.read_extract(frame))


def test_dictionary_nulls_and_slices_of_pyarrow_tables() -> None:
    table = flat_extract(3, 40)
    kon = pa.array(["K", None, *(["M"] * 38)]).dictionary_encode()
    with pytest.raises(finsam.InputError) as info:
        finsam.read_extract(table.set_column(2, "kon", kon))
    assert (info.value.code, info.value.row, info.value.column) == ("missing_value", 1, "kon")
    encoded = table.set_column(2, "kon", table["kon"].combine_chunks().dictionary_encode())
    sliced = encoded.slice(3, 10)
    assert finsam.read_extract(sliced).rows == 10
    assert same(tables(table.slice(3, 10), suppress=False), tables(sliced, suppress=False))


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
    extract = finsam.read_extract(frame)
    assert finsam.participants(extract, suppress=False).to_pandas().set_index("ar")["startade"].to_dict() == {2021: 2.0}
    assert finsam.outcome_rates(extract, suppress=False).to_pandas().set_index("ar")["n"].to_dict() == {2021: 1.0}
    noon = frame.assign(startdatum=frame["startdatum"] + pd.Timedelta(hours=12))
    with pytest.raises(finsam.InputError) as info:
        finsam.read_extract(noon)
    assert info.value.code == "invalid_date"
    assert info.value.value == "2021-01-01T12:00:00+01:00[Europe/Stockholm]"


def test_tampered_states_are_errors_never_a_panic() -> None:
    state = finsam.partial(flat_extract(5, 200), years=(2017, 2024))
    text = state.to_json()
    for tampered in (text.replace('"rows":200', '"rows":199', 1), text.replace('"startade":', '"startade":1000', 1)):
        assert tampered != text
        with pytest.raises(finsam.InputError) as info:
            finsam.outcome_rates(finsam.Partial.from_json(tampered))
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
            finsam.read_extract(source)
        assert caught.value.code == "duplicate_row"
    # Another comment makes it another row, in a frame as in a file.
    other = frame.assign(kommentar=["a", "b", "c"])
    other.to_csv(path, sep=";", index=False, date_format="%Y-%m-%d")
    for source in (other, path):
        assert finsam.read_extract(source).rows == 3


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
    tables, and they equal the indicator functions' on the data set."""
    import pyarrow.csv as pv

    path = tmp_path / "flat.csv"
    small.to_flat_csv(path)
    table = pv.read_csv(path, parse_options=pv.ParseOptions(delimiter=";"))
    sources = {"csv": path, "pyarrow": table, "pandas": table.to_pandas(), "polars": pl.from_arrow(table)}
    results = {name: tables(source, suppress=False, years=(2019, 2020)) for name, source in sources.items()}
    for name, got in results.items():
        assert same(results["csv"], got), name
    # Förbund without participations have rows of zeros from a data set
    # only (an extract has no list of förbund): compared in Rust's
    # agreement test, row by row.
    by_kon, _, days = results["csv"][:3]
    assert by_kon.to_arrow().equals(finsam.outcome_rates(small, by="kon", years=(2019, 2020), suppress=False).to_arrow())
    assert days.to_arrow().equals(finsam.benefit_days(small, by="kon", years=(2019, 2020), suppress=False).to_arrow())


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


def test_the_follow_ups_old_names_warn_and_give_the_indicator_tables() -> None:
    """`follow_up`, `follow_up_state` and `FollowUpState` stay one release:
    each warns, and what they give is the engine's, not a definition of
    their own."""
    table = flat_extract(13, 3000)
    with pytest.deprecated_call():
        f = finsam.follow_up(table, suppress=False)
    extract = finsam.read_extract(table)
    expected = [
        finsam.outcome_rates(extract, suppress=False),
        finsam.outcome_rates(extract, by="kon", suppress=False),
        finsam.outcome_rates(extract, by="forbund", suppress=False),
        finsam.benefit_days(extract, by="kon", suppress=False),
        finsam.participants(extract, suppress=False),
    ]
    assert same(f.tables, expected) and [t.id for t in f.tables] == [t.id for t in expected]
    assert (f.national.id, f.by_kon.id, f.started.id, f.rows) == ("utfall", "utfall", "deltagare", 3000)
    with pytest.warns(DeprecationWarning, match="finsam.follow_up is deprecated") as caught:
        finsam.follow_up(table)
    assert caught[0].filename == __file__, "the warning points at the caller's line"
    with pytest.warns(DeprecationWarning, match="finsam.follow_up_state is deprecated") as caught:
        state = finsam.follow_up_state(table)
    assert caught[0].filename == __file__
    assert isinstance(state, finsam.Partial) and state.by == ["forbund", "kon"] and state.rows == 3000
    with pytest.deprecated_call():
        again = finsam.follow_up(state, suppress=False)
    assert same(again.tables, f.tables)
    # Parts merge when counted over the same years, as the old states did.
    with pytest.deprecated_call():
        parts = [finsam.follow_up_state(table.slice(a, 1500), years=(2017, 2024)) for a in (0, 1500)]
    whole = finsam.partial(table, years=(2017, 2024))
    assert finsam.Partial.merge_all(parts) == whole
    with pytest.deprecated_call():
        assert finsam.FollowUpState is finsam.Partial
    with pytest.raises(AttributeError):
        finsam.NoSuchName  # type: ignore[attr-defined]
