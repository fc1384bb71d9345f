"""Making tensors: mt.tensor, zeros, ones, arange, rand, ... with PyTorch's arguments and defaults.

Every factory takes dtype=, device= and requires_grad=.  Python floats become float32 (the default
dtype), ints int64, bools bool; numpy arrays keep their dtype, as torch.tensor does.
"""
import builtins
import math

import numpy as np

from . import dtypes
from .backend import CPU, device as Device, default_device, device_of_array
from .autograd.dispatch import INSTALLED, report_new_tensor
from .tensor import Tensor


def _array_from(data, dtype, device):
    """(array, device) for tensor(data, dtype, device)."""
    if isinstance(data, Tensor):
        data = data._data
    source = device_of_array(data) if not isinstance(data, (list, tuple, int, float, bool)) else None
    if source is not None and source is not CPU and device is None:
        device = source
    device = device or CPU
    if source is not None and source != device:
        data = device.backend.from_host(source.backend.to_host(data), device.index or 0)
    elif source is None:
        data = _host_array(data, dtype)     # cast once, to dtype, below
        if device is not CPU:
            data = device.backend.from_host(data, device.index or 0)
    xp = device.xp
    target = dtypes.to_dtype(dtype).np if dtype is not None else None
    if target is None and not isinstance(data, xp.ndarray):
        data = xp.asarray(data)
    elif target is None:
        data = data.copy()
    else:
        data = xp.array(data, dtype=target)
    dtypes.of_array(data)
    return data, device


def _host_array(data, dtype=None):
    """A numpy array from nested lists/numbers; Python floats give float32, as in PyTorch, unless
    a dtype was asked for (rounding through float32 first would lose digits).  numpy
    arrays and scalars keep their dtype (np.float64(1.5) is float64), as in PyTorch, in lists too:
    there the dtype is the promotion of the elements' (a Python float counts as float32, an int as
    int64), so [np.float64(1.5), 2] is float64 and [np.int8(1), 2] int64."""
    keep_float64, inferred, kinds = dtype is not None, None, ()
    if isinstance(data, (list, tuple)):
        kinds = _element_types(data, set())
        if not kinds <= _PLAIN:                 # numpy scalars or arrays, or tensors, inside
            inferred = None if keep_float64 else _inferred_dtype(data)
            if Tensor in kinds or builtins.any(issubclass(k, Tensor) for k in kinds):
                data = _without_tensors(data)
    try:
        array = np.asarray(data)
    except ValueError:
        if isinstance(data, (list, tuple)):
            raise ValueError(f'tensor(): {_ragged(data)}; nested lists must be rectangular (every '
                             f'list at one depth of one length)') from None
        raise
    if array.dtype.kind in 'Ou' or array.dtype.kind == 'f' and int in kinds or type(data) is int:
        huge = _has_huge_int(data)
        if huge is not None:
            # an int beyond int64 only fits a floating point result, as in PyTorch
            result = dtypes.to_dtype(dtype) if dtype is not None else inferred or (
                dtypes.default_float() if float in kinds else dtypes.int64)
            if not result.is_floating_point:
                raise RuntimeError(f'tensor(): an integer in the data does not fit in int64 (the '
                                   f'largest integer dtype), e.g. {huge}; use a float (dtype='
                                   f'mt.float64) or smaller values')
            array = np.asarray(data, dtype=np.float64)
    if inferred is not None:
        array = array.astype(inferred.np, copy=False)
    elif array.dtype == np.float64 and not keep_float64 and not isinstance(data, (np.ndarray,
                                                                                    np.generic)):
        array = array.astype(np.float32)
    if array.dtype.kind in 'USO':
        raise TypeError(f'tensor(): could not make a tensor from {type(data).__name__} data with '
                        f'elements of dtype {array.dtype}; expected numbers (nested lists of numbers, '
                        f'or an array)')
    return array


_PLAIN = {int, float, bool, list, tuple}


def _element_types(data, found):
    """The types of the numbers (and lists) in nested lists data, added to found."""
    kinds = set(map(type, data))
    found |= kinds
    if list in kinds or tuple in kinds:
        for item in data:
            if isinstance(item, (list, tuple)):
                _element_types(item, found)
    return found


def _inferred_dtype(data):
    """The dtype PyTorch gives nested lists holding numpy scalars, arrays or tensors: the promotion
    of every element's dtype (Python floats float32, ints int64, bools bool)."""
    if isinstance(data, Tensor):
        return data.dtype
    if isinstance(data, (np.ndarray, np.generic)):
        return dtypes.of_array(data)
    if isinstance(data, (list, tuple)):
        found = None
        for item in data:
            dt = _inferred_dtype(item)
            found = dt if found is None else found if dt is None else dtypes._wider(found, dt)
        return found
    if isinstance(data, bool):
        return dtypes.bool_
    if isinstance(data, int):
        return dtypes.int64
    return dtypes.default_float() if isinstance(data, float) else None


