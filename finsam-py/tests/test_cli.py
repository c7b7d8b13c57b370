"""The ``finsam`` command's report, validate and synthetic subcommands: the
same report as the library, every error of a delivery with its file and
line, and the documented exit statuses (0, 1 for the data, 2 for usage)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import finsam

SMALL = ["--scale", "0.05", "--seed", "7"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "finsam._cli", *args], capture_output=True, text=True, check=False)


def test_report_is_the_librarys_in_every_format(tmp_path: Path) -> None:
    data = finsam.synthetic(scale=0.05, seed=7)
    report = finsam.annual_report(data, 2022)
    for fmt, expected in [("json", report.to_json()), ("csv", report.to_csv()), ("md", report.to_markdown())]:
        out = tmp_path / f"report.{fmt}"
        r = run("report", "--synthetic", *SMALL, "--year", "2022", "--format", fmt, "-o", str(out))
        assert r.returncode == 0, r.stderr
        assert out.read_text(encoding="utf-8") == expected, fmt
    r = run("report", "--synthetic", *SMALL, "--year", "2022")
    assert r.returncode == 0 and r.stdout == report.to_markdown()
    r = run("report", "--synthetic", *SMALL, "--year", "2022", "--locale", "sv")
    assert r.returncode == 0 and r.stdout == report.to_markdown(locale="sv")
    # By default the latest year the delivery counts, as the Rust main job.
    latest = data.reporting_years[-1]
    assert latest == 2025
    r = run("report", "--synthetic", *SMALL, "--format", "json")
    assert r.returncode == 0 and r.stdout == finsam.annual_report(data, latest).to_json()


def test_a_delivery_written_by_synthetic_reports_alike(tmp_path: Path) -> None:
    out = tmp_path / "delivery"
    r = run("synthetic", str(out), *SMALL)
    assert r.returncode == 0, r.stderr
    assert (out / "deltaganden.csv").is_file() and (out / "dataset.json").is_file()
    assert run("validate", str(out)).returncode == 0
    from_files = run("report", str(out), "--year", "2022", "--format", "json")
    from_memory = run("report", "--synthetic", *SMALL, "--year", "2022", "--format", "json")
    assert from_files.returncode == 0, from_files.stderr
    assert from_files.stdout == from_memory.stdout
    # The renderings for readers too: the same page and workbook from the files as from memory.
    for fmt in ("html", "xlsx"):
        a, b = tmp_path / f"files.{fmt}", tmp_path / f"memory.{fmt}"
        assert run("report", str(out), "--year", "2022", "--format", fmt, "-o", str(a)).returncode == 0
        assert run("report", "--synthetic", *SMALL, "--year", "2022", "--format", fmt, "-o", str(b)).returncode == 0
        assert a.read_bytes() == b.read_bytes(), fmt


def test_a_forbunds_report_and_the_html_page(tmp_path: Path) -> None:
    page = tmp_path / "r.html"
    r = run("report", "--synthetic", *SMALL, "--year", "2022", "--forbund", "7", "--format", "html", "-o", str(page))
    assert r.returncode == 0, r.stderr
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "Avgränsat till" in html
    assert "<script" not in html and "src=" not in html and 'href="http' not in html, "self-contained"
    data = finsam.synthetic(scale=0.05, seed=7)
    report = finsam.annual_report(data, 2022, forbund=7)
    # The förbund's page, with the national report of the year beside it and
    # its earlier years' reports followed over the years.
    earlier = [finsam.annual_report(data, y, forbund=7, compare_insatser=False) for y in data.reporting_years if y < 2022]
    assert html == report.to_html_page(beside=finsam.annual_report(data, 2022), earlier=earlier)
    assert 'id="tidsserie"' in html
    assert html.count('<table class="finsam">') == len(report.tables) + 2 and "Riket: " in html


def test_the_workbook_through_the_command(tmp_path: Path) -> None:
    book = tmp_path / "r.xlsx"
    r = run("report", "--synthetic", *SMALL, "--year", "2022", "--format", "xlsx", "-o", str(book))
    assert r.returncode == 0, r.stderr
    assert book.read_bytes() == finsam.annual_report(finsam.synthetic(scale=0.05, seed=7), 2022).to_xlsx()


def test_validate_lists_every_error_by_code_with_file_and_line(tmp_path: Path) -> None:
    delivery = tmp_path / "bad"
    finsam.synthetic(scale=0.02, seed=3).to_csv(delivery)
    lines = (delivery / "deltaganden.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(";")
    start = header.index("startdatum")
    for i in (3, 7):
        fields = lines[i].split(";")
        fields[start] = "2016/07-24"
        lines[i] = ";".join(fields)
    (delivery / "deltaganden.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run("validate", str(delivery))
    assert r.returncode == 1
    assert "[invalid_date] 2" in r.stderr
    assert f"{delivery / 'deltaganden.csv'}, line 4," in r.stderr and ", line 8," in r.stderr
    assert "Traceback" not in r.stderr


def test_usage_errors_exit_2_without_a_traceback(tmp_path: Path) -> None:
    for args in (
        ["report", "--synthetic", *SMALL, "--year", "1990"],
        ["report"],
        ["report", "--synthetic", *SMALL, "--forbund", "99999"],
    ):
        r = run(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert r.stderr.startswith("finsam: error [invalid_argument]") and "Traceback" not in r.stderr
    r = run("report", "--synthetic", "--format", "xls")
    assert r.returncode == 2 and "invalid choice" in r.stderr
    r = run("report", str(tmp_path / "nowhere"))
    assert r.returncode == 1 and "Traceback" not in r.stderr


def test_progress_is_drawn_on_a_terminal_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from finsam import _cli

    # Into a pipe (as here): nothing but the result.
    out = tmp_path / "delivery"
    assert run("synthetic", str(out), *SMALL).returncode == 0
    r = run("validate", str(out))
    assert r.returncode == 0 and "\r" not in r.stderr and "MB/s" not in r.stderr
    assert _cli._progress("reading") is None, "pytest's stderr is not a terminal"
    # On a terminal: one line redrawn in place, ended when the reading is done.
    line = _cli._TerminalProgress("reading x")
    line(0, 2_000_000)
    line(1_000_000, 2_000_000)  # drawn only if 0.1 s has passed
    line(2_000_000, 2_000_000)
    line(2_000_000, 2_000_000)  # after the end: nothing more
    line.end()
    err = capsys.readouterr().err
    assert err.count("\r") in (2, 3) and err.endswith("\n") and err.count("\n") == 1
    assert "100 % 2 of 2 MB" in err and "s left" in err
    # A reading that stops early (an error) still ends its line.
    early = _cli._TerminalProgress("reading y")
    early(10, 2_000_000)
    early.end()
    assert capsys.readouterr().err.endswith("\n")


def test_file_errors_are_reported_without_a_traceback(tmp_path: Path) -> None:
    r = run("report", "--synthetic", *SMALL, "--year", "2022", "--format", "xlsx", "-o", str(tmp_path / "no" / "r.xlsx"))
    assert r.returncode == 1 and "finsam: error [io]" in r.stderr and "Traceback" not in r.stderr
