"""The code users are shown type-checks under ``mypy --strict``: the
README's Python examples, the notebooks and ``examples/typed_tour.py``
(every public function with typed options). A wrong option name or value
type in any of them is then a type error before it is a run-time one."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Libraries without type information (pandas, pyarrow, dask) are Any; dask's
# functions are untyped, and calling them is not the user's error.
MYPY_CONFIG = """\
[mypy]
strict = True
ignore_missing_imports = True
untyped_calls_exclude = dask,distributed
"""


def readme_code() -> str:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)
    # Each block is a function of its own, as each runs on its own.
    return "\n".join(
        f"def readme_block_{i}() -> None:\n" + "\n".join(f"    {line}" for line in b.splitlines()) + "\n"
        for i, b in enumerate(blocks)
    )


def notebook_code(name: str) -> str:
    cells = json.loads((ROOT / "examples" / name).read_text(encoding="utf-8"))["cells"]
    return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_the_code_users_are_shown_passes_mypy_strict(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    (tmp_path / "mypy.ini").write_text(MYPY_CONFIG)
    files = {
        "readme_examples.py": readme_code(),
        "finsam_notebook.py": notebook_code("finsam_notebook.ipynb"),
        "evaluation_notebook.py": notebook_code("evaluation_notebook.ipynb"),
        "typed_tour.py": (ROOT / "examples" / "typed_tour.py").read_text(encoding="utf-8"),
    }
    for name, code in files.items():
        (tmp_path / name).write_text(code)
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--cache-dir", str(tmp_path / "cache"), *files],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_mypy_strict_refuses_a_misspelt_option(tmp_path: Path) -> None:
    # The check above would pass vacuously if options were untyped.
    pytest.importorskip("mypy")
    (tmp_path / "mypy.ini").write_text(MYPY_CONFIG)
    (tmp_path / "wrong.py").write_text(
        "import finsam\n"
        "data = finsam.synthetic(scale=0.01)\n"
        'finsam.outcome_rates(data, method="wilsom")\n'
        "finsam.participants(data, level=0.9)\n"
        'finsam.benefit_days(data, by=["kommun"])\n'
    )
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--cache-dir", str(tmp_path / "cache"), "wrong.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    for line in ["wrong.py:3", "wrong.py:4", "wrong.py:5"]:
        assert line in run.stdout, run.stdout


def test_the_typed_tour_runs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    import typed_tour

    typed_tour.main()
    assert "jamforelse_insatser" in capsys.readouterr().out
