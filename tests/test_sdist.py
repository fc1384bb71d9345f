"""The source distribution carries what `make test` needs: the package, the tests with their conftest and
helpers, the course (notebooks, their helper modules, nbval setup), the tools and the license.

The sdist is built from a copy of the project (the build writes an egg-info folder), with the setuptools
of this environment, as `python -m build --sdist` would with a fresh one.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
# what must travel: these folders whole (but caches), and these files
FOLDERS = ("minitorch", "tests", "course", "tools", "bench", "docs")
FILES = ("LICENSE", "README.md", "pyproject.toml", "Makefile", "environment.yml", ".ci/run")
NOT_SOURCE = ("__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis", "_render")


def project_files():
    """The project's source files, relative to ROOT: git's list where there is one, else the folders."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                                cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\n")
        names = [name for name in listed if name and (ROOT / name).is_file()]
    else:                                   # an unpacked sdist: everything but caches
        names = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()]
    return sorted(n for n in names if not set(pathlib.PurePath(n).parts) & set(NOT_SOURCE)
                  and not n.endswith((".pyc", ".pyo")) and ".egg-info" not in n)


def must_travel(name):
    return name in FILES or name.split("/")[0] in FOLDERS


@pytest.fixture(scope="module")
def sdist(tmp_path_factory):
    source = tmp_path_factory.mktemp("source")
    for name in project_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    build = subprocess.run([sys.executable, "-c", "import sys; from setuptools import build_meta; "
                            "print(build_meta.build_sdist(sys.argv[1]))", str(out)],
                           cwd=source, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-3000:]
    archive = out / build.stdout.strip().splitlines()[-1]
    unpacked = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(archive) as tar:
        top = tar.getnames()[0].split("/")[0]
        names = {name[len(top) + 1:] for name in tar.getnames() if tar.getmember(name).isfile()}
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}   # Python >= 3.11.4
        tar.extractall(unpacked, **safe)
    return names, unpacked / top


def test_sdist_holds_the_package_tests_course_and_tools(sdist):
    names, _ = sdist
    expected = {name for name in project_files() if must_travel(name)}
    assert {"tests/conftest.py", "course/conftest.py", "course/sanitize.cfg", "course/lib/checks.py",
            "minitorch/data/digits.npz", "LICENSE"} <= expected
    assert expected - names == set(), sorted(expected - names)
    caches = [n for n in names if set(pathlib.PurePath(n).parts) & set(NOT_SOURCE) or n.endswith(".pyc")]
    assert caches == []


def test_sdist_metadata_names_the_licenses(sdist):
    _, unpacked = sdist
    info = (unpacked / "PKG-INFO").read_text(encoding="utf-8")
    assert "License-Expression: MIT AND BSD-3-Clause" in info
    assert "License-File: LICENSE" in info
    assert "Classifier: Intended Audience :: Education" in info
    assert "example.com" not in info and "TODO" not in info


def test_tests_of_the_sdist_collect_from_it_alone(sdist):
    # every test module imports from the unpacked sdist: conftest, helpers and the package are all there
    _, unpacked = sdist
    env = dict(os.environ, PYTHONPATH=str(unpacked))
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "tests"], cwd=unpacked, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " error" not in done.stdout.splitlines()[-1], done.stdout[-3000:]
