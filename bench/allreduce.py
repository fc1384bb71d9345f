"""All-reduce time against message size (1 KB to 16 MB of float32) on 2 MPI processes, with the latency
alpha and inverse bandwidth beta of the ring all-reduce cost model fitted to the measurements:

    T(n bytes, p ranks) = 2 (p - 1) alpha  +  2 (p - 1) / p * n * beta

(reduce-scatter then all-gather: 2(p-1) steps, each sending n/p bytes to the next rank).  Rows: the
model's prediction, minitorch's dist.all_reduce (with and without the cross-rank call check) and
mpi4py's own Allreduce on the same numpy array, for the overhead of the Python layer.  Each figure is
the median of 7 trials of a burst of calls between barriers, on rank 0; BLAS pinned to one thread.

    python bench/allreduce.py          # launches itself: mpiexec -n 2 python bench/allreduce.py --rank
    python bench/allreduce.py 3        # on 3 processes
"""
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

import minitorch as mt
import minitorch.distributed as dist
from _ranks import on_ranks
from _report import Plot, Section, Table
from _timing import one_blas_thread

SIZES = [2**k for k in range(10, 25, 2)]        # bytes: 1 KB, 4 KB, ... 16 MB
TRIALS = 7
COLUMNS = {'checked': 'dist.all_reduce', 'unchecked': 'without call check',
           'mpi4py': 'mpi4py Allreduce'}


def burst_times(candidates, comm, calls):
    """{name: median seconds per call} over TRIALS rounds; each round runs a burst of `calls` calls
    of every candidate in turn, each burst between barriers."""
    times = {name: [] for name in candidates}
    for _ in range(TRIALS):
        for name, fn in candidates.items():
            comm.Barrier()
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            times[name].append((time.perf_counter() - start) / calls)
    return {name: statistics.median(t) for name, t in times.items()}


def measure():
    from mpi4py import MPI
    dist.init_process_group('mpi')
    comm = MPI.COMM_WORLD
    rows = []
    for size in SIZES:
        array = np.ones(size // 4, dtype=np.float32)
        tensor = mt.from_numpy(array)
        calls = max(3, min(200, 2**22 // size))
        rows.append({'bytes': size, **burst_times({
            'checked': lambda: dist.all_reduce(tensor),
            'unchecked': lambda: dist.collectives.all_reduce_unchecked(tensor),
            'mpi4py': lambda: comm.Allreduce(MPI.IN_PLACE, array)}, comm, calls)})
    if dist.get_rank() == 0:
        print(json.dumps({'ranks': dist.get_world_size(), 'rows': rows}))
    dist.destroy_process_group()


def fit_ring_model(sizes, times, p):
    """alpha, beta of T = 2(p-1) alpha + 2(p-1)/p n beta, by least squares on relative errors (the
    times span three orders of magnitude: an absolute fit would ignore the small messages)."""
    sizes, times = np.asarray(sizes, float), np.asarray(times, float)
    design = np.stack([np.full_like(sizes, 2 * (p - 1)), 2 * (p - 1) / p * sizes], axis=1)
    (alpha, beta), *_ = np.linalg.lstsq(design / times[:, None], np.ones_like(times), rcond=None)
    return alpha, beta


def ring_model(n, p, alpha, beta):
    return 2 * (p - 1) * alpha + 2 * (p - 1) / p * n * beta


def tables(result):
    """The measurements and the fitted model as two Tables."""
    p, rows = result['ranks'], result['rows']
    sizes = [r['bytes'] for r in rows]
    fits = {name: fit_ring_model(sizes, [r[name] for r in rows], p) for name in COLUMNS}
    alpha, beta = fits['checked']
    measured = Table(
        f'all_reduce (SUM) of float32 on {p} MPI processes (mpich, shared memory); '
        f'{platform.machine()} CPU, {os.cpu_count()} cores visible, BLAS pinned to 1 thread; '
        f'median of {TRIALS} bursts',
        ['message', 'ring model', *COLUMNS.values(), 'dist.all_reduce vs mpi4py',
         'dist.all_reduce bandwidth'],
        [[_size(n), f'{ring_model(n, p, alpha, beta) * 1e6:.0f} us',
          *(f"{r[name] * 1e6:.0f} us" for name in COLUMNS), f"{r['checked'] / r['mpi4py']:.2f}x",
          f"{n / r['checked'] / 1e9:.2f} GB/s"] for n, r in zip(sizes, rows)])
    fitted = Table(
        'ring model T = 2(p-1) alpha + 2(p-1)/p n beta, fitted (least squares on relative error)',
        ['fitted to', 'alpha (latency per step)', 'beta (time per byte)', '1 / beta'],
        [[label, f'{fits[name][0] * 1e6:.1f} us', f'{fits[name][1] * 1e9:.3f} ns/byte',
          f'{1 / fits[name][1] / 1e9:.1f} GB/s'] for name, label in COLUMNS.items()])
    return [measured, fitted]


def report(result):
    for t in tables(result):
        t.print()


def launch(nprocs=2):
    """Run the measurement on nprocs MPI processes; returns rank 0's result."""
    return on_ranks(__file__, nprocs)


def suite(config):
    result = launch(2)
    section = Section('All-reduce on 2 MPI processes', 'Message sizes from 1 KB to 16 MB; the '
                      'baseline is mpi4py\'s own Allreduce on the same array.',
                      tables(result) + [Plot('allreduce', lambda fig: draw(fig, result),
                                             'All-reduce time against message size')])
    section.data = result
    return section


def draw(fig, result):
    p, rows = result['ranks'], result['rows']
    sizes = np.array([r['bytes'] for r in rows], float)
    ax = fig.add_subplot(1, 1, 1)
    for name, label in COLUMNS.items():
        ax.loglog(sizes, [r[name] * 1e6 for r in rows], 'o-', ms=3, label=label)
    alpha, beta = fit_ring_model(sizes, [r['checked'] for r in rows], p)
    ax.loglog(sizes, ring_model(sizes, p, alpha, beta) * 1e6, 'k--', lw=0.8,
              label='ring model fitted to dist.all_reduce')
    ax.set_xlabel('message (bytes)')
    ax.set_ylabel('microseconds per all-reduce (median)')
    ax.legend(fontsize=8)


def _size(n):
    return f'{n // 2**20} MB' if n >= 2**20 else f'{n // 2**10} KB'


def main():
    if '--rank' in sys.argv:
        with one_blas_thread():
            measure()
        return
    nprocs = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    try:
        report(launch(nprocs))
    except RuntimeError as err:
        sys.exit(str(err))


if __name__ == '__main__':
    main()
