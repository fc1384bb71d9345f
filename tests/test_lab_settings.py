"""tools/lab_settings.py: the course's JupyterLab defaults join an environment's overrides.json, keeping
whatever else is there (`make lab` runs it; the browser test checks JupyterLab obeys the setting)."""
import json
import pathlib

import pytest

from lab_browser import load_tool

ROOT = pathlib.Path(__file__).resolve().parent.parent
lab_settings = load_tool(ROOT / "tools" / "lab_settings.py")
BROWSER = "@jupyterlab/filebrowser-extension:browser"


def test_writes_a_new_file(tmp_path):
    path = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert "wrote" in lab_settings.install(str(path))
    assert json.loads(path.read_text())[BROWSER] == {"sortNotebooksFirst": True}
    assert "already" in lab_settings.install(str(path))


def test_keeps_the_settings_already_there(tmp_path):
    path = tmp_path / "overrides.json"
    mine = {"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
            BROWSER: {"showHiddenFiles": True, "sortNotebooksFirst": False}}
    path.write_text(json.dumps(mine))
    lab_settings.install(str(path))
    assert json.loads(path.read_text()) == {
        "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
        BROWSER: {"showHiddenFiles": True, "sortNotebooksFirst": True}}


def test_leaves_a_broken_file_alone(tmp_path):
    path = tmp_path / "overrides.json"
    path.write_text("{not json")
    assert "not valid JSON" in lab_settings.install(str(path))
    assert path.read_text() == "{not json"


def test_names_a_setting_jupyterlab_has():
    schema = (pathlib.Path(lab_settings.sys.prefix) / "share" / "jupyter" / "lab" / "schemas" /
              "@jupyterlab" / "filebrowser-extension" / "browser.json")
    if not schema.exists():
        pytest.skip("JupyterLab is not installed in this environment")
    properties = json.loads(schema.read_text())["properties"]
    for plugin, values in lab_settings.OVERRIDES.items():
        assert plugin == BROWSER
        assert set(values) <= set(properties), set(values) - set(properties)
