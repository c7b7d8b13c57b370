from __future__ import annotations

from pathlib import Path

import pytest

import finsam

CORE_TEST_DATA = Path(__file__).resolve().parents[2] / "finsam-core" / "tests" / "data"


@pytest.fixture(scope="session")
def small() -> finsam.Dataset:
    return finsam.synthetic(scale=0.05, seed=11)