def _without_tensors(data):
    if isinstance(data, Tensor):
        return data.tolist()
    if isinstance(data, (list, tuple)):
        return [_without_tensors(item) for item in data]
    return data


def _ragged(data):
    """Where nested lists data stop being rectangular, in PyTorch's words."""
    shape, item = [], data
    while isinstance(item, (list, tuple, np.ndarray, Tensor)):
        shape.append(len(item))
        if not len(item):
            break
        item = item[0]

    def check(seq, dim):
        if len(seq) != shape[dim]:
            return f'expected sequence of length {shape[dim]} at dim {dim} (got {len(seq)})'
        for item in seq:
            nested = isinstance(item, (list, tuple, np.ndarray, Tensor))
            if dim + 1 < len(shape) and not nested:
                return f'expected a sequence at dim {dim + 1}, got {type(item).__name__} {item!r}'
            if dim + 1 == len(shape) and nested:
                return f'expected a number at dim {dim + 1}, got a sequence of length {len(item)}'
            found = check(item, dim + 1) if nested else None
            if found:
                return found
        return None
    return check(data, 0) or 'the lists have different lengths'


def _has_huge_int(data):
    """The first Python int in (nested) data outside int64's range, or None."""
    if isinstance(data, int) and not isinstance(data, bool):
        return data if not -2 ** 63 <= data < 2 ** 63 else None
    if isinstance(data, (list, tuple)):
        for item in data:
            found = _has_huge_int(item)
            if found is not None:
                return found
    return None


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor that copies `data` (a number, nested lists, a numpy/cupy array or a tensor)."""
    return Tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like tensor(), but shares memory with a numpy/cupy array (or tensor) when it can."""
    if isinstance(data, Tensor):
        return data.to(device=device or data.device, dtype=dtype or data.dtype)
    source = device_of_array(data)
    target = Device(device) if device is not None else source
    if source is not None and source == target and (dtype is None or
                                                    dtypes.to_dtype(dtype).np == data.dtype):
        dtypes.of_array(data)
        return _finish(data, source, False)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array):
    """A tensor sharing memory with a numpy array (changing one changes the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f'from_numpy expects a numpy.ndarray, got {type(array).__name__}')
    dtypes.of_array(array)
    return _finish(array, CPU, False)


def from_dlpack(ext):
    """A tensor sharing memory with any array that speaks DLPack (numpy, cupy, torch, jax...)."""
    kind, index = ext.__dlpack_device__()
    device = CPU if kind == 1 else Device('cuda', index)
    return Tensor._make(device.xp.from_dlpack(ext), device)


def _size(size, op):
    if not size:
        raise TypeError(f'{op}() needs a size: {op}(2, 3) or {op}((2, 3)); {op}(()) for a 0-d '
                        f'tensor')
    if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
        if not hasattr(size[0], '__iter__'):
            raise TypeError(f'{op}(): size must be integers or one tuple of integers, got '
                            f'{type(size[0]).__name__} {size[0]!r}')
        size = tuple(size[0])
    for s in size:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f'{op}(): sizes must be integers, got {type(s).__name__} {s!r} in '
                            f'{list(size)}')
        if s < 0:
            raise ValueError(f'{op}(): sizes must be non-negative, got {list(size)}')
    return tuple(int(s) for s in size)


def _finish(array, device, requires_grad):
    out = Tensor._make(array, device)
    if INSTALLED[0]:
        report_new_tensor(out)
    if requires_grad:
        out.requires_grad = True
    return out


def _factory(fill, doc):
    def factory(*size, dtype=None, device=None, requires_grad=False):
        dev = default_device(device)
        dt = dtypes.to_dtype(dtype) if dtype is not None else dtypes.default_float()
        return _finish(getattr(dev.xp, fill)(_size(size, fill), dtype=dt.np), dev, requires_grad)
    factory.__name__ = factory.__qualname__ = fill
    factory.__doc__ = doc
    return factory


zeros = _factory('zeros', 'A tensor of the given size filled with 0 (float32 unless dtype= says).')
ones = _factory('ones', 'A tensor of the given size filled with 1 (float32 unless dtype= says).')
empty = _factory('empty', 'A tensor of the given size whose values are not set (float32 unless '
                          'dtype= says).')


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    """A tensor of the given size (an int or a tuple) filled with fill_value; without dtype, the
    dtype follows the value as in PyTorch (a float gives float32, an int int64, a bool bool)."""
    return _full(size, fill_value, dtype, device, requires_grad, 'full')


def _full(size, fill_value, dtype, device, requires_grad, op):
    """full() (or full_like(), named op in errors).  The value is converted as in PyTorch: an int
    into uint8 wraps around (-1 is 255); one the dtype cannot hold (300 into uint8, inf into int64)
    is refused (dtypes.element)."""
    dev = default_device(device)
    if dtype is None:
        dt = dtypes.result_type((), (), (dtypes.scalar_category(fill_value),))
    else:
        dt = dtypes.to_dtype(dtype)
    shape = _size((size,) if isinstance(size, (int, np.integer)) else (tuple(size),), op)
    return _finish(dev.xp.full(shape, dtypes.element(fill_value, dt, op), dtype=dt.np), dev,
                   requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    """full() with the shape (and by default dtype and device) of input."""
    return _full(input.shape, fill_value, dtype or input.dtype, device or input.device,
                 requires_grad, 'full_like')


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """Numbers from start (0 by default) up to end (excluded), step apart."""
    if end is None:
        start, end = 0, start
    for name, value in (('start', start), ('end', end), ('step', step)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f'arange(): {name} must be a number, got {type(value).__name__} '
                            f'{value!r}')
    if step == 0:
        raise RuntimeError('arange(): step must be nonzero')
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f'arange(): unsupported range {start} -> {end}: start and end must be '
                           f'finite')
    if (end - start) * step < 0:
        raise RuntimeError(f'arange(): upper bound and larger bound inconsistent with step sign '
                           f'(start {start}, end {end}, step {step})')
    dev = default_device(device)
    if dtype is None:
        is_float = builtins.any(isinstance(v, (float, np.floating)) for v in (start, end, step))
        dt = dtypes.default_float() if is_float else dtypes.int64
    else:
        dt = dtypes.to_dtype(dtype)
    if dt.category != 1:
        return _finish(dev.xp.arange(start, end, step, dtype=dt.np), dev, requires_grad)
    return _finish(_integer_range(dev.xp, start, end, step, dt), dev, requires_grad)


def _integer_range(xp, start, end, step, dt):
    """arange into an integer dtype, as PyTorch computes it: start and step truncated to integers
    (int64), start + step * i, then wrapped into dt (arange(-1, 2, dtype=uint8) is 255, 0, 1).  The
    count is ceil((end - start) / step) of the numbers as given, except for int64, whose count comes
    from the truncated numbers (and whose step must stay nonzero once truncated)."""
    first, stride, last = (dtypes.element(v, dtypes.int64, 'arange') for v in (start, step, end))
    if dt is dtypes.int64:
        if stride == 0:
            raise ValueError(f'arange(): step must be nonzero, got {step}, which is 0 as an int64 '
                             f'(the dtype asked for); use a step of at least 1 in size')
        sign = 1 if stride > 0 else -1
        span = last - first + stride - sign
        count = abs(span) // abs(stride) * (1 if (span >= 0) == (stride > 0) else -1)
    else:
        count = math.ceil((float(end) - float(start)) / float(step))
    values = first + stride * xp.arange(max(count, 0), dtype=np.int64)
    return values if dt is dtypes.int64 else values.astype(dt.np)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    """steps evenly spaced numbers from start to end, both included (float32 unless dtype=)."""
    dev = default_device(device)
    dt = dtypes.to_dtype(dtype) if dtype is not None else dtypes.default_float()
    return _finish(dev.xp.linspace(start, end, steps, dtype=dt.np), dev, requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    """An n x m matrix (n x n when m is None) with ones on the diagonal and zeros elsewhere
    (float32 unless dtype= says)."""
    dev = default_device(device)
    dt = dtypes.to_dtype(dtype) if dtype is not None else dtypes.default_float()
    return _finish(dev.xp.eye(n, m, dtype=dt.np), dev, requires_grad)


def _like(factory):
    def like(input, dtype=None, device=None, requires_grad=False):
        return factory(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                       requires_grad=requires_grad)
    like.__name__ = like.__qualname__ = factory.__name__ + '_like'
    like.__doc__ = f'{factory.__name__}() with the shape (and by default dtype and device) of input.'
    return like


zeros_like, ones_like, empty_like = _like(zeros), _like(ones), _like(empty)

from .ops.random import rand, randn, randint, randperm, rand_like, randn_like  # noqa: E402,F401
