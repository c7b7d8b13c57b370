#!/usr/bin/env python3
"""finsam against the pandas and polars peers of ../shared/peer-bench, on the
same data, in one run: medians, peak memory and ratios.

The peers' code is not copied: `peers.py` and `gen.py` are imported from
`../shared/peer-bench` and pointed at a writable data directory.

    .venv/bin/python benches/python/peer_bench.py                 # 1m and 10m
    .venv/bin/python benches/python/peer_bench.py --sizes 1m --peers polars
    .venv/bin/python benches/python/peer_bench.py --one polars_contract 10m mem --reps 3

finsam is timed through the one engine: one mergeable state counted as the
frame or file is read (no extract held), the indicator tables finished from
it. (Until issue 12 retired it, the follow-up's own state was timed too.)

Every (tool, size, mode) runs in its own process, after one warm-up, `--reps` timed repetitions. Modes: `mem` (the frame is
already in memory: the peers' own loaders, untimed; finsam reads the polars
frame through the Arrow PyCapsule interface) and `csv` (load and compute
from the `;`-separated file). Before timing, the indicator set of finsam is
checked against the polars peer's (same values to 1e-9 in every row both
have; finsam may withhold more cells: complementary suppression, which the
peers lack). Two peer columns have no finsam counterpart by definition:
`n_deltagare` (distinct persons among ended participations; the catalogue
counts the persons active in a year, `participants`) and `yoy_pct` (the
change in started participations; the catalogue's change is of
participants).

The peers compute less than finsam: no refusal of repeated rows, no row
rules, and no persons active in each year (which counts every participation
in each year it runs, some 1.6 years each). `polars_contract` is polars doing
all of that too (`contract_extras`: idiomatic lazy queries, checked against
finsam's participants, cell by cell, before timing): the comparison of like
with like. Its `mem` frame holds every column, as finsam's does, since a
repeat is a row equal in every column.

Peak memory is each cell's own: a child inherits its parent's `ru_maxrss`
across fork and exec on Linux, so the parent never loads data itself (the
data are generated, and the check runs, in children of their own) and stays
at a few tens of MB, below every cell's peak.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PEER_DIR = ROOT.parent / "shared" / "peer-bench"
DATA_DIR = Path(os.environ.get("FINSAM_PEER_DATA", ROOT / "target" / "peer-bench-data"))
REPS = {"100k": 9, "1m": 7, "10m": 5}
KON = {"kvinna": "K", "man": "M"}


def peer_modules():
    sys.path.insert(0, str(PEER_DIR))
    import gen  # type: ignore[import-not-found]
    import peers  # type: ignore[import-not-found]

    gen.DATA_DIR = str(DATA_DIR)
    peers.DATA_DIR = str(DATA_DIR)
    return gen, peers


def ensure_data(sizes: list[str]) -> None:
    """Generates missing data in a child process (see the module's note on memory)."""
    missing = [n for n in sizes if not (DATA_DIR / f"participations_{n}.csv").exists()]
    if missing:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, __file__, "--generate", *missing], check=True)


def generate(sizes: list[str]) -> None:
    gen, _ = peer_modules()
    gen.main(["--sizes", *sizes])


def peer_years() -> tuple[int, int]:
    """The years of the peer data, through gen.py's last day: a state
    counted as it is read needs its years before it reads a row."""
    import numpy as np

    gen, _ = peer_modules()
    return (1900, int(str(np.datetime64(int(gen.END_OF_DATA), "D"))[:4]))


def engine_tables(source, years: tuple[int, int]) -> list:
    """The indicator set through the one engine: one mergeable state by
    förbund × kön (with person sets), counted as the frame or file is read
    (no extract held), and the tables of A–C finished from it (outcome
    shares by kön and by förbund, benefit days by kön, participants with
    started and the change)."""
    import finsam

    state = finsam.partial(source, years=years)
    return [
        finsam.outcome_rates(state, by="kon"),
        finsam.outcome_rates(state, by="forbund"),
        finsam.benefit_days(state, by="kon"),
        finsam.participants(state),
    ]


