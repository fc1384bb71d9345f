"""The public elementwise and reduction functions (mt.add, x.sum(dim=1), ...), PyTorch's signatures.

Each checks and normalises its arguments, then calls one primitive Function.
"""
from .. import dtypes
from ..tensor import Tensor
from . import elementwise as E
from . import reduction as R
from .promotion import as_operand, promote, explain_broadcast_error
from .shape_checks import wrap_dim, wrap_dims


def _binary(fn, a, b, op):
    # fast paths first: a float tensor with a same-dtype tensor or a Python number (the array
    # module's weak scalars then give PyTorch's result dtype without any casting)
    if isinstance(a, Tensor):
        if a._data.dtype.kind == 'f' and (type(b) is float or type(b) is int or (
                isinstance(b, Tensor) and b._data.dtype == a._data.dtype)):
            return _apply_binary(fn, a, b, op)
    elif (type(a) is float or type(a) is int) and isinstance(b, Tensor) and \
            b._data.dtype.kind == 'f':
        return _apply_binary(fn, a, b, op)
    if not isinstance(a, Tensor):
        a = as_operand(a, b, op)
    if not isinstance(b, Tensor):
        b = as_operand(b, a, op)
    a, b = promote(a, b, op)
    return _apply_binary(fn, a, b, op)


def _apply_binary(fn, a, b, op):
    try:
        return fn.apply(a, b)
    except ValueError as error:
        explain_broadcast_error(op, a, b, error)


