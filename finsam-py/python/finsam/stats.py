"""Interval estimates, as finsam computes them.

>>> from finsam.stats import proportion_ci
>>> ci = proportion_ci(8, 20)
>>> round(ci.lo, 6), round(ci.hi, 6)
(0.218807, 0.613418)
"""

from __future__ import annotations

from finsam._finsam import Interval, newcombe_diff, paired_mean_ci, welch_diff
from finsam._indicators import proportion_ci

__all__ = ["Interval", "newcombe_diff", "paired_mean_ci", "proportion_ci", "welch_diff"]
