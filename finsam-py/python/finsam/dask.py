"""Indicators over a ``dask.dataframe`` of a flat extract, on any Dask cluster.

Each partition is counted alone into a :class:`finsam.Partial` (through
Arrow, on the worker that holds it), the states are merged in a tree on the
workers, and only the merged state (aggregates and person ids, not rows)
comes back. Pass it to any indicator function or to ``annual_report``: the
tables are identical to those of the whole extract read in one process.

>>> import pandas as pd, dask.dataframe as dd, finsam, finsam.dask
>>> frame = pd.DataFrame({
...     "deltagare_id": [1, 2, 3, 4], "forbund_id": [7, 7, 8, 8],
...     "kon": ["K", "M", "K", "M"],
...     "startdatum": ["2021-02-01", "2021-03-15", "2020-05-01", "2021-06-01"],
...     "slutdatum": ["2021-10-31", None, "2022-01-20", "2021-12-01"],
...     "status_efter": ["arbete", None, "studier", "arbetssokande"],
... })
>>> state = finsam.dask.partial(dd.from_pandas(frame, npartitions=3), years=(2020, 2022))
>>> whole = finsam.read_extract(frame)
>>> t = finsam.participants(state, years=2021, suppress=False)
>>> t.to_arrow().equals(finsam.participants(whole, years=2021, suppress=False).to_arrow())
True
>>> t.value(["2021"], "personer")
4.0

The same state runs on Spark: count each Arrow batch of ``mapInArrow`` with
``finsam.partial(pyarrow.Table.from_batches([batch]), years=...)``, yield its
``to_bytes()`` in a binary column, and merge the collected states on the
driver with ``finsam.Partial.merge_all([finsam.Partial.from_bytes(b) for b
in ...])``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

import finsam
from finsam._finsam import Partial

__all__ = ["partial"]


def partial(
    frame: Any,
    *,
    years: int | tuple[int, int] | range,
    by: str | Sequence[str] | None = None,
    uttagsdatum: date | str | None = None,
    split_every: int = 8,
) -> Partial:
    """The merged state of a ``dask.dataframe.DataFrame`` holding a flat extract.

    ``years``, ``by`` and ``uttagsdatum`` are those of :func:`finsam.partial`
    (``by`` defaults to förbund and kön, from which every table and the
    annual report can be finished). ``split_every`` is how many states one
    merge task takes (the fan-in of the tree). Computes on the current Dask
    scheduler (a ``dask.distributed.Client`` if one is active) and returns
    the state to the caller.
    """
    from dask.base import compute
    from dask.delayed import delayed

    if split_every < 2:
        raise finsam.ArgumentError(f"split_every must be at least 2, got {split_every}", code="invalid_argument")
    states = [
        delayed(_count)(part, years, by, uttagsdatum) for part in frame.to_delayed()
    ]
    if not states:
        raise finsam.ArgumentError("the frame has no partitions", code="invalid_argument")
    while len(states) > 1:
        groups = [states[i : i + split_every] for i in range(0, len(states), split_every)]
        states = [delayed(Partial.merge_all)(group) for group in groups]
    (merged,) = compute(states[0])  # type: ignore[no-untyped-call]  # dask is untyped
    return cast(Partial, merged)


def _count(part: Any, years: Any, by: Any, uttagsdatum: Any) -> Partial:
    """One partition's state, on the worker that holds it."""
    return finsam.partial(part, years=years, by=by, uttagsdatum=uttagsdatum, threads=1)
