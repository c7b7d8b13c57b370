"""Effect estimates for evaluators: propensity scores and matched
comparisons, difference-in-differences and staggered event studies.

Frames in are any Arrow source (pandas ≥ 2.2, polars, pyarrow); every
number is computed by finsam's Rust core, with the conventions of R's
``MatchIt`` and ``did``. What the data cannot support raises
:class:`finsam.EstimationError` (codes ``not_identified``, ``no_overlap``,
``singular_design``) rather than returning a NaN.
"""

from __future__ import annotations

from finsam._finsam import (
    Aggregate,
    AttGt,
    DidEstimate,
    Estimate,
    EventStudy,
    Pretest,
    att_gt,
    did,
    event_study,
)

__all__ = [
    "Aggregate",
    "AttGt",
    "DidEstimate",
    "Estimate",
    "EventStudy",
    "Pretest",
    "att_gt",
    "did",
    "event_study",
]
