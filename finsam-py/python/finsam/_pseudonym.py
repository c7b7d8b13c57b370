"""Keyed pseudonymisation of a personnummer column.

Each value is parsed as a personnummer or samordningsnummer (12 or 10
digits, with ``-``, ``+`` or no separator, spaces ignored), checked (date,
Luhn check digit) and normalised to twelve digits, then replaced by the
first 63 bits of HMAC-SHA-256(key, twelve digits) as an ``Int64``: the same
person gets the same pseudonym however the number was written. Every other
column is left as it was. An invalid number is never hashed: it raises a
:class:`~finsam.exceptions.PersonnummerError` naming its row (never its
value), or, with ``invalid="reject"``, its row is left out and listed.

>>> import pyarrow as pa
>>> import finsam
>>> key = b"0123456789abcdef0123456789abcdef"
>>> t = pa.table({"pnr": ["19800101-1231", "800101-1231", "8001011231"], "kon": ["M", "M", "M"]})
>>> out = finsam.pseudonymise(t, column="pnr", key=key, reference_date="2025-06-01")
>>> out["pnr"].to_pylist()
[4479197971459081281, 4479197971459081281, 4479197971459081281]
>>> out["kon"].to_pylist()
['M', 'M', 'M']
>>> bad = pa.table({"pnr": ["800101-1231", "800101-1234"]})
>>> out, rejected = finsam.pseudonymise(bad, column="pnr", key=key, invalid="reject", reference_date="2025-06-01")
>>> rejected.to_pylist()
[{'row': 1, 'reason': 'check_digit'}]
"""

from __future__ import annotations

import datetime
import os
from typing import Any, Literal, overload

from finsam import _finsam

__all__ = ["pseudonymise", "pseudonymise_csv"]


def _like(frame: Any, table: Any) -> Any:
    """``table`` (a pyarrow.Table) as the kind of frame ``frame`` is."""
    module = type(frame).__module__.split(".")[0]
    if module == "pandas":
        return _pandas_metadata_fixed(table).to_pandas()
    if module == "polars":
        import polars

        return polars.from_arrow(table)
    if module == "pyarrow" and type(frame).__name__ == "RecordBatch":
        return table.combine_chunks().to_batches()[0] if table.num_rows else _empty_batch(table)
    return table


def _pandas_metadata_fixed(table: Any) -> Any:
    """The table with pandas' schema metadata saying that the pseudonymised
    column is now ``int64``: the metadata described the text column, and
    pandas would turn the pseudonyms back into strings. Only the column
    whose metadata disagrees with its Arrow type ``int64`` is touched; the
    index and every other column keep their metadata."""
    import json

    import pyarrow  # type: ignore[import-untyped]

    metadata = dict(table.schema.metadata or {})
    if b"pandas" not in metadata:
        return table
    pandas_meta = json.loads(metadata[b"pandas"])
    fields = {field.name: field.type for field in table.schema}
    for entry in pandas_meta.get("columns", []):
        if fields.get(entry.get("field_name")) == pyarrow.int64() and entry.get("pandas_type") != "int64":
            entry.update(pandas_type="int64", numpy_type="int64", metadata=None)
    metadata[b"pandas"] = json.dumps(pandas_meta).encode()
    return table.replace_schema_metadata(metadata)


def _empty_batch(table: Any) -> Any:
    import pyarrow  # type: ignore[import-untyped]

    return pyarrow.RecordBatch.from_pylist([], schema=table.schema)


@overload
def pseudonymise(
    frame: Any,
    *,
    column: str,
    key: bytes | str,
    invalid: Literal["raise", "collect"] = "raise",
    reference_date: datetime.date | str | None = None,
) -> Any: ...
@overload
def pseudonymise(
    frame: Any,
    *,
    column: str,
    key: bytes | str,
    invalid: Literal["reject"],
    reference_date: datetime.date | str | None = None,
) -> tuple[Any, Any]: ...
def pseudonymise(
    frame: Any,
    *,
    column: str,
    key: bytes | str,
    invalid: Literal["raise", "collect", "reject"] = "raise",
    reference_date: datetime.date | str | None = None,
) -> Any:
    """The frame with ``column`` replaced by keyed pseudonyms, as the same
    kind of frame (pandas, polars, pyarrow; anything else exporting Arrow
    comes back as a ``pyarrow.Table``).

    ``key``: at least 16 secret random bytes (``str`` is taken as its UTF-8
    bytes); keep it apart from the data and the same within a study.
    ``invalid``: ``"raise"`` at the first invalid number, ``"collect"``
    every one into a :class:`~finsam.exceptions.ValidationError`, or
    ``"reject"``: leave those rows out and return ``(frame, rejected)``,
    ``rejected`` a ``pyarrow.Table`` of ``row`` (0-based) and ``reason``.
    ``reference_date`` (default today) decides a ten-digit number's century.
    """
    table, rejected = _finsam.pseudonymise_frame(
        frame, column=column, key=key, invalid=invalid, reference_date=reference_date
    )
    out = _like(frame, table)
    if rejected is None:
        return out
    if type(frame).__module__.split(".")[0] == "pandas" and rejected.num_rows:
        # pandas keeps a RangeIndex as metadata only; the kept rows keep their labels.
        out.index = frame.index.delete(rejected["row"].to_pylist())
    return out, rejected


def pseudonymise_csv(
    input: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    column: str,
    key: bytes | str | None = None,
    key_file: str | os.PathLike[str] | None = None,
    key_env: str | None = None,
    reject: str | os.PathLike[str] | None = None,
    encoding: Literal["auto", "utf-8", "windows-1252"] = "auto",
    delimiter: str | None = None,
    reference_date: datetime.date | str | None = None,
) -> dict[str, int]:
    """Pseudonymises ``column`` of the CSV file ``input`` into ``output``,
    streaming; every other field, the delimiter, the encoding and the line
    endings are kept. The key comes from exactly one of ``key``,
    ``key_file`` (its bytes, without a final newline) and ``key_env`` (the
    name of an environment variable). With ``reject``, rows with an invalid
    number go to that file with ``finsam_line`` and ``finsam_reason`` added
    (it holds the real numbers: protect it as the input); without it the
    first invalid number raises. Nothing is written unless the whole input
    was read. Returns the counts ``rows``, ``pseudonymised``, ``rejected``.
    """
    return _finsam.pseudonymise_csv(
        input,
        output,
        column=column,
        key=key,
        key_file=key_file,
        key_env=key_env,
        reject=reject,
        invalid="reject" if reject is not None else "raise",
        encoding=encoding,
        delimiter=delimiter,
        reference_date=reference_date,
    )
