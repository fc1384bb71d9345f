"""A static graph of the seed net cut across 2 ranks (run by tests/test_partition.py as
`mpiexec -n 2 python tests/distributed/partition_seed.py`).

- the partitioned step gives the loss and the gradients of the whole graph run in one process
  (float64, to 1e-12), and trains to the same parameters;
- each rank's part reads and writes only its own stage's parameters (the other stage's are set to
  nan in this process, and nothing changes);
- a two-stage GPipe pipeline over 4 micro-batches trains to the losses and parameters of one process
  stepping on the whole batch.
"""
import os
import sys

import numpy as np

import minitorch as mt
import minitorch.distributed as dist

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'course'))
from lib.mpi09 import seed_parts  # noqa: E402  (notebook 09's seed net and SGD step)

N, D_IN, H, D_OUT, LR = 64, 100, 20, 10, 1e-4
PLACEMENT = {'0': 0, '2': 1}
STAGE_PARAMS = {0: {'0.weight'}, 1: {'2.weight'}}


def seed_net():
    """The seed's two-layer net (x.mm(w1).clamp(min=0).mm(w2)) as a Sequential, in float64."""
    return seed_parts.seed_net(D_IN, H, D_OUT)


def data():
    rng = np.random.default_rng(1)
    return rng.standard_normal((N, D_IN)), rng.standard_normal((N, D_OUT))


def gradient_step(model):
    def step(x, y):
        model.zero_grad()
        loss = (model(x) - y).pow(2).sum()
        loss.backward()
        return loss
    return step


def training_step(model):
    return seed_parts.training_step(model, LR)


def relative(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def params(model):
    return {name: p.detach().numpy().copy() for name, p in model.named_parameters()}


def spoil_other_stages(model, rank):
    """Set the parameters of the other stage to nan: a rank that read them would produce nan."""
    for name, p in model.named_parameters():
        if name not in STAGE_PARAMS[rank]:
            p.detach().numpy()[...] = np.nan


def check_same_as_whole(rank):
    x, y = data()
    whole = seed_net()
    ref_loss = mt.static.function(gradient_step(whole))(mt.tensor(x), mt.tensor(y)).item()
    ref_grads = {name: p.grad.numpy().copy() for name, p in whole.named_parameters()}

    model = seed_net()
    graph = mt.static.trace_graph(gradient_step(model), mt.tensor(x), mt.tensor(y))
    parts = mt.static.partition(graph, PLACEMENT)
    names = {v.name for v in parts.parts[rank].state}
    assert names == STAGE_PARAMS[rank], f'rank {rank} holds {names}'
    spoil_other_stages(model, rank)
    loss, = mt.static.PartitionedSession(parts).run({'x': x, 'y': y})
    if rank == 1:
        assert abs(loss.item() - ref_loss) <= 1e-12 * abs(ref_loss), (loss.item(), ref_loss)
    else:
        assert loss is None
    for name, p in model.named_parameters():
        if name in STAGE_PARAMS[rank]:
            d = relative(p.grad.numpy(), ref_grads[name])
            assert d <= 1e-12, f'rank {rank}: {name}.grad differs by {d:.1e}'
        else:
            assert p.grad is None, f'rank {rank} wrote {name}.grad'


def check_training(rank, steps=3):
    x, y = data()
    whole = seed_net()
    ref = mt.static.function(training_step(whole))
    ref_losses = [ref(mt.tensor(x), mt.tensor(y)).item() for _ in range(steps)]

    model = seed_net()
    graph = mt.static.trace_graph(training_step(model), mt.tensor(x), mt.tensor(y))
    spoil_other_stages(model, rank)
    sess = mt.static.PartitionedSession(mt.static.partition(graph, PLACEMENT))
    losses = [sess.run({'x': x, 'y': y})[0] for _ in range(steps)]
    if rank == 1:
        np.testing.assert_allclose([t.item() for t in losses], ref_losses, rtol=1e-12)
    want, got = params(whole), params(model)
    for name in STAGE_PARAMS[rank]:
        assert relative(got[name], want[name]) <= 1e-12, f'rank {rank}: {name} after training'


def check_pipeline(rank, microbatches=4, steps=3):
    x, y = data()
    whole = seed_net()
    ref = mt.static.function(training_step(whole))
    ref_losses = [ref(mt.tensor(x), mt.tensor(y)).item() for _ in range(steps)]

    model = seed_net()
    b = N // microbatches
    graph = mt.static.trace_graph(training_step(model), mt.tensor(x[:b]), mt.tensor(y[:b]))
    parts = mt.static.partition(graph, PLACEMENT)
    spoil_other_stages(model, rank)
    pipe = mt.static.Pipeline(parts, microbatches, reduction='sum')
    losses = [pipe.step({'x': x, 'y': y})[0] for _ in range(steps)]
    if rank == 1:
        got = [t.item() for t in losses]
        np.testing.assert_allclose(got, ref_losses, rtol=1e-12)
    want, have = params(whole), params(model)
    for name in STAGE_PARAMS[rank]:
        assert relative(have[name], want[name]) <= 1e-12, f'rank {rank}: {name} after the pipeline'
    schedule = pipe.gather_schedule()
    tasks = [(t.stage, t.label) for t in schedule.tasks]
    forward = [f'F{i}' for i in range(1, microbatches + 1)]
    expected = forward + [f'B{i}' for i in range(microbatches, 0, -1)] + ['U']
    for stage in (0, 1):
        assert [label for s, label in tasks if s == stage] == expected, tasks
    return schedule


def main():
    dist.init_process_group('mpi')
    rank = dist.get_rank()
    check_same_as_whole(rank)
    check_training(rank)
    schedule = check_pipeline(rank)
    if rank == 0:
        print(f'partition ok on {dist.get_world_size()} ranks; pipeline bubble '
              f'{schedule.bubble():.2f}')


if __name__ == '__main__':
    main()
