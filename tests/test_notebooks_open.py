"""Every notebook opened in JupyterLab in a real browser, as on a fresh clone: each stored drawing and plot
is shown (not its text fallback), every cell is on the page, and the notebook does not open as modified.

A fresh clone is untrusted, and JupyterLab hides the SVG outputs of untrusted notebooks; drawings show
because they carry a PNG beside the SVG. Needs Debian's `chromium` (`.ci/run` installs it): the test is
required when CI is set and skipped, with the reason, when no chromium is installed.
"""
import os
import pathlib
import shutil

import pytest

from lab_browser import LabServer, RenderedNotebook, dump_dom, find_chromium, stored_outputs

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "course").glob("[0-9][0-9]_*.ipynb"))


def missing_tools():
    """Why the browser check cannot run here, or None."""
    if find_chromium() is None:
        return "no chromium installed (apt-get install chromium)"
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        return "JupyterLab is not installed"
    return None


@pytest.fixture(scope="module")
def chromium():
    why = missing_tools()
    if why and os.environ.get("CI"):
        pytest.fail(f"the real-browser check of the notebooks must run in CI, but: {why}")
    if why:
        pytest.skip(f"{why}: the real-browser check of the notebooks is skipped")
    return find_chromium()


@pytest.fixture(scope="module")
def lab(chromium, tmp_path_factory):
    """One JupyterLab server for all notebooks, serving copies of them (the browser never writes ours)."""
    served = tmp_path_factory.mktemp("course")
    for path in NOTEBOOKS:
        shutil.copy(path, served / path.name)
    with LabServer(served, tmp_path_factory.mktemp("jupyter")) as server:
        yield server


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_shows_its_drawings_and_plots_on_first_open(path, lab, chromium, tmp_path):
    cells, images = stored_outputs(path)
    page = RenderedNotebook(dump_dom(chromium, lab.notebook_url(path.name), tmp_path / "profile"))
    assert page.cells == cells, \
        f"{path.name}: {page.cells} of {cells} cells on the page (server log:\n{lab.log_text()})"
    hidden = [m for m in page.output_mime_types if m == "text/plain"]
    assert len(page.images) == images, (
        f"{path.name}: {len(page.images)} of {images} stored drawings and plots are shown; "
        f"{len(hidden)} outputs show as text instead (is an output an SVG without a PNG beside it? "
        f"untrusted notebooks hide SVG)")
    assert not page.dirty_tabs, (
        f"{path.name} opens as modified: its metadata differs from what JupyterLab writes "
        f"(run make notebook NB=course/{path.name})")