def finsam_runner(n: str, mode: str):
    import polars as pl

    _, peers = peer_modules()
    years = peer_years()
    # The whole extract, as the CSV mode reads it: without insats_id two
    # participations of one person in one förbund on the same days are the
    # same row, which finsam refuses as a repeat (it cannot tell them apart).
    if mode == "mem":
        df = pl.read_parquet(peers.path_for(n, "parquet"))
        return lambda: engine_tables(df, years), df
    if mode == "mem_pandas":
        import pandas as pd

        df = pd.read_parquet(peers.path_for(n, "parquet"), to_pandas_kwargs={"date_as_object": False})
        return lambda: engine_tables(df, years), df
    if mode == "csv":
        return lambda: engine_tables(str(peers.path_for(n, "csv")), years), None
    if mode == "parquet":
        # Read natively and streamed, row group by row group (no frame held).
        return lambda: engine_tables(str(peers.path_for(n, "parquet")), years), None
    raise SystemExit(f"unknown finsam mode {mode}")


# The statuses of the peer data (finsam's codes for status_efter).
STATUSES = ["arbete", "studier", "arbetssokande", "fortsatt_insats", "sjukskriven", "flyttat", "annat", "okand"]


def contract_extras(lf, years: tuple[int, int]) -> dict:
    """What finsam does beyond the peers' indicator set, written in polars:
    the refusal of a row repeated in every column, the row rules (a missing
    required field, an end before its start, a status without an end, an
    unknown kön or status, benefit days outside 0–366), and the catalogue's
    participants: the distinct persons active in each year (from the start
    year through the end year, an ongoing participation through the
    cut-off, the latest date), by förbund × kön and in all, with the
    participations and starts of each year. (finsam also leaves out rows
    ended as felregistrering; the peer data have no avslutsanledning.)"""
    import polars as pl

    first, last = years
    cutoff = pl.max_horizontal(pl.col("startdatum").max(), pl.col("slutdatum").max())
    days = [f"{b}_{w}" for b in ("sp_rp", "ae", "se") for w in ("fore", "efter")]
    required = ["deltagare_id", "forbund_id", "kon", "startdatum"]
    broken = (
        pl.any_horizontal([pl.col(c).is_null() for c in required])
        | (pl.col("slutdatum") < pl.col("startdatum")).fill_null(False)
        | (pl.col("slutdatum").is_null() & pl.col("status_efter").is_not_null())
        | ~pl.col("kon").is_in(["K", "M"]).fill_null(False)
        | ~(pl.col("status_efter").is_in(STATUSES) | pl.col("status_efter").is_null())
        | pl.any_horizontal([~pl.col(d).is_between(0, 366).fill_null(True) for d in days])
    )
    checks = lf.select(repeats=pl.struct(pl.all()).is_duplicated().sum(), broken=broken.sum())
    active = (
        lf.with_columns(
            start_year=pl.col("startdatum").dt.year(),
            first=pl.max_horizontal(pl.col("startdatum").dt.year(), pl.lit(first)),
            last=pl.min_horizontal(pl.coalesce(pl.col("slutdatum"), cutoff).dt.year(), pl.lit(last)),
        )
        .filter(pl.col("first") <= pl.col("last"))
        .select("deltagare_id", "forbund_id", "kon", "start_year", ar=pl.int_ranges("first", pl.col("last") + 1))
        .explode("ar")
    )
    by_cell = active.group_by("ar", "forbund_id", "kon").agg(
        deltagare=pl.col("deltagare_id").n_unique(), deltaganden=pl.len()
    )
    national = active.group_by("ar").agg(
        deltagare=pl.col("deltagare_id").n_unique(),
        deltaganden=pl.len(),
        startade=(pl.col("ar") == pl.col("start_year")).sum(),
    )
    checked, by_cell, national = pl.collect_all([checks, by_cell, national.sort("ar")])
    if checked["repeats"][0] or checked["broken"][0]:
        raise SystemExit(f"the data break finsam's rules: {checked.to_dicts()}")
    return {"by_cell": by_cell, "national": national}


def contract_runner(n: str, mode: str):
    """polars doing what finsam does: the peers' indicator set and
    [`contract_extras`] on one frame, loaded untimed (mem: every column, as
    finsam reads it) or read from the CSV file once, in the timed part."""
    import polars as pl

    _, peers = peer_modules()
    years = peer_years()

    def both(df):
        return peers.pl_compute(df.lazy()), contract_extras(df.lazy(), years)

    if mode == "mem":
        df = pl.read_parquet(peers.path_for(n, "parquet"))
        return lambda: both(df), df
    if mode == "csv":
        return lambda: both(peers.pl_load_csv_lazy(peers.path_for(n, "csv")).collect()), None
    raise SystemExit(f"unknown polars_contract mode {mode}")


