"""Specs of the shape ops (minitorch/ops/shape.py): reshape/view and their -1, flatten/unflatten,
squeeze/unsqueeze, permute/transpose/t, expand/broadcast, cat/stack, split/chunk, flip."""
import math

import numpy as np

from . import reference as R
from .registry import Case, spec


def _refuse(why, kinds=(RuntimeError,)):
    raise R.Refused(why, kinds)


def _factor_shape(d, n, max_dims=3):
    """A shape with n elements (random factors of n; sizes 0 and 1 where n allows)."""
    if n == 0:
        shape = [d.sampled((0, 2, 3, 1)) for _ in range(d.integer(1, max_dims))]
        shape[d.integer(0, len(shape) - 1)] = 0
        return shape
    shape, left = [], n
    for _ in range(d.integer(0, max_dims - 1)):
        divisors = [k for k in range(1, left + 1) if left % k == 0]
        k = d.sampled(divisors)
        shape.append(k)
        left //= k
    shape.append(left)
    d_shuffled = d.sampled([tuple(shape), tuple(reversed(shape))])
    return list(d_shuffled)


def _target_shape(d, x):
    """A new shape for x's elements: one size -1 now and then, rarely one that does not fit."""
    shape = _factor_shape(d, x.size)
    if d.boolean() and x.size:
        shape[d.integer(0, len(shape) - 1)] = -1
    if d.rarely():
        shape.append(d.sampled((2, -1)))
    return tuple(shape)


def _resolved(x, shape, op):
    """shape with its -1 filled in, or Refused as PyTorch refuses it."""
    unknown = [i for i, s in enumerate(shape) if s == -1]
    known = math.prod(s for s in shape if s != -1)
    if len(unknown) > 1 or any(s < -1 for s in shape):
        _refuse(f'{op}: invalid shape {shape}')
    if unknown:
        if known == 0 or x.size % known:
            _refuse(f'{op}: {shape} does not fit {x.size} elements')
        shape = shape[:unknown[0]] + (x.size // known,) + shape[unknown[0] + 1:]
    if math.prod(shape) != x.size:
        _refuse(f'{op}: {shape} does not fit {x.size} elements')
    return shape


# --- reshape, view --------------------------------------------------------------------------------
def draw_reshape(d):
    x = d.array()
    return Case(x, _target_shape(d, x), d.boolean())


def _no_sizes(op, sizes, varargs=True):
    """x.reshape(), x.view(), x.permute(), x.expand(): PyTorch wants the sizes."""
    if varargs and not sizes:
        raise R.Refused(f'{op}() missing its sizes', (TypeError,))


def ref_reshape(x, shape, varargs):
    _no_sizes('reshape', shape, varargs)
    return x.reshape(_resolved(x, shape, 'reshape')).copy()


def call_reshape(lib, x, shape, varargs):
    return x.reshape(*shape) if varargs else lib.reshape(x, shape)


def draw_view(d):
    x = d.array()
    transposed = x.ndim >= 2 and d.boolean()
    if transposed:
        x = np.ascontiguousarray(np.swapaxes(x, 0, 1))      # transposed back in the call
    return Case(x, _target_shape(d, x), transposed)


def _strided(lib, x, transposed):
    return x.transpose(0, 1) if transposed else x


def call_view(lib, x, shape, transposed):
    return _strided(lib, x, transposed).view(*shape)


def ref_view(x, shape, transposed):
    _no_sizes('view', shape)
    a = np.swapaxes(x, 0, 1) if transposed else x
    shape = _resolved(a, shape, 'view')
    seen = a.view()
    try:
        seen.shape = shape      # numpy refuses exactly when no view has this shape
    except AttributeError:
        _refuse('view size is not compatible with input tensor\'s size and stride')
    return seen.copy()


def draw_like(d):
    x = d.array()
    shape = tuple(abs(s) for s in _factor_shape(d, x.size)) if not d.rarely() else (x.size + 1,)
    return Case(x, d.array(shape, d.dtype()))


def ref_view_as(x, other):
    if other.size != x.size:
        _refuse(f'view: {other.shape} does not fit {x.size} elements')
    return x.reshape(other.shape).copy()


# --- flatten, unflatten, squeeze, unsqueeze ----------------------------------------------------------
def draw_flatten(d):
    x = d.array()
    options = {}
    if d.boolean():
        options['start_dim'] = d.dim(x.ndim)
    if d.boolean():
        options['end_dim'] = d.dim(x.ndim)
    return Case(x, **options)


def ref_flatten(x, start_dim=0, end_dim=-1):
    if x.ndim == 0:
        R.wrap_dim(start_dim, 0), R.wrap_dim(end_dim, 0)
        return x.reshape(1).copy()
    start, end = R.wrap_dim(start_dim, x.ndim), R.wrap_dim(end_dim, x.ndim)
    if start > end:
        _refuse('flatten: start_dim after end_dim')
    return x.reshape(x.shape[:start] + (math.prod(x.shape[start:end + 1]),) +
                     x.shape[end + 1:]).copy()


def draw_unflatten(d):
    x = d.array(d.shape(min_dims=1))
    dim = d.dim(x.ndim)
    size = x.shape[dim % x.ndim] if -x.ndim <= dim < x.ndim else 1
    sizes = _factor_shape(d, size)
    if d.boolean() and size:
        sizes[d.integer(0, len(sizes) - 1)] = -1
    if d.rarely():
        sizes.append(2)
    return Case(x, dim, tuple(sizes))


def ref_unflatten(x, dim, sizes):
    d = R.wrap_dim(dim, x.ndim)
    piece = np.empty(x.shape[d])
    sizes = _resolved(piece, tuple(sizes), 'unflatten')
    return x.reshape(x.shape[:d] + sizes + x.shape[d + 1:]).copy()


def draw_squeeze(d):
    x = d.array(d.shape(sides=(1, 1, 2, 3, 0)))
    form = d.sampled(('none', 'int', 'tuple'))
    if form == 'none':
        return Case(x)
    return Case(x, d.dim(x.ndim) if form == 'int' else d.dim_tuple(x.ndim))


def ref_squeeze(x, dim=None):
    if dim is None:
        return x.reshape(tuple(s for s in x.shape if s != 1)).copy()
    dims = (R.wrap_dims(dim, x.ndim) if dim != () else ()) if isinstance(dim, tuple) else \
        (R.wrap_dim(dim, x.ndim),)
    return x.reshape(tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1))).copy()


