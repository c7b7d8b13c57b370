"""The keyword options of finsam's functions: their types, defaults and
meanings, stated once.

The public functions (:mod:`finsam._indicators`) spell their options out in
their signatures, so that type checkers refuse ``method="wilsom"``,
``help()`` and IPython show every option with its default, and an option a
function does not use is a ``TypeError``, as Python reports any unexpected
keyword. The values are then checked again in Rust, with an
:class:`finsam.ArgumentError` naming the option and what it accepts
(``level=95`` is a number, so only that check can refuse it).

The defaults below are those of the Rust core (``Config::default()``);
``tests/test_options.py`` keeps the two equal.
"""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar

if TYPE_CHECKING:
    # Type aliases for the signatures (for type checkers only: a Literal alias
    # at run time is not a Union, which stubtest refuses).
    _Dimension: TypeAlias = Literal[
        "forbund", "insats", "kon", "aldersgrupp", "behovsgrupp", "remittent", "forsorjning_fore"
    ]
    """A dimension a participation indicator can be split by."""

    _By: TypeAlias = _Dimension | Sequence[_Dimension] | None
    """One dimension, several (in the order of the table's key columns), or none (national)."""

    _Years: TypeAlias = int | tuple[int, int] | range | None
    """A year, a ``(first, last)`` pair, a ``range`` with step 1, or every year of the data."""

    _Method: TypeAlias = Literal["wilson", "clopper-pearson", "agresti-coull", "beta", "clopper_pearson", "agresti_coull"]
    """A proportion's interval; ``beta`` and the underscored names are statsmodels' spellings."""

    _DateLike: TypeAlias = datetime.date | str
    """A ``datetime.date`` or a ``"YYYY-MM-DD"`` string."""

    _BenefitSource: TypeAlias = Literal["auto", "spells", "precomputed"]
    _MixedYear: TypeAlias = Literal["aggregates", "person_level"]
    _SeriesBreak: TypeAlias = Literal["flag", "withhold"]

SUS_CLOSED = datetime.date(2023, 4, 30)
"""The default end of person-level data: SUS closed at the end of April 2023."""

AGE_BANDS: tuple[int, ...] = (16, 25, 30, 40, 50, 60)
"""The default age bands, by their lower bounds."""

OPTION_DOCS: Mapping[str, str] = {
    "by": "The dimensions to split by, in the order of the key columns; none gives the national rows.",
    "forbund": (
        "A förbund id or ids: the figures of that part of the data set alone, with the förbund it was "
        "formed from by mergers (Dataset.filter); by default the whole data set."
    ),
    "years": "A year, a (first, last) pair or a range with step 1; by default every year of the data.",
    "method": "The interval of a share: 'wilson' (default), 'clopper-pearson' (statsmodels: 'beta') or 'agresti-coull'.",
    "level": "The confidence level of every interval, strictly between 0 and 1.",
    "alpha": "1 − level, as statsmodels takes it; give level or alpha, not both.",
    "suppress": "Small-cell suppression (primary and complementary). Turn it off only for data that stay inside the organisation.",
    "threshold": "Counts from 1 to threshold − 1 are withheld (and 0 unless show_zeros).",
    "show_zeros": "Show counts of zero instead of withholding them.",
    "rounding": "Round every shown count to a multiple of this base; None leaves them exact.",
    "uttagsdatum": "The cut-off date; by default the data's uttagsdatum, else the latest date in them.",
    "person_level_until": "The last day of person-level data (SUS); later years come from the aggregates.",
    "mixed_year": "The year both eras touch (2023): from the 'aggregates' (as the national report) or 'person_level'.",
    "series_break": "A change across the two eras: 'flag' it in brott_i_serien, or 'withhold' it.",
    "age_bands": "The lower bounds of the age bands (aldersgrupp), ascending, 0 to 150.",
    "before_days": "Days in the benefit window before the start (ending the day before it).",
    "after_days": "Days in the benefit window after the end (starting the day after it).",
    "whole_days": "Count a day with any benefit as a whole day (by default a day at 50 % omfattning counts as half).",
    "benefit_source": "Benefit days from 'spells' with these windows, as 'precomputed' per window in the data, or 'auto' (precomputed if the data have any, else spells).",
    "compare_insatser": "Include the case-mix-adjusted comparison of insatser (Jämförelse av insatser).",
    "scale": "The (min, max) of the survey's answer scale.",
    "top_box": "The lowest answer counted as agreeing (the top box of the scale).",
    "min_responses": "Fewer answers than this to an item, and the item's indicator is withheld.",
    "mapping": "The item → indicator mapping (see finsam.survey_mapping()); by default the national one.",
    "threads": "Worker threads reading the source.",
    "delimiter": "The CSV delimiter; by default detected from the file.",
}
"""What each keyword option means, for the docstrings."""

F = TypeVar("F", bound=Callable[..., Any])


def documented(function: F) -> F:
    """Appends an ``Options`` section to the function's docstring, one line
    per keyword-only parameter with its default and meaning."""
    lines = ["", "Options:"]
    for p in inspect.signature(function).parameters.values():
        if p.kind is inspect.Parameter.KEYWORD_ONLY:
            lines.append(f"    {p.name} (default {p.default!r}): {OPTION_DOCS[p.name]}")
    function.__doc__ = inspect.cleandoc(function.__doc__ or "") + "\n" + "\n".join(lines) + "\n"
    return function


NONE_IS_DEFAULT = frozenset({"by", "years", "rounding", "uttagsdatum", "mapping", "delimiter"})
"""The options whose default is None, which the native functions take as left out."""


def native(arguments: Mapping[str, Any], *, leave_out: Sequence[str] = ()) -> dict[str, Any]:
    """The keyword arguments of a call as the native module takes them:
    sequences as lists, dates as ISO text, a ``None`` default left out."""
    out: dict[str, Any] = {}
    for name, value in arguments.items():
        # None is the default of these (and refused by the others, such as
        # person_level_until=None, rather than read as their default).
        if name in leave_out or (value is None and name in NONE_IS_DEFAULT):
            continue
        if name in ("by", "age_bands") and not isinstance(value, (str, bytes)) and hasattr(value, "__iter__"):
            value = list(value)
        elif name in ("uttagsdatum", "person_level_until") and type(value) is datetime.date:
            value = value.isoformat()
        out[name] = value
    return out
