"""Every Arrow source a researcher holds reads alike (issue 15, point 7):
polars LazyFrames, pyarrow readers, datasets and scanners, duckdb
relations; a file that is not CSV is refused by its signature; dates may be
datetimes at midnight, in any time zone."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

import finsam

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")


@pytest.fixture(scope="module")
def flat(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data = finsam.synthetic(scale=0.02)
    path = tmp_path_factory.mktemp("flat") / "flat.csv"
    data.to_flat_csv(path)
    import pyarrow.csv as pv

    return pv.read_csv(path, parse_options=pv.ParseOptions(delimiter=";"))


def sources(table: Any, tmp_path: Path) -> dict[str, Any]:
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    pq.write_table(table, tmp_path / "flat.parquet", row_group_size=2_000)
    dataset = ds.dataset(tmp_path / "flat.parquet")
    out: dict[str, Any] = {
        "pyarrow table": table,
        "polars LazyFrame": pl.from_arrow(table).lazy(),
        "pyarrow RecordBatchReader": pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=1_500)),
        "pyarrow dataset": dataset,
        "pyarrow scanner": dataset.scanner(),
    }
    duckdb = pytest.importorskip("duckdb")
    connection = duckdb.connect()
    connection.register("flat", table)
    out["duckdb relation"] = connection.sql("select * from flat")
    return out


def test_every_arrow_source_gives_the_same_extract_and_tables(flat: Any, tmp_path: Path) -> None:
    expected = finsam.outcome_rates(finsam.read_extract(flat), by="kon").to_json()
    follow = finsam.follow_up(flat).national.to_json()
    for name, source in sources(flat, tmp_path).items():
        assert finsam.outcome_rates(finsam.read_extract(source), by="kon").to_json() == expected, name
    # One pass per source: readers, scanners and relations are consumed by reading.
    for name, source in sources(flat, tmp_path).items():
        assert finsam.follow_up(source).national.to_json() == follow, name


def test_a_data_set_reads_lazy_and_streamed_tables() -> None:
    data = finsam.synthetic(scale=0.01)
    arrow = data.to_arrow()
    lazy = {name: pl.from_arrow(t).lazy() for name, t in arrow.items()}
    readers = {name: pa.RecordBatchReader.from_batches(t.schema, t.to_batches(max_chunksize=500)) for name, t in arrow.items()}
    for frames in (lazy, readers):
        again = finsam.Dataset.from_frames(frames, uttagsdatum=data.uttagsdatum)
        assert again.to_json() == data.to_json()


def test_a_file_that_is_not_csv_is_refused_by_its_signature(flat: Any, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    disguised = tmp_path / "extract.csv"
    pq.write_table(flat, disguised)
    for read in (finsam.read_extract, finsam.follow_up):
        with pytest.raises(finsam.InputError) as e:
            read(disguised)
        assert e.value.code == "not_csv" and e.value.path == str(disguised)
        assert "Parquet" in str(e.value) and "polars or pyarrow" in str(e.value)
    export = tmp_path / "export"
    export.mkdir()
    (export / "deltaganden.csv").write_bytes(b"PK\x03\x04" + bytes(40))
    with pytest.raises(finsam.InputError, match="Excel") as e:
        finsam.Dataset.from_csv(export)
    assert e.value.code == "not_csv"


def test_dates_may_be_datetimes_at_midnight_in_any_zone() -> None:
    pd = pytest.importorskip("pandas")
    data = finsam.synthetic(scale=0.01)
    day = datetime.date(2021, 6, 30)
    expected = finsam.participants(data, years=2021, uttagsdatum=day).to_json()
    stockholm = datetime.timezone(datetime.timedelta(hours=2))
    for same in (
        datetime.datetime(2021, 6, 30),
        pd.Timestamp("2021-06-30"),
        datetime.datetime(2021, 6, 30, tzinfo=stockholm),
        pd.Timestamp("2021-06-30", tz="Europe/Stockholm"),
        "2021-06-30",
    ):
        assert finsam.participants(data, years=2021, uttagsdatum=same).to_json() == expected, same  # type: ignore[arg-type]
    # A time of day would be dropped silently: refused, shown in its own type.
    with pytest.raises(finsam.ArgumentError, match=r"Timestamp\('2021-06-30 15:00:00'\)"):
        finsam.participants(data, years=2021, uttagsdatum=pd.Timestamp("2021-06-30 15:00"))
    with pytest.raises(finsam.ArgumentError, match=r"datetime.datetime\(2021, 6, 30, 0, 0, 1\)"):
        finsam.Dataset.from_frames(data.to_arrow(), uttagsdatum=datetime.datetime(2021, 6, 30, 0, 0, 1))
    again = finsam.Dataset.from_frames(data.to_arrow(), uttagsdatum=pd.Timestamp(data.uttagsdatum))
    assert again.uttagsdatum == data.uttagsdatum
