"""Arithmetic: + - * / ** max/min // % and negation, with PyTorch's broadcasting and dtypes.

Each primitive is elementwise (see elementwise.py); each public function normalises its arguments
(promotion, Python numbers) and applies one primitive.  Binary backward rules fold a broadcast gradient
back to each operand's shape with `sum_to`.
"""
from .. import dtypes
from ..tensor import Tensor
from ._grad_utils import sum_to
from .elementwise import Elementwise, module_of, shape_of
from .promotion import binary, operands, promote, apply_binary


def _need(ctx):
    return ctx.needs_input_grad


class Add(Elementwise):
    ufunc, kernel = 'add', '{0} + {1}'

    @staticmethod
    def backward(ctx, grad):
        sa, sb = ctx.shapes
        need = _need(ctx)
        return (sum_to(grad, sa) if need[0] else None), (sum_to(grad, sb) if need[1] else None)


class Sub(Elementwise):
    ufunc, kernel = 'subtract', '{0} - {1}'

    @staticmethod
    def backward(ctx, grad):
        sa, sb = ctx.shapes
        need = _need(ctx)
        return (sum_to(grad, sa) if need[0] else None), (sum_to(-grad, sb) if need[1] else None)


class Mul(Elementwise):
    ufunc, saves, kernel = 'multiply', 'inputs', '{0} * {1}'

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = _need(ctx)
        return (sum_to(grad * b, shape_of(a)) if need[0] else None), \
               (sum_to(grad * a, shape_of(b)) if need[1] else None)


class Div(Elementwise):
    ufunc, saves, kernel = 'true_divide', 'inputs', '{0} / {1}'

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        sa, sb = shape_of(a), shape_of(b)
        need = _need(ctx)
        # -grad * a / b^2, divided twice so that |b| > 1e19 does not overflow float32
        return (sum_to(grad / b, sa) if need[0] else None), \
               (sum_to(-grad * (a / b) / b, sb) if need[1] else None)


class Pow(Elementwise):
    ufunc, saves, kernel = 'power', 'inputs', 'pow({0}, {1})'

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        sa, sb = shape_of(a), shape_of(b)
        need = _need(ctx)
        grad_a = grad_b = None
        if need[0]:         # b * a^(b-1), and 0 where b == 0 (x**0 is constant, even at x = 0)
            if isinstance(b, Tensor):
                grad_a = sum_to((grad * b * a ** (b - 1)).where(b != 0, 0.0), sa)
            else:
                grad_a = grad * 0 if b == 0 else (grad * 2 * a if b == 2 else
                                                  grad * b * a ** (b - 1))
        if need[1]:         # a^b log a, and 0 where a == 0 and b >= 0 (0**x is 0 or 1 there)
            log_a = a.log() if isinstance(a, Tensor) else _log_scalar(a)
            term = grad * a ** b * log_a
            if isinstance(a, Tensor):
                term = term.where(~((a == 0) & (b >= 0)), 0.0)
            elif a == 0:
                term = term.where(b < 0, 0.0)
            grad_b = sum_to(term, sb)
        return grad_a, grad_b


def _log_scalar(a):
    import math
    return math.log(a) if a > 0 else (float('-inf') if a == 0 else float('nan'))


class Maximum(Elementwise):
    ufunc, saves, kernel = 'maximum', 'inputs', 'max({0}, {1})'

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _split_by_winner(ctx, grad, a, b, a > b)


class Minimum(Elementwise):
    ufunc, saves, kernel = 'minimum', 'inputs', 'min({0}, {1})'

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _split_by_winner(ctx, grad, a, b, a < b)


def _split_by_winner(ctx, grad, a, b, a_wins):
    """Gradient of max/min: to the winner; ties share it equally (as PyTorch does)."""
    sa, sb = shape_of(a), shape_of(b)
    need = _need(ctx)
    tie = (a == b).to(grad.dtype) * 0.5
    share_a = a_wins.to(grad.dtype) + tie
    return (sum_to(grad * share_a, sa) if need[0] else None), \
           (sum_to(grad * (1 - share_a), sb) if need[1] else None)


class FloorDivide(Elementwise):
    ufunc, kernel = 'floor_divide', 'floor({0} / {1})'
    differentiable = False

    @staticmethod
    def forward(ctx, a, b):
        xp = module_of((a, b))
        _refuse_integer_zero(xp, a, b, 'floor_divide (//)')
        return xp.floor_divide(a, b)


