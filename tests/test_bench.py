"""`make bench`'s driver runs end to end on its smallest configuration and writes the results file and
its plots (nothing here checks a timing: the figures belong to bench/results/)."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_driver_writes_results_and_plots(tmp_path):
    run = subprocess.run([sys.executable, os.path.join(ROOT, 'bench', 'run_all.py'), '--smoke',
                          '--out', str(tmp_path)], capture_output=True, text=True, timeout=120,
                         env={**os.environ, 'MPLBACKEND': 'Agg'})
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    (md,) = [f for f in os.listdir(tmp_path) if f.endswith('.md')]
    text = (tmp_path / md).read_text()
    machine = md[:-len('-quick.md')]
    assert text.startswith(f'# What it costs: {machine}\n')
    for field in ('**machine**', '**CPU**', '**BLAS**', '**threads**', '**versions**', '**device**'):
        assert field in text
    for title in ('## Per-op overhead', '## The seed two-layer net', '## Dispatch-bound RNN',
                  '## Size sweep', '## Peak memory of a training step'):
        assert title in text
    assert 'failed' not in text
    pngs = [f for f in os.listdir(tmp_path) if f.endswith('.png')]
    assert len(pngs) >= 5 and all(f'({png})' in text for png in pngs)
    data = json.loads((tmp_path / md.replace('.md', '.json')).read_text())
    assert data['mode'] == 'smoke' and data['fields']['machine'] == machine