def one(tool: str, n: str, mode: str, reps: int) -> dict:
    """Times one cell in this process; returns medians and peak RSS."""
    import scipy.stats  # noqa: F401  (the peers import it too)

    if tool == "finsam":
        fn, _held = finsam_runner(n, mode)
    elif tool == "polars_contract":
        fn, _held = contract_runner(n, mode)
    else:
        _, peers = peer_modules()
        fn, _held = peers.make_runner(tool, n, mode)
    fn()
    gc.collect()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
        del out
        gc.collect()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"tool": tool, "n": n, "mode": mode, "median_ms": statistics.median(times), "times_ms": times, "peak_mb": peak}


def check(n: str) -> dict:
    """finsam's tables against the polars peer's, on the same file."""
    import numpy as np

    _, peers = peer_modules()
    ref = peers.to_comparable(peers.pl_compute(peers.pl_load_parquet_lazy(peers.path_for(n, "parquet"))))
    by_kon, by_forbund, days, participants = engine_tables(str(peers.path_for(n, "csv")), peer_years())

    def rows(table):
        """The table's own rows (not its totals), its ended participations
        as the peers count them (with a status or without), kön as K/M."""
        df = table.to_pandas()
        df = df[df["summerat"] == ""].copy()
        if "utan_status" in df:
            df["n_avslutade"] = df["n"] + df["utan_status"]
        if "kon" in df:
            df["kon"] = df["kon"].map(KON)
        return df.rename(columns={"forbund": "forbund_id"})

    shares = {"n_avslutade": "n_avslutade", "andel_as": "andel_arbete_studier", "as_lo": "andel_arbete_studier_lo",
              "as_hi": "andel_arbete_studier_hi"}
    pairs = {
        "A_kon": (rows(by_kon), ["ar", "kon"], {**shares,
                                                               "andel_asa": "andel_arbete_studier_sokande",
                                                               "asa_lo": "andel_arbete_studier_sokande_lo",
                                                               "asa_hi": "andel_arbete_studier_sokande_hi"}),
        "A_forbund": (rows(by_forbund), ["ar", "forbund_id"], shares),
        "B": (rows(days).pivot(index=["ar", "kon"], columns="grupp", values=["medel_diff", "medel_diff_lo",
                                                                                         "medel_diff_hi"]),
              ["ar", "kon"], {"sp_rp_mean": ("medel_diff", "sp_rp"), "sp_rp_lo": ("medel_diff_lo", "sp_rp"),
                              "sp_rp_hi": ("medel_diff_hi", "sp_rp"), "ae_mean": ("medel_diff", "ae"),
                              "se_mean": ("medel_diff", "sa"), "se_hi": ("medel_diff_hi", "sa")}),
        "C": (participants.to_pandas(), ["ar"], {"n_startade": "startade"}),
    }
    report = {}
    for name, (mine, keys, cols) in pairs.items():
        theirs = ref[name].set_index(keys)
        if name != "B":
            mine = mine.astype({k: theirs.index.get_level_values(k).dtype for k in keys}).set_index(keys)
        # The peers' rows are those with an ended (A, B) or started (C)
        # participation; finsam also has the cells of ongoing ones.
        missing = set(theirs.index) - set(mine.index)
        assert not missing, f"{name}: finsam lacks {sorted(missing)[:5]}"
        mine = mine.loc[theirs.index]
        worst, extra = 0.0, 0
        for peer_col, col in cols.items():
            a, b = theirs[peer_col].to_numpy(float), mine[col].to_numpy(float)
            assert not (np.isnan(a) & ~np.isnan(b)).any(), f"{name}.{col}: finsam shows a cell the peer withholds"
            both = ~np.isnan(a) & ~np.isnan(b)
            worst = max(worst, float(np.max(np.abs(a[both] - b[both]), initial=0.0)))
            extra += int((~np.isnan(a) & np.isnan(b)).sum())
        assert worst < 1e-9, f"{name}: max abs diff {worst}"
        report[name] = {"max_abs_diff": worst, "cells_finsam_withholds_more": extra}
    report["participants"] = check_contract(n, participants)
    return report


