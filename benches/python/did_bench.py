#!/usr/bin/env python3
"""finsam.evaluation.att_gt against csdid (the Python port of R's did) on the
same panels, in one run: medians and ratios.

    .venv/bin/python benches/python/did_bench.py
    .venv/bin/python benches/python/did_bench.py --persons 1000000 --csdid-persons 100000 --limit 900

Measured (2 shared cores, release build, 2026-11-29):

    panel                               finsam s     csdid s     ratio
    290 kommuner x 20 years                0.009        0.49       52x
    100,000 persons x 16 quarters          0.544       19.18       35x
    1,000,000 persons x 16 quarters        6.164           -         -
    csdid on 1,000,000 persons, extrapolated linearly: ~192 s (ratio ~31x)

(In a separate run on the 1,000,000-person panel: pandas to Arrow 0.1 s,
``att_gt`` from Arrow 3.3 s, of which ~1.3 s convert Arrow to finsam's Frame
and ~2.0 s estimate, as ``cargo bench -p finsam-benches --bench did``; the
dynamic aggregation 0.8 s. The machine is shared, so single timings vary.)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import multiprocessing as mp
import statistics
import time
import warnings

import numpy as np
import pandas as pd


def panel(units: int, periods: int, first: int, cohorts: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cohort = (rng.random(units) * cohorts * 1.5).astype(int)
    group = np.where(cohort < cohorts, first + cohort, 0).astype(float)
    x = rng.uniform(-1, 1, units)
    a = rng.uniform(0, 3, units)
    unit = np.repeat(np.arange(units), periods)
    t = np.tile(np.arange(1, periods + 1), units).astype(float)
    g = group[unit]
    effect = np.where((g > 0) & (t >= g), 1.0 + 0.1 * (t - g), 0.0)
    y = a[unit] + 0.1 * t + 0.05 * x[unit] * t + effect + rng.uniform(-0.5, 0.5, len(unit))
    return pd.DataFrame({"id": unit, "t": t, "g": g, "y": y, "x": x[unit]})


def run_finsam(frame: pd.DataFrame):
    from finsam import evaluation as ev

    r = ev.att_gt(frame, outcome="y", unit="id", time="t", group="g")
    r.aggregate("dynamic")
    return r


def run_csdid(frame: pd.DataFrame):
    from csdid.att_gt import ATTgt

    # csdid prints its summaries; keep the benchmark's output readable.
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        m = ATTgt(yname="y", tname="t", idname="id", gname="g", data=frame).fit(est_method="dr", bstrap=False)
        m.aggte(typec="dynamic", bstrap=False, cband=False)
    return m


def timed(fn, frame, reps: int) -> float:
    fn(frame)  # warm-up
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn(frame)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _child(args, queue):
    units, periods, first, cohorts, reps = args
    queue.put(timed(run_csdid, panel(units, periods, first, cohorts), reps))


def csdid_limited(units: int, periods: int, first: int, cohorts: int, reps: int, limit: float) -> tuple[float, bool]:
    """csdid's median time in a child process, or (limit, False) if it runs out."""
    queue: mp.Queue = mp.Queue()
    child = mp.Process(target=_child, args=((units, periods, first, cohorts, reps), queue))
    start = time.perf_counter()
    child.start()
    child.join(limit)
    if child.is_alive():
        child.terminate()
        child.join()
        return time.perf_counter() - start, False
    return queue.get(), True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--csdid-persons", type=int, default=100_000)
    ap.add_argument("--limit", type=float, default=900.0, help="seconds csdid may take per panel")
    args = ap.parse_args()

    kommuner = panel(290, 20, 6, 10)
    ours = run_finsam(kommuner)
    ref = run_csdid(kommuner)
    gap = np.max(np.abs(np.array([c[2] for c in ours.cells()]) - np.asarray(ref.results["att"], float)))
    assert gap < 1e-8, gap
    print(f"agreement on the kommun panel: max |ATT difference| = {gap:.1e}")

    rows = []
    f_k = timed(run_finsam, kommuner, 20)
    c_k, done = csdid_limited(290, 20, 6, 10, 3, args.limit)
    rows.append(("290 kommuner x 20 years", f_k, c_k, done))

    small = panel(args.csdid_persons, 16, 5, 8)
    f_s = timed(run_finsam, small, 5)
    c_s, done_s = csdid_limited(args.csdid_persons, 16, 5, 8, 1, args.limit)
    rows.append((f"{args.csdid_persons:,} persons x 16 quarters", f_s, c_s, done_s))

    large = panel(args.persons, 16, 5, 8)
    f_l = timed(run_finsam, large, 3)
    rows.append((f"{args.persons:,} persons x 16 quarters", f_l, float("nan"), False))

    print(f"{'panel':<34}{'finsam s':>10}{'csdid s':>12}{'ratio':>10}")
    for name, f, c, ok in rows:
        if np.isnan(c):
            print(f"{name:<34}{f:>10.3f}{'-':>12}{'-':>10}")
        else:
            bound = "" if ok else ">"
            print(f"{name:<34}{f:>10.3f}{bound + format(c, '.2f'):>12}{bound + format(c / f, '.0f') + 'x':>10}")
    # csdid's work grows linearly in persons: its time on the large panel is
    # at least (persons / csdid-persons) × its time on the smaller one.
    scale = args.persons / args.csdid_persons
    print(f"csdid on {args.persons:,} persons, extrapolated linearly: {'>' if not done_s else '~'}{c_s * scale:.0f} s "
          f"(ratio {'>' if not done_s else '~'}{c_s * scale / f_l:.0f}x)")


if __name__ == "__main__":
    main()