def draw_unsqueeze(d):
    x = d.array()
    return Case(x, d.dim(x.ndim + 1))


def ref_unsqueeze(x, dim):
    return np.expand_dims(x, R.wrap_dim(dim, x.ndim + 1)).copy()


# --- permute, transpose, t --------------------------------------------------------------------------
def draw_permute(d):
    x = d.array()
    dims = list(d.sampled([tuple(p) for p in _permutations(x.ndim)]))
    dims = [k - x.ndim if d.boolean() else k for k in dims]
    if d.rarely():
        dims = dims[:-1] + [dims[0]] if len(dims) > 1 else dims + [0]
    return Case(x, tuple(dims), d.boolean())


def _permutations(n):
    import itertools
    return list(itertools.permutations(range(n)))


def ref_permute(x, dims, varargs):
    _no_sizes('permute', dims, varargs)
    if len(dims) != x.ndim:
        _refuse('permute: wrong number of dims')
    wrapped = [R.wrap_dim(k, x.ndim) for k in dims]
    if len(set(wrapped)) != len(wrapped):
        _refuse('permute: repeated dim')
    return np.transpose(x, wrapped).copy() if x.ndim else x.copy()


def call_permute(lib, x, dims, varargs):
    return x.permute(*dims) if varargs else lib.permute(x, dims)


def draw_transpose(d):
    x = d.array()
    return Case(x, d.dim(x.ndim), d.dim(x.ndim))


def ref_transpose(x, dim0, dim1):
    a, b = R.wrap_dim(dim0, x.ndim), R.wrap_dim(dim1, x.ndim)
    return np.swapaxes(x, a, b).copy() if x.ndim else x.copy()


def ref_t(x):
    if x.ndim > 2:
        _refuse('t: more than 2 dims')
    return x.T.copy()


