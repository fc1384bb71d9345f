"""Arithmetic: + - * / ** max/min // % and negation, with PyTorch's broadcasting and dtypes.

Each primitive is elementwise (see elementwise.py); each public function normalises its arguments
(promotion, Python numbers) and applies one primitive.  Binary backward rules fold a broadcast gradient
back to each operand's shape with `sum_to`.
"""
import math

from .. import dtypes
from ..autograd.thread_state import STATE
from ..tensor import Tensor, has_values
from ._grad_utils import sum_to
from .comparison import bitwise_or
from .elementwise import Elementwise, module_of, shape_of
from .promotion import binary, operands, promote, apply_binary
from .selection import fits, where
from .shape_checks import broadcast_shape


class Add(Elementwise):
    ufunc, kernel = 'add', '{0} + {1}'

    @staticmethod
    def backward(ctx, grad):
        sa, sb = ctx.shapes
        need = ctx.needs_input_grad
        return (sum_to(grad, sa) if need[0] else None), (sum_to(grad, sb) if need[1] else None)


class Sub(Elementwise):
    ufunc, kernel = 'subtract', '{0} - {1}'

    @staticmethod
    def backward(ctx, grad):
        sa, sb = ctx.shapes
        need = ctx.needs_input_grad
        return (sum_to(grad, sa) if need[0] else None), (sum_to(-grad, sb) if need[1] else None)


class Mul(Elementwise):
    ufunc, saves, kernel = 'multiply', 'other', '{0} * {1}'

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors        # a is kept only for b's gradient, b only for a's
        sa, sb = ctx.shapes
        need = ctx.needs_input_grad
        return (sum_to(grad * b, sa) if need[0] else None), \
               (sum_to(grad * a, sb) if need[1] else None)


class Div(Elementwise):
    ufunc, saves, kernel = 'true_divide', 'inputs', '{0} / {1}'

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        sa, sb = shape_of(a), shape_of(b)
        need = ctx.needs_input_grad
        # -grad * a / b^2, divided twice so that |b| > 1e19 does not overflow float32
        return (sum_to(grad / b, sa) if need[0] else None), \
               (sum_to(-grad * (a / b) / b, sb) if need[1] else None)


class Pow(Elementwise):
    ufunc, saves, kernel = 'power', 'inputs', 'pow({0}, {1})'

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        sa, sb = shape_of(a), shape_of(b)
        need = ctx.needs_input_grad
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
    need = ctx.needs_input_grad
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
        need = ctx.needs_input_grad
        return (sum_to(grad, shape_of(a)) if need[0] else None), \
               (sum_to(-grad * floor_divide(a, b), shape_of(b)) if need[1] else None)


def _refuse_integer_zero(xp, a, b, op):
    """Integer (and bool) division by zero raises, as in PyTorch; floats give inf and nan."""
    a_kind, b_kind = getattr(a, 'dtype', None), getattr(b, 'dtype', None)
    if type(a) is float or type(b) is float or (a_kind is not None and a_kind.kind == 'f') or \
            (b_kind is not None and b_kind.kind == 'f') or getattr(a, 'size', 1) == 0 or \
            getattr(b, 'size', 1) == 0:
        return          # floats give inf and nan; nothing is divided in an empty result
    if STATE.tracing:
        return          # a static graph being built has no values: each run checks its own
    if bool(xp.any(xp.asarray(b) == 0)):
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
    """input - alpha * other, broadcast (alias: subtract); bools cannot be subtracted."""
    if alpha != 1:
        other = mul(other, alpha)
    return binary(Sub, input, other, 'sub', _no_bools_to_subtract)


def _no_bools_to_subtract(a, b):
    if _is_bool(a) or _is_bool(b):
        raise RuntimeError('sub: subtraction, the `-` operator, with a bool tensor or a bool is not '
                           'supported (as in PyTorch); to invert a mask use `~` or logical_not(), '
                           'or convert first, e.g. x.int() - y')


def _is_bool(x):
    return type(x) is bool or (isinstance(x, Tensor) and x._data.dtype.kind == 'b')


def _refuse_bool_result(op):
    def refuse(a, b):
        if _is_bool(a) and _is_bool(b):
            raise NotImplementedError(f'{op}: not implemented for bool operands (as in PyTorch); '
                                      f'convert first, e.g. x.int()')
    return refuse


def mul(input, other):
    """input * other, broadcast (alias: multiply)."""
    return binary(Mul, input, other, 'mul')


