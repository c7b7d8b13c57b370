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
"""

from __future__ import annotations

from finsam import stats
from finsam._finsam import (
    ERROR_CODES,
    AnnualReport,
    Dataset,
    FollowUp,
    FollowUpState,
    Table,
    __version__,
    annual_report,
    benefit_days,
    catalogue,
    follow_up,
    follow_up_state,
    gender_gap,
    outcome_categories,
    outcome_rates,
    participants,
    synthetic,
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

__all__ = [
    "ERROR_CODES",
    "AnnualReport",
    "ArgumentError",
    "Dataset",
    "FollowUp",
    "FollowUpState",
    "Table",
    "annual_report",
    "benefit_days",
    "catalogue",
    "follow_up",
    "follow_up_state",
    "gender_gap",
    "outcome_categories",
    "outcome_rates",
    "participants",
    "stats",
    "transitions",
    "FileAccessError",
    "FinsamError",
    "InputError",
    "RuleError",
    "ValidationError",
    "__version__",
    "exception_for",
    "synthetic",
]
