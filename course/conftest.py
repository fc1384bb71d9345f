"""pytest hooks for the course notebooks, used when `make test` runs them under nbval.

nbval compares every output of every cell except the mime types in its notebook
collector's `skip_compare` tuple (it already skips PNG/JPEG and widget ids).
Drawings are not compared byte for byte: graphviz's SVG differs between graphviz
versions (conda-forge vs Debian), and each drawing also has a text form
that nbval does compare.
"""

NOT_COMPARED = (
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "application/javascript",
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
)


def pytest_collectstart(collector):
    skip = getattr(collector, "skip_compare", None)  # only nbval's IPyNbFile has it
    if skip is None:
        return
    collector.skip_compare = tuple(skip) + tuple(m for m in NOT_COMPARED if m not in skip)
