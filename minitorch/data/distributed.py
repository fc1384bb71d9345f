"""DistributedSampler: each rank's share of a dataset, so that the ranks together see every sample
once per epoch.

All ranks draw the same permutation (seeded by seed + epoch, so call set_epoch(e) at the start of each
epoch to reshuffle), pad it by repeating its start until it divides evenly (or cut the rest when
drop_last), and rank r takes every num_replicas-th index starting at r — as torch.utils.data's does.
"""
import math

import numpy as np


class DistributedSampler:
    """The indices of rank `rank` of `num_replicas` (defaults: from the process group), for a
    DataLoader's sampler=: len(dataset) / num_replicas of them, rounded up (padded by repeats) or down
    (drop_last); shuffle with seed + epoch, the same order on every rank."""

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            from .. import distributed as dist
            if not dist.is_initialized():
                raise RuntimeError('DistributedSampler: pass num_replicas= and rank=, or call '
                                   'dist.init_process_group() first so they come from the group')
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        if not 0 <= rank < num_replicas:
            raise ValueError(f'DistributedSampler: rank {rank} is not in [0, {num_replicas - 1}]')
        self.dataset, self.num_replicas, self.rank = dataset, int(num_replicas), int(rank)
        self.shuffle, self.seed, self.drop_last = shuffle, int(seed), drop_last
        self.epoch = 0
        n = len(dataset)
        if drop_last and n % self.num_replicas:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def set_epoch(self, epoch):
        """Use a new order this epoch (the same on every rank)."""
        self.epoch = int(epoch)

    def __iter__(self):
        """This rank's indices for the current epoch."""
        n = len(self.dataset)
        if self.shuffle:
            indices = np.random.default_rng(self.seed + self.epoch).permutation(n).tolist()
        else:
            indices = list(range(n))
        if self.drop_last:
            indices = indices[:self.total_size]
        elif len(indices) < self.total_size:
            repeats = math.ceil((self.total_size - len(indices)) / max(len(indices), 1))
            indices = (indices + indices * repeats)[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        """How many indices this rank gets per epoch (the same on every rank)."""
        return self.num_samples
