"""Notebook 09, part two: the pipeline's bubble against the number of micro-batches, measured.

    mpiexec -n 2 python bubble.py OUT.json

A net of two equal blocks (Linear 256→512, tanh, Linear 512→256, tanh), one per rank, float32, a
batch of 256, one BLAS thread per process.  For each m, 8 pipelined SGD steps; for each, every
stage's tasks (when it ran forward or backward of which micro-batch, and how long it waited for
messages) are gathered; rank 0 saves per m the fastest step's time and bubble (the step least
disturbed by other work on the machine), and the tasks of that step for m = 4, to OUT.json.
"""
import json
import sys
import time

import numpy as np

import minitorch as mt
import minitorch.distributed as dist
from minitorch import nn

BATCH, WIDTH, STEPS = 256, 256, 8
MICROBATCHES = (1, 2, 4, 8, 16)


def balanced_net():
    def block():
        return nn.Sequential(nn.Linear(WIDTH, 2 * WIDTH), nn.Tanh(), nn.Linear(2 * WIDTH, WIDTH),
                             nn.Tanh())
    mt.manual_seed(0)
    return nn.Sequential(block(), block())


def pipeline(m, x, y):
    model = balanced_net()
    opt = mt.optim.SGD(model.parameters(), lr=0.01)

    def step(x, y):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss
    b = BATCH // m
    graph = mt.static.trace_graph(step, mt.tensor(x[:b]), mt.tensor(y[:b]))
    return mt.static.Pipeline(mt.static.partition(graph, {'0': 0, '1': 1}), m)


def measure(m, x, y):
    pipe = pipeline(m, x, y)
    pipe.step({'x': x, 'y': y})                 # a first step, untimed
    runs = []
    for _ in range(STEPS):
        start = time.perf_counter()
        pipe.step({'x': x, 'y': y})
        seconds = time.perf_counter() - start
        schedule = pipe.gather_schedule()
        runs.append((schedule.bubble(), seconds, [_task(t) for t in schedule.tasks]))
    return min(runs, key=lambda r: r[1])


def _task(t):
    return [t.stage, t.phase, t.microbatch, t.start, t.end, t.busy, t.waits]


def main(out):
    dist.init_process_group('mpi')
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(1)
    except ImportError:
        pass
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, WIDTH)).astype(np.float32)
    y = rng.standard_normal((BATCH, WIDTH)).astype(np.float32)
    results = {m: measure(m, x, y) for m in MICROBATCHES}
    if dist.get_rank() == 0:
        with open(out, 'w') as f:
            json.dump({'microbatches': list(MICROBATCHES),
                       'bubble': [results[m][0] for m in MICROBATCHES],
                       'seconds': [results[m][1] for m in MICROBATCHES],
                       'tasks_m4': results[4][2]}, f)


if __name__ == '__main__':
    main(sys.argv[1])
