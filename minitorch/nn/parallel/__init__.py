"""minitorch.nn.parallel: DistributedDataParallel (one model replica per process, gradients averaged)."""
from .distributed import DistributedDataParallel

__all__ = ['DistributedDataParallel']
