"""Specs of the random draws (minitorch/ops/random.py): the values cannot be predicted, so a draw
is checked for its shape, dtype and range (and a permutation for being one); the size forms,
dtypes and refusals are PyTorch's."""
import numpy as np
from hypothesis import strategies as st

from . import reference as R
from .registry import Case, RandomCheck, spec


def _within(low, high):
    def check(values):
        values = values.astype(np.float64)
        if values.size and not ((values >= low) & (values < high)).all():
            return f'values outside [{low}, {high}): {values[(values < low) | (values >= high)][:5]}'
        return None
    return check


def _finite(values):
    return None if np.isfinite(values.astype(np.float64)).all() else 'values that are not finite'


def _size_forms(d):
    """A size, as separate ints, one tuple, or (rarely) with a negative size."""
    shape = list(d.shape())
    if d.rarely():
        shape.append(-1)
    return shape, d.sampled(('ints', 'tuple'))


def _sized(shape, form):
    return tuple(shape) if form == 'ints' else (tuple(shape),)


def _shape_of(size):
    if not size:
        raise R.Refused('no size', (TypeError,))
    shape = size[0] if len(size) == 1 and isinstance(size[0], tuple) else size
    if any(s < 0 for s in shape):
        raise R.Refused(f'negative size {shape}', (RuntimeError, ValueError, TypeError))
    return tuple(shape)


def draw_float_draw(d):
    shape, form = _size_forms(d)
    options = {'dtype': d.dtype()} if d.boolean() else {}
    return Case(*_sized(shape, form), **options)


def ref_rand(*size, dtype=None):
    shape = _shape_of(size)
    dtype = R.DEFAULT_FLOAT if dtype is None else np.dtype(dtype)
    if dtype.kind != 'f':
        raise R.Refused(f'rand of {dtype}', (RuntimeError, TypeError, NotImplementedError))
    return RandomCheck(shape, dtype, _within(0, 1))


def ref_randn(*size, dtype=None):
    shape = _shape_of(size)
    dtype = R.DEFAULT_FLOAT if dtype is None else np.dtype(dtype)
    if dtype.kind != 'f':
        raise R.Refused(f'randn of {dtype}', (RuntimeError, TypeError, NotImplementedError))
    return RandomCheck(shape, dtype, _finite)


def draw_randint(d):
    low = d.integer(-3, 3)
    high = low + d.integer(1, 4) if not d.rarely() else low
    shape, _ = _size_forms(d)
    options = {'dtype': d.dtype()} if d.boolean() else {}
    if d.boolean() and low == 0:
        return Case(high, tuple(shape), **options)
    return Case(low, high, tuple(shape), **options)


def ref_randint(*args, dtype=None):
    low, high, size = (0,) + args if len(args) == 2 else args
    shape = _shape_of((size,))
    dtype = np.dtype(np.int64) if dtype is None else np.dtype(dtype)
    if high <= low:
        raise R.Refused('randint: low >= high', (RuntimeError, ValueError))
    if dtype.kind in 'iub':
        info = np.iinfo(dtype) if dtype.kind != 'b' else None
        bottom, top = (0, 1) if info is None else (info.min, info.max)
        if low < bottom or high - 1 > top:
            raise R.Refused(f'randint: [{low}, {high}) out of {dtype}', (RuntimeError,))
    return RandomCheck(shape, dtype, _within(low, high))


def draw_randperm(d):
    n = d.integer(0, 6) if not d.rarely() else -1
    return Case(n, dtype=d.dtype(R.NUMERIC)) if d.boolean() else Case(n)


def ref_randperm(n, dtype=None):
    if n < 0:
        raise R.Refused('randperm: negative n', (RuntimeError, ValueError))
    dtype = np.dtype(np.int64) if dtype is None else np.dtype(dtype)

    def check(values):
        if sorted(values.astype(np.int64).tolist()) != list(range(n)):
            return f'not a permutation of range({n}): {values}'
        return None
    return RandomCheck((n,), dtype, check)


def draw_bernoulli(d):
    dtype = d.dtype(R.FLOATS if not d.rarely() else R.ALL)
    x = d.array(dtype=dtype, elements=st.sampled_from((0.0, 0.25, 0.5, 1.0) if dtype.kind == 'f'
                                                      else (0, 1)))
    if d.rarely() and x.size and x.dtype.kind == 'f':
        x = np.asarray(x + 2)
    if d.boolean():
        return Case(x, d.sampled((0.0, 0.5, 1.0)) if not d.rarely() else 1.5)
    return Case(x)


def ref_bernoulli(x, p=None):
    if x.dtype.kind != 'f' and p is None:
        raise R.Refused(f'bernoulli of {x.dtype}', (RuntimeError, NotImplementedError))
    probabilities = np.full(x.shape, p) if p is not None else x.astype(np.float64)
    if (p is not None and not 0 <= p <= 1) or \
            (probabilities.size and ((probabilities < 0) | (probabilities > 1)).any()):
        raise R.Refused('bernoulli: probabilities outside [0, 1]')

    def check(values):
        values = values.astype(np.float64)
        if not np.isin(values, (0, 1)).all():
            return f'values that are not 0 or 1: {values}'
        if (values[probabilities == 0] != 0).any() or (values[probabilities == 1] != 1).any():
            return 'a sure outcome did not happen'
        return None
    return RandomCheck(x.shape, x.dtype, check)


def draw_like(d):
    return Case(d.array(), **({'dtype': d.dtype()} if d.boolean() else {}))


def ref_like(finite):
    def reference(x, dtype=None):
        dtype = x.dtype if dtype is None else np.dtype(dtype)
        if dtype.kind != 'f':
            raise R.Refused(f'a float draw of {dtype}', (RuntimeError, TypeError,
                                                          NotImplementedError))
        return RandomCheck(x.shape, dtype, _finite if finite else _within(0, 1))
    return reference


spec('rand', draw_float_draw, ref_rand, grad=(), factory=True)
spec('randn', draw_float_draw, ref_randn, grad=(), factory=True)
spec('randint', draw_randint, ref_randint, grad=(), factory=True)
spec('randperm', draw_randperm, ref_randperm, grad=(), factory=True)
spec('bernoulli', draw_bernoulli, ref_bernoulli, grad=())
spec('rand_like', draw_like, ref_like(False), grad=(), names=('rand',))
spec('randn_like', draw_like, ref_like(True), grad=(), names=('randn',))
