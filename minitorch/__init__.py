"""minitorch: a small PyTorch-like engine, built step by step in the course notebooks.

    import minitorch as mt
    x = mt.randn(3, requires_grad=True)
    (x * x).sum().backward()

The ops (mt.add, mt.exp, mt.matmul, ...) and their Tensor methods and operators come from one table,
minitorch/ops/table.py; each op's function sits beside its primitive (forward and backward) in
minitorch/ops/.
"""
from .backend import device, manual_seed
from .dtypes import (dtype, bool_ as bool, uint8, int8, int16, int32, int64, float16, float32,
                     float64, promote_types)
from .tensor import Tensor, Size
from .creation import (tensor, as_tensor, from_numpy, from_dlpack, zeros, ones, empty, full, arange,
                       linspace, eye, zeros_like, ones_like, empty_like, full_like)
from .ops.random import Generator
from .ops import table as _table
from .autograd import no_grad, enable_grad, set_grad_enabled, is_grad_enabled
from . import autograd, cuda, linalg
from . import nn, optim, data
from .serialization import save, load
from . import viz
from . import static
from . import distributed
from . import profiler

globals().update(_table.functions())

float = float32
double = float64
half = float16
long = int64
int = int32
short = int16

__version__ = '0.1.0'


def is_tensor(obj):
    """Whether obj is a minitorch Tensor."""
    return isinstance(obj, Tensor)


def numel(input):
    """The number of elements of input."""
    return input.numel()


__all__ = sorted(set(_table.functions()) | {
    'device', 'manual_seed', 'dtype', 'bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16',
    'float32', 'float64', 'promote_types', 'Tensor', 'Size', 'tensor', 'as_tensor', 'from_numpy',
    'from_dlpack', 'zeros', 'ones', 'empty', 'full', 'arange', 'linspace', 'eye', 'zeros_like',
    'ones_like', 'empty_like', 'full_like', 'Generator', 'no_grad', 'enable_grad',
    'set_grad_enabled', 'is_grad_enabled', 'autograd', 'cuda', 'linalg', 'nn', 'optim', 'data',
    'save', 'load', 'viz', 'static', 'distributed', 'profiler', 'float', 'double', 'half', 'long',
    'int', 'short', 'is_tensor', 'numel'})
