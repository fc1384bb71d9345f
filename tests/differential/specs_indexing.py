"""Specs of indexing (minitorch/ops/indexing.py, inplace_index.py): x[index] with ints, slices,
None, ..., integer and bool tensors and lists; x[index] = value; narrow, select, unbind, gather,
take_along_dim, scatter, scatter_add, index_select."""
import numpy as np

from . import reference as R
from .registry import Case, spec
from .specs_arithmetic import sum_to
from .specs_selection import _fits

INDEX_ERRORS = (IndexError,)


# --- x[index] -------------------------------------------------------------------------------------
def draw_index(d, x, setting=False):
    """An index for x: a tuple (or now and then a lone item) of ints, slices, None, ..., integer
    arrays and lists, bool masks and bools (at most one advanced item when setting)."""
    items, dim, advanced = [], 0, False
    for _ in range(d.integer(0, x.ndim + 1)):
        size = x.shape[dim] if dim < x.ndim else None
        kinds = ['slice', 'none'] + (['int', 'int', 'slice'] if size is not None else [])
        if size is not None and not (setting and advanced):
            kinds += ['array', 'list', 'mask']
        if not any(item is Ellipsis for item in items):
            kinds.append('ellipsis')
        if not setting:
            kinds.append('bool')
        kind = d.sampled(kinds)
        if kind == 'int':
            items.append(d.integer(-size, size - 1) if size and not d.rarely() else
                         d.sampled((size, -size - 1)))
        elif kind == 'slice':
            start = d.sampled((None, 0, 1, -1, 2))
            stop = d.sampled((None, 2, -1, 5))
            step = d.sampled((None, 1, 2)) if not d.rarely() else -1
            items.append(slice(start, stop, step))
        elif kind == 'none':
            items.append(None)
        elif kind == 'ellipsis':
            items.append(Ellipsis)
            dim = x.ndim         # the rest goes unindexed
        elif kind == 'bool':
            items.append(d.boolean())
        elif kind == 'mask':
            width = d.integer(1, max(1, x.ndim - dim))
            items.append(d.array(x.shape[dim:dim + width], R.BOOL))
            dim += width - 1
            advanced = True
        else:
            count = d.sampled((0, 1, 2, 3)) if not setting else d.integer(0, max(0, min(size, 3)))
            values = d(__import__('hypothesis').strategies.lists(
                __import__('hypothesis').strategies.integers(-size, max(size - 1, -size)) if size
                else __import__('hypothesis').strategies.just(0), min_size=count, max_size=count,
                unique_by=(lambda v: v % size) if setting and size else None))
            items.append(np.array(values, dtype=d.sampled((np.int64, np.int32)))
                         if kind == 'array' else values)
            advanced = True
        if kind in ('int', 'slice', 'array', 'list'):
            dim += 1
    if len(items) == 1 and d.boolean():
        return items[0]
    return tuple(items)


def _numpy_index(index):
    return index


def ref_getitem(x, index):
    items = index if isinstance(index, tuple) else (index,)
    for item in items:
        if isinstance(item, slice) and item.step is not None and item.step < 0:
            raise R.Refused('index: step must be greater than zero', (ValueError, IndexError))
    try:
        return np.array(x[index])
    except IndexError as error:
        raise R.Refused(f'index: {error}', INDEX_ERRORS) from None


def draw_getitem(d):
    x = d.array()
    return Case(x, draw_index(d, x))


def call_getitem(lib, x, index):
    return x[index]


def draw_setitem(d):
    x = d.array()
    index = draw_index(d, x, setting=True)
    try:
        target = np.asarray(x[index]).shape
    except (IndexError, TypeError):
        target = ()
    form = d.sampled(('number', 'tensor', 'tensor'))
    if form == 'number':
        value = d.scalar()
    else:
        shape = target[d.integer(0, len(target)):] if target else ()
        value = d.array(shape, x.dtype if not d.rarely() else d.dtype())
    return Case(x, index, value)