# --- expand, broadcast -------------------------------------------------------------------------------
def draw_expand(d):
    x = d.array(d.shape(sides=(1, 1, 2, 3, 0)))
    sizes = [d.sampled((s, -1)) if s != 1 else d.sampled((1, 2, 3, 0, -1)) for s in x.shape]
    sizes = [d.sampled((1, 2, 0)) for _ in range(d.integer(0, 2))] + sizes
    if d.rarely():
        sizes = [d.sampled((-1, 5))] + sizes
    return Case(x, tuple(sizes))


def _expanded_shape(x, sizes, op):
    if len(sizes) < x.ndim:
        _refuse(f'{op}: fewer sizes than dims')
    lead = len(sizes) - x.ndim
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                _refuse(f'{op}: -1 in a new leading dim')
            target.append(s)
            continue
        own = x.shape[i - lead]
        s = own if s == -1 else s
        if own != 1 and s != own:
            _refuse(f'{op}: size {own} cannot become {s}')
        target.append(s)
    return tuple(target)


def ref_expand(x, sizes):
    _no_sizes('expand', sizes)
    return np.broadcast_to(x, _expanded_shape(x, sizes, 'expand')).copy()


def call_expand(lib, x, sizes):
    return x.expand(*sizes)


def draw_expand_as(d):
    sx, so = d.shapes(2)
    if d.boolean():
        try:
            so = np.broadcast_shapes(sx, so)
        except ValueError:
            pass
    return Case(d.array(sx), d.array(so, d.dtype()))


def ref_expand_as(x, other):
    return np.broadcast_to(x, _expanded_shape(x, other.shape, 'expand')).copy()


def draw_broadcast_to(d):
    case = draw_expand(d)
    return Case(case.args[0], case.args[1])


def ref_broadcast_to(x, shape):
    return np.broadcast_to(x, _expanded_shape(x, shape, 'broadcast_to')).copy()


def draw_tensors(d):
    shapes = d.shapes(d.integer(1, 3))
    return Case(*[d.array(s) for s in shapes])


def ref_broadcast_tensors(*xs):
    shape = R.broadcast(*[x.shape for x in xs], op='broadcast_tensors')
    return tuple(np.broadcast_to(x, shape).copy() for x in xs)


def call_broadcast_tensors(lib, *xs):
    return lib.broadcast_tensors(*xs)


# --- cat, stack -------------------------------------------------------------------------------------
def draw_cat(d):
    base = list(d.shape(min_dims=1))
    dim = d.dim(len(base))
    axis = dim % len(base) if -len(base) <= dim < len(base) else 0
    pieces = []
    for _ in range(d.integer(1, 3)):
        shape = list(base)
        shape[axis] = d.sampled((0, 1, 2, 3))
        if d.rarely():
            shape[(axis + 1) % len(shape)] += 1
        pieces.append(d.array(shape, d.dtype()))
    if d.rarely():
        pieces = []
    return Case(pieces, dim)


def _common_dtype(xs):
    dtype = xs[0].dtype
    for x in xs[1:]:
        dtype = R.promote_types(dtype, x.dtype)
    return dtype


def ref_cat(tensors, dim=0):
    if not tensors:
        _refuse('cat: no tensors', (RuntimeError, ValueError))
    if any(x.ndim == 0 for x in tensors):
        _refuse('cat: zero-dimensional tensor')
    d = R.wrap_dim(dim, tensors[0].ndim)
    for x in tensors:
        if x.ndim != tensors[0].ndim or any(a != b for k, (a, b) in
                                            enumerate(zip(x.shape, tensors[0].shape)) if k != d):
            _refuse('cat: sizes do not match')
    dtype = _common_dtype(tensors)
    return np.concatenate([x.astype(dtype) for x in tensors], axis=d)


def draw_stack(d):
    shape = d.shape()
    pieces = [d.array(shape if not d.rarely() else shape + (2,), d.dtype())
              for _ in range(d.integer(1, 3))]
    return Case(pieces if not d.rarely() else [], d.dim(len(shape) + 1))


def ref_stack(tensors, dim=0):
    if not tensors:
        _refuse('stack: no tensors', (RuntimeError, ValueError))
    if any(x.shape != tensors[0].shape for x in tensors):
        _refuse('stack: shapes differ')
    d = R.wrap_dim(dim, tensors[0].ndim + 1)
    dtype = _common_dtype(tensors)
    return np.stack([x.astype(dtype) for x in tensors], axis=d)


