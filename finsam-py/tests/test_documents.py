"""The reports people read, checked as they read them.

The HTML page is rendered in a real browser (headless Chromium, from
Debian's packages, driven by Playwright): the test fails on any console
message of level warning or error and on any page error, and checks that
every chart drew, i.e. that its screenshot is not blank. The Excel workbook
is read back with openpyxl and every shown value is compared with the
report's JSON, every withheld cell with its reason.
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

import finsam

def _chromium() -> str | None:
    return os.environ.get("FINSAM_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def data() -> finsam.Dataset:
    return finsam.synthetic()


@pytest.fixture(scope="module")
def browser() -> Any:
    executable = _chromium()
    if executable is None:
        # CI installs Chromium (.ci/test); only a developer's machine may lack it.
        if os.environ.get("FINSAM_REQUIRE_BROWSER"):
            pytest.fail("no Chromium: .ci/test installs Debian's chromium package")
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


def _ink(png: bytes) -> float:
    """The share of a screenshot's pixels that are not (near) white."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    histogram = image.histogram()
    return sum(histogram[:235]) / max(1, image.width * image.height)


def _render(browser: Any, page_html: str, tmp_path: Path) -> tuple[Any, list[str]]:
    path = tmp_path / "report.html"
    path.write_text(page_html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    # The page asks for nothing but itself.
    assert requests == [path.as_uri()], requests
    return page, problems


@pytest.mark.parametrize("year", [2022, 2025])
def test_the_page_renders_in_a_browser_with_every_chart_drawn(browser: Any, data: finsam.Dataset, year: int, tmp_path: Path) -> None:
    report = finsam.annual_report(data, year)
    earlier = [finsam.annual_report(data, y, compare_insatser=False) for y in data.reporting_years if y < year]
    page, problems = _render(browser, report.to_html_page(earlier=earlier), tmp_path)
    # The series over the years: participants (every year), shares (the person-level years).
    assert page.locator("#tidsserie svg.chart").count() == 2
    charts = page.locator("svg.chart")
    assert charts.count() >= (10 if year == 2022 else 6), charts.count()
    for i in range(charts.count()):
        chart = charts.nth(i)
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 60, (i, box)
        assert chart.locator("rect.bar").count() > 0, f"chart {i} has no bar"
        ink = _ink(chart.screenshot())
        assert ink > 0.02, f"chart {i} ({chart.get_attribute('aria-label')}) is blank: {ink:.3f}"
    # Every table is there (and one per series), withheld cells say why on hover.
    assert page.locator("table.finsam").count() == len(report.tables) + 2
    assert page.locator("#tidsserie table.finsam").count() == 2
    withheld = page.locator("td.withheld")
    assert withheld.count() > 0
    assert all(withheld.nth(i).get_attribute("title") for i in range(min(withheld.count(), 50)))
    # The page as a whole is not blank either.
    assert _ink(page.screenshot(full_page=False)) > 0.02
    page.close()
    assert problems == [], problems


def test_a_forbunds_page_with_the_nation_beside_renders(browser: Any, data: finsam.Dataset, tmp_path: Path) -> None:
    national = finsam.annual_report(data, 2022)
    own = finsam.annual_report(data, 2022, forbund=7)
    page, problems = _render(browser, own.to_html_page(beside=national), tmp_path)
    assert page.get_by_text("Riket: ").count() >= 4
    legend = page.locator("svg.chart text", has_text="(riket)")
    assert legend.count() > 0
    page.close()
    assert problems == [], problems


# Excel: what a sheet holds of a value of each unit, given its JSON value.
def _stored(value: float, unit: str) -> float:
    if unit in ("ore", "percent"):
        return value / 100  # kronor; a fraction under a percent format
    if unit == "share_difference":
        return value * 100  # percentage points
    return value


FORMATS = {
    "count": "#,##0",
    "tally": "#,##0",
    "share": "0.0%",
    "share_difference": '+0.0" p.e.";-0.0" p.e.";0.0" p.e."',
    "percent": "+0.0%;-0.0%;0.0%",
    "days": "#,##0.0",
    "number": "#,##0.00",
    "ore": '#,##0.00 "kr"',
    "flag": '"ja";"ja";"nej"',
}


def _cell_value(cell: dict[str, Any]) -> float | None:
    return cell.get("shown") if isinstance(cell, dict) else None


def test_the_workbook_holds_every_shown_value_of_the_json_report(data: finsam.Dataset, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    report = finsam.annual_report(data, 2022)
    path = tmp_path / "r.xlsx"
    report.to_excel(path)
    assert path.read_bytes() == report.to_xlsx()
    book = openpyxl.load_workbook(path)
    doc = json.loads(report.to_json())
    names = report.names
    assert book.sheetnames[0] == "Om rapporten" and book.sheetnames[-1] == "Definitioner"
    sheets = book.sheetnames[1:-1]
    assert len(sheets) == len(names) == len(doc["tables"])
    shown = withheld = 0
    for sheet_name, name, table in zip(sheets, names, doc["tables"]):
        assert name.startswith(sheet_name), (sheet_name, name)
        ws = book[sheet_name]
        assert ws["A1"].value == table["title"]
        assert ws["A2"].value == (" ".join(table["notes"]) or None)
        codes = [c.value for c in ws[4]]
        names_of = table.get("names", {})
        key_columns = len(table["keys"]) + sum(1 for k in table["keys"] if k in names_of)
        assert ws.freeze_panes == f"{openpyxl.utils.get_column_letter(key_columns + 1)}5", "headers and keys stay in view"
        expected_codes: list[str] = []
        for key in table["keys"]:
            expected_codes.append(key)
            if key in names_of:
                expected_codes.append(f"{key}_namn")
        expected_codes += [c["name"] for c in table["columns"]]
        assert codes == expected_codes, sheet_name
        value_at = {c["name"]: codes.index(c["name"]) for c in table["columns"]}
        for r, row in enumerate(table["rows"]):
            cells = list(ws[5 + r])
            for key, key_value in zip(table["keys"], row["key"]):
                got = cells[codes.index(key)].value
                if key in ("ar", "forbund", "insats") and key_value.isdigit():
                    assert got == int(key_value), (sheet_name, r, key)
                if key in names_of and key_value in names_of[key]:
                    assert cells[codes.index(f"{key}_namn")].value == names_of[key][key_value]
            for column, cell in zip(table["columns"], row["values"]):
                xl = cells[value_at[column["name"]]]
                value = _cell_value(cell)
                if value is not None and not (isinstance(value, float) and math.isnan(value)):
                    assert isinstance(xl.value, (int, float)), (sheet_name, r, column["name"], xl.value)
                    assert xl.value == _stored(value, column["unit"]), (sheet_name, r, column["name"])
                    # The format says what the number is.
                    assert xl.number_format == FORMATS[column["unit"]], (sheet_name, column["name"], xl.number_format)
                    shown += 1
                else:
                    assert xl.value == "..", (sheet_name, r, column["name"], xl.value)
                    reason = cell.get("suppressed", "not_computable") if isinstance(cell, dict) else "not_computable"
                    assert xl.comment is not None and f"({reason})" in xl.comment.text, (sheet_name, r, column["name"])
                    withheld += 1
    assert shown > 10_000 and withheld > 100, (shown, withheld)
    definitions = [row[0].value for row in book["Definitioner"].iter_rows(min_row=2)]
    assert set(definitions) == {t["id"] for t in doc["tables"]}


def test_pandas_reads_a_sheet_under_its_code_names(data: finsam.Dataset, tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    report = finsam.annual_report(data, 2022)
    path = tmp_path / "r.xlsx"
    report.to_excel(path)
    frame = pd.read_excel(path, sheet_name="utfall_per_kon", header=3)
    expected = report["utfall_per_kon"].to_pandas()
    assert list(frame.columns) == ["ar", "kon"] + [c for c in expected.columns if c in frame.columns and c not in ("ar", "kon")]
    assert list(frame["andel_arbete_studier"]) == list(expected["andel_arbete_studier"])
    # The key columns show labels to readers; a total is "Alla".
    assert list(frame["kon"]) == ["Kvinna", "Man", "Okänd", "Alla"]


def test_the_earlier_reports_without_the_comparison_have_the_same_series_cells(data: finsam.Dataset) -> None:
    # The command leaves the comparison of insatser out of the earlier years'
    # reports; the tables the series takes are then the same as published.
    for year in (2020, 2021):
        full, lean = finsam.annual_report(data, year), finsam.annual_report(data, year, compare_insatser=False)
        for name in ("deltagare_per_kon", "utfall_per_kon"):
            assert full[name].to_json() == lean[name].to_json()


def test_markdown_is_for_readers_with_numbers_plain_or_swedish(data: finsam.Dataset) -> None:
    report = finsam.annual_report(data, 2022)
    plain, sv = report.to_markdown(), report.to_markdown(locale="sv")
    assert plain == report.to_markdown(locale="plain")
    # A heading per level: the report, its sections, their tables.
    assert plain.startswith("# Finsam årsrapport 2022\n")
    sections = [line for line in plain.splitlines() if line.startswith("## ")]
    assert "## Sammanfattning" in sections and "## Sysselsättning efter avslutad insats" in sections
    tables = [line for line in plain.splitlines() if line.startswith("### ")]
    assert len(tables) == len(report.tables)
    # Swedish labels, not code names; förbund by name.
    assert "| Andel till arbete eller studier |" in plain and "| andel_arbete_studier |" not in plain
    assert "Samordningsförbundet" in plain and "| Kvinna |" in plain
    # The numbers of the same cells, in either locale.
    deltagare = int(report["deltagare"].value(["2022"], "deltagare"))
    share = report["utfall"].value(["2022"], "andel_arbete_studier")
    assert f"| {deltagare} |" in plain and f"{share * 100:.1f} %" in plain
    assert f"| {deltagare // 1000}\u00a0{deltagare % 1000:03d} |" in sv
    assert f"{share * 100:.1f}".replace(".", ",") + "\u00a0%" in sv
    with pytest.raises(finsam.ArgumentError):
        report.to_markdown(locale="fr")  # type: ignore[arg-type]
