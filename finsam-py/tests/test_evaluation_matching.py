"""finsam.evaluation.match against R's MatchIt, propensity against
statsmodels, and the typed errors.

The MatchIt results are committed fixtures (tests/reference/matchit_*.csv,
written by tests/reference/matchit.R; R is not available in CI). Matches,
weights and subclasses must be identical; distances and statistics agree
to 1e-10 (R's glm stops at its deviance tolerance, ~1e-13 here).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import finsam
from finsam.evaluation import match, propensity

REF = Path(__file__).parent / "reference"
COVARIATES = ["alder", "kon", "utbildning", "dagar_fore", "forsorjning"]
CONFIGS: dict[str, dict[str, Any]] = {
    "nearest": {},
    "ratio2": {"ratio": 2},
    "replace": {"replace": True},
    "caliper": {"caliper": 0.2},
    "exact": {"exact": ["utbildning"]},
    "smallest": {"order": "smallest"},
    "data_order": {"order": "data"},
    "linear_logit": {"distance": "linear.logit"},
    "ratio3_replace_caliper": {"ratio": 3, "replace": True, "caliper": 0.1},
    "exact_caliper_ratio2": {"exact": ["kon"], "caliper": 0.25, "ratio": 2, "order": "smallest"},
    "cem": {"method": "cem"},
}
TOL = 1e-10


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "matching_data.csv")


def reference(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"matchit_{name}.csv", na_values=["NA"])


def values(xs: list[float | None] | list[int | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in xs], dtype=float)


@pytest.mark.parametrize("config", CONFIGS)
def test_rows_match_matchit(data: pd.DataFrame, config: str) -> None:
    r = reference("rows").query("config == @config")
    m = match(data, treatment="treat", covariates=COVARIATES, **CONFIGS[config])
    np.testing.assert_allclose(values(m.distance), r.distance.to_numpy(), rtol=0, atol=TOL, equal_nan=True)
    np.testing.assert_allclose(np.array(m.weights), r.weights.to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(values(m.subclass), r.subclass.to_numpy())


@pytest.mark.parametrize("config", CONFIGS)
def test_balance_matches_summary(data: pd.DataFrame, config: str) -> None:
    ref = reference("balance").query("config == @config")
    table = match(data, treatment="treat", covariates=COVARIATES, **CONFIGS[config]).balance()
    rows = {d["variable"]: d for d in table.to_dicts()}
    assert list(rows) == list(ref.query("stage == 'all'").variable)
    stats = ["means_treated", "means_control", "smd", "variance_ratio", "ecdf_mean", "ecdf_max"]
    for _, r in ref.iterrows():
        ours = rows[r.variable]
        suffix = "before" if r.stage == "all" else "after"
        names = [*stats, "pair_distance"] if suffix == "after" else stats
        for stat in names:
            got = ours[f"{stat}_{suffix}"]
            want = r[stat]
            if np.isnan(want):
                assert got is None, (config, r.variable, stat)
            else:
                assert got == pytest.approx(want, abs=TOL), (config, r.variable, stat, suffix)


@pytest.mark.parametrize("config", CONFIGS)
def test_counts_match_nn(data: pd.DataFrame, config: str) -> None:
    ref = reference("counts").query("config == @config").set_index("what")
    m = match(data, treatment="treat", covariates=COVARIATES, **CONFIGS[config])
    assert (m.n_control_before, m.n_treated_before) == tuple(ref.loc["All", ["control", "treated"]].astype(int))
    assert (m.n_control_after, m.n_treated_after) == tuple(ref.loc["Matched", ["control", "treated"]].astype(int))
    d = m.dropped
    unmatched_t = d["treated_unmatched"] + d["treated_outside_caliper"] + d["treated_no_exact_match"]
    unmatched_c = d["control_unmatched"] + d["control_no_exact_match"]
    assert (unmatched_c, unmatched_t) == tuple(ref.loc["Unmatched", ["control", "treated"]].astype(int))


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("adjusted", [False, True])
def test_effect_matches_lm_vcovcl_coeftest(data: pd.DataFrame, config: str, adjusted: bool) -> None:
    ref = reference("effects").query("config == @config and covariates == @adjusted").iloc[0]
    m = match(data, treatment="treat", covariates=COVARIATES, **CONFIGS[config])
    e = m.effect("y", covariates=COVARIATES if adjusted else None, level=0.95)
    for name in ["estimate", "se", "lo", "hi"]:
        assert getattr(e, name) == pytest.approx(ref[name], abs=1e-9), name
    assert e.df == ref.df
    assert e.clusters == ref.clusters


def test_matched_rows_carry_weights_and_subclass(data: pd.DataFrame) -> None:
    m = match(data, treatment="treat", covariates=COVARIATES, ratio=2)
    t = m.matched()
    assert t.num_rows == m.n_treated_after + m.n_control_after
    assert t.column_names[-2:] == ["weights", "subclass"]
    assert t.column("id").to_pylist()[:3] == [i + 1 for i, w in enumerate(m.weights) if w > 0][:3]
    assert m.config["ratio"] == 2 and m.config["method"] == "nearest"


def test_random_order_is_reproducible_with_its_seed(data: pd.DataFrame) -> None:
    a = match(data, treatment="treat", covariates=COVARIATES, order="random", seed=7)
    b = match(data, treatment="treat", covariates=COVARIATES, order="random", seed=7)
    assert a.weights == b.weights and a.seed == 7


def test_propensity_agrees_with_statsmodels() -> None:
    rng = np.random.default_rng(3)
    n = 600
    df = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.uniform(size=n), "g": rng.choice(["a", "b", "c"], n)})
    eta = -0.5 + 0.8 * df.x1 - 1.2 * df.x2 + 0.5 * (df.g == "b")
    df["t"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(int)
    p = propensity(df, treatment="t", covariates=["x1", "x2", "g"])
    X = sm.add_constant(pd.get_dummies(df[["x1", "x2", "g"]], drop_first=True, dtype=float))
    fit = sm.Logit(df.t, X).fit(disp=0, tol=1e-14, maxiter=100)
    ours = dict(p.coefficients)
    assert list(ours) == ["(Intercept)", "x1", "x2", "gb", "gc"]
    np.testing.assert_allclose(list(ours.values()), fit.params.to_numpy(), rtol=0, atol=1e-8)
    np.testing.assert_allclose(values(p.score), fit.predict(X).to_numpy(), rtol=0, atol=1e-8)


def test_missing_covariates_are_dropped_and_counted(data: pd.DataFrame) -> None:
    df = data.copy()
    df.loc[[0, 1, 2], "alder"] = np.nan
    m = match(df, treatment="treat", covariates=COVARIATES)
    assert m.dropped["missing"] == 3
    assert m.distance[0] is None and m.weights[0] == 0
    assert propensity(df, treatment="treat", covariates=COVARIATES).dropped_missing == 3


def test_errors_are_typed(data: pd.DataFrame) -> None:
    with pytest.raises(finsam.ArgumentError, match="ratio"):
        match(data, treatment="treat", covariates=COVARIATES, ratio=0)
    with pytest.raises(finsam.ArgumentError, match="order"):
        match(data, treatment="treat", covariates=COVARIATES, order="biggest")  # type: ignore[arg-type]
    with pytest.raises(finsam.ArgumentError, match="caliper"):
        match(data, treatment="treat", covariates=COVARIATES, caliper=-1.0)
    with pytest.raises(finsam.ArgumentError, match="seed"):
        match(data, treatment="treat", covariates=COVARIATES, order="random")
    with pytest.raises(finsam.ArgumentError, match="ratio"):
        match(data, treatment="treat", covariates=COVARIATES, method="cem", ratio=2)
    with pytest.raises(finsam.ArgumentError, match="treatment"):
        match(data.assign(treat=data.treat * 2), treatment="treat", covariates=COVARIATES)
    with pytest.raises(finsam.EstimationError) as e:
        match(data.assign(treat=0), treatment="treat", covariates=COVARIATES)
    assert e.value.code == "not_identified"
    with pytest.raises(finsam.EstimationError) as e:
        match(data, treatment="treat", covariates=COVARIATES, caliper=1e-9)
    assert e.value.code == "no_overlap"
    with pytest.raises(finsam.EstimationError) as e:
        match(data.assign(z=data.alder * 2), treatment="treat", covariates=["alder", "z"])
    assert e.value.code == "singular_design"


def test_any_arrow_source_gives_the_same_match(data: pd.DataFrame) -> None:
    import polars as pl
    import pyarrow as pa

    want = match(data, treatment="treat", covariates=COVARIATES, ratio=2).weights
    for frame in (pl.from_pandas(data), pa.Table.from_pandas(data)):
        assert match(frame, treatment="treat", covariates=COVARIATES, ratio=2).weights == want
