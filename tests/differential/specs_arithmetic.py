"""Specs of + - * / ** // % maximum minimum (minitorch/ops/arithmetic.py): broadcasting, PyTorch's
result dtypes for every pair of dtypes and Python numbers on either side, integer wrap-around."""
import numpy as np

from . import reference as R
from .registry import Case, spec


def shape_of(x):
    return x.shape if isinstance(x, np.ndarray) else ()


def binary_draw(forms=('tt', 'ts', 'st'), dtypes=R.ALL, kinds=(bool, int, float), kwargs=None,
                positive_base=False, large_divisor=False):
    """Two tensors, or a tensor and a Python number (either side), of broadcastable shapes.  For
    gradients, positive_base keeps a > 0 (a ** b) and large_divisor keeps |b| > |a| (a % b is then
    smooth: a / b is never an integer)."""
    def draw(d):
        form = d.sampled(forms)
        sa, sb = d.shapes(2)
        a = d.array(sa, d.dtype(dtypes)) if form[0] == 't' else d.scalar(kinds)
        b = d.array(sb, d.dtype(dtypes)) if form[1] == 't' else d.scalar(kinds)
        if d.grad and positive_base:
            a = np.asarray(np.abs(a)) if isinstance(a, np.ndarray) else abs(a) + 0.5
        if d.grad and large_divisor:
            b = np.asarray(np.sign(b) * (np.abs(b) + 2.5)) if isinstance(b, np.ndarray) else \
                3.0 * (-1) ** int(b)
        return Case(a, b, **(kwargs(d) if kwargs else {}))
    return draw


def operand(x, dtype):
    """x (an array or a Python number) as an array of dtype, wrapping as a cast in PyTorch does."""
    with np.errstate(all='ignore'):
        return np.asarray(x).astype(dtype) if not isinstance(x, np.ndarray) else x.astype(dtype)


def tensors_only(name, a, b):
    for x in (a, b):
        if not isinstance(x, np.ndarray):
            raise R.Refused(f'{name}: PyTorch takes tensors only, got {type(x).__name__}',
                            (TypeError,))


def prepare(name, a, b):
    """(a, b, result dtype) after the broadcast check."""
    R.broadcast(shape_of(a), shape_of(b), op=name)
    return R.result_type(a, b)


def computed(a, b, dtype, fn):
    """fn on a and b cast to dtype (floats computed in float64, then rounded to dtype)."""
    work = np.float64 if R.category(dtype) == 2 else dtype
    with np.errstate(all='ignore'):
        a, b = operand(a, dtype).astype(work), operand(b, dtype).astype(work)
        return R.as_result(fn(a, b), dtype)


def _is_bool(x):
    return isinstance(x, bool) or (isinstance(x, np.ndarray) and x.dtype == R.BOOL)


def ref_add(a, b):
    return computed(a, b, prepare('add', a, b), np.add)


def ref_sub(a, b):
    dtype = prepare('sub', a, b)
    if _is_bool(a) or _is_bool(b):
        raise R.Refused('sub of a bool', (RuntimeError,))
    return computed(a, b, dtype, np.subtract)


def ref_mul(a, b):
    return computed(a, b, prepare('mul', a, b), np.multiply)


def _trunc_divide(a, b):
    if a.dtype.kind == 'f':
        return np.trunc(a / b)
    q = a // b
    return np.where((q < 0) & (q * b != a), q + 1, q).astype(a.dtype)


def ref_div(a, b, rounding_mode=None):
    if rounding_mode is None:
        return computed(a, b, R.float_of(prepare('div', a, b)), np.true_divide)
    if rounding_mode not in ('trunc', 'floor'):
        raise R.Refused(f'div: rounding_mode {rounding_mode!r}', (ValueError, RuntimeError))
    dtype = prepare('div', a, b)
    _refuse_integer_zero('div', a, b, dtype)
    return computed(a, b, dtype, np.floor_divide if rounding_mode == 'floor' else _trunc_divide)


def rounding_mode(d):
    """div's rounding_mode, now and then (and rarely one that does not exist)."""
    mode = d.sampled(('absent', 'absent', None, 'trunc', 'floor'))
    if d.rarely():
        mode = 'round'
    return {} if mode == 'absent' or (d.grad and mode is not None) else {'rounding_mode': mode}


def _integer_power(base, exponent):
    """PyTorch's integer power: a negative exponent gives 0, except for bases 1 and -1."""
    with np.errstate(all='ignore'):
        positive = np.power(base, np.where(exponent < 0, 0, exponent))
        negative = np.where(base == 1, 1, np.where(base == -1, np.where(exponent % 2 == 0, 1, -1), 0))
        return np.where(exponent < 0, negative.astype(base.dtype), positive)