def ref_setitem(x, index, value):
    ref_getitem(x, index)
    if not isinstance(value, np.ndarray) and not _fits(value, x.dtype):
        raise R.Refused(f'x[index] = {value}: overflow', (RuntimeError, OverflowError))
    y = x.copy()
    try:
        with np.errstate(all='ignore'):
            y[index] = value if not isinstance(value, np.ndarray) else value.astype(x.dtype)
    except ValueError as error:
        raise R.Refused(f'x[index] = value: {error}', (RuntimeError, ValueError, IndexError)) from None
    return y


def call_setitem(lib, x, index, value):
    y = x.clone() if x.requires_grad else x     # a leaf that requires grad cannot change in place
    y[index] = value
    return y


def d_getitem(upstream, x, index):
    grad = np.zeros_like(x, dtype=np.float64)
    np.add.at(grad, index, upstream)
    return (grad,)


# --- narrow, select, unbind -------------------------------------------------------------------------
def draw_narrow(d):
    x = d.array(d.shape(min_dims=1))
    dim = d.dim(x.ndim)
    size = x.shape[dim % x.ndim] if -x.ndim <= dim < x.ndim else 0
    start = d.integer(-size, size) if not d.rarely() else d.sampled((size + 1, -size - 1))
    length = d.integer(0, size + 1) if not d.rarely() else -1
    return Case(x, dim, start, length)


def ref_narrow(x, dim, start, length):
    d = R.wrap_dim(dim, x.ndim)
    size = x.shape[d]
    if not -size <= start <= size:
        raise R.Refused('narrow: start out of range', (IndexError, RuntimeError))
    start = start + size if start < 0 else start
    if length < 0 or start + length > size:
        raise R.Refused('narrow: start + length past the end', (RuntimeError, IndexError))
    return np.take(x, range(start, start + length), axis=d)


def draw_select(d):
    x = d.array(d.shape(min_dims=1))
    dim = d.dim(x.ndim)
    size = x.shape[dim % x.ndim] if -x.ndim <= dim < x.ndim else 0
    index = d.integer(-size, size - 1) if size and not d.rarely() else d.sampled((size, -size - 1))
    return Case(x, dim, index)


def ref_select(x, dim, index):
    d = R.wrap_dim(dim, x.ndim)
    if not -x.shape[d] <= index < x.shape[d]:
        raise R.Refused('select: index out of range', INDEX_ERRORS)
    return np.asarray(np.take(x, index, axis=d))


def draw_unbind(d):
    x = d.array(d.shape(min_dims=1))
    return Case(x, d.dim(x.ndim)) if d.boolean() else Case(x)


def ref_unbind(x, dim=0):
    d = R.wrap_dim(dim, x.ndim)
    return tuple(np.asarray(np.take(x, i, axis=d)) for i in range(x.shape[d]))


# --- gather, take_along_dim, scatter, scatter_add, index_select --------------------------------------
def _index_shape(d, x, dim):
    """A shape no larger than x's in every dim but dim (now and then larger: refused)."""
    shape = [d.integer(0 if not d.grad else 1, max(s, 1)) if i != dim else d.integer(0, 3)
             for i, s in enumerate(x.shape)]
    if d.rarely() and shape:
        shape[d.integer(0, len(shape) - 1)] += 1
    return shape


def draw_gather(d):
    x = d.array(d.shape(min_dims=1))
    dim = d.dim(x.ndim)
    d_ = dim % x.ndim if -x.ndim <= dim < x.ndim else 0
    size = x.shape[d_]
    dtype = d.sampled((np.int64, np.int64, np.int32)) if not d.rarely() else np.int16
    index = d.index_array(_index_shape(d, x, d_), size + (1 if d.rarely() else 0), dtype)
    return Case(x, dim, index)


def _check_index(index, op, dtypes=(np.int64, np.int32)):
    if index.dtype not in [np.dtype(t) for t in dtypes]:
        raise R.Refused(f'{op}: index of dtype {index.dtype}', (RuntimeError, TypeError,
                                                                IndexError))


