"""Notebook 09, part two: the seed net's training step cut across 2 processes.

    mpiexec -n 2 python seed_parts.py OUT partition        # each rank runs its part, 3 SGD steps
    mpiexec -n 2 python seed_parts.py OUT pipeline 4       # GPipe over 4 micro-batches, 3 steps

Every rank traces the same step (on one micro-batch for the pipeline), partitions it with the same
placement — Linear '0' on rank 0, Linear '2' on rank 1 — and runs its own part.  Rank r saves the
parameters it holds, the names of the state its part reads and (the last stage) the losses to
OUT/<mode>_rank<r>.npz.
"""
import os
import sys

import numpy as np

import minitorch as mt
import minitorch.distributed as dist
from minitorch import nn

N, D_IN, H, D_OUT, LR, STEPS = 64, 1000, 100, 10, 1e-6, 3
PLACEMENT = {'0': 0, '2': 1}


def seed_net(d_in=D_IN, h=H, d_out=D_OUT):
    """Notebook 01's two-layer net, x.mm(w1).clamp(min=0).mm(w2), as a Sequential (float64)."""
    mt.manual_seed(0)
    return nn.Sequential(nn.Linear(d_in, h, bias=False), nn.ReLU(),
                         nn.Linear(h, d_out, bias=False)).double()


def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((N, D_IN)), rng.standard_normal((N, D_OUT))


def training_step(model, lr=LR):
    """One SGD step on the summed squared error, as notebook 01's loop."""
    opt = mt.optim.SGD(model.parameters(), lr=lr)

    def step(x, y):
        opt.zero_grad()
        loss = (model(x) - y).pow(2).sum()
        loss.backward()
        opt.step()
        return loss
    return step


def main(out, mode, microbatches=1):
    dist.init_process_group('mpi')
    rank = dist.get_rank()
    x, y = data()
    model = seed_net()
    b = N // microbatches
    graph = mt.static.trace_graph(training_step(model), mt.tensor(x[:b]), mt.tensor(y[:b]))
    parts = mt.static.partition(graph, PLACEMENT)
    if mode == 'partition':
        session = mt.static.PartitionedSession(parts)
        losses = [session.run({'x': x, 'y': y})[0] for _ in range(STEPS)]
    else:
        pipe = mt.static.Pipeline(parts, microbatches, reduction='sum')
        losses = [pipe.step({'x': x, 'y': y})[0] for _ in range(STEPS)]
    state = sorted(v.name for v in parts.parts[rank].state)
    held = {name: p.detach().numpy() for name, p in model.named_parameters() if name in state}
    np.savez(os.path.join(out, f'{mode}_rank{rank}.npz'), state=np.array(state),
             losses=np.array([t.item() for t in losses if t is not None]), **held)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], *map(int, sys.argv[3:]))
