"""Comparisons, logic and bit operations: results that never require grad.

`==`, `<`, ... give bool tensors; `&`, `|`, `^`, `~` are bitwise on integers and logical on bools (as
in PyTorch, and refused on floats); logical_and/or/xor/not treat any nonzero as True.
"""
from ..tensor import Tensor
from .elementwise import NotDifferentiable, module_of
from .promotion import binary, operands, promote, apply_binary, explain_broadcast_error


class Eq(NotDifferentiable):
    ufunc, kernel = 'equal', '{0} == {1}'


class Ne(NotDifferentiable):
    ufunc, kernel = 'not_equal', '{0} != {1}'


class Lt(NotDifferentiable):
    ufunc, kernel = 'less', '{0} < {1}'


class Le(NotDifferentiable):
    ufunc, kernel = 'less_equal', '{0} <= {1}'


class Gt(NotDifferentiable):
    ufunc, kernel = 'greater', '{0} > {1}'


class Ge(NotDifferentiable):
    ufunc, kernel = 'greater_equal', '{0} >= {1}'


class LogicalAnd(NotDifferentiable):
    ufunc, kernel = 'logical_and', '{0} && {1}'


class LogicalOr(NotDifferentiable):
    ufunc, kernel = 'logical_or', '{0} || {1}'


class LogicalXor(NotDifferentiable):
    ufunc, kernel = 'logical_xor', '(bool){0} != (bool){1}'


class LogicalNot(NotDifferentiable):
    ufunc, kernel = 'logical_not', '!{0}'


class BitwiseAnd(NotDifferentiable):
    ufunc, kernel = 'bitwise_and', '{0} & {1}'


class BitwiseOr(NotDifferentiable):
    ufunc, kernel = 'bitwise_or', '{0} | {1}'


class BitwiseXor(NotDifferentiable):
    ufunc, kernel = 'bitwise_xor', '{0} ^ {1}'


class BitwiseNot(NotDifferentiable):
    ufunc, kernel = 'invert', '~{0}'


class IsNan(NotDifferentiable):
    ufunc, kernel = 'isnan', 'isnan({0})'


class IsFinite(NotDifferentiable):
    ufunc, kernel = 'isfinite', 'isfinite({0})'


class IsInf(NotDifferentiable):
    ufunc, kernel = 'isinf', 'isinf({0})'


def _compare(fn, name, doc, tensors_only=False):
    def compare(input, other):
        if not isinstance(input, Tensor) or (tensors_only and not isinstance(other, Tensor)):
            _refuse_numbers(name, input, other, tensors_only)
        if tensors_only:        # truth values: each operand in its own dtype, no common one
            return apply_binary(fn, input, other, name)
        return binary(fn, input, other, name)
    compare.__name__ = compare.__qualname__ = name
    compare.__doc__ = doc
    return compare


def _refuse_numbers(name, input, other, tensors_only):
    wanted = 'two tensors' if tensors_only else 'a tensor first (the operator, 2 < x, takes a number ' \
                                                  'on either side)'
    raise TypeError(f'{name}(): expected {wanted}, got {type(input).__name__} and '
                    f'{type(other).__name__}')


eq = _compare(Eq, 'eq', 'input == other, elementwise and broadcast: a bool tensor.')
ne = _compare(Ne, 'ne', 'input != other, elementwise and broadcast (alias: not_equal).')
lt = _compare(Lt, 'lt', 'input < other, elementwise and broadcast (alias: less).')
le = _compare(Le, 'le', 'input <= other, elementwise and broadcast (alias: less_equal).')
gt = _compare(Gt, 'gt', 'input > other, elementwise and broadcast (alias: greater).')
ge = _compare(Ge, 'ge', 'input >= other, elementwise and broadcast (alias: greater_equal).')
logical_and = _compare(LogicalAnd, 'logical_and', 'Elementwise AND of the truth values of two tensors '
                                                  '(nonzero is True): a bool tensor.', True)
logical_or = _compare(LogicalOr, 'logical_or', 'Elementwise OR of the truth values of two tensors: a '
                                               'bool tensor.', True)
logical_xor = _compare(LogicalXor, 'logical_xor', 'Elementwise XOR of the truth values of two '
                                                  'tensors: a bool tensor.', True)


def logical_not(input):
    """Elementwise NOT of the truth values (nonzero is True): a bool tensor."""
    return LogicalNot.apply(input)


def _bitwise(fn, name, symbol):
    def bitwise(input, other):
        a, b = promote(*operands(input, other, name), name)
        for x in (a, b):
            if (isinstance(x, Tensor) and x.is_floating_point()) or isinstance(x, float):
                raise TypeError(f'{name} ({symbol}): only integer and bool tensors have bits to '
                                f'combine, got {_describe(a)} and {_describe(b)}; for truth values '
                                f'of floats use logical_{name.split("_")[1]}()')
        return apply_binary(fn, a, b, name)
    bitwise.__name__ = bitwise.__qualname__ = name
    bitwise.__doc__ = (f'input {symbol} other, bit by bit for integers and logically for bools (as '
                       f'the {symbol} operator).')
    return bitwise


def _describe(x):
    return str(x.dtype) if isinstance(x, Tensor) else type(x).__name__


bitwise_and = _bitwise(BitwiseAnd, 'bitwise_and', '&')
bitwise_or = _bitwise(BitwiseOr, 'bitwise_or', '|')
bitwise_xor = _bitwise(BitwiseXor, 'bitwise_xor', '^')


def bitwise_not(input):
    """~input: every bit flipped for integers, logical NOT for bools."""
    if input.is_floating_point():
        raise TypeError(f'bitwise_not (~): only integer and bool tensors have bits to flip, got '
                        f'{input.dtype}; for floats use logical_not()')
    return BitwiseNot.apply(input)


def isnan(input):
    """Which elements are NaN (a bool tensor)."""
    return IsNan.apply(input)


def isfinite(input):
    """Which elements are finite, neither inf nor NaN (a bool tensor)."""
    return IsFinite.apply(input)


def isinf(input):
    """Which elements are +inf or -inf (a bool tensor)."""
    return IsInf.apply(input)


class IsClose(NotDifferentiable):
    """|a - b| <= atol + rtol * |b|, elementwise (numpy's and PyTorch's isclose)."""

    @staticmethod
    def forward(ctx, a, b, rtol, atol, equal_nan):
        xp = module_of((a, b))
        return xp.asarray(xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Which elements of input and other (two tensors of one dtype, broadcast) are close:
    |input - other| <= atol + rtol * |other|."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        _refuse_numbers('isclose', input, other, True)
    if input.dtype is not other.dtype:
        raise RuntimeError(f'isclose: expected both tensors to have the same dtype, got '
                           f'{input.dtype} and {other.dtype}; convert one, e.g. b.to(a.dtype)')
    try:
        return IsClose.apply(input, other, rtol, atol, equal_nan)
    except ValueError as error:
        explain_broadcast_error('isclose', input, other, error)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether every element of input is close to other's (a Python bool; see isclose)."""
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def equal(input, other):
    """True when input and other have the same shape and the same values (a Python bool)."""
    return input.shape == other.shape and bool((input == other).all())
