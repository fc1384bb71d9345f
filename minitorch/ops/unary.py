"""Math functions of one tensor: exp, log, sqrt, trigonometry, activations, rounding.

Functions that only make sense on real numbers (exp, log, ...) turn integer inputs into float32 first,
as PyTorch does; rounding and sign keep the dtype and have a zero gradient.
"""
import math

from .. import dtypes
from .arguments import not_a_tensor
from .elementwise import Elementwise, ZeroGradient, module_of
from .erf import erf_array


class Exp(Elementwise):
    ufunc, saves, kernel = 'exp', 'output', 'exp({0})'

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad * y


class Expm1(Elementwise):
    """exp(a) - 1, accurate for small a."""
    ufunc, saves, kernel = 'expm1', 'output', 'expm1({0})'

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad * (y + 1)


class Log(Elementwise):
    ufunc, saves, kernel = 'log', 'inputs', 'log({0})'

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        return grad / a


class Log2(Elementwise):
    """The base-2 logarithm."""
    ufunc, saves, kernel = 'log2', 'inputs', 'log2({0})'

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        return grad / (a * math.log(2))


class Log1p(Elementwise):
    """log(1 + a), accurate for small a."""
    ufunc, saves, kernel = 'log1p', 'inputs', 'log1p({0})'

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        return grad / (a + 1)


class Sqrt(Elementwise):
    ufunc, saves, kernel = 'sqrt', 'output', 'sqrt({0})'

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad / (2 * y)


class Sin(Elementwise):
    ufunc, saves, kernel = 'sin', 'inputs', 'sin({0})'

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        return grad * a.cos()


class Cos(Elementwise):
    ufunc, saves, kernel = 'cos', 'inputs', 'cos({0})'

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        return -grad * a.sin()


class Tanh(Elementwise):
    ufunc, saves, kernel = 'tanh', 'output', 'tanh({0})'

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad * (1 - y * y)


class Sigmoid(Elementwise):
    kernel = '1 / (1 + exp(-{0}))'

    @staticmethod
    def forward(ctx, a):
        xp = module_of((a,))
        # exp of -|a| never overflows; pick the stable form on each side of 0
        e = xp.exp(-xp.abs(a))
        d = 1 + e
        y = xp.where(a >= 0, 1 / d, e / d).astype(a.dtype, copy=False)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad * y * (1 - y)


class Relu(Elementwise):
    kernel = 'max({0}, 0)'

    @staticmethod
    def forward(ctx, a):
        y = module_of((a,)).maximum(a, 0).astype(a.dtype, copy=False)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad.masked_fill(y <= 0, 0)      # at NaN the gradient passes, as in PyTorch


class Abs(Elementwise):
    ufunc, saves, kernel = 'absolute', 'inputs', 'abs({0})'

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        return grad * a.sign()


class Sign(ZeroGradient):
    """-1, 0 or 1; not numpy's sign, which gives nan for nan where PyTorch gives 0."""
    kernel = '({0} > 0) - ({0} < 0)'

    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind == 'b':
            return a.copy()             # sign of True is True, as in PyTorch
        if a.dtype.kind == 'f':         # (a > 0) - (a < 0): the sign of nan is 0, as in PyTorch
            return ((a > 0).astype(a.dtype) - (a < 0).astype(a.dtype))
        return module_of((a,)).sign(a)


class Floor(ZeroGradient):
    ufunc, kernel = 'floor', 'floor({0})'


class Ceil(ZeroGradient):
    ufunc, kernel = 'ceil', 'ceil({0})'


class Round(ZeroGradient):
    """Round half to even (numpy's and PyTorch's rule)."""
    ufunc, kernel = 'round', 'rint({0})'


class Trunc(ZeroGradient):
    ufunc, kernel = 'trunc', 'trunc({0})'


class Erf(Elementwise):
    """The error function, erf(x) = 2/sqrt(pi) * integral of exp(-t^2) from 0 to x."""
    kernel = 'erf({0})'

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erf_array(module_of((x,)), x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * (2 / math.sqrt(math.pi)) * (-(x * x)).exp()


# --- the public functions --------------------------------------------------------------------
def _floating(input, op):
    """Integer and bool inputs become float32 first (exp(int tensor) is float, as in PyTorch)."""
    try:
        kind = input._data.dtype.kind
    except AttributeError:
        raise not_a_tensor(op, input) from None
    return input if kind in 'fc' else input.to(dtypes.default_float())


def _float_function(fn, name, doc):
    def function(input):
        return fn.apply(_floating(input, name))
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    return function


def _same_dtype_function(fn, name, doc, bool_ok=False):
    def function(input):
        try:
            kind = input._data.dtype.kind
        except AttributeError:
            raise not_a_tensor(name, input) from None
        if not bool_ok and kind == 'b':
            _refuse_bool(name)
        return fn.apply(input)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    return function


exp = _float_function(Exp, 'exp', 'e to the power of each element.')
expm1 = _float_function(Expm1, 'expm1', 'exp(input) - 1, accurate when input is near 0.')
log = _float_function(Log, 'log', 'The natural logarithm of each element.')
log2 = _float_function(Log2, 'log2', 'The base-2 logarithm of each element.')
log1p = _float_function(Log1p, 'log1p', 'log(1 + input), accurate when input is near 0.')
sqrt = _float_function(Sqrt, 'sqrt', 'The square root of each element.')
sin = _float_function(Sin, 'sin', 'The sine of each element (radians).')
cos = _float_function(Cos, 'cos', 'The cosine of each element (radians).')
tanh = _float_function(Tanh, 'tanh', 'The hyperbolic tangent of each element.')
sigmoid = _float_function(Sigmoid, 'sigmoid', '1 / (1 + exp(-input)), computed without overflow.')
erf = _float_function(Erf, 'erf', 'The error function of each element (torch.special.erf).')
relu = _same_dtype_function(Relu, 'relu', 'max(input, 0), elementwise.')
abs = _same_dtype_function(Abs, 'abs', '|input|, elementwise (alias: absolute).')
sign = _same_dtype_function(Sign, 'sign', '-1, 0 or 1 by the sign of each element (0 for nan); its '
                                          'gradient is zero.', bool_ok=True)
floor = _same_dtype_function(Floor, 'floor', 'Each element rounded down; its gradient is zero.')
ceil = _same_dtype_function(Ceil, 'ceil', 'Each element rounded up; its gradient is zero.')
round = _same_dtype_function(Round, 'round', 'Each element rounded to the nearest integer, halves to '
                                             'even; its gradient is zero.')
trunc = _same_dtype_function(Trunc, 'trunc', 'Each element rounded towards zero; its gradient is '
                                             'zero.')


def _refuse_bool(name):
    raise NotImplementedError(f'{name}: not implemented for bool tensors (as in PyTorch); convert '
                              f'first, e.g. x.int().{name}() or x.float().{name}()')


def rsqrt(input):
    """1 / sqrt(input), elementwise."""
    return 1.0 / sqrt(input)
