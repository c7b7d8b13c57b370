"""Every public function of finsam, called once with typed options.

Run it (``python examples/typed_tour.py``) to see each result's shape; the
test suite also runs it and checks it with ``mypy --strict``, so that the
signatures a researcher reads are the ones a type checker enforces.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.csv

import finsam
from finsam import evaluation as ev
from finsam import stats


def main() -> None:
    data = finsam.synthetic(scale=0.05, seed=2004)
    truth = finsam.synthetic_true_effects(scale=0.05, seed=2004)
    print(data, sorted(truth))
    data.validate(errors="collect")
    print(data.describe().head())
    print(len(finsam.catalogue()), "indicators;", finsam.exception_for("duplicate_row").__name__)

    # Indicators from a data set, with their options.
    for table in [
        finsam.participants(data, by="kon", years=(2019, 2022), series_break="withhold"),
        finsam.outcome_rates(data, by=["forbund", "kon"], years=2021, method="clopper-pearson", level=0.9),
        finsam.outcome_categories(data, years=2021, method="beta"),
        finsam.outcome_change(data, 2021, by="kon", level=0.9),
        finsam.benefit_days(data, by="aldersgrupp", years=2021, age_bands=[16, 30, 50], whole_days=True),
        finsam.transitions(data, years=2021, threshold=10),
        finsam.gender_gap(data, years=range(2019, 2022), level=0.99),
        finsam.gender_gap_days(data, years=2021, before_days=180, after_days=180),
        finsam.insats_economy(data, by="insats", years=2021, rounding=5),
        finsam.forbund_economy(data, years=2021),
        finsam.participants(data.filter(forbund=[7, 8], years=(2020, 2021)), years=2021),
        finsam.outcome_rates(data, forbund=7, years=2021),
        finsam.financing(data, 2021),
        finsam.allocation(data, 2021),
        finsam.survey_indicators(data, by="kon", years=2021, top_box=9),
        finsam.survey_change(data, 2021, min_responses=10),
        finsam.survey_comparison(data, 2021, suppress=True),
    ]:
        print(table.id, len(table))
    print(len(finsam.survey_mapping()), "survey indicators by default")
    report = finsam.annual_report(data, 2022, compare_insatser=False, mixed_year="aggregates")
    print(report.year, report.era, len(report.tables), "tables")

    # A flat extract: the engine's indicators, a state counted as it is read.
    with tempfile.TemporaryDirectory() as tmp:
        flat = Path(tmp) / "extract.csv"
        data.to_flat_csv(flat, before_days=365, benefit_source="auto")
        state = finsam.partial(flat, years=(2017, 2022))
        print(finsam.outcome_rates(state, by="forbund", method="wilson", threshold=5).id, state.rows)
        extract = finsam.read_extract(flat)
        chunk = finsam.partial(extract, years=(2017, 2022), by="kon")
        print(finsam.outcome_rates(chunk, by="kon").id, finsam.Partial.from_bytes(chunk.to_bytes()) == chunk)

        frame = pa.table({"pnr": ["19800101-1231"], "x": [1]})
        print(finsam.pseudonymise(frame, column="pnr", key=b"0123456789abcdef0123").column_names)
        pa.csv.write_csv(frame, Path(tmp) / "pnr.csv")
        counts = finsam.pseudonymise_csv(
            Path(tmp) / "pnr.csv", Path(tmp) / "out.csv", column="pnr", key=b"0123456789abcdef0123", delimiter=","
        )
        print(counts)

    # Intervals, with statsmodels' spellings.
    lo, hi = stats.proportion_ci(8, 20, method="agresti_coull", alpha=0.1)
    print(round(lo, 4), round(hi, 4))
    los, his = stats.proportion_ci([8, 31], [20, 100], method="wilson")  # arrays in, arrays out
    print(los.round(4).tolist(), his.round(4).tolist())
    print(stats.paired_mean_ci([1.0, 2.0, 4.0], [2.0, 2.5, 5.0]).estimate)
    print(stats.newcombe_diff(30, 100, 20, 100).estimate, stats.welch_diff([1.0, 2.0, 3.0], [2.0, 4.0, 5.0]).lo)

    # Evaluation.
    frame_rows = ev.analysis_frame(data, years=(2017, 2020))
    people = frame_rows.to_pandas()
    covariates = ["alder", "dagar_fore", "dagar_q-1"]
    score = ev.propensity(people, treatment="treated", covariates=covariates)
    matched = ev.match(people, treatment="treated", covariates=covariates, caliper=0.2)
    print(len(score.coefficients), matched.n_treated_after)
    panel = ev.person_panel(data, years=(2017, 2018)).to_pandas()
    study = ev.event_study(panel, unit="unit", time="rel_quarter", treated="treated", outcome="outcome")
    simple = ev.did(
        panel, unit="unit", time="rel_quarter", treated="treated", outcome="outcome", pre=(-4, -1), post=(1, 4)
    )
    print(len(study.effects()), round(simple.estimate, 2))
    kommuner = ev.kommun_panel(data).to_pandas()
    gt = ev.att_gt(kommuner, outcome="forsorjningsmatt", unit="kommun", time="ar", group="first_year")
    print(gt.aggregate("simple").overall)
    comparison = ev.compare_units(data, case_mix=list(ev.REPORT_CASE_MIX), years=(2017, 2022), pool_below=10)
    print(comparison.table().id, len(comparison.withheld))
    shrunk = ev.shrink([0.1, 0.3, 0.2, 0.5, 0.0], [0.01, 0.02, 0.01, 0.03, 0.02])
    print(ev.james_stein([0.1, 0.3, 0.2, 0.5, 0.0], 0.01), ev.ranks(shrunk.estimates, shrunk.sd, seed=1))
    print(ev.funnel_limits([3.0, 8.0], [10.0, 20.0], kind="binary_ratio", trials=[20.0, 40.0]).flag)


if __name__ == "__main__":
    main()
