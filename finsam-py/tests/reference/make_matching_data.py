"""Writes ``matching_data.csv``: the seeded synthetic frame that
``matchit.R`` matches with R's MatchIt and that
``test_evaluation_matching.py`` matches with finsam.

400 participants and 1,600 comparison persons with numeric covariates
(age, prior sickness days with many ties, a 0/1 indicator), two
categorical ones and an outcome with a true effect of 2. The CSV is
committed; run this script only to regenerate it (then rerun matchit.R).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def generate(seed: int = 20240611, n: int = 2000, treated: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    # Continuous ages: with rounded ones a treated unit can lie exactly
    # midway between two controls on the linear predictor, and which of the
    # two wins then depends on the last bit of floating-point rounding.
    alder = rng.uniform(20, 64, n)
    kon = rng.choice(["Kvinna", "Man"], n, p=[0.55, 0.45])
    utbildning = rng.choice(["Eftergymnasial", "Forgymnasial", "Gymnasial"], n, p=[0.25, 0.3, 0.45])
    # Whole days, so that the eCDF statistics meet ties.
    dagar_fore = rng.poisson(rng.gamma(2.0, 40.0, n)).astype(float)
    forsorjning = (rng.uniform(size=n) < 0.3).astype(float)
    eta = (
        -0.04 * (alder - 40)
        + 0.4 * (kon == "Man")
        + 0.6 * (utbildning == "Forgymnasial")
        + 0.006 * dagar_fore
        + 0.8 * forsorjning
    )
    p = np.exp(eta) / np.exp(eta).sum()
    treat = np.zeros(n)
    treat[rng.choice(n, treated, replace=False, p=p)] = 1.0
    y = 10 + 2.0 * treat - 0.05 * alder + 0.01 * dagar_fore + 1.5 * forsorjning + rng.normal(0, 2, n)
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "treat": treat.astype(int),
            "alder": alder,
            "kon": kon,
            "utbildning": utbildning,
            "dagar_fore": dagar_fore,
            "forsorjning": forsorjning.astype(int),
            "y": y,
        }
    )


if __name__ == "__main__":
    out = Path(__file__).with_name("matching_data.csv")
    generate().to_csv(out, index=False, float_format="%.17g")
    print(f"wrote {out}")
