"""The exceptions finsam raises.

Every exception derives from :class:`FinsamError` (itself a ``ValueError``)
and carries the stable ``code`` of the error, plus where it was found:
``path`` (file, or ``"table <name>"`` for in-memory data), ``line``
(1-based line in the file), ``row`` (0-based row in the table), ``column``
and ``value``; each is ``None`` where it does not apply. A ``value`` longer
than 80 characters is cut to its first 80 followed by ``…`` (the message
gives its full length), so that a 100 kB field cannot flood a log.

Every bad argument or keyword option (wrong type, out of range, unknown) is
an :class:`ArgumentError` whose message names the option and what it
accepts.

>>> import finsam
>>> try:
...     finsam.synthetic(scale=-1)
... except finsam.FinsamError as e:
...     print(type(e).__name__, e.code)
ArgumentError invalid_argument
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "FinsamError",
    "FileAccessError",
    "InputError",
    "RuleError",
    "ValidationError",
    "ArgumentError",
    "PersonnummerError",
    "EstimationError",
    "CancelledError",
    "exception_for",
]


class FinsamError(ValueError):
    """The root of finsam's exceptions."""

    code: str
    path: str | None
    line: int | None
    row: int | None
    column: str | None
    value: str | None

    def __init__(
        self,
        message: str,
        *,
        code: str,
        path: str | None = None,
        line: int | None = None,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.path = path
        self.line = line
        self.row = row
        self.column = column
        self.value = value


class FileAccessError(FinsamError):
    """A file or directory could not be opened, read or written (code ``io``)."""


class InputError(FinsamError):
    """A file, column or value breaks the data contract (bad encoding, a
    missing column, a value that is not a date, an unknown code, …)."""


class RuleError(FinsamError):
    """The data break a validation rule (duplicates, unknown references,
    dates out of order, implausible values, contradicting membership)."""


class ArgumentError(FinsamError):
    """An argument outside its domain."""


class ValidationError(FinsamError):
    """Several errors collected under ``errors="collect"``.

    ``errors`` holds the errors kept in full (each a :class:`FinsamError`
    subclass), ``counts`` the number of errors by code, ``total`` all of them.
    """

    errors: list[FinsamError]
    counts: dict[str, int]
    total: int

    def __init__(self, message: str, *, code: str, errors: list[FinsamError], counts: dict[str, int], total: int, **where: Any) -> None:
        super().__init__(message, code=code, **where)
        self.errors = errors
        self.counts = counts
        self.total = total


class PersonnummerError(InputError):
    """A value that is not a valid personnummer or samordningsnummer (code
    ``invalid_personnummer``). ``reason`` says why: ``empty``,
    ``characters``, ``length``, ``separator``, ``date`` or ``check_digit``.
    ``value`` is always ``None``: a personnummer does not belong in a
    message or a log."""

    reason: str

    def __init__(self, message: str, *, code: str, reason: str, **where: Any) -> None:
        super().__init__(message, code=code, **where)
        self.reason = reason


class EstimationError(FinsamError):
    """An estimate the data cannot support (codes ``not_identified``,
    ``no_overlap``, ``singular_design``): no treated or comparison units
    left, no common support, collinear covariates or a model that does not
    converge. finsam raises it rather than returning a NaN as a number."""


class CancelledError(FinsamError):
    """A computation asked to stop before it finished (code ``interrupted``).
    Ctrl-C raises Python's ``KeyboardInterrupt`` as usual; this class is for a
    stop asked for otherwise. No partial result is returned."""


_ESTIMATION = {"not_identified", "no_overlap", "singular_design"}

_INPUT = {
    "not_csv", "invalid_parquet", "invalid_encoding", "missing_column", "duplicate_column", "duplicate_file", "wrong_field_count", "missing_value",
    "invalid_date", "invalid_number", "invalid_code", "invalid_kommunkod", "invalid_amount",
    "invalid_days", "invalid_bool", "invalid_json", "invalid_binary", "arrow_type",
}
_RULES = {
    "duplicate_id", "duplicate_key", "duplicate_row", "unknown_forbund", "unknown_insats",
    "unknown_deltagande", "end_before_start", "outside_insats_lifetime", "implausible_birth_year",
    "outcome_without_end", "membership_conflict", "forbund_mismatch", "inconsistent_counts",
    "inconsistent_questionnaire", "answer_out_of_scale", "missing_statistics", "allocation_infeasible",
}


def exception_for(code: str) -> type[FinsamError]:
    """The exception class raised for an error code.

    >>> exception_for("invalid_date").__name__
    'InputError'
    """
    if code == "io":
        return FileAccessError
    if code == "invalid_personnummer":
        return PersonnummerError
    if code in _INPUT:
        return InputError
    if code in _RULES:
        return RuleError
    if code == "invalid_data":
        return ValidationError
    if code == "invalid_argument":
        return ArgumentError
    if code in _ESTIMATION:
        return EstimationError
    if code == "interrupted":
        return CancelledError
    return FinsamError
