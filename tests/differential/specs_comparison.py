"""Specs of comparisons, logic and bit operations (minitorch/ops/comparison.py): bool results (or
the operands' promoted integer dtype for & | ^), never a gradient."""
import numpy as np

from . import reference as R
from .registry import Case, spec
from .specs_arithmetic import binary_draw, prepare, computed, tensors_only, operand


def _comparison(name, fn):
    def reference(a, b):
        if not isinstance(a, np.ndarray):
            raise R.Refused(f'{name}: a number first', (TypeError,))
        dtype = prepare(name, a, b)
        return R.as_result(computed(a, b, dtype, fn), R.BOOL)
    return reference


def _logical(name, fn):
    def reference(a, b):
        tensors_only(name, a, b)
        R.broadcast(a.shape, b.shape, op=name)
        return R.as_result(fn(a, b), R.BOOL)
    return reference


def _bitwise(name, fn):
    def reference(a, b):
        dtype = prepare(name, a, b)
        if R.category(dtype) == 2:
            raise R.Refused(f'{name} of floats', (TypeError, RuntimeError, NotImplementedError))
        return computed(a, b, dtype, fn)
    return reference


def _same_dtype_pair(name, a, b):
    tensors_only(name, a, b)
    if a.dtype != b.dtype:
        raise R.Refused(f'{name}: {a.dtype} and {b.dtype}', (RuntimeError, TypeError))
    R.broadcast(a.shape, b.shape, op=name)


def _isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """PyTorch's isclose, step by step (integers subtract in their own dtype)."""
    close = a == b
    if equal_nan and a.dtype.kind == 'f':
        close = close | (np.isnan(a) & np.isnan(b))
    if rtol == 0 and atol == 0:
        return close
    if a.dtype == R.BOOL:
        a, b = a.astype(R.DEFAULT_FLOAT), b.astype(R.DEFAULT_FLOAT)
    with np.errstate(all='ignore'):
        scale = R.float_of(a.dtype)
        allowed = atol + np.abs(operand(rtol, scale) * b.astype(scale))
        actual = np.abs(a - b)
        within = np.isfinite(actual) & (actual.astype(np.float64) <= allowed.astype(np.float64))
    return close | within


def ref_isclose(a, b, **options):
    _same_dtype_pair('isclose', a, b)
    return R.as_result(_isclose(a, b, **options), R.BOOL)


def ref_allclose(a, b, **options):
    _same_dtype_pair('allclose', a, b)
    return bool(_isclose(a, b, **options).all())


def ref_equal(a, b):
    tensors_only('equal', a, b)
    if a.shape != b.shape:
        return False
    common = R.promote_types(a.dtype, b.dtype)
    return bool(np.array_equal(a.astype(common), b.astype(common)))


def _closeness(d):
    options = {}
    if d.boolean():
        options['rtol'] = d.sampled((0.0, 1e-3, 0.1))
    if d.boolean():
        options['atol'] = d.sampled((0.0, 1e-8, 0.5))
    if d.boolean():
        options['equal_nan'] = d.boolean()
    return options


def _pair_draw(d):
    """Two tensors of one dtype (now and then of two), the second one near the first."""
    dtype = d.dtype()
    sa, sb = d.shapes(2)
    a = d.array(sa, dtype)
    b = d.array(sb, dtype if not d.rarely() else d.dtype())
    return Case(a, b, **_closeness(d))


COMPARISONS = {'eq': np.equal, 'ne': np.not_equal, 'lt': np.less, 'le': np.less_equal,
               'gt': np.greater, 'ge': np.greater_equal}
for _name, _fn in COMPARISONS.items():
    spec(_name, binary_draw(), _comparison(_name, _fn), grad=())

for _name, _fn in {'logical_and': np.logical_and, 'logical_or': np.logical_or,
                   'logical_xor': np.logical_xor}.items():
    spec(_name, binary_draw(forms=('tt', 'tt', 'tt', 'ts')), _logical(_name, _fn), grad=())

for _name, _fn in {'bitwise_and': np.bitwise_and, 'bitwise_or': np.bitwise_or,
                   'bitwise_xor': np.bitwise_xor}.items():
    spec(_name, binary_draw(), _bitwise(_name, _fn), grad=())

spec('isclose', _pair_draw, ref_isclose, grad=())
spec('allclose', _pair_draw, ref_allclose, grad=(), names=('isclose',))
def _equal_draw(d):
    """Two tensors: the same values, the same values in another dtype, or others."""
    a = d.array()
    form = d.sampled(('same', 'cast', 'other'))
    if form == 'same':
        return Case(a, a.copy())
    if form == 'cast':
        return Case(a, R.as_result(a, d.dtype()))
    return Case(a, d.array())


spec('equal', _equal_draw, ref_equal, grad=())
