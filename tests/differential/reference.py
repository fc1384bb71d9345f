"""What PyTorch answers, restated with numpy: its result-dtype rules, its refusals, and how closely
two results must agree.  Written independently of minitorch's own dtype code."""
import numpy as np

BOOL = np.dtype(bool)
INTS = tuple(np.dtype(t) for t in (np.uint8, np.int8, np.int16, np.int32, np.int64))
FLOATS = tuple(np.dtype(t) for t in (np.float16, np.float32, np.float64))
ALL = (BOOL,) + INTS + FLOATS
NUMERIC = INTS + FLOATS
INTEGRAL = (BOOL,) + INTS
DEFAULT_FLOAT = np.dtype(np.float32)


class Refused(Exception):
    """Raised by a reference: PyTorch refuses these inputs.  `kinds` are the exception types a
    sensible refusal may have."""

    def __init__(self, why, kinds=(RuntimeError, TypeError, ValueError)):
        super().__init__(why)
        self.kinds = kinds


def refuse_dims(why):
    return Refused(why, (IndexError,))


def category(dtype):
    """0 bool, 1 integer, 2 floating."""
    dtype = np.dtype(dtype)
    return 0 if dtype == BOOL else 1 if dtype.kind in 'iu' else 2


def promote_types(a, b):
    """torch.promote_types for the dtypes minitorch has."""
    a, b = np.dtype(a), np.dtype(b)
    if a == b:
        return a
    if category(a) != category(b):
        return a if category(a) > category(b) else b
    return np.promote_types(a, b)


def _scalar_dtype(value):
    if isinstance(value, (bool, np.bool_)):
        return BOOL
    if isinstance(value, (int, np.integer)):
        return np.dtype(np.int64)
    return DEFAULT_FLOAT


def _combine(higher, lower):
    """c10's combine_categories: the lower-priority group counts only when of a higher category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if category(higher) == 2:
        return higher
    if higher == BOOL or category(lower) == 2:
        return promote_types(higher, lower)
    return higher


def result_type(*operands):
    """torch.result_type: dimensioned tensors, then 0-d tensors, then Python numbers."""
    groups = [None, None, None]
    for x in operands:
        if isinstance(x, np.ndarray):
            rank, dtype = (0 if x.ndim else 1), x.dtype
        else:
            rank, dtype = 2, _scalar_dtype(x)
        groups[rank] = dtype if groups[rank] is None else promote_types(groups[rank], dtype)
    return _combine(groups[0], _combine(groups[1], groups[2]))


def can_cast(source, target):
    """torch.can_cast: whether an in-place op may write a `source` result into a `target` tensor."""
    return category(source) <= category(target)


def float_of(dtype):
    """The dtype an op that needs floats computes in: floats keep theirs, the rest get float32."""
    dtype = np.dtype(dtype)
    return dtype if category(dtype) == 2 else DEFAULT_FLOAT


def broadcast(*shapes, op):
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise Refused(f'{op}: shapes {shapes} do not broadcast') from None


def wrap_dim(dim, ndim):
    size = max(ndim, 1)
    if not -size <= dim < size:
        raise refuse_dims(f'dim {dim} out of range for {ndim} dims')
    return dim % size


def wrap_dims(dim, ndim):
    """dim None or () -> every dim; an int or a tuple -> sorted non-negative dims; repeats refused."""
    if dim is None or dim == ():
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    wrapped = [wrap_dim(d, ndim) for d in dims]
    if len(set(wrapped)) != len(wrapped):
        raise Refused(f'dim {dim} repeats a dim', (RuntimeError,))
    return tuple(sorted(d for d in wrapped if d < ndim))


def as_result(values, dtype):
    """values (computed in float64 or exactly) as an array of the result dtype."""
    with np.errstate(all='ignore'):
        return np.asarray(values).astype(dtype)


# --- how close is close enough -----------------------------------------------------------------
RTOL = {np.dtype(np.float16): 4e-3, np.dtype(np.float32): 2e-5, np.dtype(np.float64): 1e-10}


def assert_close(got, want, what, scale=0.0, rtol=None):
    """Same dtype, shape and values (nan where nan; floats within the dtype's tolerance, with an
    absolute margin of rtol * (1 + scale) for results that cancel)."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype, f'{what}: dtype {got.dtype}, expected {want.dtype}'
    assert got.shape == want.shape, f'{what}: shape {got.shape}, expected {want.shape}'
    if want.dtype.kind != 'f':
        mismatch = got != want
        assert not mismatch.any(), f'{what}: values differ at {np.argwhere(mismatch)[:3].tolist()}:' \
                                   f' got {got[mismatch][:5]}, expected {want[mismatch][:5]}'
        return
    rtol = RTOL[want.dtype] if rtol is None else rtol
    g, w = got.astype(np.float64), want.astype(np.float64)
    same_special = (np.isnan(g) & np.isnan(w)) | (g == w)
    with np.errstate(invalid='ignore'):
        close = np.abs(g - w) <= rtol * (1 + scale + np.abs(w))
    bad = ~(same_special | close)
    assert not bad.any(), f'{what}: values differ at {np.argwhere(bad)[:3].tolist()}: got ' \
                          f'{g[bad][:5]}, expected {w[bad][:5]} (rtol {rtol}, scale {scale})'


def magnitude(*arrays):
    """The sum of the finite magnitudes of the inputs: how large a cancelling result's error may be."""
    total = 0.0
    for a in arrays:
        if isinstance(a, np.ndarray) and a.dtype.kind in 'fiu' and a.size:
            values = np.abs(a.astype(np.float64))
            total += float(values[np.isfinite(values)].sum())
        elif isinstance(a, (list, tuple)):
            total += magnitude(*a)
    return total
