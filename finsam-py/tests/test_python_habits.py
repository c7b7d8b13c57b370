"""What a researcher expects of a Python package (issue 15, points 3 and 6):
tables by name, notebook display, pickling and copies, statsmodels'
interval spellings over arrays, and errors that name their file."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

import finsam


@pytest.fixture(scope="module")
def data() -> finsam.Dataset:
    return finsam.synthetic(scale=0.05)


@pytest.mark.parametrize("year", [2020, 2022, 2023, 2024])
def test_every_table_of_a_report_has_a_distinct_name_and_title(data: finsam.Dataset, year: int) -> None:
    report = finsam.annual_report(data, year)
    names = report.names
    assert len(names) == len(set(names)) == len(report)
    titles = [t.title for t in report.tables]
    assert len(titles) == len(set(titles))
    headings = [line for line in report.to_markdown().splitlines() if line.startswith("### ")]
    assert len(headings) == len(set(headings))
    for name, table in zip(names, report.tables):
        assert name in report
        assert report[name].to_json() == table.to_json()
        assert name == table.id or name.startswith(table.id + "_per_")
    assert [line[len("# table: ") :].split(" (")[0] for line in report.to_csv().splitlines() if line.startswith("# table: ")] == names


def test_the_levels_of_an_indicator_are_named_by_their_keys(data: finsam.Dataset) -> None:
    report = finsam.annual_report(data, 2022)
    assert report["utfall"].keys == ["ar"]
    assert report["utfall_per_kon"].keys == ["ar", "kon"]
    assert report["utfall_per_forbund"].keys == ["ar", "forbund"]
    assert report["utfall_per_kon"].title == "Sysselsättning efter avslutad insats per kön"
    assert report["utfall"].title == "Sysselsättning efter avslutad insats, riket"
    # An indicator shown once keeps its catalogue id and title.
    assert report["forsorjning_overgang"].title == "Försörjning före och efter"
    # The same figure as the indicator function gives.
    direct = finsam.outcome_rates(data, by="kon", years=(2021, 2022))
    assert report["utfall_per_kon"].value(["2022", "kvinna"], "andel_arbete_studier") == direct.value(
        ["2022", "kvinna"], "andel_arbete_studier"
    )
    with pytest.raises(KeyError, match="utfall_per_kon"):
        report["utfall_per_kön"]
    assert "nonsense" not in report


def test_a_report_of_an_extract_names_its_tables_too(data: finsam.Dataset, tmp_path: Path) -> None:
    data.to_flat_csv(tmp_path / "flat.csv")
    report = finsam.annual_report(finsam.read_extract(tmp_path / "flat.csv"), 2021)
    assert len(set(report.names)) == len(report) and "utfall_per_forbund" in report


def test_tables_and_reports_render_in_a_notebook(data: finsam.Dataset) -> None:
    small = finsam.outcome_rates(data, by="kon", years=2020)
    html = small._repr_html_()
    assert html.startswith('<table class="finsam"><caption>Sysselsättning efter avslutad insats</caption>')
    assert html.count("<tr>") == len(small) + 1
    assert "rows …" not in html
    assert small._repr_markdown_() == small.to_markdown()

    large = finsam.outcome_rates(data, by="forbund", years=(2017, 2022))
    assert len(large) > 40
    html = large._repr_html_()
    assert f"… {len(large) - 40} rows …" in html and html.count("<tr>") == 40 + 2
    withheld = [r for r in large.to_dicts() if r["n"] is None]
    assert withheld and '<td title="withheld: ' in html or len(withheld) == 0
    assert f"… {len(large) - 40} rows …" in large._repr_markdown_()

    report = finsam.annual_report(data, 2022)
    html = report._repr_html_()
    assert html.startswith("<h2>Finsam årsrapport 2022</h2>")
    for name in report.names:
        assert f'<h3 id="{name}"><code>{name}</code></h3>' in html
    assert report._repr_markdown_() == report.to_markdown()
    assert "<caption>finsam.Dataset, uttagsdatum" in data._repr_html_()
    assert "<td>deltaganden</td>" in data._repr_html_()


def test_text_in_html_is_escaped() -> None:
    # A förbund's or insats's name can hold any character; a table built
    # from JSON with markup in its text renders it as text.
    table = finsam.outcome_rates(finsam.synthetic(scale=0.02), years=2020)
    import json

    raw = json.loads(table.to_json())
    raw["title"] = "<script>alert(1)</script> & co"
    html = finsam.Table.from_json(json.dumps(raw))._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


def test_results_pickle_and_copy(data: finsam.Dataset, tmp_path: Path) -> None:
    table = finsam.outcome_rates(data, by="kon", years=2020)
    report = finsam.annual_report(data, 2022)
    data.to_flat_csv(tmp_path / "flat.csv")
    partial = finsam.partial(finsam.read_extract(tmp_path / "flat.csv"), years=(2020, 2021))
    counted = finsam.partial(tmp_path / "flat.csv", years=(2017, 2022))
    for original in (table, report, partial, counted, finsam.stats.proportion_ci(3, 10)):
        for again in (pickle.loads(pickle.dumps(original)), copy.deepcopy(original), copy.copy(original)):
            assert type(again) is type(original)
            if hasattr(original, "to_json"):
                assert again.to_json() == original.to_json()
            else:
                assert again == original
    small = finsam.synthetic(scale=0.01)
    again = pickle.loads(pickle.dumps(small))
    assert again.to_json() == small.to_json() and again.uttagsdatum == small.uttagsdatum
    assert finsam.outcome_rates(again, years=2020).to_json() == finsam.outcome_rates(small, years=2020).to_json()


def test_proportion_ci_over_arrays_agrees_with_statsmodels() -> None:
    np = pytest.importorskip("numpy")
    proportion = pytest.importorskip("statsmodels.stats.proportion")
    k = np.array([0, 1, 8, 31, 50, 99, 100])
    n = np.array([5, 10, 20, 100, 100, 100, 100])
    for ours, theirs in [("wilson", "wilson"), ("beta", "beta"), ("agresti_coull", "agresti_coull")]:
        for alpha in (0.05, 0.1):
            lo, hi = finsam.stats.proportion_ci(k, n, method=ours, alpha=alpha)  # type: ignore[arg-type]
            ref_lo, ref_hi = proportion.proportion_confint(k, n, alpha=alpha, method=theirs)
            # statsmodels clips Agresti–Coull to [0, 1] as finsam does.
            np.testing.assert_allclose(lo, ref_lo, atol=1e-10)
            np.testing.assert_allclose(hi, ref_hi, atol=1e-10)
    # The same as one call per pair, in the input's shape.
    lo, hi = finsam.stats.proportion_ci(k.reshape(7, 1), n.reshape(7, 1))
    assert lo.shape == (7, 1)
    assert [finsam.stats.proportion_ci(int(a), int(b)).lo for a, b in zip(k, n)] == lo.ravel().tolist()
    with pytest.raises(finsam.ArgumentError, match="position 1"):
        finsam.stats.proportion_ci([1, 5], [2, 3])
    with pytest.raises(finsam.ArgumentError, match="`k`"):
        finsam.stats.proportion_ci([1.5], [2])
    with pytest.raises(finsam.ArgumentError, match="`n`"):
        finsam.stats.proportion_ci([1, 2], [3])


def test_a_file_that_cannot_be_read_is_named_in_the_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(finsam.FileAccessError) as e:
        finsam.Dataset.from_csv(missing)
    assert e.value.path == str(missing)
    with pytest.raises(finsam.FileAccessError) as e:
        finsam.read_extract(missing / "flat.csv")
    assert e.value.path == str(missing / "flat.csv")


# Typed keys and totals (issue 15, points 2 and 4).


def every_kind_of_table(data: finsam.Dataset) -> list[finsam.Table]:
    tables: list[finsam.Table] = []
    for year in (2020, 2022, 2024):
        tables += finsam.annual_report(data, year).tables
    for by in ["insats", "aldersgrupp", "behovsgrupp", "remittent", "forsorjning_fore", ["forbund", "kon"]]:
        tables.append(finsam.participants(data, by=by, years=2020))  # type: ignore[arg-type]
        tables.append(finsam.outcome_rates(data, by=by, years=2020))  # type: ignore[arg-type]
    tables += [finsam.outcome_categories(data, by="kon", years=2020), finsam.allocation(data, 2021)]
    return tables


def test_a_total_row_has_null_keys_and_says_what_it_sums(data: finsam.Dataset) -> None:
    import pyarrow as pa

    # The keys whose "alla" is a sum of other rows, and the economy's subtotal
    # individ (behovsgrupp + individ_ovriga); "alla" of the transitions'
    # efter is the denominator, no sum, and keeps its label.
    summed = {"kon", "forbund", "insats", "grupp", "betalare", "aldersgrupp", "remittent", "status"}

    def is_total(key: str, value: str) -> bool:
        return (key in summed and value == "alla") or (key, value) == ("grupp", "individ")

    for table in every_kind_of_table(data):
        frame = table.to_arrow()
        totals = [i for i, r in enumerate(table.to_dicts()) if r.get("summerat")]
        raw = __import__("json").loads(table.to_json())["rows"]
        with_alla = [i for i, r in enumerate(raw) if any(is_total(k, v) for k, v in zip(table.keys, r["key"]))]
        # Every table whose rows can be totals has `summerat`, and it marks exactly those rows.
        assert totals == with_alla, table.id
        if with_alla:
            assert "summerat" in frame.column_names, table.id
        for key in table.keys:
            column = frame.column(key)
            # A total's key is null; a subtotal (individ) keeps its label.
            expected = sum(1 for r in raw if r["key"][table.keys.index(key)] == "alla" and key in summed)
            assert column.null_count == expected, (table.id, key)
            if key in ("ar", "forbund", "insats"):
                assert column.type == pa.int64(), (table.id, key)
        lean = table.to_arrow(totals=False, reasons=False)
        assert lean.num_rows == len(raw) - len(with_alla)
        assert not any(c.endswith("_reason") for c in lean.column_names)


def test_a_tables_schema_does_not_depend_on_its_rows(data: finsam.Dataset) -> None:
    import json

    full = finsam.outcome_rates(data, by="forbund", years=2020)
    raw = json.loads(full.to_json())
    # The same table with only its withheld rows, and with no rows at all.
    for rows in ([r for r in raw["rows"] if any("suppressed" in v for v in r["values"])], []):
        other = finsam.Table.from_json(json.dumps({**raw, "rows": rows}))
        assert other.to_arrow().schema.equals(full.to_arrow().schema, check_metadata=False)


def test_frames_filter_and_join_on_integer_ids(data: finsam.Dataset) -> None:
    pl = pytest.importorskip("polars")
    pandas = pytest.importorskip("pandas")
    t = finsam.outcome_rates(data, by="forbund", years=2020)
    df = t.to_pandas()
    assert df["forbund"].dtype == pandas.Int64Dtype() and df["ar"].dtype == pandas.Int64Dtype()
    first = int(df["forbund"].dropna().iloc[0])
    assert len(df[df.forbund == first]) == 1
    forbund = data.to_arrow()["forbund"]
    names = pl.from_arrow(forbund).select(pl.col("forbund_id").alias("forbund"), "namn")
    joined = t.to_polars(totals=False).join(names, on="forbund", how="left")
    assert joined["namn"].null_count() == 0 and len(joined) == len(t) - 1
    # Keys are ints and a total is None in dicts and in value() too.
    rows = t.to_dicts()
    assert rows[0]["ar"] == 2020 and any(r["forbund"] is None and r["summerat"] == "forbund" for r in rows)
    assert t.value([2020, None], "n") == t.value(["2020", "alla"], "n") is not None
    assert t.value([2020, first], "andel_arbete_studier") == t.value(["2020", str(first)], "andel_arbete_studier")
    # As a frame gives them back: numpy ints, and pandas' NA for a total.
    row = df[df.forbund == first].iloc[0]
    assert t.value([row["ar"], row["forbund"]], "n") == t.value([2020, first], "n")
    total = df[df.summerat == "forbund"].iloc[0]
    assert t.value([total["ar"], total["forbund"]], "n") == t.value([2020, None], "n")
    # The economy's subtotal individ is marked, and the transitions' denominator is not a total.
    economy = finsam.insats_economy(data, years=2024).to_pandas()
    sums = economy[economy["summerat"] == "grupp"]
    assert sorted(sums["grupp"].fillna("(alla)")) == ["(alla)", "individ"]
    transitions = finsam.transitions(data, years=2020).to_pandas()
    assert (transitions["efter"] == "alla").any() and "summerat" not in transitions.columns


def test_units_notes_and_the_version_travel_with_a_frame(data: finsam.Dataset) -> None:
    import json

    t = finsam.outcome_rates(data, by="kon", years=2020)
    schema = t.to_arrow().schema
    meta = {k.decode(): v.decode() for k, v in schema.metadata.items()}
    assert meta["finsam.id"] == "utfall" and meta["finsam.title"] == t.title
    assert json.loads(meta["finsam.notes"]) == t.notes and meta["finsam.version"] == finsam.__version__
    assert schema.field("n").metadata == {b"finsam.unit": b"count"}
    assert schema.field("andel_arbete_studier").metadata == {b"finsam.unit": b"share"}
    attrs = t.to_pandas().attrs["finsam"]
    assert attrs["id"] == "utfall" and attrs["units"]["andel_arbete_studier_lo"] == "share" and attrs["notes"] == t.notes
    # Through the PyCapsule stream too (what polars and pyarrow.table read).
    import pyarrow as pa

    assert pa.table(t).schema.metadata == schema.metadata


def test_forbund_and_insatser_come_with_their_names(data: finsam.Dataset, tmp_path: Path) -> None:
    arrow = data.to_arrow()
    forbund = dict(zip(arrow["forbund"].column("forbund_id").to_pylist(), arrow["forbund"].column("namn").to_pylist()))
    insatser = dict(zip(arrow["insatser"].column("insats_id").to_pylist(), arrow["insatser"].column("namn").to_pylist()))
    tables = [
        finsam.outcome_rates(data, by="forbund", years=2020),
        finsam.participants(data, by=["forbund", "insats"], years=2020),
        finsam.insats_economy(data, by=["forbund", "insats"], years=2024),
        finsam.forbund_economy(data, years=2024),
        finsam.financing(data, 2021),
        finsam.allocation(data, 2021),
        finsam.survey_indicators(data, by="forbund", years=2021),
        finsam.annual_report(data, 2022)["utfall_per_forbund"],
    ]
    for table in tables:
        for row in table.to_dicts():
            if "forbund" in row:
                assert row["forbund_namn"] == forbund.get(row["forbund"]), (table.id, row["forbund"])
            if "insats" in row:
                assert row["insats_namn"] == insatser.get(row["insats"]), (table.id, row["insats"])
        assert any(r.get("forbund_namn") for r in table.to_dicts()), table.id
    # A flat extract has no names: the column is there, and null.
    data.to_flat_csv(tmp_path / "flat.csv")
    from_extract = finsam.outcome_rates(finsam.read_extract(tmp_path / "flat.csv"), by="forbund", years=2020)
    frame = from_extract.to_arrow()
    assert frame.column("forbund_namn").null_count == frame.num_rows
    # Otherwise the same figures as from the data set (without the anonymous
    # participants, which a flat extract cannot hold).
    known = finsam.Dataset.from_frames(
        {name: t for name, t in arrow.items() if name != "anonyma_deltagare"}, uttagsdatum=data.uttagsdatum
    )
    named = finsam.outcome_rates(known, by="forbund", years=2020).to_arrow()
    assert frame.drop_columns(["forbund_namn"]).equals(named.drop_columns(["forbund_namn"]))


def test_ctrl_c_stops_a_long_computation_at_its_next_step(request: pytest.FixtureRequest) -> None:
    import _thread
    import signal
    import threading
    import time

    # A process started in the background by a shell without job control
    # (`cmd &`) ignores SIGINT, and `interrupt_main` then does nothing: the
    # test has the handler an interactive Python has, whoever started it.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    request.addfinalizer(lambda: signal.signal(signal.SIGINT, previous))
    started = time.perf_counter()
    finsam.synthetic(scale=20.0, comparison=0, seed=5)
    whole = time.perf_counter() - started
    # Ctrl-C as Python delivers it, 0.1 s into a computation of the same size.
    timer = threading.Timer(0.1, _thread.interrupt_main)
    started = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        finsam.synthetic(scale=20.0, comparison=0, seed=6)
    stopped = time.perf_counter() - started
    timer.join()
    # It stopped at a step (a year of the data), not when the whole was done.
    assert stopped < 0.75 * whole, (stopped, whole)
    # Nothing is left asked to stop: the next call runs to its end.
    assert len(finsam.participants(finsam.synthetic(scale=0.02), years=2020)) == 1


def test_reading_reports_its_progress_without_changing_what_it_reads(data: finsam.Dataset, tmp_path: Path) -> None:
    data.to_csv(tmp_path / "export")
    data.to_flat_csv(tmp_path / "flat.csv")
    total = sum(p.stat().st_size for p in (tmp_path / "export").glob("*.csv"))
    seen: list[tuple[int, int]] = []
    again = finsam.Dataset.from_csv(tmp_path / "export", progress=lambda done, of: seen.append((done, of)))
    assert again.to_json() == finsam.Dataset.from_csv(tmp_path / "export").to_json()
    # Reported at least at the end, never backwards, and ending at every byte of the files.
    assert seen and all(of == total for _, of in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and seen[-1][0] == total
    size = (tmp_path / "flat.csv").stat().st_size
    calls: list[tuple[int, int]] = []
    extract = finsam.read_extract(tmp_path / "flat.csv", progress=lambda done, of: calls.append((done, of)))
    assert calls[-1] == (size, size) and extract.rows == finsam.read_extract(tmp_path / "flat.csv").rows
    # A tqdm bar (tqdm.auto: a widget in a notebook, text on a terminal).
    pytest.importorskip("tqdm")
    assert finsam.read_extract(tmp_path / "flat.csv", progress=True).rows == extract.rows
    # A report that raises stops the reading, as Ctrl-C does.
    def fail(done: int, of: int) -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        finsam.read_extract(tmp_path / "flat.csv", progress=fail)
    with pytest.raises(finsam.ArgumentError, match="progress"):
        finsam.read_extract(tmp_path / "flat.csv", progress="yes")  # type: ignore[arg-type]


def test_column_names_follow_one_convention(data: finsam.Dataset) -> None:
    import json

    tables = every_kind_of_table(data) + [
        finsam.outcome_categories(data, years=2020),
        finsam.benefit_days(data, by="aldersgrupp", years=2020),
        finsam.gender_gap(data, years=2020),
        finsam.gender_gap_days(data, years=2020),
        finsam.survey_indicators(data, years=2021),
        finsam.survey_change(data, 2021),
        finsam.survey_comparison(data, 2021),
    ]
    for table in tables:
        columns = [c["name"] for c in json.loads(table.to_json())["columns"]]
        units = {c["name"]: c["unit"] for c in json.loads(table.to_json())["columns"]}
        for c in columns:
            assert c.isascii() and c not in ("lo", "hi"), (table.id, c)
            if c.endswith(("_lo", "_hi")):
                # An interval's limits are named after its estimate, a column beside them.
                assert c[:-3] in columns, (table.id, c)
            if units[c] == "percent":
                assert c.endswith("_procent"), (table.id, c)
        # Key labels are ASCII codes (names of insatser are names, not labels).
        for row in json.loads(table.to_json())["rows"]:
            for key, value in zip(table.keys, row["key"]):
                assert key == "namn" or value.isascii(), (table.id, key, value)


def test_describe_covers_every_column_of_every_table(data: finsam.Dataset) -> None:
    pytest.importorskip("pandas")
    described = data.describe()
    arrow = data.to_arrow()
    assert set(described["table"]) == set(arrow) and len(arrow) >= 12
    assert len(described) == sum(t.num_columns for t in arrow.values())
    for row in described.itertuples():
        column = arrow[row.table].column(row.column)
        assert row.rows == len(column) == data.num_rows[row.table] and row.missing == column.null_count
    # Hand-checked against the data themselves.
    persons = described[(described["table"] == "deltaganden") & (described["column"] == "deltagare_id")].iloc[0]
    ids = arrow["deltaganden"].column("deltagare_id").to_pylist()
    assert persons["distinct"] == len(set(ids)) and persons["min"] == str(min(ids)) and persons["max"] == str(max(ids))
    kon = described[(described["table"] == "deltaganden") & (described["column"] == "kon")].iloc[0]
    assert kon["distinct"] == len(set(arrow["deltaganden"].column("kon").to_pylist()))
