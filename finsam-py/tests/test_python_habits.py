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
    state = finsam.follow_up_state(tmp_path / "flat.csv")
    partial = finsam.partial(finsam.read_extract(tmp_path / "flat.csv"), years=(2020, 2021))
    for original in (table, report, state, partial, finsam.stats.proportion_ci(3, 10)):
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
