"""Every course notebook is stored as JupyterLab would save it, so opening and closing one changes nothing.

JupyterLab marks a notebook modified when its stored kernelspec differs from the kernel it starts
("Python 3" vs "Python 3 (ipykernel)"); `make notebook` runs tools/normalize_notebook.py to prevent that.
"""
import json
import pathlib

import pytest

from lab_browser import load_tool

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "course").glob("[0-9][0-9]_*.ipynb"))
normalize_notebook = load_tool(ROOT / "tools" / "normalize_notebook.py")


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 7, NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_kernel_metadata_is_what_jupyterlab_writes(path):
    meta = json.loads(path.read_text(encoding="utf-8"))["metadata"]
    assert meta["kernelspec"] == {"display_name": "Python 3 (ipykernel)", "language": "python",
                                  "name": "python3"}, f"run: make notebook NB={path.relative_to(ROOT)}"
    assert meta["language_info"]["name"] == "python"
    assert meta["language_info"]["codemirror_mode"] == {"name": "ipython", "version": 3}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_in_normal_form(path):
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    assert normalize_notebook.dumps(normalize_notebook.normalize(json.loads(text))) == text, \
        f"{path.name} is not in normal form: run make notebook NB=course/{path.name}"
    stamped = [i for i, cell in enumerate(nb["cells"])
               if {"execution", "ExecuteTime"} & set(cell.get("metadata", {}))]
    assert not stamped, f"{path.name}: cells {stamped} carry execution timestamps (nbstripout removes them)"


def test_normalize_fixes_an_old_kernelspec(tmp_path):
    path = tmp_path / "old.ipynb"
    old = {"cells": [], "nbformat": 4, "nbformat_minor": 5,
           "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                        "language_info": {"name": "python", "version": "3.11.2"}}}
    path.write_text(json.dumps(old), encoding="utf-8")
    assert normalize_notebook.normalize_file(path) is True
    meta = json.loads(path.read_text(encoding="utf-8"))["metadata"]
    assert meta["kernelspec"]["display_name"] == "Python 3 (ipykernel)"
    assert meta["language_info"]["version"] == "3.11.2"   # the executing kernel's own version is kept
    assert meta["language_info"]["pygments_lexer"] == "ipython3"
    assert normalize_notebook.normalize_file(path) is False   # a second run changes nothing