def _along_dim(x, index, d, op):
    if index.ndim != x.ndim:
        raise R.Refused(f'{op}: index and input differ in dims')
    for i, (n, m) in enumerate(zip(index.shape, x.shape)):
        if i != d and n > m and index.size:         # PyTorch does not check an empty index
            raise R.Refused(f'{op}: index larger than input at dim {i}')
    if index.size and (index.min() < 0 or index.max() >= x.shape[d]):
        raise R.Refused(f'{op}: index out of range', (RuntimeError, IndexError))
    region = tuple(slice(0, n) for n in index.shape)
    return region


def ref_gather(x, dim, index):
    _check_index(index, 'gather')
    d = R.wrap_dim(dim, x.ndim)
    region = _along_dim(x, index, d, 'gather')
    return np.take_along_axis(x[tuple(slice(0, n) if i != d else slice(None)
                                      for i, n in enumerate(index.shape))], index, axis=d) \
        if index.size else np.zeros(index.shape, x.dtype) if region is not None else None


def d_gather(upstream, x, dim, index):
    d = R.wrap_dim(dim, x.ndim)
    grad = np.zeros_like(x, dtype=np.float64)
    grids = list(np.ix_(*[np.arange(n) for n in index.shape]))
    grids[d] = index
    np.add.at(grad, tuple(grids), upstream)
    return (grad,)


def draw_take_along_dim(d):
    x = d.array(d.shape(min_dims=1))
    if d.sampled((True, False, False)):
        return Case(x, d.index_array(d.shape(max_dims=2), x.size if x.size else 0))
    dim = d.dim(x.ndim)
    d_ = dim % x.ndim if -x.ndim <= dim < x.ndim else 0
    shape = [d.sampled((s, 1)) if i != d_ else d.integer(0 if not d.grad else 1, 3)
             for i, s in enumerate(x.shape)]
    if d.rarely():
        shape[d.integer(0, len(shape) - 1)] += 1
    dtype = np.int64 if not d.rarely() else np.int32
    return Case(x, d.index_array(shape, x.shape[d_], dtype), dim)


def ref_take_along_dim(x, indices, dim=None):
    _check_index(indices, 'take_along_dim', (np.int64,))
    if dim is None:         # PyTorch: x.view(-1).gather(0, indices.view(-1)), a 1-d result
        flat, indices = x.reshape(-1), indices.reshape(-1)
        if indices.size and (indices.min() < 0 or indices.max() >= flat.size):
            raise R.Refused('take_along_dim: index out of range', (RuntimeError, IndexError))
        return flat[indices] if indices.size else np.zeros(indices.shape, x.dtype)
    d = R.wrap_dim(dim, x.ndim)
    if indices.ndim != x.ndim:
        raise R.Refused('take_along_dim: different dims')
    others = [tuple(1 if i == d else n for i, n in enumerate(t.shape)) for t in (x, indices)]
    shape = list(R.broadcast(*others, op='take_along_dim'))
    xb = np.broadcast_to(x, tuple(shape[:d] + [x.shape[d]] + shape[d + 1:]))
    ib = np.broadcast_to(indices, tuple(shape[:d] + [indices.shape[d]] + shape[d + 1:]))
    if ib.size and (ib.min() < 0 or ib.max() >= x.shape[d]):
        raise R.Refused('take_along_dim: index out of range', (RuntimeError, IndexError))
    return np.take_along_axis(xb, ib, axis=d) if ib.size else np.zeros(ib.shape, x.dtype)


