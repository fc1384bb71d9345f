"""Install the course's JupyterLab defaults in this Python environment, keeping every setting already there.

JupyterLab reads <sys.prefix>/share/jupyter/lab/settings/overrides.json as the defaults of the environment
it runs in; a learner's own settings (~/.jupyter/lab/user-settings) still win, and nothing in the home
folder is touched. `make lab` runs it with the course's Python:

    python tools/lab_settings.py [overrides.json]
"""
import json
import os
import sys

# the file browser lists the notebooks first, ahead of course/lib/ and course/solutions/
OVERRIDES = {
    "@jupyterlab/filebrowser-extension:browser": {"sortNotebooksFirst": True},
}


def overrides_path(prefix=sys.prefix):
    return os.path.join(prefix, "share", "jupyter", "lab", "settings", "overrides.json")


def merged(existing, overrides=OVERRIDES):
    """`existing` with the course's settings added, plugin by plugin; other keys are kept."""
    result = {plugin: dict(values) for plugin, values in existing.items()}
    for plugin, values in overrides.items():
        result.setdefault(plugin, {}).update(values)
    return result


def install(path):
    """Merge OVERRIDES into the JSON file at `path`; returns what was done, in words."""
    existing = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            try:
                existing = json.load(f)
            except json.JSONDecodeError as error:
                return f"left {path} as it is: it is not valid JSON ({error})"
    new = merged(existing)
    if new == existing:
        return f"{path} already has the course's JupyterLab settings"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(new, f, indent=2)
        f.write("\n")
    return f"wrote the course's JupyterLab settings to {path}"


if __name__ == "__main__":
    print(install(sys.argv[1] if len(sys.argv) > 1 else overrides_path()))
