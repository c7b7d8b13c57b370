#!/usr/bin/env python3
"""finsam.evaluation.match against a plain Python peer on the same data:
statsmodels' Logit for the propensity score and a numpy greedy 1:1
nearest-neighbour match without replacement (controls sorted by score,
MatchIt's order and tie rule, skip links over used controls in a Python
loop). One run, medians of `--reps`, and the ratio.

    .venv/bin/python benches/python/matching_bench.py               # 20k vs 2m
    .venv/bin/python benches/python/matching_bench.py --controls 200000
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd
import statsmodels.api as sm

from finsam.evaluation import match


def data(treated: int, controls: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = treated + controls
    t = np.zeros(n, dtype=np.int64)
    t[rng.choice(n, treated, replace=False)] = 1
    return pd.DataFrame(
        {
            "t": t,
            "alder": rng.uniform(20, 64, n) - 5 * t,
            "dagar": np.floor(rng.uniform(0, 200, n) * (1 + 0.5 * t)),
            "utbildning": rng.choice(["Eftergymnasial", "Forgymnasial", "Gymnasial"], n),
        }
    )


def peer(df: pd.DataFrame) -> int:
    """statsmodels Logit + greedy nearest neighbour; returns matched pairs."""
    X = sm.add_constant(pd.get_dummies(df[["alder", "dagar", "utbildning"]], drop_first=True, dtype=float))
    ps = sm.Logit(df["t"].to_numpy(), X.to_numpy()).fit(disp=0).predict(X.to_numpy())
    treat = df["t"].to_numpy() == 1
    controls = np.flatnonzero(~treat)
    controls = controls[np.argsort(ps[controls], kind="stable")]
    dc = ps[controls]
    treated = np.flatnonzero(treat)
    treated = treated[np.argsort(-ps[treated], kind="stable")]
    at = np.searchsorted(dc, ps[treated], side="left")
    right = list(range(len(dc) + 1))  # next free position ≥ p
    left = list(range(len(dc) + 1))  # left[p + 1]: last free position ≤ p, 0 = none

    def find(parent: list[int], p: int) -> int:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    pairs = 0
    for t, a in zip(treated, at):
        r = find(right, a)
        l_ = find(left, a) - 1
        best = None
        if l_ >= 0 and r < len(dc):
            best = l_ if abs(dc[l_] - ps[t]) <= abs(dc[r] - ps[t]) else r
        elif l_ >= 0:
            best = l_
        elif r < len(dc):
            best = r
        if best is not None:
            right[best] = best + 1
            left[best + 1] = best
            pairs += 1
    return pairs


def timed(f, reps: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(reps):
        start = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--treated", type=int, default=20_000)
    ap.add_argument("--controls", type=int, default=2_000_000)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    df = data(args.treated, args.controls)
    covariates = ["alder", "dagar", "utbildning"]
    t_finsam, m = timed(lambda: match(df, treatment="t", covariates=covariates), args.reps)
    t_peer, pairs = timed(lambda: peer(df), args.reps)
    print(f"{args.treated:,} treated vs {args.controls:,} controls")
    print(f"finsam.evaluation.match   {t_finsam:8.3f} s  ({m.n_treated_after:,} pairs)")  # type: ignore[attr-defined]
    print(f"statsmodels + numpy peer  {t_peer:8.3f} s  ({pairs:,} pairs)")
    print(f"ratio peer / finsam       {t_peer / t_finsam:8.1f}")


if __name__ == "__main__":
    main()
