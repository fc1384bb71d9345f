"""Run every benchmark and write bench/results/<machine>.md with its PNG plots beside it.

    python bench/run_all.py            # make bench: everything (under 10 minutes on 2 cores)
    python bench/run_all.py --quick    # make bench QUICK=1: fewer sizes and repeats, no MPI, no
                                       #   torch.compile (under a minute); writes <machine>-quick.md
    python bench/run_all.py --gpu-quick   # make bench GPU_QUICK=1: the quick CPU parts and the GPU
                                       #   sweeps, for a short lease of a GPU machine
    python bench/run_all.py --smoke --out DIR   # the smallest run, for a test of this driver

Each section comes from one script of bench/ (its `suite(config)`), and each script still runs alone
and prints its tables; a script without suite() (SCRIPTS) is run as it is and its output kept.  The results file starts with the machine, CPU, BLAS and threads, library
versions and device; every plot repeats them in its footer.  <machine>.json holds the raw numbers.
"""
import argparse
import json
import os
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _machine  # noqa: E402
from _report import Config, Section, Table, Text, write  # noqa: E402
from _timing import one_blas_thread  # noqa: E402

SECTIONS = {            # module: the modes that run it
    'op_overhead': ('full', 'quick', 'gpu-quick', 'smoke'),
    'two_layer_net': ('full', 'quick', 'gpu-quick', 'smoke'),
    'digits': ('full', 'quick', 'gpu-quick'),
    'rnn': ('full', 'quick', 'gpu-quick', 'smoke'),
    'sizes': ('full', 'quick', 'gpu-quick', 'smoke'),
    'memory': ('full', 'quick', 'gpu-quick', 'smoke'),
    'allreduce': ('full',),
    'ddp_digits': ('full',),
}
SCRIPTS = {             # scripts without suite(): run as they are, their printed tables kept
    'dispatch_hook_cost': ('full', 'quick', 'gpu-quick'),
    'pipeline': ('full',),
}
HERE = os.path.dirname(os.path.abspath(__file__))


def run_section(module_name, config):
    start = time.perf_counter()
    try:
        module = __import__(module_name)
        section = module.suite(config)
    except Exception as err:                # one failing section must not lose the others
        section = Section(f'{module_name}: failed', '', [Table(
            f'bench/{module_name}.py raised {type(err).__name__}', ['traceback'],
            [[line] for line in traceback.format_exc().strip().splitlines()[-6:]])])
        section.failed = True
    section.seconds = time.perf_counter() - start
    section.print()
    print(f'({module_name}: {section.seconds:.0f} s)\n', flush=True)
    return section


def run_script(name):
    """A bench script that prints its own tables: run it alone, keep what it printed."""
    start = time.perf_counter()
    path = os.path.join(HERE, f'{name}.py')
    with open(path) as f:
        title = f.read().split('"""')[1].strip().splitlines()[0].rstrip('.')
    run = subprocess.run([sys.executable, path], capture_output=True, text=True, timeout=900,
                         cwd=HERE)
    text = run.stdout if run.returncode == 0 else f'exit status {run.returncode}\n{run.stderr[-3000:]}'
    section = Section(title, f'Printed by `bench/{name}.py` (its own table and statistic).',
                      [Text(text)])
    section.failed = run.returncode != 0
    section.seconds = time.perf_counter() - start
    section.print()
    print(f'({name}: {section.seconds:.0f} s)\n', flush=True)
    return section


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--quick', action='store_const', const='quick', dest='mode')
    group.add_argument('--gpu-quick', action='store_const', const='gpu-quick', dest='mode')
    group.add_argument('--smoke', action='store_const', const='smoke', dest='mode')
    parser.add_argument('--out', default=os.path.join(HERE, 'results'))
    args = parser.parse_args(argv)
    mode = args.mode or 'full'
    config = Config(mode)
    started = time.strftime('%Y-%m-%d %H:%M')
    start = time.perf_counter()
    import numpy  # noqa: F401  (loaded before the BLAS is described and pinned)
    with one_blas_thread():
        fields = _machine.describe()
    short = mode in ('quick', 'smoke') or (mode == 'gpu-quick' and not config.gpu)
    name = fields['machine'] + ('-quick' if short else '')     # a short CPU run keeps no results
    print(f'make bench ({mode}): results to {os.path.join(args.out, name)}.md')
    for key, value in fields.items():
        print(f'  {key}: {value}')
    print(flush=True)
    sections = [run_section(module, config) for module, modes in SECTIONS.items()
                if mode in modes]
    sections += [run_script(script) for script, modes in SCRIPTS.items() if mode in modes]
    seconds = time.perf_counter() - start
    path = write(sections, fields, args.out, name, mode, started, seconds)
    with open(os.path.join(args.out, f'{name}.json'), 'w') as f:
        json.dump({'fields': fields, 'mode': mode, 'started': started,
                   'sections': {s.title: s.data for s in sections if s.data is not None}},
                  f, indent=1, default=_plain)
    print(f'wrote {path} ({seconds:.0f} s)')
    return 1 if any(getattr(s, 'failed', False) for s in sections) else 0


def _plain(value):
    """JSON for what json cannot write itself (tuples as keys are made strings before)."""
    return str(value)


if __name__ == '__main__':
    sys.exit(main())
