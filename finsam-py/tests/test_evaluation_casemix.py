"""Case-mix-adjusted comparison of units against statsmodels and scipy,
and against a truth planted in simulated data.

- The case-mix model's coefficients against statsmodels ``Logit`` and
  ``OLS``: 1e-8.
- Observed, expected, O/E and its exact interval (Clopper–Pearson from
  scipy's beta quantiles, times n/E) recomputed here from the statsmodels
  fit: 1e-8.
- A simulated set of 40 insatser with true effects and very different case
  mixes: the raw ranking is biased by case mix; the adjusted, shrunken one
  recovers the true order better (Spearman correlation reported in the
  assertion message), and the funnel flags the planted outliers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

import finsam
from finsam import evaluation as ev


def _insatser(seed: int, units: int = 40) -> tuple[pd.DataFrame, np.ndarray]:
    """Participations in `units` insatser. Each insats has a true effect
    (log-odds shift) and a case mix: the share of hard cases (many benefit
    days before) varies from 10 % to 90 %, and hard cases have much lower
    odds of work or studies. Two insatser are planted outliers."""
    rng = np.random.default_rng(seed)
    effect = rng.normal(0, 0.25, units)
    if units > 17:
        effect[[3, 17]] = [1.4, -1.4]
    hard_share = np.linspace(0.1, 0.9, units)
    rng.shuffle(hard_share)
    # Hard-case insatser also have slightly better true effects, so the raw
    # ranking (which punishes hard case mixes) is misleading.
    effect += 0.4 * (hard_share - 0.5)
    size = rng.integers(20, 400, units)
    rows = []
    for u in range(units):
        n = size[u]
        hard = rng.random(n) < hard_share[u]
        age = rng.integers(20, 64, n)
        kon = rng.choice(["Kvinna", "Man"], n)
        eta = -0.2 - 1.8 * hard - 0.01 * (age - 40) + 0.15 * (kon == "Man") + effect[u]
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
        rows.append(pd.DataFrame({"insats": f"i{u:02d}", "hard": hard.astype(float), "age": age, "kon": kon, "y": y}))
    return pd.concat(rows, ignore_index=True), effect


def test_the_case_mix_model_and_observed_expected_agree_with_statsmodels():
    frame, _ = _insatser(1)
    c = ev.compare_units(frame, outcome="y", unit="insats", case_mix=["hard", "age", "kon"], suppress=False)
    x = pd.get_dummies(frame[["hard", "age", "kon"]], columns=["kon"], drop_first=True, dtype=float)
    fit = sm.Logit(frame["y"], sm.add_constant(x)).fit(disp=0, tol=1e-14, maxiter=200)
    got = dict(c.coefficients)
    assert list(got) == ["(Intercept)", "hard", "age", "konMan"]
    np.testing.assert_allclose([got["(Intercept)"], got["hard"], got["age"], got["konMan"]], fit.params.to_numpy(), atol=1e-8)
    table = c.table().to_pandas().set_index("insats")
    frame["mu"] = fit.predict()
    per = frame.groupby("insats").agg(n=("y", "size"), o=("y", "sum"), e=("mu", "sum"))
    np.testing.assert_allclose(table.loc[per.index, "observerat"], per["o"], atol=1e-8)
    np.testing.assert_allclose(table.loc[per.index, "forvantat"], per["e"], atol=1e-8)
    np.testing.assert_allclose(table.loc[per.index, "kvot"], per["o"] / per["e"], atol=1e-8)
    # Clopper–Pearson for O of n, times n/E.
    lo = np.where(per["o"] > 0, stats.beta.ppf(0.025, per["o"], per["n"] - per["o"] + 1), 0) * per["n"] / per["e"]
    hi = np.where(per["o"] < per["n"], stats.beta.ppf(0.975, per["o"] + 1, per["n"] - per["o"]), 1) * per["n"] / per["e"]
    np.testing.assert_allclose(table.loc[per.index, "kvot_lo"], lo, atol=1e-8)
    np.testing.assert_allclose(table.loc[per.index, "kvot_hi"], hi, atol=1e-8)


def test_a_continuous_outcome_uses_least_squares():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"insats": rng.choice(list("ABCDEFG"), 3000), "before": rng.normal(100, 30, 3000)})
    frame["change"] = -0.3 * frame["before"] + rng.normal(0, 10, 3000) + frame["insats"].map(dict(zip("ABCDEFG", range(7))))
    c = ev.compare_units(frame, outcome="change", unit="insats", case_mix=["before"], suppress=False)
    fit = sm.OLS(frame["change"], sm.add_constant(frame[["before"]])).fit()
    assert c.model == "continuous"
    np.testing.assert_allclose([v for _, v in c.coefficients], fit.params.to_numpy(), atol=1e-8)


def test_adjustment_and_shrinkage_recover_the_true_order_better_than_raw_shares():
    correlations = []
    for seed in range(5):
        frame, effect = _insatser(seed)
        c = ev.compare_units(frame, outcome="y", unit="insats", case_mix=["hard", "age", "kon"], seed=seed, suppress=False)
        table = c.table().to_pandas().set_index("insats").sort_index()
        raw = frame.groupby("insats")["y"].mean().sort_index()
        truth = pd.Series(effect, index=[f"i{u:02d}" for u in range(len(effect))]).sort_index()
        rho_raw = stats.spearmanr(raw, truth).statistic
        rho_adjusted = stats.spearmanr(table["krympt"], truth).statistic
        correlations.append((rho_raw, rho_adjusted))
        flags = table["flagga"]
        assert flags["i03"] > 0 and flags["i17"] < 0, f"seed {seed}: planted outliers {flags['i03']}, {flags['i17']}"
        # The others differ too (true effects with sd 0.25 on the log-odds
        # scale), so some fall outside 95 %, but few beyond 99.8 %.
        others = flags.drop(["i03", "i17"])
        assert (others != 0).sum() <= 10 and (others.abs() == 2).sum() <= 3, (
            f"seed {seed}: the funnel flags few others: {others[others != 0].to_dict()}")
        assert (table["rang_lo"] <= table["rang"]).all() and (table["rang"] <= table["rang_hi"]).all()
    raw_mean = np.mean([r for r, _ in correlations])
    adjusted_mean = np.mean([a for _, a in correlations])
    assert adjusted_mean > raw_mean + 0.1, f"Spearman with the truth: raw {raw_mean:.3f}, adjusted and shrunk {adjusted_mean:.3f}"


# The case mix a user would adjust for in the synthetic data.
SYNTHETIC_CASE_MIX = ["kon", "aldersgrupp", "referensar", "forsorjning_sjukpenning", "forsorjning_rehabiliteringspenning",
                      "forsorjning_aktivitetsersattning", "forsorjning_sjukersattning", "forsorjning_forsorjningsstod",
                      "forsorjning_aktivitetsstod"]


@pytest.mark.parametrize("seed", [2004, 7])
def test_the_synthetic_insatser_truth_is_recovered(seed):
    """The synthetic data set plants a case mix and an effect per insats
    (``synthetic_true_effects()["realised"]["insatser"]``): the raw ranking
    punishes the insatser that take hard cases; the adjusted, shrunken one
    follows the true effects more closely (Spearman from scipy), and the
    funnel flags the planted outliers and few others."""
    data = finsam.synthetic(scale=1.0, seed=seed)
    truth = pd.DataFrame(finsam.synthetic_true_effects(scale=1.0, seed=seed)["realised"]["insatser"])
    truth = truth.set_index("insats").rename(columns={"n": "n_sant"})
    c = ev.compare_units(data, years=(2017, 2022), case_mix=SYNTHETIC_CASE_MIX, pool_below=10, draws=500, seed=1)
    table = c.table().to_pandas().set_index("insats")
    table = table[table["n"] >= 30].join(truth, how="inner")
    raw = table["observerat"] / table["n"]
    rho_raw = stats.spearmanr(raw, table["realised"]).statistic
    rho_adjusted = stats.spearmanr(table["krympt"], table["realised"]).statistic
    mix_raw = stats.spearmanr(raw, table["hard_cases"]).statistic
    summary = f"seed {seed}, {len(table)} insatser: Spearman raw {rho_raw:.3f}, adjusted {rho_adjusted:.3f}; raw vs hard cases {mix_raw:.3f}"
    print(summary)
    assert mix_raw < -0.15 and rho_adjusted > rho_raw + 0.15, summary
    outliers, others = table[table["outlier"]], table[~table["outlier"]]
    caught = (outliers["flagga"].abs() == 2) & (np.sign(outliers["flagga"]) == np.sign(outliers["effect"]))
    assert len(outliers) >= 8 and caught.mean() >= 0.7, f"{caught.sum()} of {len(outliers)} outliers beyond 99.8 %"
    assert (others["flagga"].abs() == 2).mean() <= 0.03, f"{(others['flagga'].abs() == 2).sum()} of {len(others)} others"


def test_small_units_are_withheld_whole():
    frame, _ = _insatser(2, units=6)
    small = frame[frame["insats"] == "i00"].head(3)
    frame = pd.concat([frame[frame["insats"] != "i00"], small], ignore_index=True)
    table = ev.compare_units(frame, outcome="y", unit="insats", case_mix=["hard"]).table()
    df = table.to_pandas().set_index("insats")
    value_columns = [c for c in table.columns]
    assert df.loc["i00", value_columns].isna().all(), "a unit below the threshold shows nothing"
    assert df.loc["i01", "n"] > 5


def test_rare_levels_that_separate_the_outcome_are_pooled_on_request_and_fit_as_statsmodels_does():
    frame, _ = _insatser(4, units=12)
    # Kön unknown for a handful, none of them to work or studies: the logit
    # has no finite fit (statsmodels' Logit fails the same way).
    frame.loc[:3, "kon"], frame.loc[:3, "y"] = "Okand", 0.0
    with pytest.raises(finsam.EstimationError, match="pool_below"):
        ev.compare_units(frame, outcome="y", unit="insats", case_mix=["hard", "kon"])
    c = ev.compare_units(frame, outcome="y", unit="insats", case_mix=["hard", "kon"], pool_below=5, suppress=False)
    # Four together are still fewer than five: they join the commonest kön.
    common = frame.loc[4:, "kon"].value_counts().idxmax()
    assert c.pooled == [("kon", ["Okand"], 4, common)]
    assert any("Okand; 4 deltaganden" in n for n in c.table().notes)
    pooled = frame.assign(kon=frame["kon"].replace({"Okand": common}))
    x = pd.get_dummies(pooled[["hard", "kon"]], columns=["kon"], drop_first=True, dtype=float)
    fit = sm.Logit(pooled["y"], sm.add_constant(x)).fit(disp=0, tol=1e-14, maxiter=200)
    np.testing.assert_allclose([v for _, v in c.coefficients], fit.params.to_numpy(), atol=1e-8)
    # Rare levels that are many together keep a level of their own.
    frame.loc[4:40, "kon"] = "Okand"
    frame.loc[41:45, "kon"] = "Annat"
    common = frame["kon"].value_counts().idxmax()
    c = ev.compare_units(frame, outcome="y", unit="insats", case_mix=["hard", "kon"], pool_below=10, suppress=False)
    assert c.pooled == [("kon", ["Annat"], 5, common)]
    c = ev.compare_units(frame, outcome="y", unit="insats", case_mix=["hard", "kon"], pool_below=42, suppress=False)
    assert c.pooled == [("kon", ["Annat", "Okand"], 46, "övriga")]
    assert [n for n, _ in c.coefficients][-1] == "konövriga"
    with pytest.raises(finsam.ArgumentError, match="pool_below"):
        ev.compare_units(frame, outcome="y", unit="insats", case_mix=["hard"], pool_below=-1)
    # Pooling that would leave one level is an error that names the option.
    with pytest.raises(finsam.EstimationError, match="pool_below"):
        ev.compare_units(frame, outcome="y", unit="insats", case_mix=["hard", "kon"], pool_below=10_000)
    # Rows the model leaves out (no covariate value) are not counted.
    frame.loc[41:45, "hard"] = np.nan
    c = ev.compare_units(frame, outcome="y", unit="insats", case_mix=["hard", "kon"], pool_below=10, suppress=False)
    assert c.pooled == []


def test_bad_options_raise_argument_errors():
    frame, _ = _insatser(3, units=5)
    with pytest.raises(finsam.ArgumentError, match="overdispersion"):
        ev.compare_units(frame, outcome="y", unit="insats", case_mix=["hard"], overdispersion="huge")  # type: ignore[arg-type]
    with pytest.raises(finsam.InputError):
        ev.compare_units(frame, outcome="y", unit="insats", case_mix=["nope"])


def test_all_participations_make_the_population_of_a_comparison_of_insatser():
    data = finsam.synthetic(scale=0.05)
    tables = data.to_arrow()
    deltaganden = tables["deltaganden"].to_pandas()
    individ = set(tables["insatser"].to_pandas().query("inriktning == 'individ'")["insats_id"])
    start = pd.to_datetime(deltaganden["startdatum"])
    expected = deltaganden[
        deltaganden["insats_id"].isin(individ)
        & (deltaganden["avslutsanledning"] != "felregistrering")
        & start.dt.year.between(2018, 2020)
    ]
    every = ev.analysis_frame(data, years=(2018, 2020), comparison=False, all_participations=True)
    first = ev.analysis_frame(data, years=(2018, 2020), comparison=False)
    assert len(every) == len(expected) > len(first)
    assert every.excluded["not the person's first participation"] == 0
    rows = every.to_pandas()
    assert sorted(rows["insats"].astype(int).value_counts().items()) == sorted(expected["insats_id"].value_counts().items())
    # kön is left out: the few with unknown kön all share one outcome here, which
    # separates them in the case-mix model (a typed no_overlap error).
    c = ev.compare_units(every, case_mix=["aldersgrupp", "dagar_fore_sp_rp", "dagar_fore_ae"], suppress=False)
    table = c.table().to_pandas()
    assert table["n"].sum() == rows["arbete_studier"].notna().sum()


def test_a_dataset_is_compared_over_every_participation_of_its_years():
    data = finsam.synthetic(scale=0.05)
    case_mix = ["aldersgrupp", "dagar_fore_sp_rp", "dagar_fore_ae"]
    direct = ev.compare_units(data, years=(2018, 2020), case_mix=case_mix, seed=3)
    every = ev.analysis_frame(data, years=(2018, 2020), comparison=False, all_participations=True)
    via_frame = ev.compare_units(every, case_mix=case_mix, seed=3)
    assert direct.table().to_arrow().equals(via_frame.table().to_arrow())
    with pytest.raises(finsam.ArgumentError, match="years"):
        ev.compare_units(every, years=2019, case_mix=case_mix)


def test_the_annual_report_compares_insatser_as_compare_units_does():
    """The report's "Jämförelse av insatser" is compare_units on the
    participations started in the year and the two before, with
    ``REPORT_CASE_MIX``: its counts and its list of insatser outside the
    limits are recomputed here from a direct comparison."""
    data = finsam.synthetic(scale=0.5, comparison=0)
    report = finsam.annual_report(data, 2021)
    tables = {t.id: t for t in report.tables if t.id.startswith("jamforelse_insatser")}
    assert set(tables) == {"jamforelse_insatser_sammanfattning", "jamforelse_insatser_avvikande"}
    c = ev.compare_units(data, years=(2019, 2021), case_mix=list(ev.REPORT_CASE_MIX), pool_below=10, draws=1000, seed=0)
    direct = c.table().to_pandas().dropna(subset=["n"])
    summary = tables["jamforelse_insatser_sammanfattning"].to_pandas().iloc[0]
    assert summary["insatser"] == len(direct) and summary["deltaganden"] == direct["n"].sum()
    flags = direct["flagga"].value_counts()
    for column, flag in [("over_998", 2), ("over_95", 1), ("inom", 0), ("under_95", -1), ("under_998", -2)]:
        assert summary[column] == flags.get(flag, 0), column
    assert summary["andel_arbete_studier"] == pytest.approx(c.overall, abs=1e-12)
    listed = tables["jamforelse_insatser_avvikande"].to_pandas().set_index("insats")
    outside = direct[direct["flagga"] != 0].set_index("insats")
    assert sorted(listed.index) == sorted(outside.index)
    np.testing.assert_allclose(listed.loc[outside.index, "krympt_andel"], outside["krympt"], atol=1e-12)
    np.testing.assert_allclose(listed.loc[outside.index, "andel"], outside["observerat"] / outside["n"], atol=1e-12)
    assert (listed["deltaganden"] >= 5).all(), "no insats below the threshold is listed"
    # A year of the aggregate era has no outcomes: no comparison; and a report can leave it out.
    assert not any(t.id.startswith("jamforelse") for t in finsam.annual_report(data, 2024).tables)
    without = finsam.annual_report(data, 2021, compare_insatser=False)
    assert [t.id for t in without.tables] == [t.id for t in report.tables if not t.id.startswith("jamforelse")]
