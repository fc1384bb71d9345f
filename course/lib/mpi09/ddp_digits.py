"""Notebook 09: DistributedDataParallel on the digits.  Run as `mpiexec -n 2 python ddp_digits.py OUT`.

1. Training: a small float64 CNN, 20 steps of SGD with momentum on 1,280 digits in global batches of
   64.  Each rank takes every world_size-th sample (DistributedSampler, no shuffling), so rank r's
   batch b and the other ranks' together are exactly samples 64b ... 64b + 63.  Rank 0 saves the final
   parameters to OUT/ddp_params.npz.
2. Overlap: one more backward pass of a larger CNN with small gradient buckets; rank 0 saves DDP's
   timeline of it (when each gradient was ready, when each bucket's all-reduce started and was seen to
   be done) to OUT/timeline.json.
"""
import json
import os
import sys

import numpy as np

import minitorch as mt
import minitorch.distributed as dist
from minitorch import nn
from minitorch.data import DataLoader, DistributedSampler, TensorDataset, load_digits_split
from minitorch.nn.parallel import DistributedDataParallel as DDP

N_SAMPLES, GLOBAL_BATCH, EPOCHS = 1280, 64, 1


def small_cnn():
    mt.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(64, 10)).double()


def larger_cnn():
    mt.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(256, 64), nn.ReLU(), nn.Linear(64, 10)).double()


def digits():
    x, y, _, _ = load_digits_split(seed=0)
    return x[:N_SAMPLES].unsqueeze(1).double(), y[:N_SAMPLES]


def train(out):
    x, y = digits()
    data = TensorDataset(x, y)
    loader = DataLoader(data, batch_size=GLOBAL_BATCH // dist.get_world_size(),
                        sampler=DistributedSampler(data, shuffle=False))
    model = DDP(small_cnn())
    opt = mt.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(EPOCHS):
        for xb, yb in loader:
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
    if dist.get_rank() == 0:
        np.savez(os.path.join(out, 'ddp_params.npz'),
                 *[p.detach().numpy() for p in model.module.parameters()])


def timeline(out):
    x, y = digits()
    model = DDP(larger_cnn(), bucket_cap_mb=0.05)
    xb, yb = x[:64], y[:64]
    for _ in range(3):                  # the last of three passes (the first ones warm up)
        model.zero_grad()
        dist.barrier()
        nn.functional.cross_entropy(model(xb), yb).backward()
    if dist.get_rank() == 0:
        start = model.timeline[0][0]
        with open(os.path.join(out, 'timeline.json'), 'w') as f:
            json.dump({'buckets': [[n for n, p in model.module.named_parameters()
                                    if any(p is q for q in bucket.params)]
                                   for bucket in model.reducer.buckets],
                       'events': [(t - start, event, bucket) for t, event, bucket in model.timeline]},
                      f)


if __name__ == '__main__':
    dist.init_process_group('mpi')
    train(sys.argv[1])
    timeline(sys.argv[1])
    dist.destroy_process_group()
