"""Effect estimates for evaluators: propensity scores and matched
comparisons, difference-in-differences and staggered event studies.

Frames in are any Arrow source (pandas ≥ 2.2, polars, pyarrow); every
number is computed by finsam's Rust core, with the conventions of R's
``MatchIt`` and ``did``. What the data cannot support raises
:class:`finsam.EstimationError` (codes ``not_identified``, ``no_overlap``,
``singular_design``) rather than returning a NaN.

>>> import pandas as pd
>>> from finsam.evaluation import match
>>> df = pd.DataFrame({"t": [1, 0, 0, 1, 0, 0], "x": [1.0, 1.2, 5.0, 3.0, 2.9, 0.0]})
>>> m = match(df, treatment="t", covariates=["x"])
>>> (m.n_treated_after, m.n_control_after)
(2, 2)
"""

from __future__ import annotations

from finsam._finsam import Estimate, MatchedEffect, Matching, Propensity, match, propensity

__all__ = ["Estimate", "MatchedEffect", "Matching", "Propensity", "match", "propensity"]
