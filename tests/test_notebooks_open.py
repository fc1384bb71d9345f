"""Every notebook opened in JupyterLab in a real browser, as on a fresh clone: each stored drawing and plot
is shown (not its text fallback), every cell is on the page, the notebook does not open as modified, and
the file browser shows the notebooks near the top.

A fresh clone is untrusted, and JupyterLab hides the SVG outputs of untrusted notebooks; drawings show
because they carry a PNG beside the SVG. Needs Debian's `chromium` (`.ci/run` installs it): the test is
required when CI is set and skipped, with the reason, when no chromium is installed.
"""
import os
import pathlib
import shutil

import pytest

from lab_browser import LabServer, RenderedNotebook, dump_dom, find_chromium, load_tool, stored_outputs

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "course").glob("[0-9][0-9]_*.ipynb"))
lab_settings = load_tool(ROOT / "tools" / "lab_settings.py")


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
    """One JupyterLab server for all notebooks, serving a copy of course/ (the browser never writes ours),
    with the settings `make lab` installs."""
    served = tmp_path_factory.mktemp("served") / "course"
    shutil.copytree(ROOT / "course", served, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    with LabServer(served, tmp_path_factory.mktemp("jupyter"), settings=lab_settings.OVERRIDES) as server:
        yield server


@pytest.fixture(scope="module")
def opened(lab, chromium, tmp_path_factory):
    """name -> the notebook's page as the browser rendered it (each notebook opened once)."""
    pages = {}

    def open_notebook(name):
        if name not in pages:
            profile = tmp_path_factory.mktemp("chromium")
            pages[name] = RenderedNotebook(dump_dom(chromium, lab.notebook_url(name), profile))
        return pages[name]
    return open_notebook


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_shows_its_drawings_and_plots_on_first_open(path, lab, opened):
    cells, images = stored_outputs(path)
    page = opened(path.name)
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


def test_file_browser_lists_the_notebooks_right_after_the_folders(opened):
    # JupyterLab always lists folders first; the helpers live in folders (lib/, solutions/), so the
    # notebooks come next, ahead of conftest.py and sanitize.cfg
    listing = opened(NOTEBOOKS[0].name).listing
    folders = sorted(p.name for p in (ROOT / "course").iterdir()
                     if p.is_dir() and not p.name.startswith((".", "__")))
    assert listing[:len(folders) + len(NOTEBOOKS)] == folders + [p.name for p in NOTEBOOKS], listing
