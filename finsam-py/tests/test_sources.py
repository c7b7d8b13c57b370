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
    state = finsam.partial(flat, years=(2018, 2022)).to_bytes()
    for name, source in sources(flat, tmp_path).items():
        assert finsam.outcome_rates(finsam.read_extract(source), by="kon").to_json() == expected, name
    # One pass per source: readers, scanners and relations are consumed by reading.
    for name, source in sources(flat, tmp_path).items():
        assert finsam.partial(source, years=(2018, 2022)).to_bytes() == state, name


def test_a_data_set_reads_lazy_and_streamed_tables() -> None:
    data = finsam.synthetic(scale=0.01)
    arrow = data.to_arrow()
    lazy = {name: pl.from_arrow(t).lazy() for name, t in arrow.items()}
    readers = {name: pa.RecordBatchReader.from_batches(t.schema, t.to_batches(max_chunksize=500)) for name, t in arrow.items()}
    for frames in (lazy, readers):
        again = finsam.Dataset.from_frames(frames, uttagsdatum=data.uttagsdatum)
        assert again.to_json() == data.to_json()


def test_a_streamed_extract_finds_exact_repeats_only(flat: Any, tmp_path: Path) -> None:
    # A stream keeps no batch: repeats are found by a hash of every column of
    # each row. A row repeated across batches is found; a row that differs
    # from another only in a column the indicators do not use, or in the
    # spelling of a code, is no repeat.
    import pyarrow.parquet as pq

    n = flat.num_rows
    small = flat.append_column("kommentar", pa.array([f"c{i}" for i in range(n)]))
    repeated = pa.concat_tables([small, small.slice(n - 100, 1)])
    renamed = small.slice(n - 100, 1).set_column(small.schema.get_field_index("kommentar"), "kommentar", pa.array(["other"]))
    respelled_kon = pa.array(["Kvinna" if k == "K" else "Man" for k in small.slice(n - 100, 1).column("kon").to_pylist()])
    respelled = small.slice(n - 100, 1).set_column(small.schema.get_field_index("kon"), "kon", respelled_kon)
    for as_stream in (
        lambda t: pa.RecordBatchReader.from_batches(t.schema, t.to_batches(max_chunksize=500)),
        lambda t: (pq.write_table(t, tmp_path / "t.parquet", row_group_size=500), tmp_path / "t.parquet")[1],
        lambda t: t,  # in memory: the other way, the same answer
    ):
        with pytest.raises(finsam.RuleError) as e:
            finsam.read_extract(as_stream(repeated))
        assert e.value.code == "duplicate_row" and e.value.row == n
        for differs in (renamed, respelled):
            assert finsam.read_extract(as_stream(pa.concat_tables([small, differs]))).rows == n + 1


