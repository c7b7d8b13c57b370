"""The indicator, report, survey and follow-up functions with their options
typed and documented in their signatures (see :mod:`finsam._options`).

Each forwards to the native function of the same name, which checks every
value and computes; nothing here computes a figure.
"""

from __future__ import annotations

import numbers
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, overload

from finsam import _finsam
from finsam._finsam import AnnualReport, Dataset, Extract, FollowUp, Interval, Partial, Table
from finsam.exceptions import ArgumentError
from finsam._options import AGE_BANDS, SUS_CLOSED, documented, native

if TYPE_CHECKING:
    from finsam._finsam import _Frame
    from finsam._options import _BenefitSource, _By, _DateLike, _Method, _MixedYear, _SeriesBreak, _Years

    import numpy
    import numpy.typing

    _Array: TypeAlias = numpy.typing.NDArray[Any]
    _Integer: TypeAlias = numpy.integer[Any]
    _SurveyDimension: TypeAlias = Literal["forbund", "kon"]
    _EconomyDimension: TypeAlias = Literal["forbund", "insats"]
    _Ids: TypeAlias = int | Sequence[int] | None

_Source = Dataset | Extract | Partial
"""What the participation indicators take: a data set, a flat extract
(:func:`finsam.read_extract`) or a mergeable state (:func:`finsam.partial`)."""


def _part(data: Any, forbund: Any) -> Any:
    """``data`` narrowed to the förbund ``forbund`` (with their predecessors),
    or ``data`` itself when ``forbund`` is ``None``."""
    if forbund is None:
        return data
    if isinstance(data, Dataset):
        return data.filter(forbund=forbund)
    raise ArgumentError(
        "invalid argument `forbund`: a flat extract or state has no förbund lineage; "
        "select the förbund's rows before reading the extract, or give a Dataset",
        code="invalid_argument",
    )


@documented
def participants(
    data: _Source,
    *,
    forbund: _Ids = None,
    by: _By = None,
    years: _Years = None,
    suppress: bool = True,
    threshold: int = 5,
    show_zeros: bool = False,
    rounding: int | None = None,
    uttagsdatum: _DateLike | None = None,
    person_level_until: _DateLike = SUS_CLOSED,
    mixed_year: _MixedYear = "aggregates",
    series_break: _SeriesBreak = "flag",
    age_bands: Sequence[int] = AGE_BANDS,
) -> Table:
    """Participants per year: persons, anonymous, participations, started, and the change.

    >>> import finsam
    >>> t = finsam.participants(finsam.synthetic(scale=0.02), years=2020, by="kon")
    >>> t.keys
    ['ar', 'kon']
    """
    return _finsam.participants(_part(data, forbund), **native(locals(), leave_out=("data", "forbund")))


@documented
def outcome_rates(
    data: _Source,
    *,
    forbund: _Ids = None,
    by: _By = None,
    years: _Years = None,
    method: _Method = "wilson",
    level: float = 0.95,
    suppress: bool = True,
    threshold: int = 5,
    show_zeros: bool = False,
    rounding: int | None = None,
    uttagsdatum: _DateLike | None = None,
    person_level_until: _DateLike = SUS_CLOSED,
    mixed_year: _MixedYear = "aggregates",
    age_bands: Sequence[int] = AGE_BANDS,
) -> Table:
    """Status after ended participations: the shares to work or studies
    (and job seeking) with their intervals."""
    return _finsam.outcome_rates(_part(data, forbund), **native(locals(), leave_out=("data", "forbund")))


@documented
def outcome_categories(
    data: _Source,
    *,
    forbund: _Ids = None,
    by: _By = None,
    years: _Years = None,
    method: _Method = "wilson",
    level: float = 0.95,
    suppress: bool = True,
    threshold: int = 5,
    show_zeros: bool = False,
    rounding: int | None = None,
    uttagsdatum: _DateLike | None = None,
    person_level_until: _DateLike = SUS_CLOSED,
    mixed_year: _MixedYear = "aggregates",
    age_bands: Sequence[int] = AGE_BANDS,
) -> Table:
    """Status after ended participations: every status with its interval."""
    return _finsam.outcome_categories(_part(data, forbund), **native(locals(), leave_out=("data", "forbund")))