def draw_scatter(d, adding):
    x = d.array(d.shape(min_dims=1))
    dim = d.dim(x.ndim)
    d_ = dim % x.ndim if -x.ndim <= dim < x.ndim else 0
    shape = _index_shape(d, x, d_)
    size = x.shape[d_]
    if adding or size == 0:
        index = d.index_array(shape, size + (1 if d.rarely() else 0))
    else:       # distinct positions along dim: which write wins is not defined otherwise
        shape[d_] = min(shape[d_], size)
        rows = [np.array(d.sampled([tuple(p) for p in _arrangements(size, shape[d_])]))
                for _ in range(int(np.prod(shape)) // max(shape[d_], 1) or 1)]
        index = np.moveaxis(np.array(rows, dtype=np.int64).reshape(
            [s for i, s in enumerate(shape) if i != d_] + [shape[d_]]), -1, d_) \
            if np.prod(shape) else np.zeros(shape, np.int64)
    src_shape = [n + d.sampled((0, 0, 1)) for n in shape]
    if not adding and d.boolean():
        return Case(x, dim, index, value=d.scalar())
    src = d.array(src_shape, x.dtype if not d.rarely() else d.dtype())
    return Case(x, dim, index, src)


def _arrangements(n, k):
    import itertools
    return list(itertools.permutations(range(n), k))[:24]


def _scatter_checks(x, dim, index, src, op):
    d = R.wrap_dim(dim, x.ndim)
    _check_index(index, op)
    if isinstance(src, np.ndarray):
        if src.dtype != x.dtype:
            raise R.Refused(f'{op}: src dtype differs')
        if src.ndim != index.ndim or any(n > m for n, m in zip(index.shape, src.shape)):
            raise R.Refused(f'{op}: src smaller than index')
    _along_dim(x, index, d, op)
    return d


def _positions(index, d):
    grids = list(np.ix_(*[np.arange(n) for n in index.shape]))
    grids[d] = index
    return tuple(grids)


def ref_scatter(x, dim, index, src=None, value=None):
    source = src if src is not None else value
    d = _scatter_checks(x, dim, index, source, 'scatter')
    if not isinstance(source, np.ndarray) and not _fits(source, x.dtype):
        raise R.Refused('scatter: value overflows', (RuntimeError,))
    y = x.copy()
    if index.size:
        region = tuple(slice(0, n) for n in index.shape)
        # a number that PyTorch wraps into the dtype (-1 into uint8 is 255), which numpy refuses
        values = source[region] if isinstance(source, np.ndarray) else R.as_result(source, x.dtype)
        with np.errstate(all='ignore'):
            y[_positions(index, d)] = values
    return y


def ref_scatter_add(x, dim, index, src):
    d = _scatter_checks(x, dim, index, src, 'scatter_add')
    y = x.copy()
    if index.size:
        region = tuple(slice(0, n) for n in index.shape)
        np.add.at(y, _positions(index, d), src[region])
    return y


def draw_index_select(d):
    x = d.array()
    dim = d.dim(x.ndim)
    size = x.shape[dim % x.ndim] if x.ndim and -x.ndim <= dim < x.ndim else 1
    shape = d.sampled(((), (0,), (1,), (2,), (3,))) if not d.rarely() else (2, 2)
    dtype = d.sampled((np.int64, np.int32)) if not d.rarely() else np.float32
    index = d.index_array(shape, size + (1 if d.rarely() else 0), np.int64).astype(dtype)
    return Case(x, dim, index)


def ref_index_select(x, dim, index):
    _check_index(index, 'index_select')
    d = R.wrap_dim(dim, x.ndim)
    if index.ndim > 1:
        raise R.Refused('index_select: index with more than one dim', (IndexError, RuntimeError))
    size = x.shape[d] if x.ndim else 1
    if index.size and (index.min() < 0 or index.max() >= size):
        raise R.Refused('index_select: index out of range', (IndexError, RuntimeError))
    if x.ndim == 0:
        if index.size != 1:
            raise R.Refused('index_select: a scalar takes one index', (IndexError, RuntimeError))
        return x.copy()
    return np.take(x, index.reshape(-1), axis=d)


spec('getitem', draw_getitem, ref_getitem, call=call_getitem, names=('index',), second_order=True)
spec('setitem', draw_setitem, ref_setitem, call=call_setitem, names=('index', 'x[index]'))
spec('narrow', draw_narrow, ref_narrow)
spec('select', draw_select, ref_select, names=('index',))
spec('unbind', draw_unbind, ref_unbind)
spec('gather', draw_gather, ref_gather, derivative=d_gather, second_order=True)
spec('take_along_dim', draw_take_along_dim, ref_take_along_dim, names=('gather',))
spec('scatter', lambda d: draw_scatter(d, False), ref_scatter)
spec('scatter_add', lambda d: draw_scatter(d, True), ref_scatter_add, second_order=True)
spec('index_select', draw_index_select, ref_index_select)