def ref_pow(a, b):
    dtype = prepare('pow', a, b)
    if R.category(dtype) == 1 and isinstance(b, int) and not isinstance(b, bool):
        info = np.iinfo(dtype)      # a number exponent goes through PyTorch's checked conversion
        if not (-info.max if info.min == 0 else info.min) <= b <= info.max:
            raise R.Refused(f'pow: exponent {b} overflows {dtype}', (RuntimeError,))
    if dtype == R.BOOL and not (isinstance(a, np.ndarray) and isinstance(b, bool)):
        raise R.Refused('pow of bools', (RuntimeError, NotImplementedError))
    if R.category(dtype) < 2 and not isinstance(b, np.ndarray) and b < 0:
        raise R.Refused('integers to negative integer powers', (RuntimeError, ValueError))
    if R.category(dtype) < 2:
        return R.as_result(_integer_power(operand(a, dtype), operand(b, dtype)), dtype)
    return computed(a, b, dtype, np.power)


def _refuse_integer_zero(name, a, b, dtype):
    if R.category(dtype) == 0:
        raise R.Refused(f'{name} of bools', (RuntimeError, NotImplementedError))
    empty = any(isinstance(x, np.ndarray) and x.size == 0 for x in (a, b))
    if R.category(dtype) == 1 and not empty and np.any(operand(b, dtype) == 0):
        raise R.Refused(f'{name}: integer division by zero', (RuntimeError, ZeroDivisionError))


def ref_floor_divide(a, b):
    dtype = prepare('floor_divide', a, b)
    _refuse_integer_zero('floor_divide', a, b, dtype)
    return computed(a, b, dtype, np.floor_divide)


def ref_remainder(a, b):
    dtype = prepare('remainder', a, b)
    _refuse_integer_zero('remainder', a, b, dtype)
    return computed(a, b, dtype, np.remainder)


def ref_maximum(a, b):
    tensors_only('maximum', a, b)
    return computed(a, b, prepare('maximum', a, b), np.maximum)


def ref_minimum(a, b):
    tensors_only('minimum', a, b)
    return computed(a, b, prepare('minimum', a, b), np.minimum)


# --- closed-form gradients (upstream summed back to each operand's shape) --------------------------
def sum_to(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(0)
    for i, s in enumerate(shape):
        if s == 1 and grad.shape[i] != 1:
            grad = grad.sum(i, keepdims=True)
    return grad


def grads(da, db):
    """derivative(upstream, a, b) from the partials da(a, b), db(a, b), for the tensor operands."""
    def derivative(upstream, a, b):
        fa, fb = (np.asarray(x, dtype=np.float64) for x in (a, b))
        out = []
        if isinstance(a, np.ndarray):
            out.append(sum_to(upstream * np.broadcast_to(da(fa, fb), upstream.shape), a.shape))
        if isinstance(b, np.ndarray):
            out.append(sum_to(upstream * np.broadcast_to(db(fa, fb), upstream.shape), b.shape))
        return out
    return derivative


def _one(a, b):
    return np.ones(np.broadcast_shapes(a.shape, b.shape))


spec('add', binary_draw(), ref_add, derivative=grads(_one, _one))
spec('sub', binary_draw(), ref_sub, derivative=grads(_one, lambda a, b: -_one(a, b)),
     names=('ubtract',))
spec('mul', binary_draw(), ref_mul, derivative=grads(lambda a, b: b + 0 * a, lambda a, b: a + 0 * b),
     second_order=True)
def _div_derivative(upstream, a, b, rounding_mode=None):
    return grads(lambda a, b: 1 / b + 0 * a, lambda a, b: -a / (b * b))(upstream, a, b)


spec('div', binary_draw(kwargs=rounding_mode), ref_div, derivative=_div_derivative,
     second_order=True)
spec('pow', binary_draw(positive_base=True), ref_pow,
     derivative=grads(lambda a, b: b * a ** (b - 1), lambda a, b: a ** b * np.log(a)),
     grad_rtol=1e-7, second_order=True)
spec('floor_divide', binary_draw(), ref_floor_divide, names=('//',), grad=())
spec('remainder', binary_draw(large_divisor=True), ref_remainder, names=('%',),
     derivative=grads(lambda a, b: _one(a, b), lambda a, b: -np.floor(a / b)), second_order=True)
spec('maximum', binary_draw(), ref_maximum, derivative=grads(lambda a, b: (a > b) * 1.0,
                                                             lambda a, b: (b > a) * 1.0),
                                                                  second_order=True)
spec('minimum', binary_draw(), ref_minimum, derivative=grads(lambda a, b: (a < b) * 1.0,
                                                             lambda a, b: (b < a) * 1.0))
