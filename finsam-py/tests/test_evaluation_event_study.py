"""Person-level event studies and 2×2 DiD against statsmodels.

The reference is an independent computation: for each period k the weighted
least-squares regression of y_k − y_ref on the treatment indicator
(statsmodels ``WLS``) with cluster-robust errors (``cov_type="cluster"``,
whose default small-sample correction G/(G−1)·(N−1)/(N−K) is CR1, as R's
``sandwich::vcovCL``). Tolerance 1e-9 (both are direct least-squares
solutions in double precision).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
import statsmodels.api as sm
from scipy import stats

import finsam
from finsam import evaluation as ev


def _panel(n: int, seed: int, effect: float = -3.0, missing: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n), 7)
    time = np.tile(np.arange(-3, 4), n)
    treated = (unit % 3 == 0).astype(int)
    level = rng.normal(0, 5, n)[unit] + 2 * treated
    y = level + 0.5 * time + effect * treated * (time >= 0) + rng.normal(0, 1, len(unit))
    frame = pd.DataFrame({"unit": unit, "time": time, "treated": treated, "y": y})
    frame["w"] = np.where(treated == 1, 1.0, rng.choice([0.0, 0.5, 1.0, 2.0], n)[unit])
    frame["set"] = (unit // 4).astype(str)
    if missing:
        frame.loc[rng.random(len(frame)) < missing, "y"] = np.nan
    return frame


def _reference(frame: pd.DataFrame, k: int, ref: int, weights: str | None, cluster: str) -> tuple[float, float, int]:
    wide = frame.pivot(index="unit", columns="time", values="y")
    unit_level = frame.groupby("unit").first()
    d = (wide[k] - wide[ref]).dropna()
    u = unit_level.loc[d.index]
    w = u[weights] if weights else pd.Series(1.0, index=u.index)
    keep = w > 0
    d, u, w = d[keep], u[keep], w[keep]
    groups = pd.factorize(u[cluster] if cluster != "unit" else u.index)[0]
    fit = sm.WLS(d.to_numpy(), sm.add_constant(u["treated"].to_numpy().astype(float)), weights=w.to_numpy()).fit(
        cov_type="cluster", cov_kwds={"groups": groups}
    )
    return float(fit.params[1]), float(fit.bse[1]), int(len(np.unique(groups)))


@pytest.mark.parametrize("weights,cluster,missing", [(None, "unit", 0.0), ("w", "set", 0.0), ("w", "unit", 0.1)])
def test_event_study_agrees_with_statsmodels_clustered_wls(weights, cluster, missing):
    frame = _panel(600, seed=11, missing=missing)
    result = ev.event_study(
        frame, unit="unit", time="time", treated="treated", outcome="y",
        weights=weights, cluster=None if cluster == "unit" else cluster,
    )
    effects = dict(result.effects())
    assert effects[-1] is None
    for k in [-3, -2, 0, 1, 2, 3]:
        estimate, se, clusters = _reference(frame, k, -1, weights, cluster)
        got = effects[k]
        assert got is not None
        assert got.estimate == pytest.approx(estimate, abs=1e-9)
        assert got.se == pytest.approx(se, abs=1e-9)
        t = stats.t.ppf(0.975, clusters - 1)
        assert got.lo == pytest.approx(estimate - t * se, abs=1e-9)
        assert got.hi == pytest.approx(estimate + t * se, abs=1e-9)


def test_the_2x2_agrees_with_statsmodels_and_recovers_the_planted_effect():
    frame = _panel(3000, seed=5, effect=-3.0)
    did = ev.did(frame, unit="unit", time="time", treated="treated", outcome="y", pre=(-3, -1), post=(0, 3))
    wide = frame.pivot(index="unit", columns="time", values="y")
    d = wide[[0, 1, 2, 3]].mean(axis=1) - wide[[-3, -2, -1]].mean(axis=1)
    treated = frame.groupby("unit")["treated"].first().to_numpy().astype(float)
    fit = sm.OLS(d.to_numpy(), sm.add_constant(treated)).fit(cov_type="cluster", cov_kwds={"groups": np.arange(len(d))})
    assert did.estimate == pytest.approx(fit.params[1], abs=1e-9)
    assert did.se == pytest.approx(fit.bse[1], abs=1e-9)
    assert did.lo < -3.0 < did.hi
    assert (did.n_treated, did.n_control) == (1000, 2000)


def test_pandas_and_polars_frames_give_the_same_estimates():
    frame = _panel(90, seed=2)
    a = ev.event_study(frame, unit="unit", time="time", treated="treated", outcome="y").effects()
    b = ev.event_study(pl.from_pandas(frame), unit="unit", time="time", treated="treated", outcome="y").effects()
    assert [(t, e and (e.estimate, e.se)) for t, e in a] == [(t, e and (e.estimate, e.se)) for t, e in b]


def test_the_table_withholds_small_groups_and_their_estimates():
    frame = _panel(12, seed=3)  # 4 treated units
    table = ev.event_study(frame, unit="unit", time="time", treated="treated", outcome="y").table()
    df = table.to_pandas()
    assert df["n_behandlade"].isna().all() and df["effekt"].isna().all()
    shown = ev.event_study(frame, unit="unit", time="time", treated="treated", outcome="y", suppress=False).table()
    assert shown.to_pandas()["n_behandlade"].tolist() == [4] * 7


def test_bad_input_raises_typed_errors():
    frame = _panel(30, seed=1)
    with pytest.raises(finsam.ArgumentError, match="level"):
        ev.event_study(frame, unit="unit", time="time", treated="treated", outcome="y", level=95)
    with pytest.raises(finsam.InputError) as e:
        ev.event_study(frame, unit="unit", time="time", treated="treated", outcome="nope")
    assert e.value.code == "missing_column"
    with pytest.raises(finsam.EstimationError) as e2:
        ev.did(frame.assign(treated=0), unit="unit", time="time", treated="treated", outcome="y", pre=(-3, -1), post=(0, 3))
    assert e2.value.code == "not_identified"
