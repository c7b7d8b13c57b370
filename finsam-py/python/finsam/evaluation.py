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

Matching, as R's ``MatchIt``:

>>> import pandas as pd
>>> from finsam.evaluation import match
>>> df = pd.DataFrame({"t": [1, 0, 0, 1, 0, 0], "x": [1.0, 1.2, 5.0, 3.0, 2.9, 0.0]})
>>> m = match(df, treatment="t", covariates=["x"])
>>> (m.n_treated_after, m.n_control_after)
(2, 2)
"""

from __future__ import annotations

from typing import Any, Literal

from finsam import _finsam
from finsam._finsam import (
    Aggregate,
    AttGt,
    Comparison,
    DidEstimate,
    Estimate,
    EvaluationFrame,
    EventStudy,
    Funnel,
    MatchedEffect,
    Matching,
    Pretest,
    Propensity,
    REPORT_CASE_MIX,
    Shrinkage,
    analysis_frame,
    att_gt,
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
    "Aggregate",
    "AttGt",
    "Comparison",
    "DidEstimate",
    "Estimate",
    "EvaluationFrame",
    "EventStudy",
    "Funnel",
    "MatchedEffect",
    "Matching",
    "Pretest",
    "Propensity",
    "REPORT_CASE_MIX",
    "Shrinkage",
    "analysis_frame",
    "att_gt",
    "compare_units",
    "did",
    "event_study",
    "funnel_limits",
    "james_stein",
    "match",
    "propensity",
    "kommun_panel",
    "person_panel",
    "ranks",
    "shrink",
]


def propensity(frame: Any, *, treatment: str, covariates: str | list[str]) -> Propensity:
    """The propensity score of ``treatment`` (a 0/1 column) given
    ``covariates``: a logistic regression, categorical covariates expanded
    as R's ``model.matrix`` (first level the reference). Rows with a
    missing value are dropped and counted (``dropped_missing``).

    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [0, 1, 0, 1, 1, 0], "x": [1.0, 2.0, 3.0, 4.0, 5.0, 2.5]})
    >>> [name for name, _ in propensity(df, treatment="t", covariates="x").coefficients]
    ['(Intercept)', 'x']
    """
    return _finsam.propensity(frame, treatment=treatment, covariates=covariates)


def match(
    frame: Any,
    *,
    treatment: str,
    covariates: str | list[str],
    method: Literal["nearest", "exact", "cem"] = "nearest",
    distance: Literal["logit", "linear.logit"] = "logit",
    ratio: int = 1,
    replace: bool = False,
    caliper: float | None = None,
    exact: str | list[str] | None = None,
    order: Literal["largest", "smallest", "data", "random"] = "largest",
    seed: int | None = None,
) -> Matching:
    """Matches control units to treated units with the conventions of R's
    ``MatchIt::matchit`` (same matches, weights, subclasses and balance
    table for the same data and options; the estimand is the ATT).

    ``method``: ``"nearest"`` (greedy nearest neighbour on the
    ``distance``: the propensity score ``"logit"``, MatchIt's
    ``distance="glm"``, or its linear predictor ``"linear.logit"``),
    ``"exact"`` or ``"cem"`` (coarsened exact, Sturges bins). ``ratio``
    controls per treated unit, filled round by round; ``replace`` lets a
    control serve several treated units; ``caliper`` in standard deviations
    of the distance; ``exact`` covariates on which pairs must agree;
    ``order`` in which treated units choose (``"random"`` needs ``seed``).

    The result has ``balance()`` (a :class:`finsam.Table`), ``matched()``
    (the matched rows as a ``pyarrow.Table`` with ``weights`` and
    ``subclass``), ``effect(outcome, covariates=None, level=0.95)`` and the
    sample sizes (``n_treated_before`` ... ``n_control_after``), the units
    left out by reason (``dropped``) and the options (``config``).

    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [1, 0, 0, 1, 0, 0], "x": [1.0, 1.2, 5.0, 3.0, 2.9, 0.0]})
    >>> m = match(df, treatment="t", covariates="x", ratio=2)
    >>> m.n_control_after
    4
    """
    return _finsam.match(
        frame,
        treatment=treatment,
        covariates=covariates,
        method=method,
        distance=distance,
        ratio=ratio,
        replace=replace,
        caliper=caliper,
        exact=exact,
        order=order,
        seed=seed,
    )
