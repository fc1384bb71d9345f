"""Specs of where, masked_fill and clamp (minitorch/ops/selection.py): three-way broadcasting,
numbers or tensors as values and bounds, PyTorch's dtypes and its overflow refusals."""
import numpy as np

from . import reference as R
from .registry import Case, spec
from .specs_arithmetic import operand, sum_to


def _shape(x):
    return x.shape if isinstance(x, np.ndarray) else ()


def _fits(value, dtype, check_floats=True):
    """Whether PyTorch's checked conversion takes a Python number into dtype (an unsigned dtype
    takes negative ints down to -max, which wrap; floats only where check_floats)."""
    if isinstance(value, (bool, np.bool_)) or isinstance(value, np.ndarray) and value.ndim:
        return True
    value = value.item() if isinstance(value, np.ndarray) else value
    if R.category(dtype) == 1:
        info = np.iinfo(dtype)
        low = -info.max if info.min == 0 and isinstance(value, int) else info.min
        return value == value and low <= value <= info.max
    if R.category(dtype) == 2 and check_floats and value == value and abs(value) != np.inf:
        return abs(value) <= np.finfo(dtype).max
    return True


# --- where ------------------------------------------------------------------------------------------
def draw_where(d):
    sc, sa, sb = d.shapes(3)
    condition = d.array(sc, R.BOOL if not d.rarely() else d.dtype())
    values = [d.array(s, d.dtype()) if d.sampled((True, True, False)) else d.scalar()
              for s in (sa, sb)]
    return Case(condition, *values)


def ref_where(condition, a, b):
    if condition.dtype != R.BOOL:
        raise R.Refused(f'where: condition of dtype {condition.dtype}', (TypeError, RuntimeError))
    shape = R.broadcast(condition.shape, _shape(a), _shape(b), op='where')
    dtype = R.result_type(a, b)
    for value in (a, b):
        if not isinstance(value, np.ndarray) and not _fits(value, dtype, check_floats=False):
            raise R.Refused(f'where: {value} overflows {dtype}', (RuntimeError, OverflowError))
    return R.as_result(np.broadcast_to(np.where(condition, operand(a, dtype), operand(b, dtype)),
                                       shape), dtype)


def d_where(upstream, condition, a, b):
    out = []
    for value, keep in ((a, condition), (b, ~condition)):
        if isinstance(value, np.ndarray):
            out.append(sum_to(np.where(keep, upstream, 0.0), value.shape))
    return out


# --- masked_fill ------------------------------------------------------------------------------------
def draw_masked_fill(d):
    sx, sm = d.shapes(2)
    x = d.array(sx)
    mask = d.array(sm, R.BOOL if not d.rarely() else d.dtype())
    form = d.sampled(('number', 'number', 'tensor'))
    if form == 'number':
        value = d.scalar()
    else:
        value = d.array(() if not d.rarely() else (2,), d.dtype())
    return Case(x, mask, value)


def ref_masked_fill(x, mask, value):
    if mask.dtype != R.BOOL:
        raise R.Refused(f'masked_fill: mask of dtype {mask.dtype}', (TypeError, RuntimeError))
    if isinstance(value, np.ndarray) and value.ndim:
        raise R.Refused('masked_fill: a value with dims', (RuntimeError,))
    if not _fits(value, x.dtype):
        raise R.Refused(f'masked_fill: {value} overflows {x.dtype}', (RuntimeError, OverflowError))
    shape = R.broadcast(x.shape, mask.shape, op='masked_fill')
    filled = np.where(mask, operand(value, x.dtype), x)
    return R.as_result(np.broadcast_to(filled, shape), x.dtype)


def d_masked_fill(upstream, x, mask, value):
    out = [sum_to(np.where(mask, 0.0, upstream), x.shape)]
    if isinstance(value, np.ndarray):
        out.append(np.asarray(np.where(mask, upstream, 0.0).sum()))
    return out


# --- clamp ------------------------------------------------------------------------------------------
def draw_clamp(d):
    sx, sl, sh = d.shapes(3)
    x = d.array(sx)

    def bound(shape):
        form = d.sampled(('none', 'number', 'number', 'tensor'))
        if form == 'number':
            return d.scalar((int, float))
        if form == 'tensor':
            return d.array(shape if d.boolean() else (), d.dtype(R.NUMERIC))
        return None
    low, high = bound(sl), bound(sh)
    if low is None and high is None and not d.rarely():
        low = d.scalar((int, float))
    form = d.sampled(('keywords', 'positional'))
    return Case(x, low, high) if form == 'positional' else Case(x, min=low, max=high)


def ref_clamp(x, min=None, max=None):
    if min is None and max is None:
        raise R.Refused('clamp: no bound', (RuntimeError, ValueError))
    bounds = [b for b in (min, max) if b is not None]
    dtype = R.result_type(x, *bounds)
    if x.dtype == R.BOOL and dtype == R.BOOL:
        raise R.Refused('clamp of bools', (RuntimeError, NotImplementedError))
    for b in bounds:
        if not _fits(b, dtype):
            raise R.Refused(f'clamp: {b} overflows {dtype}', (RuntimeError, OverflowError))
    shape = R.broadcast(x.shape, *[_shape(b) for b in bounds], op='clamp')
    work = np.float64 if R.category(dtype) == 2 else dtype
    out = operand(x, dtype).astype(work)
    with np.errstate(all='ignore'):
        if min is not None:
            out = np.maximum(out, operand(min, dtype).astype(work))
        if max is not None:
            out = np.minimum(out, operand(max, dtype).astype(work))
    return R.as_result(np.broadcast_to(out, shape), dtype)


def d_clamp(upstream, x, min=None, max=None):
    """PyTorch's clamp_backward and clamp_backward_min_max."""
    low = -np.inf if min is None else np.asarray(min, dtype=np.float64)
    high = np.inf if max is None else np.asarray(max, dtype=np.float64)
    out = [sum_to(np.where((x >= low) & (x <= high), upstream, 0.0), x.shape)]
    if isinstance(min, np.ndarray):
        won = (x < low) & (low < high) if max is not None else x < low
        out.append(sum_to(np.where(won, upstream, 0.0), min.shape))
    if isinstance(max, np.ndarray):
        won = (x > high) | (high < low) if min is not None else x > high
        out.append(sum_to(np.where(won, upstream, 0.0), max.shape))
    return out


spec('where', draw_where, ref_where, derivative=d_where, second_order=True)
spec('masked_fill', draw_masked_fill, ref_masked_fill, derivative=d_masked_fill)
spec('clamp', draw_clamp, ref_clamp, derivative=d_clamp, names=('clip',), second_order=True)