@documented
def outcome_change(
    data: _Source,
    year: int,
    *,
    forbund: _Ids = None,
    by: _By = None,
    level: float = 0.95,
    suppress: bool = True,
    threshold: int = 5,
    show_zeros: bool = False,
    rounding: int | None = None,
    uttagsdatum: _DateLike | None = None,
    person_level_until: _DateLike = SUS_CLOSED,
    mixed_year: _MixedYear = "aggregates",
    age_bands: Sequence[int] = AGE_BANDS,
) -> Table:
    """The change of the shares to work or studies (and job seeking) from
    ``year - 1`` to ``year``, per cell, with Newcombe's interval for the
    difference of two independent proportions (statsmodels'
    ``confint_proportions_2indep(method="newcomb")``); both denominators
    are columns (``n``, ``n_fg``)."""
    return _finsam.outcome_change(_part(data, forbund), year, **native(locals(), leave_out=("data", "year", "forbund")))


@documented
def benefit_days(
    data: _Source,
    *,
    forbund: _Ids = None,
    by: _By = None,
    years: _Years = None,
    level: float = 0.95,
    before_days: int = 365,
    after_days: int = 365,
    whole_days: bool = False,
    benefit_source: _BenefitSource = "auto",
    suppress: bool = True,
    threshold: int = 5,
    show_zeros: bool = False,
    rounding: int | None = None,
    uttagsdatum: _DateLike | None = None,
    person_level_until: _DateLike = SUS_CLOSED,
    mixed_year: _MixedYear = "aggregates",
    age_bands: Sequence[int] = AGE_BANDS,
) -> Table:
    """Benefit days in the windows before and after ended participations,
    the change with its paired t-interval."""
    return _finsam.benefit_days(_part(data, forbund), **native(locals(), leave_out=("data", "forbund")))


@documented
def transitions(
    data: _Source,
    *,
    forbund: _Ids = None,
    by: _By = None,
    years: _Years = None,
    suppress: bool = True,
    threshold: int = 5,
    show_zeros: bool = False,
    rounding: int | None = None,
    uttagsdatum: _DateLike | None = None,
    person_level_until: _DateLike = SUS_CLOSED,
    mixed_year: _MixedYear = "aggregates",
    age_bands: Sequence[int] = AGE_BANDS,
) -> Table:
    """Försörjning before → after ended participations."""
    return _finsam.transitions(_part(data, forbund), **native(locals(), leave_out=("data", "forbund")))


@documented
def gender_gap(
    data: _Source,
    *,
    forbund: _Ids = None,
    by: _By = None,
    years: _Years = None,
    level: float = 0.95,
    suppress: bool = True,
    threshold: int = 5,
    show_zeros: bool = False,
    rounding: int | None = None,
    uttagsdatum: _DateLike | None = None,
    person_level_until: _DateLike = SUS_CLOSED,
    mixed_year: _MixedYear = "aggregates",
    age_bands: Sequence[int] = AGE_BANDS,
) -> Table:
    """Men − women in the shares to work or studies, with Newcombe's interval."""
    return _finsam.gender_gap(_part(data, forbund), **native(locals(), leave_out=("data", "forbund")))


@documented
def gender_gap_days(
    data: _Source,
    *,
    forbund: _Ids = None,
    by: _By = None,
    years: _Years = None,
    level: float = 0.95,
    before_days: int = 365,
    after_days: int = 365,
    whole_days: bool = False,
    benefit_source: _BenefitSource = "auto",
    suppress: bool = True,
    threshold: int = 5,
    show_zeros: bool = False,
    rounding: int | None = None,
    uttagsdatum: _DateLike | None = None,
    person_level_until: _DateLike = SUS_CLOSED,
    mixed_year: _MixedYear = "aggregates",
    age_bands: Sequence[int] = AGE_BANDS,
) -> Table:
    """Men − women in the mean change of benefit days, with Welch's interval."""
    return _finsam.gender_gap_days(_part(data, forbund), **native(locals(), leave_out=("data", "forbund")))


@documented
def annual_report(
    data: _Source,
    year: int,
    *,
    forbund: _Ids = None,
    method: _Method = "wilson",
    level: float = 0.95,
    before_days: int = 365,
    after_days: int = 365,
    whole_days: bool = False,
    benefit_source: _BenefitSource = "auto",
    suppress: bool = True,
    threshold: int = 5,
    show_zeros: bool = False,
    rounding: int | None = None,
    uttagsdatum: _DateLike | None = None,
    person_level_until: _DateLike = SUS_CLOSED,
    mixed_year: _MixedYear = "aggregates",
    series_break: _SeriesBreak = "flag",
    age_bands: Sequence[int] = AGE_BANDS,
    compare_insatser: bool = True,
) -> AnnualReport:
    """The annual report for ``year`` of a data set, or of a flat extract
    (its participation sections, with a note naming the others)."""
    return _finsam.annual_report(_part(data, forbund), year, **native(locals(), leave_out=("data", "year", "forbund")))


