"""DataLoader: iterate over a dataset in (shuffled) batches.

Each epoch visits every sample once: the indices 0..n-1 (in a fresh random order when shuffle=True)
are cut into batches of batch_size (the last one smaller unless drop_last), and each batch's samples
are collated: a list of (x, y) tuples becomes a tuple (stacked x, stacked y).  A TensorDataset (or
a Subset of one) is indexed with the whole batch at once, which gives the same result faster.
"""
import numbers

import numpy as np

from ..creation import from_numpy, tensor
from ..ops.shape import stack
from ..tensor import Tensor
from .dataset import permutation


def default_collate(batch):
    """Samples -> one batch: tensors and arrays are stacked along a new dim 0, numbers become a
    tensor, and tuples / lists / dicts are collated field by field."""
    first = batch[0]
    if isinstance(first, Tensor):
        if any(t.requires_grad for t in batch):
            return stack(batch)
        xp = first.device.xp
        return Tensor._make(xp.stack([t._data for t in batch]), first.device)
    if isinstance(first, np.ndarray):
        return from_numpy(np.stack(batch))
    if isinstance(first, (bool, numbers.Number)):
        return tensor(list(batch))
    if isinstance(first, dict):
        return {key: default_collate([sample[key] for sample in batch]) for key in first}
    if isinstance(first, (tuple, list)):
        if any(len(sample) != len(first) for sample in batch):
            raise RuntimeError('default_collate: each sample in a batch must have the same number of '
                               'fields')
        return type(first)(default_collate(list(field)) for field in zip(*batch)) \
            if isinstance(first, tuple) else [default_collate(list(f)) for f in zip(*batch)]
    if isinstance(first, str):
        return list(batch)
    raise TypeError(f'default_collate: cannot batch samples of type {type(first).__name__}; pass '
                    f'collate_fn=... to the DataLoader')


class DataLoader:
    """Iterate over a dataset in batches (torch.utils.data.DataLoader): each epoch visits every
    sample once and yields collated batches, e.g. (x of shape (batch_size, ...), y) for a
    TensorDataset.

    batch_size: samples per batch (the last one may be smaller); shuffle: a fresh random order each
    epoch, drawn from generator (an mt.Generator) or minitorch's seeded one; drop_last: skip a
    smaller last batch; collate_fn: turns a list of samples into a batch (default_collate);
    sampler: an iterable of indices to use instead (not with shuffle); num_workers: accepted for
    PyTorch compatibility, loading always happens in this process."""

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, collate_fn=None,
                 generator=None, sampler=None, num_workers=0):
        if batch_size is None or int(batch_size) < 1:
            raise ValueError(f'batch_size should be a positive integer, got {batch_size!r}')
        if sampler is not None and shuffle:
            raise ValueError('DataLoader: sampler and shuffle=True cannot be used together')
        self.dataset, self.batch_size = dataset, int(batch_size)
        self.shuffle, self.drop_last = shuffle, drop_last
        self.collate_fn, self.generator, self.sampler = collate_fn, generator, sampler
        self.num_workers = num_workers          # accepted for compatibility; loading is in-process

    def _order(self):
        if self.sampler is not None:
            return [int(i) for i in self.sampler]
        n = len(self.dataset)
        return permutation(n, self.generator) if self.shuffle else list(range(n))

    def __iter__(self):
        """One epoch: yield the batches in order (a new shuffle each time if shuffle)."""
        order = self._order()
        fast = self.collate_fn is None and hasattr(self.dataset, '_get_batch')
        for start in range(0, len(order), self.batch_size):
            indices = order[start:start + self.batch_size]
            if self.drop_last and len(indices) < self.batch_size:
                return
            if fast:
                yield self.dataset._get_batch(indices)
            else:
                yield (self.collate_fn or default_collate)([self.dataset[i] for i in indices])

    def __len__(self):
        """The number of batches in one epoch."""
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
