"""Open notebooks in JupyterLab in a real headless browser, as a learner would on a fresh clone.

One JupyterLab server serves copies of the notebooks (so nothing the browser does can change the real
files) with settings, data and workspace folders of its own: nothing is trusted, nothing from an earlier
visit is restored, and the notebook tracker's windowingMode "none" puts every cell in the page, not only
those on screen. Debian's `chromium --headless --dump-dom` then prints each notebook's page as rendered.
"""
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser

BROWSERS = ("chromium", "chromium-browser")

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-dev-shm-usage")

# user settings for the server under test: every cell rendered; no requests to the news feed
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def find_chromium():
    """The path of the chromium executable, or None."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_settings(folder, settings):
    """Write {"@scope/extension/plugin": {key: value}} as JupyterLab user settings under `folder`."""
    for plugin, values in settings.items():
        path = os.path.join(folder, *plugin.split("/")) + ".jupyterlab-settings"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(values, f)


class LabServer:
    """A JupyterLab server on 127.0.0.1 serving `root`, with fresh Jupyter folders under `home`."""

    def __init__(self, root, home, settings=None, startup_timeout=90):
        """`settings`: more defaults, as in an overrides.json ({"plugin:id": {key: value}})."""
        self.root, self.home = str(root), str(home)
        self.settings = dict(SETTINGS)
        for plugin, values in (settings or {}).items():
            self.settings[plugin.replace(":", "/")] = values
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.startup_timeout = startup_timeout
        self.process = None

    def env(self):
        env = dict(os.environ)
        for variable, folder in (("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTER_DATA_DIR", "data"),
                                 ("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                                 ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython")):
            env[variable] = os.path.join(self.home, folder)
            os.makedirs(env[variable], exist_ok=True)
        env.pop("JUPYTER_PATH", None)
        write_settings(env["JUPYTERLAB_SETTINGS_DIR"], self.settings)
        return env

    def __enter__(self):
        command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={self.port}",
                   "--ip=127.0.0.1", f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={self.root}",
                   "--ServerApp.port_retries=0"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")            # JupyterLab refuses root (containers) unless told
        self.log = open(os.path.join(self.home, "server.log"), "w")
        self.process = subprocess.Popen(command, env=self.env(), stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        try:
            self.wait_until_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def wait_until_ready(self):
        deadline = time.monotonic() + self.startup_timeout
        url = f"http://127.0.0.1:{self.port}/api/status?token={self.token}"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with status {self.process.returncode}:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"JupyterLab did not answer within {self.startup_timeout} s:\n{self.log_text()}")

    def log_text(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()[-4000:]

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)   # the server and the kernels it started
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()

    def notebook_url(self, name):
        # `reset`: open only this notebook, restoring no tabs from an earlier visit
        return f"http://127.0.0.1:{self.port}/lab/tree/{name}?reset&token={self.token}"


def dump_dom(chromium, url, profile, budget_ms=30000, timeout=120):
    """The page's DOM after `budget_ms` of virtual time (network waits do not count), as HTML text."""
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
               f"--virtual-time-budget={budget_ms}", "--dump-dom", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 or not done.stdout:
        raise RuntimeError(f"chromium exited with status {done.returncode}:\n{done.stderr[-3000:]}")
    return done.stdout


class RenderedNotebook(HTMLParser):
    """What a notebook page shows: its cells, each output's mime type, and whether its tab is modified."""

    def __init__(self, html):
        super().__init__()
        self.cells = 0
        self.output_mime_types = []
        self.dirty_tabs = []
        self.listing = []            # the file browser's entries, top to bottom
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        if "jp-Notebook-cell" in classes:
            self.cells += 1
        if "jp-OutputArea-output" in classes and "data-mime-type" in attrs:
            self.output_mime_types.append(attrs["data-mime-type"])
        if "jp-DirListing-item" in classes and (attrs.get("title") or "").startswith("Name: "):
            self.listing.append(attrs["title"].splitlines()[0][len("Name: "):])
        if "lm-TabBar-tab" in classes and "jp-mod-dirty" in classes:
            self.dirty_tabs.append(attrs.get("title") or attrs.get("id"))

    @property
    def images(self):
        return [m for m in self.output_mime_types if m.startswith("image/")]


def load_tool(path):
    """A script under tools/ as a module."""
    spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stored_outputs(path):
    """The number of cells and the number of outputs with an image in a notebook file."""
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    images = sum(1 for cell in nb["cells"] for output in cell.get("outputs", [])
                 if any(mime.startswith("image/") for mime in output.get("data", {})))
    return len(nb["cells"]), images
