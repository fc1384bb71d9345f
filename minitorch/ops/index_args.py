"""Turning a Python index (x[1, :, idx], x[mask], x[[0, 2]]) into what the indexing ops take: a
template (the index, with Slot(i) where an index tensor goes) and the index tensors themselves; and
back (fill_template: the index an op's forward applies, its arrays in the Slots' places)."""
import warnings

import numpy as np

from .. import dtypes
from ..tensor import Tensor

_BASIC = (slice, type(None), type(Ellipsis))


class Slot:
    """Stands for the i-th index array in an index template (the arrays come as op inputs)."""
    __slots__ = ('i',)

    def __init__(self, i):
        self.i = i

    def __repr__(self):
        return f'<index {self.i}>'


def fill_template(template, arrays):
    """The index with each Slot replaced by its array."""
    if type(template) is tuple:
        return tuple([arrays[t.i] if type(t) is Slot else t for t in template])
    return arrays[template.i] if type(template) is Slot else template


def parse_index(input, index):
    """(template, index_tensors) for input[index]; raises a clear error for what cannot index."""
    items = index if type(index) is tuple else (index,)
    template, tensors = [], []
    for item in items:
        if isinstance(item, _BASIC) or (isinstance(item, (int, np.integer)) and
                                        not isinstance(item, (bool, np.bool_))):
            template.append(_basic(item))
            continue
        tensor = _index_tensor(input, item)
        template.append(Slot(len(tensors)))
        tensors.append(tensor)
    if not tensors and all(type(t) is int for t in template):
        template.append(Ellipsis)   # a[1, 2, ...] is a 0-d view where a[1, 2] would be a copy
    if type(index) is not tuple and len(template) == 1:
        return template[0], tensors
    return tuple(template), tensors


def _basic(item):
    if isinstance(item, slice):
        bounds = slice(*(None if v is None else _as_int(v) for v in (item.start, item.stop,
                                                                      item.step)))
        if bounds.step is not None and bounds.step <= 0:
            raise ValueError(f'index: step must be greater than zero, got {bounds.step} (PyTorch '
                             f'has no negative steps); use flip(dims) to reverse')
        return bounds
    if isinstance(item, np.integer):
        return int(item)
    return item


def _as_int(value):
    try:
        return value.__index__()
    except (AttributeError, TypeError):
        raise TypeError(f'index: slice bounds must be integers (or None), got '
                        f'{type(value).__name__} {value!r}') from None


def _index_tensor(input, item):
    """An integer or bool tensor on input's device for a tensor, list, array or bool index."""
    if isinstance(item, Tensor):
        if item._device is not input._device:
            raise RuntimeError(f'index: indices are on {item.device} but the tensor is on '
                               f'{input.device}; move the indices with .to({str(input.device)!r})')
        return _index_dtype(item)
    from ..creation import tensor
    if isinstance(item, (bool, np.bool_)):
        return tensor(bool(item), device=input.device)
    if isinstance(item, (list, np.ndarray)) or hasattr(item, '__array__'):
        array = np.asarray(item if not hasattr(item, 'get') else item.get())
        if array.size == 0 and array.dtype.kind not in 'iub':
            array = array.astype(np.int64)          # x[[]]: no elements, so no rows
        if array.dtype.kind not in 'iub':
            raise IndexError(f'index: lists and arrays used as indices must hold integers or bools, '
                             f'got {array.dtype}')
        return _index_dtype(tensor(array, device=input.device))
    if item is None:
        raise TypeError('index: None is not an index here')
    raise TypeError(f'index: only integers, slices (:), None, ..., and integer or bool tensors '
                    f'are valid indices, got {type(item).__name__} {item!r}')


def _index_dtype(index):
    """As PyTorch: int64, int32 and bool tensors index; uint8 is taken as a mask (deprecated, with
    PyTorch's warning); other dtypes are refused."""
    if index.dtype in (dtypes.int64, dtypes.int32, dtypes.bool_):
        return index
    if index.dtype is dtypes.uint8:
        warnings.warn('indexing with dtype uint8 is deprecated, please use a dtype bool instead '
                      '(uint8 index tensors are taken as masks, as in PyTorch)', UserWarning,
                      stacklevel=5)
        return index.to(dtypes.bool_)
    raise IndexError(f'index: tensors used as indices must be int64, int32, uint8 or bool, got '
                     f'{index.dtype}; convert it, e.g. index.long()')
