"""Staggered difference-in-differences (``finsam.evaluation.att_gt``) against
``csdid``, the Python port of R's ``did``, and R ``did``'s own published
``mpdta`` figures.

``csdid`` 0.4.3 (with ``drdid`` 1.1.7) follows ``did`` 2.5: the same 2×2
panel estimators of ``DRDID``, the same influence-function standard errors
(``sqrt(mean(IF²)/n)``), the same ``aggte`` weights and share-influence term.
Tolerance 1e-8 on every ATT(g,t), standard error, aggregated estimate and
Wald statistic: both solve the same closed forms in double precision, and
the only iterative step (the propensity logit) converges to ~1e-12 in both,
so they agree to ~1e-12 in practice.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

import finsam
from finsam import evaluation as ev

csdid = pytest.importorskip("csdid.att_gt")

TOL = 1e-8
CONTROL = {"never_treated": "nevertreated", "not_yet_treated": "notyettreated"}


def _panel(n: int, periods: int, seed: int, never: float = 0.3) -> pd.DataFrame:
    """Units in cohorts first treated in 3, 4 or 6 (or never), with unit
    effects, covariate-dependent trends and dynamic effects."""
    rng = np.random.default_rng(seed)
    cohorts = np.array([0, 3, 4, 6])
    g = rng.choice(cohorts, n, p=[never] + [(1 - never) / 3] * 3)
    x1 = rng.normal(0, 1, n)
    region = rng.choice(["norr", "mitt", "syd"], n)
    unit = np.repeat(np.arange(1, n + 1), periods)
    t = np.tile(np.arange(1, periods + 1), n)
    gi = g[unit - 1]
    level = rng.normal(0, 1, n)[unit - 1] + 0.5 * x1[unit - 1]
    effect = np.where((gi > 0) & (t >= gi), 1.0 + 0.3 * (t - gi), 0.0)
    trend = 0.2 * t + 0.3 * x1[unit - 1] * t + 0.1 * (region[unit - 1] == "syd") * t
    y = level + trend + effect + rng.normal(0, 1, len(unit))
    # A time-varying covariate: did takes it in the earlier period of each 2×2.
    xt = x1[unit - 1] + 0.2 * t * rng.normal(0, 1, len(unit))
    return pd.DataFrame(
        {"id": unit, "t": t, "g": gi, "y": y, "x1": x1[unit - 1], "region": region[unit - 1], "xt": xt}
    )


def _csdid(frame, control, method, base, covariates, anticipation=0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = csdid.ATTgt(
            yname="y", tname="t", idname="id", gname="g", data=frame, control_group=CONTROL[control],
            xformla=None if covariates is None else "~" + "+".join(covariates), anticipation=anticipation,
        ).fit(est_method=method, base_period=base, bstrap=False)
    return model


def _close(ours, theirs, what):
    ours = np.array([np.nan if v is None else v for v in ours], dtype=float)
    theirs = np.asarray(theirs, dtype=float)
    assert ours.shape == theirs.shape, what
    # A missing standard error (the universal base cell) is missing in both.
    assert np.array_equal(np.isnan(ours), np.isnan(theirs)), what
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOL, equal_nan=True, err_msg=what)


CASES = [
    (control, method, base, covariates)
    for control in ("never_treated", "not_yet_treated")
    for method in ("dr", "ipw", "reg")
    for base in ("varying", "universal")
    for covariates in (None, ["x1", "region"])
]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("control,method,base,covariates", CASES)
def test_att_gt_and_aggregations_agree_with_csdid(seed, control, method, base, covariates):
    frame = _panel(300 + 50 * seed, 7, seed)
    ref = _csdid(frame, control, method, base, covariates)
    ours = ev.att_gt(
        frame, outcome="y", unit="id", time="t", group="g", covariates=covariates,
        control=control, method=method, base_period=base,
    )
    cells = ours.cells()
    assert [(g, t) for g, t, _, _ in cells] == list(zip(ref.results["group"], ref.results["year"], strict=True))
    _close([c[2] for c in cells], ref.results["att"], "att")
    _close([c[3] for c in cells], ref.results["se"], "se")

    for kind in ("simple", "group", "dynamic", "calendar"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref.aggte(typec=kind, bstrap=False, cband=False)
        agg = ours.aggregate(kind)
        assert agg.overall is not None
        _close([agg.overall.estimate], [ref.atte["overall_att"]], f"{kind} overall att")
        _close([agg.overall.se], [ref.atte["overall_se"]], f"{kind} overall se")
        if kind != "simple":
            rows = agg.rows()
            _close([r[0] for r in rows], ref.atte["egt"], f"{kind} keys")
            _close([r[1] for r in rows], ref.atte["att_egt"], f"{kind} att")
            _close([r[2] for r in rows], ref.atte["se_egt"], f"{kind} se")

    # The pre-trend Wald test: csdid rounds the p-value to 5 decimals, as R.
    test = ours.pretest()
    assert test.statistic == pytest.approx(ref.MP["W"], abs=TOL, rel=TOL)
    assert test.p_value == pytest.approx(ref.MP["Wpval"], abs=1e-5)


@pytest.mark.parametrize("control", ["never_treated", "not_yet_treated"])
@pytest.mark.parametrize("base", ["varying", "universal"])
@pytest.mark.parametrize("method", ["dr", "ipw", "reg"])
def test_time_varying_covariates_are_taken_in_the_earlier_period(control, method, base):
    frame = _panel(400, 6, seed=4)
    ref = _csdid(frame, control, method, base, ["xt"])
    ours = ev.att_gt(
        frame, outcome="y", unit="id", time="t", group="g", covariates=["xt"],
        control=control, method=method, base_period=base,
    )
    _close([c[2] for c in ours.cells()], ref.results["att"], "att")
    _close([c[3] for c in ours.cells()], ref.results["se"], "se")


@pytest.mark.parametrize("method", ["dr", "reg"])
def test_anticipation_agrees_with_csdid(method):
    frame = _panel(400, 8, seed=5)
    ref = _csdid(frame, "not_yet_treated", method, "varying", ["x1"], anticipation=1)
    ours = ev.att_gt(
        frame, outcome="y", unit="id", time="t", group="g", covariates=["x1"],
        control="not_yet_treated", method=method, anticipation=1,
    )
    _close([c[2] for c in ours.cells()], ref.results["att"], "att")
    _close([c[3] for c in ours.cells()], ref.results["se"], "se")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.aggte(typec="dynamic", bstrap=False, cband=False)
    agg = ours.aggregate("dynamic")
    _close([r[1] for r in agg.rows()], ref.atte["att_egt"], "dynamic att")
    _close([r[2] for r in agg.rows()], ref.atte["se_egt"], "dynamic se")
    # Where csdid and R differ: R's att_gt tests the cells with g > t
    # (`pre <- which(group > tt)`), anticipation cells g − a ≤ t < g
    # included; csdid drops those (g − a > t). finsam follows R, so the
    # degrees of freedom are csdid's plus the anticipation cells.
    cells = ours.cells()
    r_pre = sum(1 for g, t, _, se in cells if g > t and se is not None)
    assert ours.pretest().df == r_pre
    assert r_pre > sum(1 for g, t, _, se in cells if g - 1 > t and se is not None)


def test_unbalanced_panel_is_balanced_by_dropping_units_as_did():
    frame = _panel(300, 6, seed=7)
    gone = frame.sample(frac=0.02, random_state=3).index
    unbalanced = frame.drop(gone)
    dropped_units = unbalanced["id"].nunique() - (unbalanced.groupby("id").size() == 6).sum()
    ours = ev.att_gt(unbalanced, outcome="y", unit="id", time="t", group="g")
    assert ("units not observed in every period (the panel is balanced as `did` does)", dropped_units) in ours.dropped
    assert ours.units == 300 - dropped_units
    keep = unbalanced.groupby("id")["t"].transform("size") == 6
    ref = _csdid(unbalanced[keep], "never_treated", "dr", "varying", None)
    _close([c[2] for c in ours.cells()], ref.results["att"], "att")
    _close([c[3] for c in ours.cells()], ref.results["se"], "se")


MPDTA = Path(__file__).parent / "data" / "mpdta.csv"


def test_mpdta_matches_r_did_readme():
    """R ``did``'s README (did 2.5.1): ``att_gt(yname = "lemp", gname =
    "first.treat", idname = "countyreal", tname = "year", xformla = ~1,
    data = mpdta, est_method = "reg")``. The ATTs and the pre-test p-value
    are deterministic and printed to 4 and 5 decimals; the README's standard
    errors come from the multiplier bootstrap (R's RNG), so they are compared
    with ours within 20 %: an interquartile-range standard error from 1000
    draws has a relative Monte Carlo error of about 4 %, in R's and in ours,
    so 20 % is about four standard deviations of their difference."""
    mpdta = pl.read_csv(MPDTA)
    out = ev.att_gt(mpdta, outcome="lemp", unit="countyreal", time="year", group="first.treat", method="reg")
    readme = {
        (2004, 2004): (-0.0105, 0.0246), (2004, 2005): (-0.0704, 0.0332), (2004, 2006): (-0.1373, 0.0397),
        (2004, 2007): (-0.1008, 0.0357), (2006, 2004): (0.0065, 0.0229), (2006, 2005): (-0.0028, 0.0197),
        (2006, 2006): (-0.0046, 0.0179), (2006, 2007): (-0.0412, 0.0192), (2007, 2004): (0.0305, 0.0154),
        (2007, 2005): (-0.0027, 0.0164), (2007, 2006): (-0.0311, 0.0184), (2007, 2007): (-0.0261, 0.0170),
    }
    cells = {(int(g), int(t)): (att, se) for g, t, att, se in out.cells()}
    assert cells.keys() == readme.keys()
    for key, (att, _) in readme.items():
        assert round(cells[key][0], 4) == att, key
    assert round(out.pretest().p_value, 5) == 0.16812
    assert out.units == 500

    dynamic = out.aggregate("dynamic")
    assert round(dynamic.overall.estimate, 4) == -0.0772
    assert [round(r[1], 4) for r in dynamic.rows()] == [0.0305, -0.0006, -0.0245, -0.0199, -0.0510, -0.1373, -0.1008]
    group = out.aggregate("group")
    assert round(group.overall.estimate, 3) == -0.031
    assert [round(r[1], 4) for r in group.rows()] == [-0.0797, -0.0229, -0.0261]

    boot = ev.att_gt(
        mpdta, outcome="lemp", unit="countyreal", time="year", group="first.treat", method="reg",
        bootstrap=1000, seed=20240101,
    )
    for g, t, _, se in boot.cells():
        assert se == pytest.approx(readme[(int(g), int(t))][1], rel=0.20)
    # The README's simultaneous band: (−0.0752 − −0.0105) / 0.0246 ≈ 2.63.
    assert 2.4 < boot.critical_value < 2.9


def test_mpdta_simple_att_dr():
    """``aggte(att_gt(... est_method = "dr"), type = "simple")`` on mpdta: −0.0400
    (R's documented value); the analytic standard error is 0.0120 (the
    0.0115 often quoted is a bootstrap draw)."""
    mpdta = pd.read_csv(MPDTA)
    out = ev.att_gt(mpdta, outcome="lemp", unit="countyreal", time="year", group="first.treat")
    simple = out.aggregate("simple").overall
    assert round(simple.estimate, 4) == -0.0400
    assert round(simple.se, 4) == 0.0120


def test_bootstrap_is_seeded_and_close_to_the_analytic_errors():
    frame = _panel(2000, 6, seed=9)
    kw = dict(outcome="y", unit="id", time="t", group="g", bootstrap=999, seed=42)
    a, b = ev.att_gt(frame, **kw), ev.att_gt(frame, **kw)
    assert a.cells() == b.cells() and a.critical_value == b.critical_value and a.seed == 42
    analytic = ev.att_gt(frame, outcome="y", unit="id", time="t", group="g")
    for (_, _, _, se_b), (_, _, _, se_a) in zip(a.cells(), analytic.cells(), strict=True):
        assert se_b == pytest.approx(se_a, rel=0.15)
    z = 1.959963984540054
    assert a.critical_value > z and analytic.critical_value == pytest.approx(z)
    dyn = a.aggregate("dynamic")
    assert dyn.critical_value >= z
    assert all(r[2] is not None for r in dyn.rows())


def test_table_and_result_attributes():
    frame = _panel(300, 6, seed=3)
    out = ev.att_gt(frame, outcome="y", unit="id", time="t", group="g", base_period="universal")
    table = out.table().to_pandas()
    # summerat: the aggregations' "overall" row is a total (null periods).
    assert list(table.columns)[:7] == ["group", "time", "summerat", "att", "se", "lo", "hi"]
    assert len(table) == len(out.cells())
    # The universal base cell: ATT 0, no standard error, no interval.
    base = table[(table["group"] == 4) & (table["time"] == 3)]
    assert base["att"].iloc[0] == 0.0 and pd.isna(base["se"].iloc[0]) and pd.isna(base["lo"].iloc[0])
    agg = out.aggregate("dynamic", min_e=-2, max_e=2)
    assert [r[0] for r in agg.rows()] == [-2.0, -1.0, 0.0, 1.0, 2.0]
    # The overall row is a total: its event time is null, and summerat says so.
    last = agg.table().to_pandas().iloc[-1]
    assert last["event_time"] is None or str(last["event_time"]) == "<NA>" or last["event_time"] != last["event_time"]
    assert last["summerat"] == "event_time"
    assert out.groups == [3.0, 4.0, 6.0] and out.periods == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert out.units == 300 and out.seed is None
    assert "AttGt(" in repr(out) and "Aggregate(" in repr(agg)


@pytest.mark.parametrize(
    "options,name",
    [
        ({"control": "never"}, "control"),
        ({"method": "ols"}, "method"),
        ({"base_period": "fixed"}, "base_period"),
        ({"anticipation": -1}, "anticipation"),
        ({"level": 1.5}, "level"),
        ({"bootstrap": 1}, "bootstrap"),
        ({"seed": 3}, "seed"),
    ],
)
def test_bad_options_name_the_option(options, name):
    frame = _panel(100, 5, seed=1)
    with pytest.raises(finsam.ArgumentError, match=name):
        ev.att_gt(frame, outcome="y", unit="id", time="t", group="g", **options)


def test_bad_aggregation_kind():
    out = ev.att_gt(_panel(100, 5, seed=1), outcome="y", unit="id", time="t", group="g")
    with pytest.raises(finsam.ArgumentError, match="kind"):
        out.aggregate("event")
    with pytest.raises(finsam.ArgumentError, match="min_e"):
        out.aggregate("group", min_e=-1)


def test_what_cannot_be_estimated_is_a_typed_error():
    frame = _panel(200, 6, seed=2, never=0.0)
    with pytest.raises(finsam.EstimationError) as err:
        ev.att_gt(frame, outcome="y", unit="id", time="t", group="g")
    assert err.value.code == "not_identified"
    # With not-yet-treated comparisons did drops the periods from the last
    # cohort's start; so does finsam, and says so.
    out = ev.att_gt(frame, outcome="y", unit="id", time="t", group="g", control="not_yet_treated")
    assert out.periods == [1.0, 2.0, 3.0, 4.0, 5.0] and out.groups == [3.0, 4.0]
    # A covariate that predicts treatment perfectly: no overlap.
    separated = _panel(200, 6, seed=2)
    separated["x1"] = (separated["g"] == 3).astype(float)
    with pytest.raises(finsam.EstimationError) as err:
        ev.att_gt(separated, outcome="y", unit="id", time="t", group="g", covariates=["x1"])
    assert err.value.code == "no_overlap"