def add(input, other, *, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    return _binary(E.Add, input, other, 'add')


def sub(input, other, *, alpha=1):
    if alpha != 1:
        other = mul(other, alpha)
    return _binary(E.Sub, input, other, 'sub')


def mul(input, other):
    return _binary(E.Mul, input, other, 'mul')


def div(input, other, *, rounding_mode=None):
    if rounding_mode == 'floor':
        return _binary(E.FloorDivide, input, other, 'div')
    if rounding_mode is not None:
        raise ValueError(f"div: rounding_mode must be None or 'floor', got {rounding_mode!r}")
    # true division: integers divide as floats (float32), as in PyTorch
    if isinstance(input, Tensor) and not input.is_floating_point():
        input = input.to(dtypes.default_float())
    if isinstance(other, Tensor) and not other.is_floating_point() and not isinstance(input, Tensor):
        other = other.to(dtypes.default_float())
    return _binary(E.Div, input, other, 'div')


def pow(input, exponent):
    return _binary(E.Pow, input, exponent, 'pow')


def maximum(input, other):
    return _binary(E.Maximum, input, other, 'maximum')


def minimum(input, other):
    return _binary(E.Minimum, input, other, 'minimum')


def floor_divide(input, other):
    return _binary(E.FloorDivide, input, other, 'floor_divide')


def remainder(input, other):
    return _binary(E.Remainder, input, other, 'remainder')


def _compare(fn, op):
    def compare(input, other):
        return _binary(fn, input, other, op)
    compare.__name__ = op
    return compare


eq, ne = _compare(E.Eq, 'eq'), _compare(E.Ne, 'ne')
lt, le = _compare(E.Lt, 'lt'), _compare(E.Le, 'le')
gt, ge = _compare(E.Gt, 'gt'), _compare(E.Ge, 'ge')
logical_and, logical_or = _compare(E.LogicalAnd, 'logical_and'), _compare(E.LogicalOr, 'logical_or')
logical_xor = _compare(E.LogicalXor, 'logical_xor')


def _unary(fn, op, float_only=True):
    def unary(input):
        if float_only and not input.is_floating_point():
            input = input.to(dtypes.default_float())      # exp(int tensor) is float, as in PyTorch
        return fn.apply(input)
    unary.__name__ = op
    return unary


exp, log, sqrt = _unary(E.Exp, 'exp'), _unary(E.Log, 'log'), _unary(E.Sqrt, 'sqrt')
sin, cos, tanh = _unary(E.Sin, 'sin'), _unary(E.Cos, 'cos'), _unary(E.Tanh, 'tanh')
sigmoid = _unary(E.Sigmoid, 'sigmoid')
neg = _unary(E.Neg, 'neg', float_only=False)
relu = _unary(E.Relu, 'relu', float_only=False)
abs = _unary(E.Abs, 'abs', float_only=False)
sign = _unary(E.Sign, 'sign', float_only=False)
floor, ceil = _unary(E.Floor, 'floor', False), _unary(E.Ceil, 'ceil', False)
round = _unary(E.Round, 'round', False)
logical_not = _unary(E.LogicalNot, 'logical_not', False)
isnan, isfinite = _unary(E.IsNan, 'isnan', False), _unary(E.IsFinite, 'isfinite', False)


def square(input):
    return mul(input, input)


def rsqrt(input):
    return div(1.0, sqrt(input))


def log1p(input):
    return log(add(input, 1))


def clamp(input, min=None, max=None):
    if min is None and max is None:
        raise ValueError("clamp: at least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    if not input.is_floating_point() and (isinstance(min, float) or isinstance(max, float)):
        input = input.to(dtypes.default_float())
    return E.Clamp.apply(input, min, max)


clip = clamp


def where(condition, input, other):
    if not isinstance(condition, Tensor) or condition.dtype is not dtypes.bool_:
        raise TypeError(f'where: condition must be a bool tensor, got '
                        f'{getattr(condition, "dtype", type(condition).__name__)}')
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        from ..creation import full_like
        input = full_like(condition, input, dtype=dtypes.result_type(
            (), (), (dtypes.scalar_category(input), dtypes.scalar_category(other))))
    input, other = promote(input, other, 'where')
    try:
        return E.Where.apply(condition, input, other)
    except ValueError as error:
        explain_broadcast_error('where', condition, input, error)


# --- reductions --------------------------------------------------------------------------------
def _reduction_input(input, dtype):
    if dtype is not None:
        return input.to(dtypes.to_dtype(dtype))
    if input._data.dtype.kind in 'biu' and input._data.dtype != dtypes.int64.np:
        return input.to(dtypes.int64)       # sums of ints and bools are int64, as in PyTorch
    return input


def sum(input, dim=None, keepdim=False, *, dtype=None):
    input = _reduction_input(input, dtype)
    return R.Sum.apply(input, wrap_dims(dim, input.ndim, 'sum'), keepdim)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtypes.to_dtype(dtype))
    if not input.is_floating_point():
        raise RuntimeError(f'mean(): could not infer output dtype: input dtype is {input.dtype}; use '
                           'a floating point tensor (x.float().mean()) or pass dtype=mt.float32')
    return R.Mean.apply(input, wrap_dims(dim, input.ndim, 'mean'), keepdim)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    input = _reduction_input(input, dtype)
    return R.Prod.apply(input, wrap_dims(dim, input.ndim, 'prod'), keepdim)


def _max_or_min(input, dim, keepdim, largest, op):
    if isinstance(dim, Tensor) or isinstance(dim, (float,)):
        return (maximum if largest else minimum)(input, dim)     # max(a, b) elementwise
    if input.numel() == 0:
        raise RuntimeError(f'{op}(): cannot reduce an empty tensor (shape {list(input.shape)})')
    if dim is None:
        return R.MaxAll.apply(input, largest)
    from ..return_types import values_indices
    values, indices = R.MaxDim.apply(input, wrap_dim(dim, input.ndim, op), keepdim, largest)
    return values_indices(op, values, indices)


def max(input, dim=None, keepdim=False):
    return _max_or_min(input, dim, keepdim, True, 'max')


def min(input, dim=None, keepdim=False):
    return _max_or_min(input, dim, keepdim, False, 'min')


def amax(input, dim=(), keepdim=False):
    return _reduce_extreme(input, dim, keepdim, max)


def amin(input, dim=(), keepdim=False):
    return _reduce_extreme(input, dim, keepdim, min)


def _reduce_extreme(input, dim, keepdim, reduce):
    """amax/amin over one dim or several (dim=() means all), one dim at a time."""
    dims = wrap_dims(dim if dim != () else None, input.ndim, reduce.__name__)
    out = input
    for d in reversed(dims):
        out = reduce(out, d, keepdim=True).values
    return out if keepdim else out.reshape(tuple(s for i, s in enumerate(input.shape)
                                                 if i not in dims))


def argmax(input, dim=None, keepdim=False):
    if dim is None:
        return R.ArgMax.apply(input.reshape(-1), 0, False)
    return R.ArgMax.apply(input, wrap_dim(dim, input.ndim, 'argmax'), keepdim)


def argmin(input, dim=None, keepdim=False):
    if dim is None:
        return R.ArgMin.apply(input.reshape(-1), 0, False)
    return R.ArgMin.apply(input, wrap_dim(dim, input.ndim, 'argmin'), keepdim)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased in (None, True) else 0


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, bool):           # var(x, False): the old positional `unbiased`
        dim, unbiased = None, dim
    return R.Var.apply(input, wrap_dims(dim, input.ndim, 'var'), _correction(unbiased, correction),
                       keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return sqrt(var(input, dim, unbiased, keepdim, correction=correction))


def logsumexp(input, dim, keepdim=False):
    return R.LogSumExp.apply(input, wrap_dims(dim, input.ndim, 'logsumexp'), keepdim)


def softmax(input, dim, dtype=None):
    if dtype is not None:
        input = input.to(dtypes.to_dtype(dtype))
    return R.Softmax.apply(input, wrap_dim(dim, input.ndim, 'softmax'))


def log_softmax(input, dim, dtype=None):
    if dtype is not None:
        input = input.to(dtypes.to_dtype(dtype))
    return R.LogSoftmax.apply(input, wrap_dim(dim, input.ndim, 'log_softmax'))


def all(input, dim=None, keepdim=False):
    return R.All.apply(input, wrap_dims(dim, input.ndim, 'all'), keepdim)


def any(input, dim=None, keepdim=False):
    return R.Any.apply(input, wrap_dims(dim, input.ndim, 'any'), keepdim)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    input, other = promote(input, other, 'isclose')
    a = input._data if isinstance(input, Tensor) else input
    b = other._data if isinstance(other, Tensor) else other
    ref = input if isinstance(input, Tensor) else other
    xp = ref._device.xp
    return Tensor._make(xp.asarray(xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)),
                        ref._device)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def equal(input, other):
    return input.shape == other.shape and bool((input == other).all())
