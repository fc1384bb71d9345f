"""The digits CNN of bench/digits.py trained on 1 process and with DistributedDataParallel on 2,
and how much of DDP's all-reduce time hides behind backward.

Epoch time: 1,437 training digits, a global batch of 32 (16 per rank on 2 ranks, so both runs take
the same optimization steps), AdamW; median of 3 epochs.  Each rank is one process pinned to one BLAS
thread; on a 2-core machine the two ranks have one core each.

Hidden communication (2 ranks, one fixed batch, median of 40 steps): `local` is forward + backward
under no_sync() (no communication), `comm` the all-reduces of DDP's buckets run alone, `ddp` forward +
backward with averaging; exposed = ddp - local is what averaging adds to a step.  From DDP's timeline:
the share of the time its all-reduces were in flight that passed before backward ended (hidden behind
it; median of the steps).  For the digits CNN and for a wide variant with 0.3 M parameters.

    python bench/ddp_digits.py         # launches itself with mpiexec -n 1 and -n 2
"""
import json
import os
import platform
import statistics
import sys
import time

import minitorch as mt
import minitorch.distributed as dist
from minitorch import nn, optim
from minitorch.data import DataLoader, DistributedSampler, TensorDataset, load_digits_split
from minitorch.nn.parallel import DistributedDataParallel as DDP
from digits import cnn
from _ranks import on_ranks
from _report import Section, Table
from _timing import one_blas_thread

GLOBAL_BATCH = 32
EPOCHS = 3
STEPS = 40


def epoch_times(world):
    mt.manual_seed(0)
    x_train, y_train, x_test, y_test = load_digits_split(seed=0)
    train_set = TensorDataset(x_train.unsqueeze(1), y_train)
    model = DDP(cnn()) if world > 1 else cnn()
    opt = optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    sampler = DistributedSampler(train_set, seed=0)
    loader = DataLoader(train_set, batch_size=GLOBAL_BATCH // world, sampler=sampler)
    times = []
    for epoch in range(EPOCHS):
        sampler.set_epoch(epoch)
        dist.barrier()
        start = time.perf_counter()
        for xb, yb in loader:
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
        dist.barrier()
        times.append(time.perf_counter() - start)
    with mt.no_grad():
        accuracy = (model(x_test.unsqueeze(1)).argmax(1) == y_test).float().mean().item()
    return statistics.median(times), accuracy


def wide_cnn():
    """The CNN with a wide hidden layer: 0.3 M parameters, so that communication weighs more."""
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(256, 1024), nn.ReLU(), nn.Linear(1024, 10))


def hidden_communication(make, bucket_cap_mb):
    mt.manual_seed(0)
    x, y, _, _ = load_digits_split(seed=0)
    xb, yb = x[:GLOBAL_BATCH // 2].unsqueeze(1), y[:GLOBAL_BATCH // 2]
    model = DDP(make(), bucket_cap_mb=bucket_cap_mb)
    flats = [mt.zeros(sum(p.numel() for p in b.params)) for b in model.reducer.buckets]

    def step(sync=True):
        model.zero_grad()
        if sync:
            nn.functional.cross_entropy(model(xb), yb).backward()
            return
        with model.no_sync():
            nn.functional.cross_entropy(model(xb), yb).backward()

    def comm():
        for works in [dist.all_reduce(f, op=dist.ReduceOp.AVG, async_op=True) for f in flats]:
            works.wait()

    timings = {'local': [], 'comm': [], 'ddp': [], 'overlapped': []}
    for _ in range(STEPS):
        for name, fn in [('local', lambda: step(sync=False)), ('comm', comm), ('ddp', step)]:
            dist.barrier()
            start = time.perf_counter()
            fn()
            timings[name].append(time.perf_counter() - start)
        timings['overlapped'].append(overlapped_fraction(model.timeline))
    best = {name: statistics.median(values) for name, values in timings.items()}
    best['buckets'] = len(model.reducer.buckets)
    best['params'] = sum(p.numel() for p in model.parameters())
    return best


def overlapped_fraction(timeline):
    """Of the time the buckets' all-reduces were in flight, the part before backward ended."""
    end = next(t for t, event, _ in timeline if event == 'backward end')
    starts = {b: t for t, event, b in timeline if event == 'start'}
    dones = {b: t for t, event, b in timeline if event == 'done'}
    flight = sum(dones[b] - starts[b] for b in starts)
    before = sum(max(0.0, min(dones[b], end) - starts[b]) for b in starts)
    return before / flight if flight else 0.0


def worker():
    dist.init_process_group('mpi')
    world = dist.get_world_size()
    with one_blas_thread():
        seconds, accuracy = epoch_times(world)
        overlap = [hidden_communication(make, cap) for make in (cnn, wide_cnn)
                   for cap in (25, 0.25)] if world > 1 else []
    if dist.get_rank() == 0:
        print(json.dumps({'world': world, 'epoch': seconds, 'accuracy': accuracy, 'overlap': overlap}))
    dist.destroy_process_group()


def tables(runs):
    """Epoch times on 1 and 2 processes, and the overlap of communication with backward."""
    base = runs[0]['epoch']
    epochs = Table(
        f'digits CNN ({sum(p.numel() for p in cnn().parameters())} parameters), 1437 training '
        f'digits, global batch {GLOBAL_BATCH}, AdamW; {platform.machine()} CPU, {os.cpu_count()} '
        f'cores visible, one BLAS thread per process',
        ['processes', f'epoch time (median of {EPOCHS})', 'speed-up',
         f'test accuracy after {EPOCHS}'],
        [[r['world'], f"{r['epoch']:.2f} s", f"{base / r['epoch']:.2f}x", f"{r['accuracy']:.1%}"]
         for r in runs])
    rows = []
    for (name, cap), m in zip([(n, c) for n in ('CNN', 'wide CNN') for c in (25, 0.25)],
                              runs[-1]['overlap']):
        exposed = m['ddp'] - m['local']
        rows.append([name, m['params'], cap, m['buckets'],
                     *(f"{m[k] * 1e3:.2f} ms" for k in ('local', 'comm', 'ddp')),
                     f'{exposed * 1e3:.2f} ms', f"{m['ddp'] / m['local']:.2f}x",
                     f"{m['overlapped']:.0%}"])
    overlap = Table(f'DDP on 2 processes, one batch of {GLOBAL_BATCH // 2} per rank (median of '
                    f'{STEPS} steps)',
                    ['model', 'params', 'bucket_cap_mb', 'buckets', 'local fwd+bwd', 'comm alone',
                     'ddp fwd+bwd', 'exposed (ddp - local)', 'ddp vs local',
                     'all-reduce in flight during backward'], rows)
    return [epochs, overlap]


def report(runs):
    for t in tables(runs):
        t.print()


def launch():
    """Run the worker on 1 and on 2 MPI processes; returns rank 0's results of each."""
    return [on_ranks(__file__, world) for world in (1, 2)]


def suite(config):
    runs = launch()
    section = Section('Data-parallel training on 2 MPI processes', 'The digits CNN with '
                      'DistributedDataParallel; on a 2-core machine each rank has one core.',
                      tables(runs))
    section.data = runs
    return section


def main():
    if '--rank' in sys.argv:
        worker()
        return
    try:
        report(launch())
    except RuntimeError as err:
        sys.exit(str(err))


if __name__ == '__main__':
    main()