# --- split, chunk, flip -----------------------------------------------------------------------------
def draw_split(d):
    x = d.array(d.shape(min_dims=1))
    dim = d.dim(x.ndim) if d.boolean() else 0
    size = x.shape[dim % x.ndim] if -x.ndim <= dim < x.ndim else 0
    if d.boolean():
        sections = d.integer(0 if size == 0 or d.rarely() else 1, max(size, 1) + 1)
    else:
        sections = []
        left = size
        while left:
            k = d.integer(1, left)
            sections.append(k)
            left -= k
        if d.boolean():
            sections.insert(d.integer(0, len(sections)), 0)
        if d.rarely():
            sections.append(1)
    return Case(x, sections, dim) if dim else Case(x, sections)


def _cut(x, sizes, d):
    pieces, start = [], 0
    for s in sizes:
        pieces.append(np.take(x, range(start, start + s), axis=d))
        start += s
    return tuple(pieces)


def ref_split(x, split_size_or_sections, dim=0):
    d = R.wrap_dim(dim, x.ndim)
    size = x.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step < 0 or (step == 0 and size):
            _refuse('split: split_size must be positive', (RuntimeError, ValueError))
        sizes = [min(step, size - s) for s in range(0, size, step)] if step else [0]
        sizes = sizes or [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != size:
            _refuse('split: sections do not add up to the size', (RuntimeError, ValueError))
    return _cut(x, sizes, d)


def draw_chunk(d):
    x = d.array(d.shape(min_dims=1))
    chunks = d.integer(1, 5) if not d.rarely() else d.sampled((0, -1))
    return Case(x, chunks, d.dim(x.ndim)) if d.boolean() else Case(x, chunks)


def ref_chunk(x, chunks, dim=0):
    if chunks <= 0:
        _refuse('chunk: chunks must be positive', (RuntimeError, ValueError))
    d = R.wrap_dim(dim, x.ndim)
    size = x.shape[d]
    if size == 0:
        return _cut(x, [0] * chunks, d)
    step = -(-size // chunks)
    return _cut(x, [min(step, size - s) for s in range(0, size, step)], d)


def draw_flip(d):
    x = d.array()
    return Case(x, d.dim_tuple(x.ndim))


def ref_flip(x, dims):
    wrapped = [R.wrap_dim(k, x.ndim) for k in dims]
    if len(set(wrapped)) != len(wrapped):
        _refuse('flip: repeated dim')
    return np.flip(x, tuple(wrapped)).copy() if x.ndim else x.copy()


spec('reshape', draw_reshape, ref_reshape, call=call_reshape)
spec('view', draw_view, ref_view, call=call_view)
spec('view_as', draw_like, ref_view_as, call=lambda lib, x, other: x.view_as(other),
     names=('view',))
spec('reshape_as', draw_like, ref_view_as, call=lambda lib, x, other: x.reshape_as(other),
     names=('reshape', 'view'))
spec('flatten', draw_flatten, ref_flatten)
spec('unflatten', draw_unflatten, ref_unflatten, names=('reshape',))
spec('squeeze', draw_squeeze, ref_squeeze)
spec('unsqueeze', draw_unsqueeze, ref_unsqueeze)
spec('permute', draw_permute, ref_permute, call=call_permute)
spec('transpose', draw_transpose, ref_transpose, names=('swapaxes',))
spec('t', lambda d: Case(d.array()), ref_t)
spec('expand', draw_expand, ref_expand, call=call_expand)
spec('expand_as', draw_expand_as, ref_expand_as, call=lambda lib, x, other: x.expand_as(other),
     names=('expand',))
spec('broadcast_to', draw_broadcast_to, ref_broadcast_to, names=('expand',))
spec('broadcast_tensors', draw_tensors, ref_broadcast_tensors, call=call_broadcast_tensors)
spec('cat', draw_cat, ref_cat, names=('concat',))
spec('stack', draw_stack, ref_stack, names=('cat',))
spec('split', draw_split, ref_split)
spec('chunk', draw_chunk, ref_chunk)
spec('flip', draw_flip, ref_flip)
