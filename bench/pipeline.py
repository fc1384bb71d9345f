"""A training step cut across 2 processes and pipelined (GPipe): step time and bubble against m.

Two nets, float32, SGD, one BLAS thread per process (each process has one core of the 2):
  - balanced: two equal blocks (Linear 512→1024, tanh, Linear 1024→512, tanh), one per stage, MSE
    loss, a batch of 256;
  - the seed net: Linear 1000→100, ReLU | Linear 100→10 and the summed squared error, a batch of 64
    (its stages are ~100:1 unequal: the second has almost nothing to do).
1 process runs the whole step as one static graph (mt.static.function); 2 processes run the step
traced on one micro-batch, partitioned (block '0' / layer '0' on rank 0, the rest on rank 1) and
pipelined over m micro-batches.  Step time: best of the timed steps (a barrier before and after);
bubble: the share of the two stages' time not spent computing between the first forward and the last
backward in the fastest step (the least disturbed by other work on the machine), beside GPipe's
model (p−1)/(m+p−1) for equal stages.

    python bench/pipeline.py         # launches itself with mpiexec -n 1 and -n 2
"""
import json
import os
import platform
import sys
import time

import numpy as np

import minitorch as mt
import minitorch.distributed as dist
from minitorch import nn
from _timing import one_blas_thread, table

STEPS = 20
MICROBATCHES = (1, 2, 4, 8, 16, 32)


def balanced():
    def block():
        return nn.Sequential(nn.Linear(512, 1024), nn.Tanh(), nn.Linear(1024, 512), nn.Tanh())
    mt.manual_seed(0)
    return nn.Sequential(block(), block()), 256, 512, 512, nn.functional.mse_loss


def seed():
    mt.manual_seed(0)
    model = nn.Sequential(nn.Linear(1000, 100, bias=False), nn.ReLU(),
                          nn.Linear(100, 10, bias=False))
    return model, 64, 1000, 10, lambda out, y: (out - y).pow(2).sum()


NETS = {'balanced': (balanced, 1e-2, 'mean', {'0': 0, '1': 1}),
        'seed': (seed, 1e-6, 'sum', {'0': 0, '2': 1})}


def step_of(model, loss_fn, lr):
    opt = mt.optim.SGD(model.parameters(), lr=lr)

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def fastest(step, schedule=None):
    """(seconds, bubble) of the fastest of STEPS steps — the one least disturbed by other work on the
    machine; schedule() gathers the bubble of the step just run (a collective), outside the timing."""
    runs = []
    for _ in range(STEPS):
        dist.barrier()
        start = time.perf_counter()
        step()
        dist.barrier()
        seconds = time.perf_counter() - start
        runs.append((seconds, schedule().bubble() if schedule else None))
    return min(runs, key=lambda r: r[0])


def measure(name, world):
    make, lr, reduction, placement = NETS[name]
    model, batch, d_in, d_out, loss_fn = make()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, d_in)).astype(np.float32)
    y = rng.standard_normal((batch, d_out)).astype(np.float32)
    if world == 1:
        step = mt.static.function(step_of(model, loss_fn, lr))
        xt, yt = mt.tensor(x), mt.tensor(y)
        step(xt, yt)
        return [{'net': name, 'world': 1, 'm': None, 'time': fastest(lambda: step(xt, yt))[0]}]
    rows = []
    for m in MICROBATCHES:
        model, *_ = make()
        b = batch // m
        graph = mt.static.trace_graph(step_of(model, loss_fn, lr), mt.tensor(x[:b]), mt.tensor(y[:b]))
        pipe = mt.static.Pipeline(mt.static.partition(graph, placement), m, reduction)
        pipe.step({'x': x, 'y': y})
        seconds, bubble = fastest(lambda p=pipe: p.step({'x': x, 'y': y}), pipe.gather_schedule)
        rows.append({'net': name, 'world': 2, 'm': m, 'time': seconds, 'bubble': bubble})
    return rows


def worker():
    dist.init_process_group('mpi')
    with one_blas_thread():
        rows = [row for name in NETS for row in measure(name, dist.get_world_size())]
    if dist.get_rank() == 0:
        print(json.dumps(rows))
    dist.destroy_process_group()


def report(rows, load):
    print(f'Training step, 1 process vs 2 pipelined (GPipe); {platform.machine()} CPU, '
          f'{os.cpu_count()} cores visible, one BLAS thread per process, float32, best of {STEPS} '
          f'steps (bubble: of that step); load average {load:.1f} when it started (other work on '
          f'the machine)\n')
    base = {r['net']: r['time'] for r in rows if r['world'] == 1}
    out = []
    for r in rows:
        model = mt.static.bubble_model(2, r['m']) if r['m'] else None
        out.append([r['net'], r['world'], r['m'] or '-', f"{r['time'] * 1e3:.1f} ms",
                    f"{base[r['net']] / r['time']:.2f}x",
                    f"{r['bubble']:.2f}" if r.get('bubble') is not None else '-',
                    f'{model:.2f}' if model is not None else '-'])
    table(out, ['net', 'processes', 'micro-batches m', 'step time', 'speed-up',
                'bubble (measured)', 'bubble model (p-1)/(m+p-1)'])


def main():
    if '--rank' in sys.argv:
        worker()
        return
    rows, load = [], os.getloadavg()[0]
    for world in (1, 2):
        run = dist.launch(os.path.abspath(__file__), world, ['--rank'], timeout=600,
                          env={'OMP_NUM_THREADS': '1', 'OPENBLAS_NUM_THREADS': '1'})
        if run.returncode != 0:
            sys.exit(run.stderr)
        rows += json.loads(run.stdout.strip().splitlines()[-1])
    rows.sort(key=lambda r: (r['net'], r['world'], r['m'] or 0))
    report(rows, load)


if __name__ == '__main__':
    main()