@documented
def insats_economy(
    data: Dataset,
    *,
    forbund: _Ids = None,
    by: _EconomyDimension | Sequence[_EconomyDimension] | None = None,
    years: _Years = None,
    suppress: bool = True,
    threshold: int = 5,
    show_zeros: bool = False,
    rounding: int | None = None,
) -> Table:
    """Budget, utfall and participants of insatser per year and group
    (individ, struktur, behovsgrupp, alla), nationally or by förbund and/or
    insats (amounts in öre; participant counts pass disclosure control)."""
    return _finsam.insats_economy(_part(data, forbund), **native(locals(), leave_out=("data", "forbund")))


@documented
def survey_indicators(
    data: Dataset,
    *,
    forbund: _Ids = None,
    by: _SurveyDimension | Sequence[_SurveyDimension] | None = None,
    years: _Years = None,
    scale: tuple[int, int] = (1, 10),
    top_box: float = 8.0,
    min_responses: int = 5,
    mapping: Sequence[Mapping[str, Any]] | None = None,
    method: _Method = "wilson",
    level: float = 0.95,
    suppress: bool = True,
    threshold: int = 5,
    show_zeros: bool = False,
    rounding: int | None = None,
) -> Table:
    """NNS survey indicators per year, respondent group and indicator."""
    return _finsam.survey_indicators(_part(data, forbund), **native(locals(), leave_out=("data", "forbund")))


@documented
def survey_change(
    data: Dataset,
    year: int,
    *,
    forbund: _Ids = None,
    by: _SurveyDimension | Sequence[_SurveyDimension] | None = None,
    scale: tuple[int, int] = (1, 10),
    top_box: float = 8.0,
    min_responses: int = 5,
    mapping: Sequence[Mapping[str, Any]] | None = None,
    level: float = 0.95,
    suppress: bool = True,
    threshold: int = 5,
) -> Table:
    """The change of the survey indicators from ``year - 1`` (Welch / Newcombe intervals)."""
    return _finsam.survey_change(_part(data, forbund), year, **native(locals(), leave_out=("data", "year", "forbund")))


@documented
def survey_comparison(
    data: Dataset,
    year: int,
    *,
    scale: tuple[int, int] = (1, 10),
    top_box: float = 8.0,
    min_responses: int = 5,
    mapping: Sequence[Mapping[str, Any]] | None = None,
    level: float = 0.95,
    suppress: bool = True,
    threshold: int = 5,
) -> Table:
    """Each förbund against the rest of the country in ``year``."""
    return _finsam.survey_comparison(data, year, **native(locals(), leave_out=("data", "year")))


_FOLLOW_UP_GONE = (
    "finsam.follow_up is deprecated and goes in the next release: the follow-up's own tables are gone, "
    "and it now gathers the catalogue's tables of the extract. Use the indicator functions "
    "(outcome_rates, benefit_days, participants) on finsam.read_extract(source) or on "
    "finsam.partial(source, years=...) instead."
)
_FOLLOW_UP_STATE_GONE = (
    "finsam.follow_up_state is deprecated and goes in the next release: the follow-up's state is gone, "
    "and it now returns a finsam.Partial (finish it with the indicator functions, or with "
    "finsam.follow_up(state)). Use finsam.partial(source, years=...) instead; states of parts "
    "merge only if counted over the same years."
)


@documented
def follow_up(
    source: str | os.PathLike[str] | _Frame | Extract | Partial,
    *,
    threads: int = 2,
    delimiter: str | None = None,
    method: _Method = "wilson",
    level: float = 0.95,
    suppress: bool = True,
    threshold: int = 5,
    show_zeros: bool = False,
    rounding: int | None = None,
) -> FollowUp:
    """Deprecated: the catalogue's tables of a flat extract (a CSV or
    Parquet path, a pandas, polars or pyarrow frame, an ``Extract``, or a
    ``Partial`` by förbund and kön) under the follow-up's old names:
    ``national``, ``by_kon`` and ``by_forbund`` are ``outcome_rates``,
    ``benefit_days`` is ``benefit_days(by="kon")`` and ``started`` is
    ``participants``, over the years the extract can report on. Warns with
    a ``DeprecationWarning``; use those functions instead."""
    warnings.warn(_FOLLOW_UP_GONE, DeprecationWarning, stacklevel=2)
    return _finsam.follow_up(source, **native(locals(), leave_out=("source",)))


