"""The example notebook runs end to end. With FINSAM_BLESS=1 its outputs
(printed text and figures) are written back into it, so the committed
notebook shows what this run produced."""

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

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "finsam_notebook.ipynb"


def test_notebook_runs_end_to_end() -> None:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    namespace: dict[str, object] = {}
    count = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        count += 1
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile("".join(cell["source"]), f"{NOTEBOOK.name} cell {count}", "exec"), namespace)
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
        NOTEBOOK.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
