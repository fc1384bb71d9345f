"""The README's notebook table and notebook 00's map of the course say the same thing: the same
notebooks, each with the same description, assumptions and time to work through; and each name is the
notebook's own title. And every path and minitorch name the README and the notebooks' text mention
exists."""
import json
import os
import re

from lab_browser import load_tool

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COURSE = os.path.join(ROOT, 'course')


def table_rows(lines, header_start):
    """The cells of each row of the Markdown table whose header line starts with header_start."""
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith('|'):
            break
        rows.append([cell.strip() for cell in line.strip().strip('|').split('|')])
    return rows


def readme_map():
    with open(os.path.join(ROOT, 'README.md')) as f:
        rows = table_rows(f.read().splitlines(), '| notebook | what it builds | assumes |')
    found = {}
    for notebook, builds, assumes, time, _run_all in rows:
        link = re.fullmatch(r'\[`(\d\d)_(\w+)`\]\(course/(\d\d_\w+)\.ipynb\)', notebook)
        assert link, f'README row {notebook!r}: expected [`NN_name`](course/NN_name.ipynb)'
        assert link.group(3) == f'{link.group(1)}_{link.group(2)}', notebook
        found[link.group(1)] = {'file': link.group(3), 'builds': builds, 'assumes': assumes,
                                'time': time}
    return found


def notebook_map():
    with open(os.path.join(COURSE, '00_start_here.ipynb')) as f:
        cells = json.load(f)['cells']
    text = next(''.join(c['source']) for c in cells if c['cell_type'] == 'markdown' and
                '| notebook | what it builds | assumes | to work through |' in ''.join(c['source']))
    found = {}
    for notebook, builds, assumes, time in table_rows(text.splitlines(), '| notebook |'):
        number, name = notebook.split(' ', 1)
        found[number] = {'name': name, 'builds': builds, 'assumes': assumes, 'time': time}
    return found


def title_of(file):
    with open(os.path.join(COURSE, f'{file}.ipynb')) as f:
        first = ''.join(json.load(f)['cells'][0]['source']).splitlines()[0]
    return first


def test_readme_and_notebook_00_list_every_notebook():
    on_disk = sorted(f[:2] for f in os.listdir(COURSE) if re.fullmatch(r'\d\d_\w+\.ipynb', f))
    assert sorted(readme_map()) == on_disk
    assert sorted(notebook_map()) == on_disk


def test_they_say_the_same_thing():
    readme, notebook = readme_map(), notebook_map()
    for number in readme:
        for column in ('builds', 'assumes', 'time'):
            assert readme[number][column] == notebook[number][column], (number, column)


def test_each_name_is_the_notebooks_title():
    readme, notebook = readme_map(), notebook_map()
    for number, row in notebook.items():
        title = title_of(readme[number]['file'])
        assert title.startswith(f'# {number} · '), title
        assert row['name'].lower() in title.lower(), (row['name'], title)


def test_assumptions_name_earlier_notebooks():
    for number, row in notebook_map().items():
        for earlier in re.findall(r'\d\d', row['assumes']):
            assert earlier < number, (number, row['assumes'])


def test_every_path_and_name_mentioned_exists():
    check_references = load_tool(os.path.join(ROOT, 'tools', 'check_references.py'))
    assert check_references.problems() == []
