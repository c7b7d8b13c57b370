"""The public mergeable state (issue 12, step 5) and scale-out on Dask
(step 6): a flat extract counted in chunks, in this process, through pickle
and bytes, and on a two-process ``dask.distributed`` cluster, gives tables
identical to the whole extract's, withheld cells included."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv
import pytest

import finsam

FUNCTIONS = (
    finsam.participants,
    finsam.outcome_rates,
    finsam.outcome_categories,
    finsam.benefit_days,
    finsam.gender_gap,
    finsam.gender_gap_days,
)
YEARS = (2017, 2023)


@pytest.fixture(scope="module")
def flat(small: finsam.Dataset, tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    path = tmp_path_factory.mktemp("partial") / "flat.csv"
    small.to_flat_csv(path)
    return pv.read_csv(path, parse_options=pv.ParseOptions(delimiter=";"))


def assert_same_tables(whole: finsam.Extract, state: finsam.Partial) -> None:
    """Every indicator table by every split the state can give, and the
    annual report: identical to the whole extract's (disclosure on)."""
    for function in FUNCTIONS:
        for by in ([], ["kon"], ["forbund"], ["forbund", "kon"]):
            if function.__name__.startswith("gender_gap") and "kon" in by:
                continue
            expected = function(whole, by=by, years=(2018, 2022))
            got = function(state, by=by, years=(2018, 2022))
            assert got.to_arrow().equals(expected.to_arrow()), (function.__name__, by)
            assert got.notes == expected.notes
    for year in (2018, 2022):
        assert finsam.annual_report(state, year).to_json() == finsam.annual_report(whole, year).to_json()


def test_chunks_merged_in_any_order_give_the_whole_extracts_tables(flat: pa.Table) -> None:
    """Uneven chunks of rows (a person's rows fall in different chunks; one
    chunk is empty), each sent through pickle, bytes or JSON, merged in a
    shuffled order."""
    rng = np.random.default_rng(12)
    cuts = sorted({0, flat.num_rows, *rng.integers(0, flat.num_rows, 5).tolist(), 40})
    chunks = [flat.slice(a, b - a) for a, b in zip(cuts, cuts[1:])] + [flat.slice(0, 0)]
    states = [finsam.partial(c.to_pandas(), years=YEARS) for c in chunks]
    assert states[-1].rows == 0 and states[-1].cutoff is None
    sent = [
        [pickle.loads(pickle.dumps(s)), finsam.Partial.from_bytes(s.to_bytes()), finsam.Partial.from_json(s.to_json())][i % 3]
        for i, s in enumerate(states)
    ]
    assert sent == states
    order = rng.permutation(len(sent))
    merged = finsam.Partial.merge_all([sent[i] for i in order])
    pairwise = sent[0]
    for s in sent[1:]:
        pairwise = pairwise.merge(s)
    assert merged == pairwise
    whole = finsam.read_extract(flat)
    assert merged.rows == whole.rows and merged.cutoff == whole.latest
    assert_same_tables(whole, merged)


def test_the_binary_form_is_compact_and_checked(flat: pa.Table) -> None:
    state = finsam.partial(flat, years=YEARS)
    data = state.to_bytes()
    assert len(data) * 8 < len(state.to_json())
    with pytest.raises(finsam.InputError) as info:
        finsam.Partial.from_bytes(data[:-3])
    assert info.value.code == "invalid_binary"
    with pytest.raises(finsam.InputError, match="wrong header"):
        finsam.Partial.from_bytes(b"not a state")
    # Fewer rows than the cells have started: a state no extract gives.
    edited = state.to_json().replace(f'"rows":{state.rows}', '"rows":5')
    with pytest.raises(finsam.InputError) as info:
        finsam.Partial.from_json(edited)
    assert info.value.code == "invalid_json" and "not a finsam state" in str(info.value)


def test_what_a_state_cannot_give_is_an_argument_error(flat: pa.Table) -> None:
    by_kon = finsam.partial(flat, years=YEARS, by="kon")
    with pytest.raises(finsam.ArgumentError, match="split by kon"):
        finsam.outcome_rates(by_kon, by="forbund")
    with pytest.raises(finsam.ArgumentError, match="different years"):
        by_kon.merge(finsam.partial(flat, years=(2018, 2023), by="kon"))
    with pytest.raises(finsam.ArgumentError, match="different splits"):
        by_kon.merge(finsam.partial(flat, years=YEARS))
    with pytest.raises(finsam.ArgumentError, match="no column for aldersgrupp"):
        finsam.partial(flat, years=YEARS, by="aldersgrupp")
    with pytest.raises(finsam.ArgumentError, match="no states"):
        finsam.Partial.merge_all([])
    late = finsam.partial(flat, years=YEARS, by="kon", uttagsdatum="2023-06-30")
    with pytest.raises(finsam.ArgumentError, match="cut-off"):
        finsam.outcome_rates(late, years=2022, uttagsdatum="2023-01-31")
    assert late.cutoff == "2023-06-30"


def test_a_dask_frame_on_a_two_process_cluster_gives_the_single_process_tables(flat: pa.Table) -> None:
    """Step 6: each partition is counted on a worker process, the states are
    merged in a tree on the workers, and the tables are identical."""
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    import finsam.dask

    frame = dd.from_pandas(flat.to_pandas(), npartitions=7)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster, distributed.Client(cluster):
        state = finsam.dask.partial(frame, years=YEARS, split_every=3)
    whole = finsam.read_extract(flat)
    assert state == finsam.partial(whole, years=YEARS)
    assert_same_tables(whole, state)
    with pytest.raises(finsam.ArgumentError, match="split_every"):
        finsam.dask.partial(frame, years=YEARS, split_every=1)


def test_an_id_that_would_be_taken_for_a_total_is_refused(flat: pa.Table) -> None:
    """A förbund id equal to the tables' total marker (u32::MAX - 1) would
    merge with the `alla` row; frames refuse it as files do."""
    ids = flat.column("forbund_id").to_pylist()
    ids[3] = 4_294_967_294
    bad = flat.set_column(flat.schema.get_field_index("forbund_id"), "forbund_id", pa.array(ids, pa.int64()))
    with pytest.raises(finsam.InputError, match="4294967293") as info:
        finsam.partial(bad, years=YEARS)
    assert info.value.code == "invalid_number" and info.value.row == 3