class Remainder(Elementwise):
    """a - floor(a / b) * b: the result has the sign of b (Python's %, torch.remainder)."""
    ufunc = 'remainder'

    @staticmethod
    def forward(ctx, a, b):
        xp = module_of((a, b))
        _refuse_integer_zero(xp, a, b, 'remainder (%)')
        ctx.save_for_backward(a, b)
        return xp.remainder(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = _need(ctx)
        return (sum_to(grad, shape_of(a)) if need[0] else None), \
               (sum_to(-grad * floor_divide(a, b), shape_of(b)) if need[1] else None)


def _refuse_integer_zero(xp, a, b, op):
    kind = getattr(b, 'dtype', None)
    integral = (kind is not None and kind.kind in 'iub') or (kind is None and type(b) is int and
                                                              getattr(a, 'dtype', None) is not None
                                                              and a.dtype.kind in 'iub')
    if integral and bool(xp.any(xp.asarray(b) == 0)):
        raise RuntimeError(f'ZeroDivisionError: {op} of integer tensors by zero (PyTorch raises '
                           f'this too); make the divisor nonzero or use floating point tensors, '
                           f'which give inf/nan')


class Neg(Elementwise):
    ufunc, kernel = 'negative', '-{0}'

    @staticmethod
    def backward(ctx, grad):
        return -grad


# --- the public functions --------------------------------------------------------------------
def add(input, other, *, alpha=1):
    """input + alpha * other, broadcast, with PyTorch's result dtype."""
    if alpha != 1:
        other = mul(other, alpha)
    return binary(Add, input, other, 'add')


def sub(input, other, *, alpha=1):
    """input - alpha * other, broadcast (alias: subtract)."""
    if alpha != 1:
        other = mul(other, alpha)
    return binary(Sub, input, other, 'sub')


def mul(input, other):
    """input * other, broadcast (alias: multiply)."""
    return binary(Mul, input, other, 'mul')


def div(input, other, *, rounding_mode=None):
    """input / other (alias: divide, true_divide).  Integers divide as floats (float32), as in
    PyTorch; rounding_mode='floor' rounds down (floor_divide), 'trunc' rounds towards zero."""
    if rounding_mode == 'floor':
        return floor_divide(input, other)
    if rounding_mode == 'trunc':
        q = div(input, other)
        result = q.trunc() if hasattr(q, 'trunc') else q
        a, b = promote(*operands(input, other, 'div'), 'div')
        dtype = (a if isinstance(a, Tensor) else b).dtype
        return result if dtype.is_floating_point else result.to(dtype)
    if rounding_mode is not None:
        raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
    if isinstance(input, Tensor) and isinstance(other, Tensor) and \
            input._data.dtype == other._data.dtype and input._data.dtype.kind == 'f':
        return apply_binary(Div, input, other, 'div')
    a, b = promote(*operands(input, other, 'div'), 'div')
    if not _floating(a) and not _floating(b):
        a, b = _as_float(a), _as_float(b)
    return apply_binary(Div, a, b, 'div')


def _floating(x):
    return x.is_floating_point() if isinstance(x, Tensor) else isinstance(x, float)


def _as_float(x):
    return x.to(dtypes.default_float()) if isinstance(x, Tensor) else float(x)


def pow(input, exponent):
    """input ** exponent, elementwise and broadcast."""
    return binary(Pow, input, exponent, 'pow')


def maximum(input, other):
    """The larger of input and other, elementwise; ties share the gradient."""
    return binary(Maximum, input, other, 'maximum')


def minimum(input, other):
    """The smaller of input and other, elementwise; ties share the gradient."""
    return binary(Minimum, input, other, 'minimum')


def floor_divide(input, other):
    """input // other, rounded down (Python's //); integer division by zero raises."""
    return binary(FloorDivide, input, other, 'floor_divide')


def remainder(input, other):
    """input % other, with the sign of other (Python's %); integer remainder by zero raises."""
    return binary(Remainder, input, other, 'remainder')


def neg(input):
    """-input (alias: negative)."""
    if input.dtype is dtypes.bool_:
        raise RuntimeError('neg: negation, the `-` operator, on a bool tensor is not supported; use '
                           'the `~` operator or logical_not() instead')
    return Neg.apply(input)


def square(input):
    """input * input (bool gives int64, as in PyTorch)."""
    if input.dtype is dtypes.bool_:
        input = input.to(dtypes.int64)
    return mul(input, input)
