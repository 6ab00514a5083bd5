"""The notebooks: committed without outputs, and each runs headless from top to bottom.

They are executed with nbclient in a kernel of the Python running the tests (a kernel spec
written to a temporary JUPYTER_PATH, so a user's own "python3" kernel is never picked up).
Charts must draw their Chinese labels with a CJK font: a glyph matplotlib cannot draw
fails the test. Without a CJK font the execution tests skip and say what to install.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT

NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01-explore.ipynb", "02-quality.ipynb"]
CLEAR = "clear the outputs before committing (Jupyter: Edit → Clear Outputs of All Cells)"


def test_notebooks_are_the_documented_ones() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert f"notebooks/{name}" in readme


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_committed_without_outputs(name: str) -> None:
    nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert "widgets" not in nb["metadata"]
    for cell in nb["cells"]:
        assert "attachments" not in cell, f"{name}: {CLEAR}"
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{name}, cell {cell['id']}: {CLEAR}"
            assert cell["execution_count"] is None, f"{name}, cell {cell['id']}: {CLEAR}"


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    for f in font_manager.findSystemFonts():
        if Path(f).name.startswith(("NotoSansCJK", "NotoSansSC")):
            return f
    return None


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The name of a kernel spec that runs this Python (with kg installed) under ipykernel."""
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    if _cjk_font() is None:
        pytest.skip("no CJK font for the charts' Chinese labels: apt-get install fonts-noto-cjk")
    jupyter = tmp_path_factory.mktemp("jupyter")
    spec = jupyter / "kernels" / "parks-kg-tests"
    spec.mkdir(parents=True)
    spec.joinpath("kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "parks-kg tests", "language": "python"}), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(jupyter))
        mp.setenv("JUPYTER_RUNTIME_DIR", str(jupyter / "runtime"))  # connection files
        mp.setenv("IPYTHONDIR", str(jupyter / "ipython"))  # no user profile or startup file
        mp.delenv("MPLBACKEND", raising=False)  # the kernel chooses its inline backend
        yield "parks-kg-tests"


def _execute(name: str, kernel: str) -> tuple[dict[str, list[Any]], float]:
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    started = time.monotonic()
    nbclient.NotebookClient(nb, timeout=300, kernel_name=kernel,
                            resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    outputs = {cell.id: cell.outputs for cell in nb.cells if cell.cell_type == "code"}
    return outputs, time.monotonic() - started


def _streams(outputs: list[Any], name: str) -> str:
    return "".join(o.text for o in outputs if o.output_type == "stream" and o.name == name)


def _data(outputs: list[Any], mime: str) -> list[str]:
    return [o.data[mime] for o in outputs
            if o.output_type in ("display_data", "execute_result") and mime in o.data]


def _check_common(outputs: dict[str, list[Any]]) -> None:
    stderr = "".join(_streams(o, "stderr") for o in outputs.values())
    assert "missing from" not in stderr, f"a glyph was drawn without a CJK font:\n{stderr}"
    assert "Traceback" not in stderr
    assert _streams(outputs["font"], "stdout").startswith("chart font: Noto Sans")


def test_notebooks_explore_runs_headless(kernel: str) -> None:
    outputs, seconds = _execute("01-explore.ipynb", kernel)
    _check_common(outputs)
    assert seconds < 120
    built = _streams(outputs["build"], "stdout")
    assert built.startswith("5 documents → ")
    # the stored queries came back as DataFrames
    parks = _data(outputs["query"], "text/html")[0]
    for column in ("park_name", "enterprises", "platforms"):
        assert f"<th>{column}</th>" in parks
    assert "<th>amount_text</th>" in _data(outputs["projects"], "text/html")[0]
    # two charts, drawn as PNG
    assert len(_data(outputs["invest"], "image/png")) == 1
    assert len(_data(outputs["platforms"], "image/png")) == 1
    # over time and in numbers (issue 16): an indicator's series and a ranking, charted
    assert len(_data(outputs["series"], "image/png")) == 1
    assert "<th>period</th>" in _data(outputs["series"], "text/html")[0]
    assert len(_data(outputs["ranking"], "image/png")) == 1
    assert "<th>total_yuan</th>" in _data(outputs["invest-year"], "text/html")[0]
    # the graph view inline: the whole offline page inside the notebook
    focus = _streams(outputs["view"], "stdout").split(":")[0]
    frame = _data(outputs["view"], "text/html")[0]
    assert frame.lstrip().startswith("<iframe")
    assert 'srcdoc="&lt;!DOCTYPE html&gt;' in frame
    assert "vis.Network" in frame and focus in frame
    page = frame.split("srcdoc=", 1)[1]
    assert re.search(r"(?:src|href)=(?:&quot;|&#x27;)?(?:https?:)?//", page) is None  # offline
    # national high-tech zones beside economic-development zones, from the register's queries
    compare = _data(outputs["zones"], "text/html")[0]
    for word in ("高新技术产业开发区", "经济技术开发区", "<th>register_zones</th>",
                 "<th>zones_named</th>"):
        assert word in compare
    assert len(_data(outputs["zones"], "image/png")) == 1
    assert "杭州高新技术产业开发区" in _streams(outputs["zones"], "stdout")
    # Wikidata links, as links
    linked = _data(outputs["wikidata"], "text/html")[0]
    assert '<a href="http://www.wikidata.org/entity/Q' in linked


def test_notebooks_quality_runs_headless(kernel: str) -> None:
    outputs, seconds = _execute("02-quality.ipynb", kernel)
    _check_common(outputs)
    assert seconds < 120
    assert "seeds: 5 texts\nextra: 18 texts\n" in _streams(outputs["score"], "stdout")
    table = _data(outputs["table"], "text/plain")[0]
    for word in ("precision", "recall", "Park", "园区", "hosts", "入驻", "invests", "合计"):
        assert word in table
    assert len(_data(outputs["chart"], "image/png")) == 1
    assert "<th>rule</th>" in _data(outputs["rules"], "text/html")[0]
