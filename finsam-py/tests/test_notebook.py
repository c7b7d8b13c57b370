"""The example notebooks run end to end. With FINSAM_BLESS=1 their outputs
(printed text and figures) are written back into them, so the committed
notebooks show what this run produced."""

from __future__ import annotations

import ast
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


def run_cell(source: str, name: str, namespace: dict[str, object]) -> object:
    """Runs a cell as Jupyter does: the value of a last expression is what
    the cell shows (None if it ends in a statement)."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, name, "exec"), namespace)
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), name, "eval"), namespace)


def displayed(value: object, count: int) -> dict[str, object]:
    """A cell's result as Jupyter records it: its HTML (``_repr_html_``) beside its repr."""
    data: dict[str, object] = {"text/plain": repr(value).splitlines(keepends=True)}
    html = getattr(value, "_repr_html_", None)
    if html is not None:
        data["text/html"] = html().splitlines(keepends=True) or [""]
    return {"data": data, "execution_count": count, "metadata": {}, "output_type": "execute_result"}


def test_the_tour_shows_tables_as_html() -> None:
    # finsam's objects display as HTML in a notebook: the tour ends cells
    # with a table, a report's table by name and a data set.
    nb = json.loads((EXAMPLES / "finsam_notebook.ipynb").read_text(encoding="utf-8"))
    html = ["".join(o["data"]["text/html"]) for c in nb["cells"] for o in c.get("outputs", []) if "text/html" in o.get("data", {})]
    assert any(h.startswith('<table class="finsam"><caption>Sysselsättning') for h in html), html
    assert any("finsam.Dataset, uttagsdatum" in h for h in html)


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
            shown = run_cell("".join(cell["source"]), f"{notebook.name} cell {count}", namespace)
        outputs: list[dict[str, object]] = []
        if out.getvalue():
            outputs.append({"name": "stdout", "output_type": "stream", "text": out.getvalue().splitlines(keepends=True)})
        if shown is not None:
            outputs.append(displayed(shown, count))
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