def check_contract(n: str, participants) -> dict:
    """The participants of `contract_extras` against finsam's, in all and
    by förbund × kön: the same years and cells on both sides, and equal
    counts in every cell finsam shows (it withholds small ones)."""
    import finsam
    import pandas as pd
    import polars as pl

    _, peers = peer_modules()
    frame = pl.read_parquet(peers.path_for(n, "parquet"))
    theirs = contract_extras(frame.lazy(), peer_years())
    by_cell = finsam.participants(finsam.partial(frame, years=peer_years()), by=["forbund", "kon"]).to_pandas()
    by_cell = by_cell[by_cell["summerat"] == ""].copy()
    by_cell["kon"] = by_cell["kon"].map(KON)
    sides = [
        (participants.to_pandas().set_index("ar"), theirs["national"], ["ar"], ["deltagare", "deltaganden", "startade"]),
        (by_cell.astype({"forbund": "int64"}).set_index(["ar", "forbund", "kon"]), theirs["by_cell"],
         ["ar", "forbund_id", "kon"], ["deltagare", "deltaganden"]),
    ]
    compared, withheld = 0, 0
    for mine, polars_rows, keys, columns in sides:
        rows = {tuple(r[k] for k in keys): r for r in polars_rows.iter_rows(named=True)}
        mine_keys = {k if isinstance(k, tuple) else (k,) for k in mine.index}
        assert mine_keys == set(rows), f"cells only one side has: {sorted(mine_keys ^ set(rows))[:5]}"
        for key, row in rows.items():
            for col in columns:
                shown = mine.at[key if len(key) > 1 else key[0], col]
                if pd.isna(shown):
                    withheld += 1
                    continue
                assert shown == row[col], f"participants {key} {col}: finsam {shown}, polars {row[col]}"
                compared += 1
    assert compared > withheld, f"only {compared} cells compared, {withheld} withheld"
    return {"cells_equal": compared, "cells_finsam_withholds": withheld}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", default=["1m", "10m"])
    ap.add_argument("--peers", nargs="+", default=["polars", "polars_contract", "pandas"])
    ap.add_argument("--one", nargs=3, metavar=("TOOL", "N", "MODE"))
    ap.add_argument("--generate", nargs="+", metavar="N")
    ap.add_argument("--check", metavar="N")
    ap.add_argument("--reps", type=int)
    ap.add_argument("--no-check", action="store_true")
    a = ap.parse_args()
    if a.generate:
        generate(a.generate)
        return 0
    if a.check:
        print(json.dumps(check(a.check)))
        return 0
    if a.one:
        tool, n, mode = a.one
        print(json.dumps(one(tool, n, mode, a.reps or REPS[n])))
        return 0
    ensure_data(a.sizes)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"parent peak {own:.0f} MB (every cell's peak is at least this)", flush=True)
    rows = []
    for n in a.sizes:
        if not a.no_check:
            out = subprocess.run([sys.executable, __file__, "--check", n], capture_output=True, text=True, check=True)
            print(f"check {n}: {out.stdout.strip().splitlines()[-1]}", flush=True)
        cells = [("finsam", "mem"), ("finsam", "mem_pandas"), ("finsam", "csv")]
        cells += [(p, m) for p in a.peers for m in ("mem", "csv")]
        for tool, mode in cells:
            if tool == "finsam" and mode == "mem_pandas" and "pandas" not in a.peers:
                continue
            cmd = [sys.executable, __file__, "--one", tool, n, mode] + (["--reps", str(a.reps)] if a.reps else [])
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
            rec = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append(rec)
            print(f"{tool:15s} {n:4s} {mode:10s} median {rec['median_ms']:9.1f} ms  peak {rec['peak_mb']:7.0f} MB", flush=True)
    print("\n| N | mode | finsam ms | finsam peak MB | peer | peer ms | peer peak MB | peer / finsam |")
    print("|---:|---|---:|---:|---|---:|---:|---:|")
    by = {(r["tool"], r["n"], r["mode"]): r for r in rows}
    for n in a.sizes:
        for peer in a.peers:
            for mode in ("mem", "csv"):
                fm = "mem_pandas" if (peer == "pandas" and mode == "mem") else mode
                f, p = by.get(("finsam", n, fm)), by.get((peer, n, mode))
                if f and p:
                    print(f"| {n} | {fm} | {f['median_ms']:.0f} | {f['peak_mb']:.0f} | {peer} | {p['median_ms']:.0f} | "
                          f"{p['peak_mb']:.0f} | {p['median_ms'] / f['median_ms']:.1f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
