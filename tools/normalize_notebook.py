"""Give notebooks the kernel metadata JupyterLab writes itself, so opening and closing one changes nothing.

JupyterLab rewrites `metadata.kernelspec` from the kernel it starts (`python3`, shown as
"Python 3 (ipykernel)") and marks the notebook modified when the stored one differs. `make notebook` runs
this after nbstripout.

    python tools/normalize_notebook.py course/00_start_here.ipynb [more.ipynb ...]
"""
import json
import sys

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

# What ipykernel reports for Python 3; `version` stays as the executing kernel wrote it.
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}


def normalize(nb):
    """Set the notebook dict's kernelspec and language_info in place; return the notebook."""
    meta = nb.setdefault("metadata", {})
    meta["kernelspec"] = dict(KERNELSPEC)
    meta["language_info"] = {**meta.get("language_info", {}), **LANGUAGE_INFO}
    return nb


def dumps(nb):
    """The JSON text nbformat (and so nbstripout and JupyterLab) writes: sorted keys, indent 1."""
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def normalize_file(path):
    """Rewrite the file when its metadata differs; return True when it changed."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    new = dumps(normalize(json.loads(text)))
    if new == text:
        return False
    with open(path, "w", encoding="utf-8") as f:
        f.write(new)
    return True


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for path in sys.argv[1:]:
        if normalize_file(path):
            print(f"normalized the kernel metadata of {path}")
