"""DistributedDataParallel and DistributedSampler on N ranks (run by tests/test_distributed_mpi.py as
`mpiexec -n N python tests/distributed/ddp.py`; N must divide 24).

- training a float64 CNN with DDP gives the parameters of one process training on the full batch;
- no_sync() accumulates locally and the next backward averages the sum;
- the first bucket's all-reduce starts before backward ends (recorded timeline);
- DistributedSampler (rank and world size from the group) covers every sample once per epoch;
- buffers come from rank 0; unused parameters and different models are clear errors.
"""
import numpy as np

import minitorch as mt
import minitorch.distributed as dist
from minitorch import nn
from minitorch.data import DataLoader, DistributedSampler, TensorDataset, load_digits
from minitorch.nn.parallel import DistributedDataParallel as DDP

N_SAMPLES = 24


def digits():
    x, y = load_digits()
    return x[:N_SAMPLES].double().reshape(N_SAMPLES, 1, 8, 8), y[:N_SAMPLES]


def cnn():
    mt.manual_seed(0)                           # the reference and the replicas start alike
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(64, 16), nn.Tanh(), nn.Linear(16, 10)).double()


def train(model, batches, steps):
    opt = mt.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(steps):
        for xb, yb in batches:
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
    return [p.detach().numpy().copy() for p in model.parameters()]


def largest_relative_difference(a, b):
    return max(float(np.max(np.abs(x - y)) / np.max(np.abs(y))) for x, y in zip(a, b))


def check_same_as_one_process(rank, world):
    x, y = digits()
    reference = train(cnn(), [(x, y)], steps=4)
    sampler = DistributedSampler(TensorDataset(x, y), shuffle=False)
    loader = DataLoader(TensorDataset(x, y), batch_size=N_SAMPLES // world, sampler=sampler)
    model = DDP(cnn(), bucket_cap_mb=0.001)     # several small buckets
    assert len(model.bucket_sizes) > 1, model.bucket_sizes
    got = train(model, list(loader), steps=4)
    difference = largest_relative_difference(got, reference)
    assert difference <= 1e-12, f'DDP differs from one process by {difference:.2e} (relative)'
    return difference


def check_no_sync_accumulates(rank, world):
    x, y = digits()
    reference = cnn()
    nn.functional.cross_entropy(reference(x), y).backward()
    model = DDP(cnn())
    mine = np.arange(rank, N_SAMPLES, world)
    first, second = mine[:len(mine) // 2], mine[len(mine) // 2:]
    with model.no_sync():
        (nn.functional.cross_entropy(model(x[first]), y[first]) * (len(first) / len(mine))).backward()
    local = [p.grad.numpy().copy() for p in model.parameters()]
    (nn.functional.cross_entropy(model(x[second]), y[second]) * (len(second) / len(mine))).backward()
    averaged = [p.grad.numpy() for p in model.parameters()]
    expected = [p.grad.numpy() for p in reference.parameters()]
    assert largest_relative_difference(averaged, expected) <= 1e-12
    if world > 1:
        assert largest_relative_difference(local, expected) > 1e-6, 'no_sync did communicate'


def check_overlap():
    mt.manual_seed(0)
    layers = []
    for _ in range(6):
        layers += [nn.Linear(48, 48), nn.Tanh()]
    model = DDP(nn.Sequential(*layers).double(), bucket_cap_mb=0.02)    # a bucket per layer or so
    model(mt.randn(32, 48, dtype=mt.float64)).square().mean().backward()
    events = [event for _, event, _ in model.timeline]
    times = {event: t for t, event, _ in reversed(model.timeline)}      # first time of each event
    first_start, last_grad = events.index('start'), len(events) - 1 - events[::-1].index('grad')
    assert first_start < last_grad, f'no bucket started before the last gradient: {events}'
    assert times['start'] < times['backward end'], events
    assert events.count('start') == len(model.bucket_sizes) > 2, (events, model.bucket_sizes)
    return events


def check_sampler_covers_each_sample_once(rank, world):
    dataset = TensorDataset(mt.arange(60), mt.arange(60))
    sampler = DistributedSampler(dataset, seed=3)
    assert (sampler.num_replicas, sampler.rank, len(sampler)) == (world, rank, 60 // world)
    orders = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        seen = [None] * world
        dist.all_gather_object(seen, [int(i) for xb, _ in DataLoader(dataset, 7, sampler=sampler)
                                      for i in xb.tolist()])
        everything = sorted(i for part in seen for i in part)
        assert everything == list(range(60)), f'epoch {epoch}: {everything}'
        orders.append(seen[rank])
    assert orders[0] != orders[1], 'set_epoch should reshuffle'


class WithBuffer(nn.Module):
    def __init__(self, value):
        super().__init__()
        self.linear = nn.Linear(2, 2)
        self.register_buffer('scale', mt.tensor([value]))

    def forward(self, x):
        return self.linear(x) * self.scale


def check_buffers_and_errors(rank, world):
    model = DDP(WithBuffer(float(rank + 1)))
    model(mt.ones(1, 2))
    assert model.module.scale.item() == 1.0, 'buffers come from rank 0'
    unused = DDP(nn.ModuleDict({'used': nn.Linear(2, 2), 'unused': nn.Linear(2, 2)}).double())
    try:
        unused.module['used'](mt.ones(1, 2, dtype=mt.float64)).sum().backward()
    except RuntimeError as error:
        assert 'unused' in str(error) and 'find_unused_parameters=True' in str(error), error
    else:
        raise AssertionError('a parameter without a gradient should be an error')
    tolerant = DDP(nn.ModuleDict({'used': nn.Linear(2, 2), 'unused': nn.Linear(2, 2)}).double(),
                   find_unused_parameters=True)
    tolerant.module['used'](mt.ones(1, 2, dtype=mt.float64)).sum().backward()
    assert tolerant.module['unused'].weight.grad.abs().sum().item() == 0
    if world > 1:
        try:
            DDP(nn.Linear(2, 3 + rank))
        except RuntimeError as error:
            assert 'differs across ranks' in str(error) and 'weight' in str(error), error
        else:
            raise AssertionError('different models on different ranks should be an error')


def main():
    dist.init_process_group('mpi')
    rank, world = dist.get_rank(), dist.get_world_size()
    difference = check_same_as_one_process(rank, world)
    check_no_sync_accumulates(rank, world)
    events = check_overlap()
    check_sampler_covers_each_sample_once(rank, world)
    check_buffers_and_errors(rank, world)
    dist.destroy_process_group()
    if rank == 0:
        print(f'ddp ok on {world} ranks; largest relative difference {difference:.1e}; '
              f'overlap: {" ".join(events)}')


if __name__ == '__main__':
    main()
