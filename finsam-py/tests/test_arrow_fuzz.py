"""The Python boundary under random Arrow data: frames of every Arrow type
(integers, floats, decimals, booleans, dates, timestamps, text as string,
large_string, string_view and dictionaries, binary, null, and nested list,
large_list and struct), with nulls and sliced offsets, under the contract's
column names or others, passed to every reader. Each call returns a result
or raises a ``finsam.FinsamError``; any other exception is a bug."""

from __future__ import annotations

import datetime
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import finsam

KEY = b"0123456789abcdef0123456789abcdef"
TEXTS = st.sampled_from(
    ["", "K", "M", "kvinna", "2020-01-01", "2019-02-30", "ja", "0180", "sjukpenning|lon", "arbete", "-1", "1e400",
     "99999999999999999999", "1234,50", "800101-1231", "19800101-1234", "ö", "sp_rp"]
) | st.text(max_size=12)
INTS = st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.sampled_from([0, 1, 7, 10, 2020, 198001011231])

SCALARS: list[tuple[pa.DataType, st.SearchStrategy[Any]]] = [
    (pa.int64(), INTS),
    (pa.int32(), st.integers(-(2**31), 2**31 - 1)),
    (pa.int8(), st.integers(-128, 127)),
    (pa.uint64(), st.integers(0, 2**64 - 1)),
    (pa.uint16(), st.integers(0, 2**16 - 1)),
    (pa.float64(), st.floats(allow_nan=True, allow_infinity=True)),
    (pa.float32(), st.floats(width=32)),
    (pa.decimal128(12, 2), st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)),
    (pa.bool_(), st.booleans()),
    (pa.date32(), st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31))),
    (pa.timestamp("ms"), st.datetimes(datetime.datetime(1900, 1, 1), datetime.datetime(2100, 1, 1))),
    (pa.string(), TEXTS),
    (pa.large_string(), TEXTS),
    (pa.string_view(), TEXTS),
    (pa.binary(), st.binary(max_size=8)),
]


@st.composite
def arrays(draw: st.DrawFn, n: int) -> pa.Array:
    """An array of `n` values of a random type, with nulls, built longer and sliced."""
    skip = draw(st.integers(0, 3))
    total = n + skip
    kind = draw(st.integers(0, len(SCALARS) + 4))
    if kind < len(SCALARS):
        dtype, values = SCALARS[kind]
        items = draw(st.lists(st.none() | values, min_size=total, max_size=total))
        array = pa.array(items, type=dtype)
    elif kind == len(SCALARS):
        array = pa.nulls(total)
    elif kind == len(SCALARS) + 1:
        items = draw(st.lists(st.none() | TEXTS, min_size=total, max_size=total))
        index_type = draw(st.sampled_from([pa.int8(), pa.int32(), pa.uint16()]))
        array = pa.array(items, type=pa.string()).dictionary_encode()
        array = pa.DictionaryArray.from_arrays(array.indices.cast(index_type), array.dictionary)
    elif kind == len(SCALARS) + 2:
        items = draw(st.lists(st.none() | st.lists(st.none() | INTS, max_size=3), min_size=total, max_size=total))
        array = pa.array(items, type=draw(st.sampled_from([pa.list_(pa.int64()), pa.large_list(pa.int64())])))
    elif kind == len(SCALARS) + 3:
        items = draw(st.lists(st.none() | st.fixed_dictionaries({"a": INTS, "b": TEXTS}), min_size=total, max_size=total))
        array = pa.array(items, type=pa.struct([("a", pa.int64()), ("b", pa.string())]))
    else:
        items = draw(st.lists(st.none() | TEXTS, min_size=total, max_size=total))
        array = pa.array(items, type=pa.large_string()).dictionary_encode()
    return array.slice(skip, n)


CONTRACT = {
    "deltaganden": ["deltagare_id", "insats_id", "forbund_id", "kon", "fodelsear", "startdatum", "slutdatum",
                    "forsorjning_fore", "status_efter", "subventionerad", "remitterande_part"],
    "insatser": ["insats_id", "forbund_id", "namn", "inriktning", "startdatum", "slutdatum", "budget"],
    "anonyma_deltagare": ["insats_id", "ar", "kon", "antal"],
    "flat": ["deltagare_id", "forbund_id", "kon", "startdatum", "slutdatum", "status_efter", "sp_rp_fore",
             "sp_rp_efter"],
}


@st.composite
def frames(draw: st.DrawFn) -> tuple[str, pa.Table]:
    table = draw(st.sampled_from(sorted(CONTRACT)))
    names = draw(st.lists(st.sampled_from([*CONTRACT[table], "pnr", "extra"]), min_size=1, max_size=8, unique=True))
    n = draw(st.integers(0, 6))
    columns = {name: draw(arrays(n)) for name in names}
    batch = pa.table(columns)
    return table, batch


def finsam_or_result(call: Any) -> None:
    try:
        call()
    except finsam.FinsamError:
        pass


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_every_reader_returns_or_raises_a_finsam_error(frame: tuple[str, pa.Table]) -> None:
    table, t = frame
    if table != "flat":
        finsam_or_result(lambda: finsam.Dataset.from_frames(**{table: t}))
        finsam_or_result(lambda: finsam.Dataset.from_frames(errors="collect", **{table: t}))
    finsam_or_result(lambda: finsam.outcome_rates(finsam.read_extract(t, threads=1)))
    finsam_or_result(lambda: finsam.partial(t.to_batches()[0] if t.num_rows else t, years=(2000, 2030), threads=1))
    finsam_or_result(lambda: finsam.pseudonymise(t, column="pnr", key=KEY, invalid="reject"))
    finsam_or_result(lambda: finsam.pseudonymise(t, column="pnr", key=KEY, invalid="collect"))


@pytest.mark.parametrize("frame_type", ["pandas", "polars"])
def test_dataframe_libraries_cross_the_same_way(frame_type: str) -> None:
    t = pa.table({"pnr": pa.array(["800101-1231", None, "x"], type=pa.string_view()), "n": [1, None, 3]})
    frame = t.to_pandas() if frame_type == "pandas" else __import__("polars").from_arrow(t)
    out, rejected = finsam.pseudonymise(frame, column="pnr", key=KEY, invalid="reject", reference_date="2025-06-01")
    assert len(out) == 1
    assert rejected.to_pylist() == [{"row": 1, "reason": "empty"}, {"row": 2, "reason": "characters"}]
