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
"""

from __future__ import annotations

from finsam._finsam import ERROR_CODES, Dataset, __version__, synthetic
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
    "ArgumentError",
    "Dataset",
    "FileAccessError",
    "FinsamError",
    "InputError",
    "RuleError",
    "ValidationError",
    "__version__",
    "exception_for",
    "synthetic",
]