def div(input, other, *, rounding_mode=None):
    """input / other (alias: divide, true_divide).  Integers divide as floats (float32), as in
    PyTorch; rounding_mode='floor' rounds down (floor_divide), 'trunc' rounds towards zero."""
    if rounding_mode == 'floor':
        return floor_divide(input, other)
    if rounding_mode == 'trunc':
        return _trunc_divide(input, other)
    if rounding_mode is not None:
        raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
    if isinstance(input, Tensor) and isinstance(other, Tensor) and \
            input._data.dtype == other._data.dtype and input._data.dtype.kind == 'f':
        return apply_binary(Div, input, other, 'div')
    a, b = operands(input, other, 'div')
    if not _floating(a) and not _floating(b):
        a, b = _as_float(a), _as_float(b)       # before promotion: no integer wrap-around
    a, b = promote(a, b, 'div')
    return apply_binary(Div, a, b, 'div')


def _trunc_divide(input, other):
    """div(rounding_mode='trunc'): the quotient rounded towards zero; integers stay integers and
    are divided exactly (from floor division, which also refuses a zero divisor)."""
    a, b = operands(input, other, 'div')
    if _floating(a) or _floating(b):
        return div(a, b).trunc()
    q = floor_divide(a, b)
    return q + ((q < 0) & (remainder(a, b) != 0))      # floor is one below trunc there


def _floating(x):
    return x.is_floating_point() if isinstance(x, Tensor) else isinstance(x, float)


def _as_float(x):
    return x.to(dtypes.default_float()) if isinstance(x, Tensor) else float(x)


def pow(input, exponent):
    """input ** exponent, elementwise and broadcast.  For integers, as in PyTorch: a negative
    exponent tensor gives 0 (1 or -1 for bases 1 and -1); a negative exponent number is refused."""
    return binary(Pow, input, exponent, 'pow', _integer_pow)


def _integer_pow(a, b):
    """pow of integer or bool operands (numpy refuses negative integer exponents)."""
    if _is_bool(a) and _is_bool(b):
        if isinstance(a, Tensor) and type(b) is bool:
            return bitwise_or(a, not b)         # a ** True is a, a ** False is all True
        raise NotImplementedError('pow: not implemented for a bool base with a bool exponent '
                                  'tensor (as in PyTorch); convert first, e.g. x.int()')
    if not isinstance(b, Tensor):
        if type(b) is int and not a.is_floating_point():
            if b < 0:
                raise RuntimeError(f'pow: integers to negative integer powers are not allowed '
                                   f'({a.dtype} tensor ** {b}); use a float, e.g. x.float() ** {b}')
            fits(b, a.dtype if a.dtype is not dtypes.bool_ else dtypes.int64, 'pow')
        return None
    a, b = promote(a, b, 'pow')
    if b.is_floating_point() or (has_values(b) and not bool((b < 0).any())):
        # no negative integer exponent (a traced graph cannot know: it takes the general path below)
        return apply_binary(Pow, a, b, 'pow')
    broadcast_shape('pow', shape_of(a), b.shape)
    if not isinstance(a, Tensor):
        from ..creation import full_like
        a = full_like(b, a)
    positive = Pow.apply(a, where(b < 0, 0, b))
    odd = remainder(b, 2) == 1
    at_minus_one = where(odd, -1, 1).to(positive.dtype)
    negative = where(a == 1, 1, where(a == -1, at_minus_one, 0)).to(positive.dtype)
    return where(b < 0, negative, positive)


def maximum(input, other):
    """The larger of input and other (tensors), elementwise; ties share the gradient."""
    _tensors_only(input, other, 'maximum')
    return binary(Maximum, input, other, 'maximum')


def minimum(input, other):
    """The smaller of input and other (tensors), elementwise; ties share the gradient."""
    _tensors_only(input, other, 'minimum')
    return binary(Minimum, input, other, 'minimum')


def _tensors_only(input, other, op):
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(f'{op}(): expected two tensors, got {type(input).__name__} and '
                        f'{type(other).__name__}; for a number use clamp(min=...) or clamp(max=...)')


def floor_divide(input, other):
    """input // other, rounded down (Python's //); integer division by zero raises."""
    return binary(FloorDivide, input, other, 'floor_divide', _refuse_bool_result('floor_divide'))


def remainder(input, other):
    """input % other, with the sign of other (Python's %); integer remainder by zero raises."""
    return binary(Remainder, input, other, 'remainder', _refuse_bool_result('remainder'))


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
