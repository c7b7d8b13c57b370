"""The example notebooks run end to end. With FINSAM_BLESS=1 their outputs
(printed text and figures) are written back into them, so the committed
notebooks show what this run produced."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import pytest  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def test_every_example_notebook_is_tested() -> None:
    names = [n.name for n in NOTEBOOKS]
    assert "finsam_notebook.ipynb" in names and "evaluation_notebook.ipynb" in names, names


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_end_to_end(notebook: Path) -> None:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    namespace: dict[str, object] = {}
    count = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        count += 1
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile("".join(cell["source"]), f"{notebook.name} cell {count}", "exec"), namespace)
        outputs: list[dict[str, object]] = []
        if out.getvalue():
            outputs.append({"name": "stdout", "output_type": "stream", "text": out.getvalue().splitlines(keepends=True)})
        for number in plt.get_fignums():
            png = io.BytesIO()
            plt.figure(number).savefig(png, format="png", dpi=80)
            data = {"image/png": base64.b64encode(png.getvalue()).decode()}
            outputs.append({"data": data, "metadata": {}, "output_type": "display_data"})
        plt.close("all")
        cell["outputs"], cell["execution_count"] = outputs, count
    assert count >= 5
    if os.environ.get("FINSAM_BLESS"):
        notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
