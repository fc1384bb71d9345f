"""Every file path and every `mt.` / `minitorch.` name that README.md and the notebooks' text mention exists.

    .venv/bin/python tools/check_references.py      (prints each one that does not; exit status 1 if any)

The library and the course move under the text that teaches them; a renamed function or a moved file
otherwise lives on in a sentence nobody runs. Paths are checked when they name a folder of the
repository (`bench/fusion.py`, `lib/value.py`, `course/solutions/sol01.py`), so example names such as
`train.py` are left alone; names are resolved attribute by attribute, importing submodules on the way.
"""
import glob
import importlib
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# a path into the repository; notebooks say lib/... and solutions/... for course/lib/... and course/solutions/...
PATH = re.compile(r'(?<![\w./-])((?:course|minitorch|tests|tools|docs|bench|lib|solutions|\.ci)/[\w./<>*-]*[\w>*])')
NAME = re.compile(r'(?<![\w./])(?:mt|minitorch)((?:\.\w+)+)')
PATTERN = re.compile(r'[<*]')     # bench/results/<machine>.md, course/NN_*.ipynb: a pattern, not a file


def texts():
    """(where, text): README.md, each notebook's markdown cells and the comments of its code cells."""
    with open(os.path.join(ROOT, 'README.md')) as f:
        yield 'README.md', f.read()
    for path in sorted(glob.glob(os.path.join(ROOT, 'course', '[0-9][0-9]_*.ipynb'))):
        with open(path) as f:
            cells = json.load(f)['cells']
        for i, cell in enumerate(cells):
            source = ''.join(cell['source'])
            if cell['cell_type'] == 'code':
                source = '\n'.join(line.split('#', 1)[1] for line in source.splitlines() if '#' in line)
            yield f'{os.path.relpath(path, ROOT)} cell {i}', source


def path_exists(path):
    return any(os.path.exists(os.path.join(ROOT, prefix, path)) for prefix in ('', 'course'))


def name_exists(dotted):
    """Whether minitorch.<dotted> resolves, as an attribute or as a submodule."""
    obj, parts = importlib.import_module('minitorch'), dotted.split('.')
    for i, part in enumerate(parts):
        if hasattr(obj, part):
            obj = getattr(obj, part)
            continue
        try:
            obj = importlib.import_module('minitorch.' + '.'.join(parts[:i + 1]))
        except ImportError:
            return False
    return True


def problems():
    found = []
    for where, text in texts():
        for match in PATH.finditer(text):
            if not PATTERN.search(match.group(1)) and not path_exists(match.group(1)):
                found.append(f'{where}: no file or folder {match.group(1)}')
        for match in NAME.finditer(text):
            if not name_exists(match.group(1)[1:]):
                found.append(f'{where}: no {match.group(0)} in minitorch')
    return found


if __name__ == '__main__':
    sys.path.insert(0, ROOT)
    found = problems()
    print('\n'.join(found) or 'every path and name mentioned exists')
    sys.exit(1 if found else 0)
