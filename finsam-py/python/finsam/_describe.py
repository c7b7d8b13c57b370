"""``Dataset.describe()``: every column of every table of a data set, as a
frame, computed by pyarrow's own kernels on the data set's Arrow tables."""

from __future__ import annotations

from typing import Any


def describe(data: Any) -> Any:
    """One row per table and column: its Arrow type, rows, missing values,
    distinct values and the smallest and largest value (as text, in the
    column's own notation; empty for a column of lists)."""
    import pandas as pd  # type: ignore[import-untyped]
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    rows = []
    for table, frame in sorted(data.to_arrow().items()):
        for name in frame.column_names:
            column = frame.column(name)
            comparable = not (pa.types.is_list(column.type) or pa.types.is_struct(column.type))
            smallest = largest = None
            if comparable and len(column) > column.null_count:
                extremes = pc.min_max(column)
                smallest, largest = (str(extremes[k].as_py()) for k in ("min", "max"))
            rows.append(
                {
                    "table": table,
                    "column": name,
                    "type": str(column.type),
                    "rows": len(column),
                    "missing": column.null_count,
                    "distinct": pc.count_distinct(column, mode="only_valid").as_py() if comparable else None,
                    "min": smallest,
                    "max": largest,
                }
            )
    frame = pd.DataFrame(rows)
    return frame.astype({"rows": "Int64", "missing": "Int64", "distinct": "Int64"})
