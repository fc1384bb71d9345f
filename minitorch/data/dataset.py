"""Datasets: anything with __len__ and __getitem__(i) -> one sample.  TensorDataset pairs tensors
that share their first dim; Subset and random_split select samples by index."""
import numpy as np

from ..creation import as_tensor
from ..ops.random import Generator, randperm


class Dataset:
    """A collection of samples (torch.utils.data.Dataset): subclass it and define
    __getitem__(index) (and __len__ for a DataLoader to batch it)."""

    def __getitem__(self, index):
        """dataset[index]: one sample; every subclass defines it."""
        raise NotImplementedError(f'{type(self).__name__} must define __getitem__')

    def __add__(self, other):
        """dataset + other: a ConcatDataset of the two, self's samples first."""
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Sample i is (t[i] for t in tensors)."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError('TensorDataset needs at least one tensor')
        n = tensors[0].shape[0] if tensors[0].ndim else None
        if n is None or any(t.ndim == 0 or t.shape[0] != n for t in tensors):
            raise ValueError('TensorDataset: size mismatch between tensors: first dims are ' +
                             ', '.join(str(t.shape[0]) if t.ndim else 'none (0-d)' for t in tensors))
        self.tensors = tensors

    def __getitem__(self, index):
        """Sample index: the tuple (t[index] for t in tensors)."""
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        """The number of samples: the tensors' common first dim."""
        return self.tensors[0].shape[0]

    def _get_batch(self, indices):
        """A whole batch by one fancy index per tensor (what collating the samples would give)."""
        return tuple(t[_as_index(indices, t)] for t in self.tensors)


def _as_index(indices, tensor):
    return as_tensor(np.asarray(indices, dtype=np.int64), device=tensor.device)


class Subset(Dataset):
    """The samples of dataset at the given indices, in that order (torch.utils.data.Subset): sample
    i is dataset[indices[i]]."""

    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, [int(i) for i in indices]

    def __getitem__(self, index):
        """Sample index: dataset[indices[index]]; a list of positions indexes dataset with the list
        of their indices at once."""
        if isinstance(index, (list, tuple)):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self):
        """The number of indices."""
        return len(self.indices)

    @property
    def _get_batch(self):
        """Batched indexing when the underlying dataset has it (a Subset of a TensorDataset)."""
        inner = getattr(self.dataset, '_get_batch', None)
        if inner is None:
            raise AttributeError('_get_batch')
        return lambda indices: inner([self.indices[i] for i in indices])


class ConcatDataset(Dataset):
    """Datasets one after another (torch.utils.data.ConcatDataset): the samples of the first, then
    those of the second, ..."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        self.cumulative = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self):
        """The total number of samples of all the datasets."""
        return self.cumulative[-1] if self.cumulative else 0

    def __getitem__(self, index):
        """Sample index of the concatenation (negative index counts from the end)."""
        if index < 0:
            index += len(self)
        which = int(np.searchsorted(self.cumulative, index, side='right'))
        start = self.cumulative[which - 1] if which else 0
        return self.datasets[which][index - start]


def permutation(n, generator=None):
    """A random order of range(n) as a list: from `generator` (an mt.Generator, or a numpy
    Generator) when given, else from minitorch's seeded CPU generator (mt.manual_seed)."""
    if generator is not None and not isinstance(generator, Generator):
        if not hasattr(generator, 'permutation'):
            raise TypeError(f'generator must be an mt.Generator (mt.Generator().manual_seed(0)) or a '
                            f'numpy Generator, got {type(generator).__name__}')
        return [int(i) for i in generator.permutation(n)]
    return randperm(n, generator=generator).tolist()


def random_split(dataset, lengths, generator=None):
    """Split into non-overlapping Subsets of the given lengths (or fractions that sum to 1)."""
    n = len(dataset)
    lengths = list(lengths)
    if lengths and all(0 <= f <= 1 for f in lengths) and abs(sum(lengths) - 1) < 1e-9 and \
            sum(lengths) != n:
        counts = [int(np.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):        # hand out the remainder round-robin, as PyTorch does
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError(f'random_split: the lengths {lengths} sum to {sum(lengths)}, not to the '
                         f'dataset length {n}')
    order = permutation(n, generator)
    subsets, start = [], 0
    for length in lengths:
        subsets.append(Subset(dataset, order[start:start + length]))
        start += length
    return subsets