@pytest.mark.parametrize("threads", [1, 2])
def test_an_error_on_every_row_stops_the_read(flat: Any, threads: int) -> None:
    # Many more slices than the channel holds, and every one bad: the workers
    # stop at once, and the reader stops with them (it used to wait forever).
    n = 300_000
    big = pa.concat_tables([flat] * (n // flat.num_rows + 1)).slice(0, n)
    bad = big.set_column(big.schema.get_field_index("kon"), "kon", pa.array(["X"] * n))
    for source in (bad, pa.RecordBatchReader.from_batches(bad.schema, bad.to_batches(max_chunksize=40_000))):
        with pytest.raises(finsam.InputError) as e:
            finsam.read_extract(source, threads=threads)
        assert e.value.code == "invalid_code" and e.value.row == 0


def test_duckdb_relations_of_one_connection_make_a_data_set() -> None:
    duckdb = pytest.importorskip("duckdb")
    data = finsam.synthetic(scale=0.01)
    connection = duckdb.connect()
    relations = {}
    for name, table in data.to_arrow().items():
        connection.register(f"t_{name}", table)
        relations[name] = connection.sql(f"select * from t_{name}")
    again = finsam.Dataset.from_frames(relations, uttagsdatum=data.uttagsdatum)
    assert again.to_json() == data.to_json()


def test_a_data_set_pulls_its_tables_batch_by_batch() -> None:
    # A reader over a generator: the data set pulls its batches as it reads,
    # and a stream that fails midway is an arrow_type error naming its table.
    data = finsam.synthetic(scale=0.01)
    arrow = data.to_arrow()
    pulled: list[int] = []

    def batches(table: Any, fail_after: int | None = None) -> Any:
        for i, batch in enumerate(table.to_batches(max_chunksize=300)):
            if fail_after is not None and i == fail_after:
                raise OSError("the disk went away")
            pulled.append(batch.num_rows)
            yield batch

    frames = {name: pa.RecordBatchReader.from_batches(t.schema, batches(t)) for name, t in arrow.items()}
    assert pulled == [], "nothing is read before the data set reads it"
    again = finsam.Dataset.from_frames(frames, uttagsdatum=data.uttagsdatum)
    assert again.to_json() == data.to_json()
    assert sum(pulled) == sum(t.num_rows for t in arrow.values())
    failing = dict(arrow)
    failing["deltaganden"] = pa.RecordBatchReader.from_batches(arrow["deltaganden"].schema, batches(arrow["deltaganden"], 2))
    with pytest.raises(finsam.InputError, match="deltaganden") as e:
        finsam.Dataset.from_frames(failing)
    assert e.value.code == "arrow_type" and "the disk went away" in str(e.value)


def test_a_file_that_is_not_csv_is_refused_by_its_signature(flat: Any, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    # The flat readers take CSV or Parquet and go by the signature, not the name.
    disguised = tmp_path / "extract.csv"
    pq.write_table(flat, disguised)
    expected = finsam.outcome_rates(finsam.read_extract(flat), by="kon").to_json()
    assert finsam.outcome_rates(finsam.read_extract(disguised), by="kon").to_json() == expected
    # The contract's CSV reader refuses it, and says how to read it.
    export = tmp_path / "export"
    export.mkdir()
    pq.write_table(flat, export / "deltaganden.csv")
    with pytest.raises(finsam.InputError) as e:
        finsam.Dataset.from_csv(export)
    assert e.value.code == "not_csv" and e.value.path == str(export / "deltaganden.csv")
    assert "Parquet" in str(e.value) and "Dataset.from_parquet" in str(e.value)
    (export / "deltaganden.csv").write_bytes(b"PK\x03\x04" + bytes(40))
    with pytest.raises(finsam.InputError, match="Excel") as e:
        finsam.Dataset.from_csv(export)
    assert e.value.code == "not_csv"


CODECS = ["snappy", "zstd", "gzip", "lz4", "none"]


@pytest.mark.parametrize("codec", CODECS)
def test_parquet_extracts_read_natively_in_every_codec(flat: Any, tmp_path: Path, codec: str) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / f"flat.{codec}.parquet"
    pq.write_table(flat, path, compression=codec, row_group_size=1_000)
    assert pq.ParquetFile(path).num_row_groups > 1
    expected = finsam.outcome_rates(finsam.read_extract(flat), by="kon").to_json()
    assert finsam.outcome_rates(finsam.read_extract(path), by="kon").to_json() == expected
    assert finsam.partial(path, years=(2018, 2022)).to_json() == finsam.partial(flat, years=(2018, 2022)).to_json()


def test_parquet_written_by_polars_and_duckdb_and_in_parts(flat: Any, tmp_path: Path) -> None:
    import pyarrow.dataset as ds

    expected = finsam.outcome_rates(finsam.read_extract(flat), by="kon").to_json()
    polars_file = tmp_path / "polars.parquet"
    pl.from_arrow(flat).write_parquet(polars_file)  # zstd by default
    parts = tmp_path / "parts"
    ds.write_dataset(flat, parts, format="parquet", max_rows_per_file=700, max_rows_per_group=700)
    assert len(list(parts.glob("*.parquet"))) > 1
    paths = [polars_file, parts]
    duckdb = pytest.importorskip("duckdb")
    connection = duckdb.connect()
    connection.register("flat", flat)
    duck = tmp_path / "duck.parquet"
    connection.execute(f"copy (select * from flat) to '{duck}' (format parquet)")
    paths.append(duck)
    for path in paths:
        assert finsam.outcome_rates(finsam.read_extract(path), by="kon").to_json() == expected, path


def test_a_data_set_reads_from_parquet_tables(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    data = finsam.synthetic(scale=0.01)
    export = tmp_path / "export"
    export.mkdir()
    for name, table in data.to_arrow().items():
        if name == "deltaganden":
            # A table may be a directory of part files too.
            (export / name).mkdir()
            half = table.num_rows // 2
            pq.write_table(table.slice(0, half), export / name / "part-0.parquet", compression="zstd")
            pq.write_table(table.slice(half), export / name / "part-1.parquet", compression="zstd")
        else:
            pq.write_table(table, export / f"{name}.parquet")
    assert data.uttagsdatum is not None
    (export / "dataset.json").write_text(f'{{"uttagsdatum": "{data.uttagsdatum.isoformat()}"}}')
    again = finsam.Dataset.from_parquet(export)
    assert again.num_rows == data.num_rows and again.uttagsdatum == data.uttagsdatum
    assert again.to_json() == data.to_json()
    report = finsam.annual_report(again, 2021, compare_insatser=False)
    assert report.to_json() == finsam.annual_report(data, 2021, compare_insatser=False).to_json()
    summary = again.load_summary
    assert summary is not None and summary["unmatched_files"] == []
    assert {f["table"] for f in summary["files"]} == set(data.to_arrow()) and summary["files"][0]["delimiter"] is None


def test_bad_parquet_names_the_file_and_row(flat: Any, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    truncated = tmp_path / "truncated.parquet"
    pq.write_table(flat, truncated)
    truncated.write_bytes(truncated.read_bytes()[:200])
    with pytest.raises(finsam.InputError) as e:
        finsam.read_extract(truncated)
    assert e.value.code == "invalid_parquet" and e.value.path == str(truncated)
    brotli = tmp_path / "brotli.parquet"
    pq.write_table(flat, brotli, compression="brotli")
    with pytest.raises(finsam.InputError, match="(?i)brotli") as e:
        finsam.read_extract(brotli)
    assert e.value.code == "invalid_parquet"

    data = finsam.synthetic(scale=0.01)
    export = tmp_path / "export"
    export.mkdir()
    for name, table in data.to_arrow().items():
        if name == "deltaganden":
            kon = table.column("kon").to_pylist()
            kon[3] = "X"
            table = table.set_column(table.schema.get_field_index("kon"), "kon", pa.array(kon))
        pq.write_table(table, export / f"{name}.parquet")
    with pytest.raises(finsam.InputError) as e:
        finsam.Dataset.from_parquet(export)
    assert e.value.code == "invalid_code"
    assert e.value.path == str(export / "deltaganden.parquet") and e.value.row == 3 and e.value.value == "X"


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
