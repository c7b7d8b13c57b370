"""Type stubs of the native module (kept honest by mypy.stubtest)."""

import datetime
import os
from decimal import Decimal
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal, Protocol, final

import pandas  # type: ignore[import-untyped]
import polars
import pyarrow  # type: ignore[import-untyped]

class _ArrowStreamExportable(Protocol):
    """Anything exporting the Arrow PyCapsule stream interface (pandas ≥ 2.2, polars, pyarrow)."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...

class _ArrowArrayExportable(Protocol):
    """Anything exporting the Arrow PyCapsule array interface (a record batch)."""

    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]: ...

class _RecordBatchSource(Protocol):
    """A duckdb relation: read through its record-batch reader."""

    def fetch_record_batch(self, rows_per_batch: int = ...) -> Any: ...

# Frames, readers and lazy sources: pandas, polars (DataFrame, LazyFrame), pyarrow (Table,
# RecordBatchReader, dataset, scanner) and duckdb relations.
_Frame = _ArrowStreamExportable | _ArrowArrayExportable | polars.LazyFrame | _RecordBatchSource

__all__ = [
    "__version__",
    "ERROR_CODES",
    "Dataset",
    "Extract",
    "Partial",
    "FollowUp",
    "Table",
    "AnnualReport",
    "Interval",
    "Estimate",
    "Propensity",
    "MatchedEffect",
    "Matching",
    "propensity",
    "match",
    "EvaluationFrame",
    "EventStudy",
    "DidEstimate",
    "AttGt",
    "Aggregate",
    "Pretest",
    "event_study",
    "did",
    "Shrinkage",
    "Funnel",
    "shrink",
    "james_stein",
    "ranks",
    "funnel_limits",
    "Comparison",
    "REPORT_CASE_MIX",
    "compare_units",
    "att_gt",
    "synthetic",
    "synthetic_true_effects",
    "analysis_frame",
    "person_panel",
    "kommun_panel",
    "partial",
    "participants",
    "outcome_rates",
    "outcome_categories",
    "outcome_change",
    "benefit_days",
    "transitions",
    "gender_gap",
    "gender_gap_days",
    "annual_report",
    "catalogue",
    "option_defaults",
    "proportion_cis",
    "follow_up",
    "follow_up_state",
    "read_extract",
    "proportion_ci",
    "paired_mean_ci",
    "newcombe_diff",
    "welch_diff",
    "survey_indicators",
    "survey_change",
    "survey_comparison",
    "survey_mapping",
    "financing",
    "forbund_economy",
    "insats_economy",
    "allocation",
    "pseudonymise_frame",
    "pseudonymise_csv",
]

__version__: str
ERROR_CODES: tuple[str, ...]

@final
class Dataset:
    """Every table of one data delivery, validated."""

    @staticmethod
    def from_csv(
        path: str | os.PathLike[str],
        *,
        encoding: Literal["auto", "utf-8", "windows-1252"] = "auto",
        delimiter: str | None = None,
        columns: dict[str, dict[str, str]] | None = None,
        files: dict[str, str] | None = None,
        errors: Literal["raise", "collect"] = "raise",
        progress: bool | Callable[[int, int], object] | None = None,
    ) -> Dataset: ...
    @staticmethod
    def from_frames(
        frames: Mapping[str, _Frame | None] | None = None,
        /,
        *,
        columns: dict[str, dict[str, str]] | None = None,
        errors: Literal["raise", "collect"] = "raise",
        uttagsdatum: datetime.date | str | None = None,
        **tables: _Frame | None,
    ) -> Dataset: ...
    @staticmethod
    def from_json(text: str) -> Dataset: ...
    def to_arrow(self) -> dict[str, pyarrow.Table]: ...
    def validate(self, *, errors: Literal["raise", "collect"] = "raise") -> None: ...
    def summary(self) -> dict[str, Any]: ...
    def describe(self) -> pandas.DataFrame:
        """Every column of every table: type, rows, missing, distinct, min and max."""
    def to_csv(self, path: str | os.PathLike[str]) -> None: ...
    def to_flat_csv(
        self,
        path: str | os.PathLike[str],
        *,
        before_days: int = 365,
        after_days: int = 365,
        whole_days: bool = False,
        benefit_source: Literal["auto", "spells", "precomputed"] = "auto",
        uttagsdatum: datetime.date | str | None = None,
    ) -> None: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_parquet(
        path: str | os.PathLike[str],
        *,
        columns: dict[str, dict[str, str]] | None = None,
        files: dict[str, str] | None = None,
        errors: Literal["raise", "collect"] = "raise",
    ) -> Dataset:
        """Reads a directory of Parquet tables in the data contract natively,
        one row group at a time."""

    def filter(
        self,
        *,
        forbund: int | Sequence[int] | None = None,
        insats: int | Sequence[int] | None = None,
        years: int | tuple[int, int] | range | None = None,
    ) -> Dataset:
        """The part of the data set for some förbund (with their predecessors by
        merger), insatser or years; it remembers the part (``scope``)."""

    @property
    def scope(self) -> dict[str, Any]:
        """What ``filter`` narrowed the data set to: ``forbund``, ``insats``
        (lists of ids) and ``years`` (a pair), each ``None`` where whole."""

    @property
    def load_summary(self) -> dict[str, Any] | None:
        """What ``from_csv`` read: ``files`` (per file its ``table``, ``file``,
        detected ``encoding`` and ``delimiter``, ``ignored_columns`` and
        ``rows``), ``unmatched_files`` (files of the directory that are no
        table) and ``rows`` of every table; ``None`` if not read from CSV."""

    @property
    def reporting_years(self) -> list[int]:
        """The years the delivery counts participants for, ascending."""

    @property
    def num_rows(self) -> dict[str, int]: ...
    @property
    def uttagsdatum(self) -> datetime.date | None: ...
    def _repr_html_(self) -> str: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

def synthetic(*, scale: float = 1.0, seed: int = 2004, comparison: float = 4.0) -> Dataset: ...
def synthetic_true_effects(*, scale: float = 1.0, seed: int = 2004) -> dict[str, Any]: ...

# A year, a (first, last) pair, or a range with step 1; an empty span is refused.
_Years = int | tuple[int, int] | range

@final
class Table:
    """A published table: withheld cells are None with a reason."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def keys(self) -> list[str]: ...
    @property
    def columns(self) -> list[str]: ...
    @property
    def notes(self) -> list[str]: ...
    def to_dicts(self) -> list[dict[str, Any]]:
        """The rows as the frames hold them: years and ids as ints, a total key as ``None``
        (``summerat`` names the keys a row sums over), withheld values ``None``."""

    def value(self, key: Sequence[str | int | None], column: str) -> float | None:
        """The value in the row with ``key`` (ints for years and ids, ``None`` or
        ``"alla"`` for a total); ``None`` only if the cell is withheld.

        An unknown column, a key of the wrong length or a key no row has
        raises ``ArgumentError``.
        """

    def to_markdown(self) -> str: ...
    def to_csv(self) -> str: ...
    def to_json(self) -> str: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def to_arrow(self, *, totals: bool = True, reasons: bool = True) -> pyarrow.Table: ...
    def to_pandas(self, *, totals: bool = True, reasons: bool = True) -> pandas.DataFrame: ...
    def to_polars(self, *, totals: bool = True, reasons: bool = True) -> polars.DataFrame: ...
    def __len__(self) -> int: ...
    def _repr_html_(self) -> str: ...
    def _repr_markdown_(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> Table: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

@final
class AnnualReport:
    """Every table of one year."""

    @property
    def year(self) -> int: ...
    @property
    def era(self) -> Literal["personniva", "aggregat"]: ...
    @property
    def tables(self) -> list[Table]: ...
    @property
    def notes(self) -> list[str]: ...
    def to_markdown(self, locale: Literal["plain", "sv"] = "plain") -> str: ...
    def to_csv(self) -> str: ...
    def to_json(self) -> str: ...
    def to_html_page(self, beside: AnnualReport | None = None, earlier: Sequence[AnnualReport] | None = None) -> str:
        """One self-contained HTML page with charts; ``beside`` is the national report for a förbund's,
        ``earlier`` the reports of earlier years, followed over the years."""

    def to_xlsx(self) -> bytes:
        """The report as an Excel workbook (the bytes of an ``.xlsx`` file)."""

    def to_excel(self, path: str | os.PathLike[str]) -> None:
        """Writes the workbook of ``to_xlsx`` to ``path``."""

    @property
    def names(self) -> list[str]:
        """Each table's name, distinct within the report (``"utfall"``, ``"utfall_per_kon"``, …)."""

    def __getitem__(self, name: str, /) -> Table: ...
    def __contains__(self, name: str, /) -> bool: ...
    def __len__(self) -> int: ...
    def _repr_html_(self) -> str: ...
    def _repr_markdown_(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> AnnualReport: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

@final
class Interval:
    """A confidence interval with its estimate; unpacks as ``lo, hi``."""

    def __new__(cls, estimate: float, lo: float, hi: float) -> Interval: ...
    def __iter__(self) -> Iterator[float]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[type[Interval], tuple[float, float, float]]: ...

    @property
    def estimate(self) -> float: ...
    @property
    def lo(self) -> float: ...
    @property
    def hi(self) -> float: ...

@final
class Estimate:
    """A point estimate with its standard error and confidence interval."""

    @property
    def estimate(self) -> float: ...
    @property
    def se(self) -> float: ...
    @property
    def lo(self) -> float: ...
    @property
    def hi(self) -> float: ...
    @property
    def level(self) -> float: ...

@final
class EvaluationFrame:
    """An evaluation frame: rows as Arrow, rows left out by reason, options used."""

    @property
    def excluded(self) -> dict[str, int]: ...
    @property
    def config(self) -> dict[str, Any]: ...
    @property
    def columns(self) -> list[str]: ...
    def __len__(self) -> int: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def to_arrow(self) -> pyarrow.Table: ...
    def to_pandas(self) -> pandas.DataFrame: ...
    def to_polars(self) -> polars.DataFrame: ...

# "registered" (the comparison person's forsorjning_datum, else drawn), "drawn", or a fixed date.
_Reference = Literal["registered", "drawn"] | datetime.date | str

def analysis_frame(
    data: Dataset,
    *,
    years: _Years | None = None,
    reference: _Reference = ...,
    seed: int = 11,
    comparison: bool = True,
    quarters_before: int = 8,
    quarters_after: int = 9,
    uttagsdatum: datetime.date | str | None = None,
    all_participations: bool = False,
) -> EvaluationFrame: ...
def person_panel(
    data: Dataset,
    *,
    years: _Years | None = None,
    reference: _Reference = ...,
    seed: int = 11,
    comparison: bool = True,
    quarters_before: int = 8,
    quarters_after: int = 9,
    uttagsdatum: datetime.date | str | None = None,
) -> EvaluationFrame: ...
def kommun_panel(data: Dataset, *, years: _Years | None = None) -> EvaluationFrame: ...

@final
class EventStudy:
    """A person-level event study: the effect per period against the reference period."""

    def table(self) -> Table: ...
    def effects(self) -> list[tuple[int, Estimate | None]]: ...
    @property
    def units_treated(self) -> int: ...
    @property
    def units_control(self) -> int: ...
    @property
    def dropped(self) -> list[tuple[str, int]]: ...

@final
class DidEstimate:
    """A 2×2 difference-in-differences estimate with its sample sizes."""

    @property
    def estimate(self) -> float: ...
    @property
    def se(self) -> float: ...
    @property
    def lo(self) -> float: ...
    @property
    def hi(self) -> float: ...
    @property
    def n_treated(self) -> int: ...
    @property
    def n_control(self) -> int: ...
    @property
    def clusters(self) -> int: ...
    @property
    def dropped(self) -> list[tuple[str, int]]: ...

def event_study(
    frame: Any,
    *,
    unit: str,
    time: str,
    treated: str,
    outcome: str,
    weights: str | None = None,
    cluster: str | None = None,
    reference: int | None = None,
    level: float | None = None,
    suppress: bool | None = None,
    threshold: int | None = None,
) -> EventStudy: ...
def did(
    frame: Any,
    *,
    unit: str,
    time: str,
    treated: str,
    outcome: str,
    pre: tuple[int, int],
    post: tuple[int, int],
    weights: str | None = None,
    cluster: str | None = None,
    level: float | None = None,
) -> DidEstimate: ...
@final
class Shrinkage:
    """Shrunken unit estimates with the random-effects summary."""

    @property
    def estimates(self) -> list[float]: ...
    @property
    def sd(self) -> list[float]: ...
    @property
    def lo(self) -> list[float]: ...
    @property
    def hi(self) -> list[float]: ...
    @property
    def reliability(self) -> list[float]: ...
    @property
    def tau2(self) -> float: ...
    @property
    def mean(self) -> float: ...
    @property
    def mean_se(self) -> float: ...
    @property
    def method(self) -> str: ...

@final
class Funnel:
    """Units placed on a funnel plot, with the limits and the over-dispersion."""

    @property
    def value(self) -> list[float]: ...
    @property
    def z(self) -> list[float]: ...
    @property
    def limits_95(self) -> list[tuple[float, float]]: ...
    @property
    def limits_998(self) -> list[tuple[float, float]]: ...
    @property
    def flag(self) -> list[str]: ...
    @property
    def target(self) -> float: ...
    @property
    def phi(self) -> float: ...
    @property
    def tau2(self) -> float: ...
    @property
    def adjusted(self) -> bool: ...
    def curve(self, sizes: Sequence[float], p: float) -> list[float]: ...

@final
class Comparison:
    """A case-mix-adjusted comparison of units."""

    def table(self) -> Table: ...
    @property
    def coefficients(self) -> list[tuple[str, float]]: ...
    @property
    def model(self) -> str: ...
    @property
    def overall(self) -> float: ...
    @property
    def phi(self) -> float: ...
    @property
    def tau2(self) -> float: ...
    @property
    def dropped(self) -> list[tuple[str, int]]: ...
    @property
    def pooled(self) -> list[tuple[str, list[str], int, str]]: ...
    @property
    def withheld(self) -> list[tuple[str, int]]: ...

REPORT_CASE_MIX: tuple[str, ...]
"""The case mix of the annual report's "Jämförelse av insatser"."""

def compare_units(
    frame: Dataset | Any,
    *,
    case_mix: Sequence[str],
    outcome: str = "arbete_studier",
    unit: str = "insats",
    years: _Years | None = None,
    model: Literal["binary", "continuous"] | None = None,
    overdispersion: Literal["none", "multiplicative", "additive"] = "additive",
    tau2: Literal["reml", "dl", "pm"] = "reml",
    level: float | None = None,
    draws: int | None = None,
    seed: int | None = None,
    suppress: bool | None = None,
    threshold: int | None = None,
    pool_below: int | None = None,
) -> Comparison: ...
def shrink(
    estimates: Sequence[float],
    variances: Sequence[float],
    *,
    method: Literal["reml", "dl", "pm"] = "reml",
    level: float | None = None,
) -> Shrinkage: ...
def james_stein(values: Sequence[float], variance: float) -> list[float]: ...
def ranks(
    estimates: Sequence[float],
    sds: Sequence[float],
    *,
    level: float | None = None,
    draws: int | None = None,
    seed: int | None = None,
) -> list[tuple[int, int, int]]: ...
def funnel_limits(
    observed: Sequence[float],
    size: Sequence[float],
    *,
    kind: Literal["proportion", "ratio", "binary_ratio"] = "proportion",
    target: float | None = None,
    overdispersion: Literal["none", "multiplicative", "additive"] = "additive",
    trials: Sequence[float] | None = None,
) -> Funnel: ...
@final
class Propensity:
    """A fitted propensity score (logistic regression of the treatment)."""

    @property
    def coefficients(self) -> list[tuple[str, float]]: ...
    @property
    def score(self) -> list[float | None]: ...
    @property
    def linear(self) -> list[float | None]: ...
    @property
    def n_treated(self) -> int: ...
    @property
    def n_control(self) -> int: ...
    @property
    def dropped_missing(self) -> int: ...

@final
class MatchedEffect:
    """The effect on the treated in a matched sample."""

    @property
    def estimate(self) -> float: ...
    @property
    def se(self) -> float: ...
    @property
    def lo(self) -> float: ...
    @property
    def hi(self) -> float: ...
    @property
    def level(self) -> float: ...
    @property
    def df(self) -> float: ...
    @property
    def clusters(self) -> int: ...
    @property
    def n_treated(self) -> int: ...
    @property
    def n_control(self) -> int: ...
    @property
    def dropped_missing(self) -> int: ...

@final
class Matching:
    """A matched comparison group (R's MatchIt conventions)."""

    def balance(self) -> Table: ...
    def matched(self) -> Any: ...
    def effect(self, outcome: str, *, covariates: str | list[str] | None = None, level: float | None = None) -> MatchedEffect: ...
    @property
    def distance(self) -> list[float | None]: ...
    @property
    def weights(self) -> list[float]: ...
    @property
    def subclass(self) -> list[int | None]: ...
    @property
    def pairs(self) -> list[tuple[int, list[int]]]: ...
    @property
    def caliper_width(self) -> float | None: ...
    @property
    def n_treated_before(self) -> int: ...
    @property
    def n_control_before(self) -> int: ...
    @property
    def n_treated_after(self) -> int: ...
    @property
    def n_control_after(self) -> int: ...
    @property
    def dropped(self) -> dict[str, int]: ...
    @property
    def config(self) -> dict[str, Any]: ...
    @property
    def seed(self) -> int | None: ...

def propensity(frame: Any, *, treatment: str, covariates: str | list[str]) -> Propensity: ...
def match(
    frame: Any,
    *,
    treatment: str,
    covariates: str | list[str],
    method: Literal["nearest", "exact", "cem"] | None = None,
    distance: Literal["logit", "linear.logit"] | None = None,
    ratio: int | None = None,
    replace: bool | None = None,
    caliper: float | None = None,
    exact: str | list[str] | None = None,
    order: Literal["largest", "smallest", "data", "random"] | None = None,
    seed: int | None = None,
) -> Matching:
    """Matches control units to treated units, as R's ``MatchIt::matchit``."""

@final
class AttGt:
    """Group-time average treatment effects ATT(g, t) (Callaway & Sant'Anna 2021, as R's did)."""

    def table(self) -> Table: ...
    def cells(self) -> list[tuple[float, float, float, float | None]]: ...
    def aggregate(
        self,
        kind: Literal["simple", "group", "dynamic", "calendar"],
        *,
        min_e: float | None = None,
        max_e: float | None = None,
    ) -> Aggregate: ...
    def pretest(self) -> Pretest: ...
    @property
    def units(self) -> int: ...
    @property
    def groups(self) -> list[float]: ...
    @property
    def periods(self) -> list[float]: ...
    @property
    def dropped(self) -> list[tuple[str, int]]: ...
    @property
    def critical_value(self) -> float: ...
    @property
    def seed(self) -> int | None: ...

@final
class Aggregate:
    """An aggregation of ATT(g, t) as R's did::aggte."""

    @property
    def overall(self) -> Estimate | None: ...
    def rows(self) -> list[tuple[float, float, float | None]]: ...
    @property
    def critical_value(self) -> float: ...
    def table(self) -> Table: ...

@final
class Pretest:
    """The pre-trend Wald test of the pre-treatment ATT(g, t)."""

    @property
    def statistic(self) -> float: ...
    @property
    def df(self) -> int: ...
    @property
    def p_value(self) -> float: ...

def att_gt(
    frame: _Frame,
    *,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    covariates: list[str] | None = None,
    control: Literal["never_treated", "not_yet_treated"] | None = None,
    method: Literal["dr", "ipw", "reg"] | None = None,
    base_period: Literal["varying", "universal"] | None = None,
    anticipation: float | None = None,
    level: float | None = None,
    bootstrap: int | None = None,
    seed: int | None = None,
) -> AttGt: ...
def participants(data: Dataset | Extract | Partial, *, by: str | list[str] | None = None, years: _Years | None = None, **options: Any) -> Table: ...
def outcome_rates(data: Dataset | Extract | Partial, *, by: str | list[str] | None = None, years: _Years | None = None, **options: Any) -> Table: ...
def outcome_categories(data: Dataset | Extract | Partial, *, by: str | list[str] | None = None, years: _Years | None = None, **options: Any) -> Table: ...
def benefit_days(data: Dataset | Extract | Partial, *, by: str | list[str] | None = None, years: _Years | None = None, **options: Any) -> Table: ...
def transitions(data: Dataset | Extract | Partial, *, by: str | list[str] | None = None, years: _Years | None = None, **options: Any) -> Table: ...
def gender_gap(data: Dataset | Extract | Partial, *, by: str | list[str] | None = None, years: _Years | None = None, **options: Any) -> Table: ...
def gender_gap_days(data: Dataset | Extract | Partial, *, by: str | list[str] | None = None, years: _Years | None = None, **options: Any) -> Table: ...
def annual_report(data: Dataset | Extract | Partial, year: int, **options: Any) -> AnnualReport: ...
def outcome_change(
    data: Dataset | Extract | Partial, year: int, *, by: str | list[str] | None = None, **options: Any
) -> Table: ...
def catalogue() -> list[dict[str, str]]: ...
def option_defaults() -> dict[str, Any]:
    """The default of every keyword option, as the Rust core holds it."""

def survey_indicators(
    data: Dataset,
    *,
    by: Literal["forbund", "kon"] | list[Literal["forbund", "kon"]] | None = None,
    years: _Years | None = None,
    **options: Any,
) -> Table:
    """NNS survey indicators per year, respondent group and indicator.

    Options: ``scale=(1, 10)``, ``top_box=8``, ``min_responses=5``,
    ``mapping=[{"id", "items", "groups", "label_sv", "label_en"}, ...]`` and
    the indicator options (``level``, ``method``, ``suppress``, ...).
    """

def survey_change(
    data: Dataset, year: int, *, by: Literal["forbund", "kon"] | list[Literal["forbund", "kon"]] | None = None, **options: Any
) -> Table:
    """The change of the survey indicators from ``year - 1`` (Welch / Newcombe intervals)."""

def survey_comparison(data: Dataset, year: int, **options: Any) -> Table:
    """Each förbund against the rest of the country in ``year``."""

def survey_mapping() -> list[dict[str, Any]]:
    """The default item → indicator mapping, as ``mapping=`` takes it."""

def insats_economy(
    data: Dataset,
    *,
    by: Literal["forbund", "insats"] | list[Literal["forbund", "insats"]] | None = None,
    years: _Years | None = None,
    **options: Any,
) -> Table:
    """Budget, utfall and participants of insatser per year and group
    (individ, struktur, behovsgrupp, alla), nationally or by förbund and/or
    insats (amounts in öre; participant counts pass disclosure control)."""

def forbund_economy(
    data: Dataset,
    *,
    years: _Years | None = None,
    equity_steps: list[tuple[int | str | Decimal | None, int]] | None = None,
) -> Table:
    """Each förbund's budget, allocation, administrative costs and equity
    against the recommended level, per year (amounts in öre)."""

def financing(data: Dataset, year: int) -> Table:
    """The law §5 split of every förbund's budget for ``year`` (amounts in öre)."""

def allocation(
    data: Dataset | None,
    year: int,
    *,
    inputs: Any | None = None,
    total: int | str | Decimal | None = None,
    base: int | str | Decimal | None = None,
    forsorjning_percent: int = 75,
    max_fall_percent: int = 10,
    equity: bool = True,
    equity_steps: list[tuple[int | str | Decimal | None, int]] | None = None,
    equity_reduction_percent: int = 50,
) -> Table:
    """The state's allocation model for ``year`` with every step as a column (amounts in öre)."""

def proportion_ci(
    k: int,
    n: int,
    *,
    method: Literal["wilson", "clopper-pearson", "agresti-coull", "beta", "clopper_pearson", "agresti_coull"] = "wilson",
    level: float = 0.95,
) -> Interval: ...
def proportion_cis(
    k: Sequence[int],
    n: Sequence[int],
    *,
    method: Literal["wilson", "clopper-pearson", "agresti-coull", "beta", "clopper_pearson", "agresti_coull"] = ...,
    level: float = 0.95,
) -> tuple[list[float], list[float], list[float]]: ...
def paired_mean_ci(before: list[float], after: list[float], *, level: float = 0.95) -> Interval: ...
def newcombe_diff(k1: int, n1: int, k2: int, n2: int, *, level: float = 0.95) -> Interval: ...
def welch_diff(a: list[float], b: list[float], *, level: float = 0.95) -> Interval: ...

@final
class FollowUp:
    """Deprecated: the catalogue's tables of a flat extract under the follow-up's old names."""

    @property
    def national(self) -> Table: ...
    @property
    def by_kon(self) -> Table: ...
    @property
    def by_forbund(self) -> Table: ...
    @property
    def benefit_days(self) -> Table: ...
    @property
    def started(self) -> Table: ...
    @property
    def tables(self) -> list[Table]: ...
    @property
    def rows(self) -> int: ...
    def to_markdown(self) -> str: ...

@final
class Extract:
    """The participations of a flat extract, for the indicator functions."""

    @property
    def rows(self) -> int: ...
    @property
    def groups(self) -> list[str]: ...
    @property
    def latest(self) -> str: ...
    @property
    def notes(self) -> list[str]: ...

def read_extract(
    source: str | os.PathLike[str] | _Frame,
    *,
    threads: int = 2,
    delimiter: str | None = None,
    progress: bool | Callable[[int, int], object] | None = None,
) -> Extract: ...
@final
class Partial:
    """The mergeable state of a flat extract or of a chunk of it."""

    def __eq__(self, value: object, /) -> bool: ...
    @property
    def rows(self) -> int: ...
    @property
    def by(self) -> list[str]: ...
    @property
    def years(self) -> tuple[int, int]: ...
    @property
    def cutoff(self) -> str | None: ...
    @property
    def notes(self) -> list[str]: ...
    def merge(self, other: Partial) -> Partial: ...
    @staticmethod
    def merge_all(states: Sequence[Partial]) -> Partial: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(data: bytes) -> Partial: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> Partial: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

def partial(
    source: Extract | str | os.PathLike[str] | _Frame,
    *,
    years: _Years,
    by: str | list[str] | None = None,
    uttagsdatum: datetime.date | str | None = None,
    threads: int = 2,
    delimiter: str | None = None,
) -> Partial: ...
def follow_up_state(
    source: str | os.PathLike[str] | _Frame | Extract, *, threads: int = 2, delimiter: str | None = None
) -> Partial: ...
def follow_up(
    source: str | os.PathLike[str] | _Frame | Extract | Partial,
    *,
    threads: int = 2,
    delimiter: str | None = None,
    **options: Any,
) -> FollowUp: ...

def pseudonymise_frame(
    frame: _Frame,
    *,
    column: str,
    key: bytes | str,
    invalid: Literal["raise", "collect", "reject"] | None = None,
    reference_date: datetime.date | str | None = None,
) -> tuple[pyarrow.Table, pyarrow.Table | None]:
    """The frame as a pyarrow.Table with the column pseudonymised, and the rejected rows (only with invalid="reject")."""

def pseudonymise_csv(
    input: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    column: str,
    key: bytes | str | None = None,
    key_file: str | os.PathLike[str] | None = None,
    key_env: str | None = None,
    reject: str | os.PathLike[str] | None = None,
    invalid: Literal["raise", "collect", "reject"] | None = None,
    encoding: str = "auto",
    delimiter: str | None = None,
    reference_date: datetime.date | str | None = None,
) -> dict[str, int]:
    """Pseudonymises a CSV file into another; returns the counts rows, pseudonymised, rejected."""
