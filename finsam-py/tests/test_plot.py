"""finsam.plot draws the table's own numbers: every mark is a shown cell,
every withheld cell is a ``..`` and no mark, and the intervals are the
table's bounds."""

from __future__ import annotations

import math

import pytest

import finsam

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import finsam.plot  # noqa: E402


@pytest.fixture(scope="module")
def data() -> finsam.Dataset:
    return finsam.synthetic(scale=0.05, seed=7)


def _points(ax: object) -> list[tuple[float, float]]:
    """The (x, y) of every error-bar marker on the axes."""
    out = []
    for line in ax.get_lines():  # type: ignore[attr-defined]
        if line.get_marker() == "o":
            out.extend(zip(line.get_xdata(), line.get_ydata()))
    return out


def test_shares_by_year_and_kon_are_the_tables_cells(data: finsam.Dataset) -> None:
    table = finsam.outcome_rates(data, by=["kon"], years=range(2019, 2023))
    ax = finsam.plot.shares(table)
    rows = table.to_dicts()
    shown = [r["andel_arbete_studier"] for r in rows if r["andel_arbete_studier"] is not None]
    withheld = [r for r in rows if r["andel_arbete_studier"] is None]
    assert withheld, "the small data withhold some shares"
    assert sorted(y for _, y in _points(ax)) == sorted(shown)
    # A withheld share is a '..', never a mark at zero.
    assert sum(t.get_text() == ".." for t in ax.texts) == len(withheld)
    assert all(y > 0 for _, y in _points(ax))
    # The x axis is the years, a series per kön.
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2019", "2020", "2021", "2022"]
    labels = {"kvinna": "Kvinna", "man": "Man", "okand": "Okänd", None: "Alla"}
    with_a_mark = {labels[r["kon"]] for r in rows if r["andel_arbete_studier"] is not None}
    assert {t.get_text() for t in ax.get_legend().get_texts()} == with_a_mark
    assert ax.get_legend().get_title().get_text() == "Kön"
    # The interval of each mark is the table's.
    caps = [c for c in ax.collections if c.get_segments()]
    bounds = sorted(
        (round(min(s[0][1], s[1][1]), 12), round(max(s[0][1], s[1][1]), 12)) for c in caps for s in c.get_segments()
    )
    expected = sorted(
        (round(r["andel_arbete_studier_lo"], 12), round(r["andel_arbete_studier_hi"], 12))
        for r in rows
        if r["andel_arbete_studier"] is not None
    )
    assert bounds == expected
    plt.close("all")


def test_benefit_days_and_a_funnel(data: finsam.Dataset) -> None:
    report = finsam.annual_report(data, 2022)
    table = report["ersattningsdagar"]
    ax = finsam.plot.benefit_days(table)
    heights = sorted(round(p.get_height(), 9) for p in ax.patches)
    expected = sorted(
        round(r[c], 9) for r in table.to_dicts() for c in ("medel_fore", "medel_efter") if r[c] is not None
    )
    assert heights == expected
    plt.close("all")

    from finsam import evaluation

    comparison = evaluation.compare_units(
        finsam.synthetic(scale=0.3, seed=7), case_mix=list(evaluation.REPORT_CASE_MIX), years=range(2020, 2023)
    )
    ax = finsam.plot.funnel(comparison)
    shown = [r for r in comparison.table().to_dicts() if r["kvot"] is not None]
    offsets = ax.collections[0].get_offsets()
    assert len(offsets) == len(shown) > 10
    assert sorted(float(y) for _, y in offsets) == sorted(r["kvot"] for r in shown)
    assert all(math.isfinite(float(x)) for x, _ in offsets)
    plt.close("all")


def test_a_table_without_the_column_is_a_clear_error(data: finsam.Dataset) -> None:
    with pytest.raises(ValueError, match="has no column andel_arbete_studier"):
        finsam.plot.shares(finsam.participants(data, years=range(2021, 2023)))
