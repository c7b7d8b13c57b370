"""finsam: follow-up and evaluation of Swedish finansiell samordning (Finsam).

Load a data delivery (a directory of CSV files in the finsam data contract)
or the calibrated synthetic national data set, validate it, and summarise it
per year:

>>> import finsam
>>> data = finsam.synthetic(scale=0.05)
>>> data.validate()
>>> summary = data.summary()
>>> [y["forbund"] for y in summary["per_year"] if y["ar"] == 2020]
[78]

Indicators come as tables with intervals and disclosure control:

>>> t = finsam.outcome_rates(data, by=["kon"], years=2020)
>>> t.keys
['ar', 'kon']
>>> report = finsam.annual_report(data, 2020)
>>> report.tables[0].id
'deltagare'

Surveys and money:

>>> s = finsam.survey_indicators(data, years=2021, by=["kon"])
>>> s.keys
['ar', 'respondentgrupp', 'kon', 'indikator']
>>> a = finsam.allocation(data, 2021)
>>> a.value(["2021", "alla"], "tilldelning") / 100
339000000.0
"""

from __future__ import annotations

from finsam import evaluation, stats
from finsam._finsam import (
    ERROR_CODES,
    AnnualReport,
    Dataset,
    Extract,
    FollowUp,
    Partial,
    Table,
    __version__,
    allocation,
    catalogue,
    financing,
    forbund_economy,
    partial,
    read_extract,
    survey_mapping,
    synthetic,
    synthetic_true_effects,
)
from finsam._indicators import (
    annual_report,
    benefit_days,
    follow_up,
    follow_up_state,
    gender_gap,
    gender_gap_days,
    insats_economy,
    outcome_categories,
    outcome_change,
    outcome_rates,
    participants,
    survey_change,
    survey_comparison,
    survey_indicators,
    transitions,
)
from finsam.exceptions import (
    ArgumentError,
    FileAccessError,
    FinsamError,
    InputError,
    RuleError,
    ValidationError,
    exception_for,
)
from finsam.exceptions import CancelledError, EstimationError, PersonnummerError
from finsam._pseudonym import pseudonymise, pseudonymise_csv

__all__ = [
    "ERROR_CODES",
    "AnnualReport",
    "ArgumentError",
    "Dataset",
    "Extract",
    "FollowUp",
    "Partial",
    "Table",
    "allocation",
    "annual_report",
    "benefit_days",
    "catalogue",
    "financing",
    "forbund_economy",
    "insats_economy",
    "follow_up",
    "follow_up_state",
    "gender_gap",
    "gender_gap_days",
    "outcome_categories",
    "outcome_change",
    "outcome_rates",
    "partial",
    "participants",
    "read_extract",
    "evaluation",
    "stats",
    "survey_change",
    "survey_comparison",
    "survey_indicators",
    "survey_mapping",
    "transitions",
    "FileAccessError",
    "FinsamError",
    "InputError",
    "RuleError",
    "ValidationError",
    "__version__",
    "exception_for",
    "synthetic",
    "synthetic_true_effects",
    "PersonnummerError",
    "EstimationError",
    "CancelledError",
    "pseudonymise",
    "pseudonymise_csv",
]


def __getattr__(name: str) -> object:
    """The names kept one release with a warning: ``FollowUpState`` is
    :class:`Partial` (a state by förbund and kön, made by ``partial``)."""
    if name == "FollowUpState":
        import warnings

        warnings.warn(
            "finsam.FollowUpState is deprecated and goes in the next release: the follow-up's state is "
            "finsam.Partial (made by finsam.partial); finish it with the indicator functions",
            DeprecationWarning,
            stacklevel=2,
        )
        return Partial
    raise AttributeError(f"module 'finsam' has no attribute {name!r}")
