"""The report's standard figures on matplotlib axes, for notebooks.

Install with ``pip install "finsam[plot]"``. Each function draws one
finsam table (or comparison) on ``ax`` (a new figure's axes if ``None``) and
returns the axes. They draw the values the table shows and nothing else: a
withheld cell draws no mark, and its place is labelled ``..``, never a zero.
Nothing is computed here; every number is the table's.

>>> import finsam, finsam.plot
>>> data = finsam.synthetic(scale=0.05, seed=7)
>>> ax = finsam.plot.shares(finsam.outcome_rates(data, by=["kon"], years=range(2019, 2023)))
>>> ax.get_ylabel()
'Andel till arbete eller studier'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from finsam._finsam import Comparison, Table

__all__ = ["benefit_days", "funnel", "shares"]

#: The Okabe & Ito colours the HTML report's charts use.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#3A7FA8", "#9A6A00"]

_KEYS = {"ar": "År", "kon": "Kön", "forbund": "Förbund", "grupp": "Grupp"}
_KON = {"kvinna": "Kvinna", "man": "Man", "okand": "Okänd"}
_GRUPP = {"sp_rp": "Sjuk- och rehabiliteringspenning", "ae": "Aktivitetsersättning", "sa": "Sjukersättning"}
_LABELS = {
    "andel_arbete_studier": "Andel till arbete eller studier",
    "andel_arbete_studier_sokande": "Andel till arbete, studier eller arbetssökande",
}


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise ImportError('finsam.plot needs matplotlib: pip install "finsam[plot]"') from e
    _, new = plt.subplots(figsize=(8, 4.5))
    return new


def _label(key: str, value: Any, row: dict[str, Any]) -> str:
    """A key value as the report labels it: a total as "Alla", kön and
    benefit groups by their labels, förbund and insatser by name."""
    if value is None:
        return "Alla"
    name = row.get(f"{key}_namn")
    if name:
        return f"{name} ({value})"
    if key == "kon":
        return _KON.get(str(value), str(value))
    if key == "grupp":
        return _GRUPP.get(str(value), str(value))
    return str(value)


def _require(table: Table, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"the table {table.id!r} has no column {', '.join(missing)}: its columns are {', '.join(table.columns)}")


def shares(
    table: Table,
    *,
    column: str = "andel_arbete_studier",
    x: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A share with its interval, by the values of key ``x`` (default: the
    year if the table has several, else its last key), one series per value
    of the other key (kön, say): the national reports' figure of shares to
    work or studies by year and kön."""
    _require(table, [column])
    ax = _axes(ax)
    rows = table.to_dicts()
    x = x or ("ar" if len({r.get("ar") for r in rows}) > 1 or len(table.keys) == 1 else table.keys[-1])
    if x not in table.keys:
        raise ValueError(f"x={x!r} is not a key of {table.id!r}: its keys are {', '.join(table.keys)}")
    others = [k for k in table.keys if k != x and len({r.get(k) for r in rows}) > 1]
    hue = others[0] if others else None
    xs = list(dict.fromkeys(_label(x, r[x], r) for r in rows))
    series = list(dict.fromkeys(_label(hue, r[hue], r) for r in rows)) if hue else [""]
    width = 0.8 / len(series)
    bottom = 0.0
    for s, name in enumerate(series):
        mine = [r for r in rows if not hue or _label(hue, r[hue], r) == name]
        legend = name or None  # the series' name, on its first mark only
        for r in mine:
            at = xs.index(_label(x, r[x], r)) - 0.4 + width * (s + 0.5)
            value = r[column]
            if value is None:
                ax.annotate("..", (at, bottom), ha="center", va="bottom", color="#555555")
                continue
            lo, hi = r.get(f"{column}_lo"), r.get(f"{column}_hi")
            err = [[value - lo], [hi - value]] if lo is not None and hi is not None else None
            ax.errorbar([at], [value], yerr=err, fmt="o", color=COLOURS[s % len(COLOURS)], capsize=3, label=legend)
            legend = None
    ax.set_xticks(range(len(xs)), xs, rotation=0 if len(xs) < 8 else 90)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(_percent())
    ax.set_ylabel(_LABELS.get(column, column))
    ax.set_title(table.title)
    if hue:
        ax.legend(title=_KEYS.get(hue, hue))
    ax.grid(axis="y", color="#dddddd")
    return ax


def benefit_days(table: Table, *, ax: Axes | None = None) -> Axes:
    """Benefit days before and after (``ersattningsdagar``): the means per
    benefit group side by side, with the interval of the change over the
    bar after."""
    _require(table, ["medel_fore", "medel_efter", "medel_diff_lo", "medel_diff_hi"])
    ax = _axes(ax)
    rows = [r for r in table.to_dicts() if all(r.get(k) is None for k in table.keys if k not in ("ar", "grupp"))]
    groups = [_label("grupp", r["grupp"], r) for r in rows]
    for i, r in enumerate(rows):
        for j, (column, name) in enumerate([("medel_fore", "Före"), ("medel_efter", "Efter")]):
            at = i - 0.2 + 0.4 * j
            value = r[column]
            if value is None:
                ax.annotate("..", (at, 0), ha="center", va="bottom", color="#555555")
                continue
            ax.bar([at], [value], width=0.38, color=COLOURS[j], label=name if i == 0 else None)
        before, after = r["medel_fore"], r["medel_efter"]
        lo, hi = r["medel_diff_lo"], r["medel_diff_hi"]
        if None not in (before, after, lo, hi):
            diff = after - before
            ax.errorbar([i + 0.2], [after], yerr=[[diff - lo], [hi - diff]], fmt="none", color="#222222", capsize=3)
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylabel("Dagar i medeltal")
    ax.set_title(table.title)
    ax.legend()
    ax.grid(axis="y", color="#dddddd")
    return ax


def funnel(comparison: Comparison, *, ax: Axes | None = None) -> Axes:
    """The funnel plot of a case-mix-adjusted comparison
    (``finsam.evaluation.compare_units``): each unit's observed/expected
    ratio against its expected count, within the 95 % and 99.8 % limits."""
    ax = _axes(ax)
    rows = [r for r in comparison.table().to_dicts() if r["forvantat"] is not None and r["kvot"] is not None]
    rows.sort(key=lambda r: r["forvantat"])
    expected = [r["forvantat"] for r in rows]
    for limit, style in [("grans998", ":"), ("grans95", "--")]:
        for side in ("lo", "hi"):
            ax.plot(expected, [r[f"{limit}_{side}"] for r in rows], style, color="#555555", linewidth=1)
    ax.axhline(1.0, color="#222222", linewidth=1)
    outside = [r["kvot"] < r["grans95_lo"] or r["kvot"] > r["grans95_hi"] for r in rows]
    ax.scatter(
        expected,
        [r["kvot"] for r in rows],
        c=[COLOURS[1] if o else COLOURS[0] for o in outside],
        s=14,
        zorder=3,
    )
    ax.set_xlabel("Förväntat antal till arbete eller studier")
    ax.set_ylabel("Observerat / förväntat")
    ax.set_title("Tratt: insatser jämförda efter deltagarsammansättning")
    return ax


def _percent() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1.0, decimals=0)
