"""minitorch.data: Dataset, TensorDataset, DataLoader, random_split, and small built-in datasets
(generated spirals, moons and sine waves; the 8x8 handwritten digits)."""
from .dataset import Dataset, TensorDataset, Subset, ConcatDataset, random_split
from .dataloader import DataLoader, default_collate
from .generated import make_spirals, make_moons, make_sine_sequences
from .digits import load_digits, load_digits_split
from .distributed import DistributedSampler

__all__ = ['Dataset', 'TensorDataset', 'Subset', 'ConcatDataset', 'random_split', 'DataLoader',
           'default_collate', 'make_spirals', 'make_moons', 'make_sine_sequences', 'load_digits',
           'load_digits_split', 'DistributedSampler']
