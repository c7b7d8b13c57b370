"""Effect estimates for evaluators: propensity scores and matched
comparisons, difference-in-differences and staggered event studies.

Frames in are any Arrow source (pandas ≥ 2.2, polars, pyarrow); every
number is computed by finsam's Rust core, with the conventions of R's
``MatchIt`` and ``did``. What the data cannot support raises
:class:`finsam.EstimationError` (codes ``not_identified``, ``no_overlap``,
``singular_design``) rather than returning a NaN.

The data of an evaluation come from a :class:`finsam.Dataset`:
:func:`analysis_frame` (one row per participant and comparison person,
covariates at the reference date, benefit days per 91-day quarter
``dagar_q-8`` … ``dagar_q+8``), :func:`person_panel` (the same in long form
for event studies) and :func:`kommun_panel` (kommun × year with the first
year of membership). Each returns an :class:`EvaluationFrame`, which exports
Arrow and says in ``excluded`` which rows were left out and why.

>>> import finsam
>>> data = finsam.synthetic(scale=0.02)
>>> af = finsam.evaluation.analysis_frame(data, years=(2017, 2022))
>>> af.excluded["felregistrering"] > 0
True
>>> df = af.to_pandas()
>>> sorted(df["treated"].unique().tolist())
[0.0, 1.0]
>>> panel = finsam.evaluation.kommun_panel(data).to_pandas()
>>> int(panel.loc[(panel["ar"] == 2012) & (panel["medlem"] == 1)].shape[0])
221
"""

from __future__ import annotations

from finsam._finsam import (
    Comparison,
    DidEstimate,
    Estimate,
    EvaluationFrame,
    EventStudy,
    Funnel,
    Shrinkage,
    analysis_frame,
    compare_units,
    did,
    event_study,
    funnel_limits,
    james_stein,
    kommun_panel,
    person_panel,
    ranks,
    shrink,
)

__all__ = [
    "Comparison",
    "DidEstimate",
    "Estimate",
    "EvaluationFrame",
    "EventStudy",
    "Funnel",
    "Shrinkage",
    "analysis_frame",
    "compare_units",
    "did",
    "event_study",
    "funnel_limits",
    "james_stein",
    "kommun_panel",
    "person_panel",
    "ranks",
    "shrink",
]
