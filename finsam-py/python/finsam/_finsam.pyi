"""Type stubs of the native module (kept honest by mypy.stubtest)."""

import datetime
import os
from typing import Any, Literal, final

__all__ = ["__version__", "ERROR_CODES", "Dataset", "synthetic"]

__version__: str
ERROR_CODES: tuple[str, ...]

@final
class Dataset:
    """Every table of one data delivery, validated."""

    @staticmethod
    def from_csv(
        path: str | os.PathLike[str],
        *,
        encoding: Literal["auto", "utf-8", "windows-1252"] = "auto",
        delimiter: str | None = None,
        columns: dict[str, dict[str, str]] | None = None,
        files: dict[str, str] | None = None,
        errors: Literal["raise", "collect"] = "raise",
    ) -> Dataset: ...
    @staticmethod
    def from_json(text: str) -> Dataset: ...
    def validate(self, *, errors: Literal["raise", "collect"] = "raise") -> None: ...
    def summary(self) -> dict[str, Any]: ...
    def to_csv(self, path: str | os.PathLike[str]) -> None: ...
    def to_json(self) -> str: ...
    @property
    def num_rows(self) -> dict[str, int]: ...
    @property
    def uttagsdatum(self) -> datetime.date | None: ...

def synthetic(*, scale: float = 1.0, seed: int = 2004) -> Dataset: ...