def follow_up_state(
    source: str | os.PathLike[str] | _Frame | Extract,
    *,
    years: _Years | None = None,
    threads: int = 2,
    delimiter: str | None = None,
) -> Partial:
    """Deprecated: the mergeable state of a flat extract by förbund and kön,
    now a :class:`finsam.Partial` (merge it, pass it to the indicator
    functions or to ``follow_up``), over ``years`` or else the years the
    extract can report on. States of parts merge only if counted over the
    same years: give them ``years``, from the year of the extract's first
    start (a state's tables begin the year after its first year when rows
    began before it). A ``Partial`` given is returned as it is, and refused
    with ``years``. Warns with a ``DeprecationWarning``;
    use :func:`finsam.partial` instead, which counts a file or frame as it
    reads it."""
    warnings.warn(_FOLLOW_UP_STATE_GONE, DeprecationWarning, stacklevel=2)
    if years is not None:
        return _finsam.partial(source, years=years, threads=threads, delimiter=delimiter)
    return _finsam.follow_up_state(source, threads=threads, delimiter=delimiter)


@overload
def proportion_ci(
    k: int | _Integer, n: int | _Integer, *, method: _Method = "wilson", level: float = 0.95, alpha: float | None = None
) -> Interval: ...
@overload
def proportion_ci(
    k: Sequence[int] | _Array, n: Sequence[int] | _Array, *, method: _Method = "wilson", level: float = 0.95, alpha: float | None = None
) -> tuple[_Array, _Array]: ...
def proportion_ci(
    k: int | _Integer | Sequence[int] | _Array,
    n: int | _Integer | Sequence[int] | _Array,
    *,
    method: _Method = "wilson",
    level: float = 0.95,
    alpha: float | None = None,
) -> Interval | tuple[_Array, _Array]:
    """A confidence interval for the proportion ``k / n``; for arrays of
    counts, the arrays ``(lo, hi)`` of one interval per pair, as
    statsmodels' ``proportion_confint`` returns them.

    ``method`` takes finsam's names and statsmodels' (``beta`` is
    Clopper–Pearson); the level is ``level``, or ``1 − alpha`` as
    statsmodels takes it (then ``level`` must be left as it is).

    >>> from finsam.stats import proportion_ci
    >>> lo, hi = proportion_ci(8, 20, method="beta", alpha=0.05)
    >>> round(lo, 6), round(hi, 6)
    (0.19119, 0.639457)
    >>> lo, hi = proportion_ci([8, 0], [20, 5])
    >>> lo.round(4).tolist(), hi.round(4).tolist()
    ([0.2188, 0.0], [0.6134, 0.4345])
    """
    if alpha is not None:
        if level != 0.95:
            raise ArgumentError("invalid argument `alpha`: give level or alpha, not both", code="invalid_argument")
        level = 1.0 - alpha
    if isinstance(k, numbers.Integral) and isinstance(n, numbers.Integral):
        return _finsam.proportion_ci(int(k), int(n), method=method, level=level)
    import numpy as np

    ks, ns = np.asarray(k), np.asarray(n)
    if ks.size == 0 and ns.size == 0:
        # No counts, no intervals (as statsmodels gives for empty arrays).
        return np.empty(ks.shape), np.empty(ks.shape)
    for name, values in (("k", ks), ("n", ns)):
        if values.dtype.kind not in "iu" or (values < 0).any():
            raise ArgumentError(
                f"invalid argument `{name}`: must be whole numbers ≥ 0 (an int or an array of them), got {values.dtype} values",
                code="invalid_argument",
            )
    if ks.shape != ns.shape:
        raise ArgumentError(f"invalid argument `n`: shape {ns.shape} is not the shape of k, {ks.shape}", code="invalid_argument")
    _, lo, hi = _finsam.proportion_cis(ks.ravel().tolist(), ns.ravel().tolist(), method=method, level=level)
    return np.asarray(lo).reshape(ks.shape), np.asarray(hi).reshape(ks.shape)
