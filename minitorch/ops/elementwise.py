"""Elementwise primitives: arithmetic, math functions, comparisons.

Forward works on arrays with their own array module (numpy or cupy); backward uses tensor ops, so it
is differentiable again.  Binary ops broadcast; `sum_to` folds a broadcast gradient back.
"""
from ..autograd.function import Primitive
from ..backend import array_module
from ._grad_utils import sum_to
from .shape_checks import shape_of


class _Binary(Primitive):
    pass


class Add(_Binary):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (shape_of(a), shape_of(b))
        return a + b

    @staticmethod
    def backward(ctx, grad):
        sa, sb = ctx.shapes
        need = ctx.needs_input_grad
        return (sum_to(grad, sa) if need[0] else None), (sum_to(grad, sb) if need[1] else None)


class Sub(_Binary):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (shape_of(a), shape_of(b))
        return a - b

    @staticmethod
    def backward(ctx, grad):
        sa, sb = ctx.shapes
        need = ctx.needs_input_grad
        return (sum_to(grad, sa) if need[0] else None), (sum_to(-grad, sb) if need[1] else None)


class Mul(_Binary):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (sum_to(grad * b, a.shape) if need[0] else None), \
               (sum_to(grad * a, b.shape) if need[1] else None)


class Div(_Binary):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (sum_to(grad / b, a.shape) if need[0] else None), \
               (sum_to(-grad * a / (b * b), b.shape) if need[1] else None)


class Pow(_Binary):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a ** b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        grad_a = grad_b = None
        if need[0]:
            if isinstance(b, (int, float)):
                grad_a = grad * b * a ** (b - 1) if b != 2 else grad * 2 * a
            else:
                grad_a = sum_to(grad * b * a ** (b - 1), a.shape)
        if need[1]:
            grad_b = sum_to(grad * a ** b * _log_of(a), b.shape)
        return grad_a, grad_b


def _log_of(a):
    return a.log() if hasattr(a, 'log') else __import__('math').log(a)


class Maximum(_Binary):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return array_module(a).maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _split_by_winner(grad, a, b, a > b, ctx.needs_input_grad)


class Minimum(_Binary):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return array_module(a).minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _split_by_winner(grad, a, b, a < b, ctx.needs_input_grad)


def _split_by_winner(grad, a, b, a_wins, need):
    """Gradient of max/min: to the winner; ties share it equally (as PyTorch does)."""
    tie = (a == b).to(grad.dtype) * 0.5
    share_a = a_wins.to(grad.dtype) + tie
    return (sum_to(grad * share_a, a.shape) if need[0] else None), \
           (sum_to(grad * (1 - share_a), b.shape) if need[1] else None)


class Neg(Primitive):

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Exp(Primitive):

    @staticmethod
    def forward(ctx, a):
        y = array_module(a).exp(a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad * y


class Log(Primitive):

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return array_module(a).log(a)

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        return grad / a


class Sqrt(Primitive):

    @staticmethod
    def forward(ctx, a):
        y = array_module(a).sqrt(a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad / (2 * y)


class Sin(Primitive):

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return array_module(a).sin(a)

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        return grad * a.cos()


class Cos(Primitive):

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return array_module(a).cos(a)

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        return -grad * a.sin()


class Tanh(Primitive):

    @staticmethod
    def forward(ctx, a):
        y = array_module(a).tanh(a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad * (1 - y * y)


class Sigmoid(Primitive):

    @staticmethod
    def forward(ctx, a):
        xp = array_module(a)
        # exp of -|a| never overflows; pick the stable form on each side of 0
        e = xp.exp(-xp.abs(a))
        y = xp.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad * y * (1 - y)


class Relu(Primitive):

    @staticmethod
    def forward(ctx, a):
        y = array_module(a).maximum(a, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad * (y > 0)


class Abs(Primitive):

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return array_module(a).abs(a)

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        return grad * a.sign()


class Clamp(Primitive):

    @staticmethod
    def forward(ctx, a, low, high):
        ctx.save_for_backward(a)
        ctx.bounds = (low, high)
        xp = array_module(a)
        if high is None:        # maximum/minimum are several times faster than clip in numpy
            return xp.maximum(a, low)
        if low is None:
            return xp.minimum(a, high)
        return xp.clip(a, low, high)

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        low, high = ctx.bounds
        inside = None
        if low is not None:
            inside = a >= low
        if high is not None:
            inside = (a <= high) if inside is None else inside & (a <= high)
        return grad * inside, None, None


class Where(Primitive):

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.save_for_backward(condition)
        ctx.shapes = (shape_of(a), shape_of(b))
        return array_module(condition).where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        condition, = ctx.saved_tensors
        sa, sb = ctx.shapes
        need = ctx.needs_input_grad
        zero = grad.new_zeros(())
        return None, (sum_to(grad.where(condition, zero), sa) if need[1] else None), \
            (sum_to(zero.where(condition, grad), sb) if need[2] else None)


class Cast(Primitive):
    """Change dtype; the gradient is cast back to the input's dtype."""

    @staticmethod
    def forward(ctx, a, np_dtype):
        ctx.input_dtype = a.dtype
        return a.astype(np_dtype)

    @staticmethod
    def backward(ctx, grad):
        from ..dtypes import FROM_NUMPY
        return grad.to(FROM_NUMPY[ctx.input_dtype]), None


class Clone(Primitive):

    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


# --- not differentiable: the result never requires grad ---------------------------------------
def _nondifferentiable(name, compute):
    def forward(ctx, *arrays):
        return compute(array_module(arrays[0]), *arrays)
    return type(name, (Primitive,), {'differentiable': False,
                                    'forward': staticmethod(forward)})


Eq = _nondifferentiable('Eq', lambda xp, a, b: xp.equal(a, b))
Ne = _nondifferentiable('Ne', lambda xp, a, b: xp.not_equal(a, b))
Lt = _nondifferentiable('Lt', lambda xp, a, b: xp.less(a, b))
Le = _nondifferentiable('Le', lambda xp, a, b: xp.less_equal(a, b))
Gt = _nondifferentiable('Gt', lambda xp, a, b: xp.greater(a, b))
Ge = _nondifferentiable('Ge', lambda xp, a, b: xp.greater_equal(a, b))
LogicalAnd = _nondifferentiable('LogicalAnd', lambda xp, a, b: xp.logical_and(a, b))
LogicalOr = _nondifferentiable('LogicalOr', lambda xp, a, b: xp.logical_or(a, b))
LogicalXor = _nondifferentiable('LogicalXor', lambda xp, a, b: xp.logical_xor(a, b))
LogicalNot = _nondifferentiable('LogicalNot', lambda xp, a: xp.logical_not(a))
BitwiseNot = _nondifferentiable('BitwiseNot', lambda xp, a: xp.invert(a))


# --- piecewise constant: differentiable, with a zero gradient (as PyTorch) ----------------------
def _zero_gradient(name, compute):
    def forward(ctx, a):
        return compute(array_module(a), a)

    def backward(ctx, grad):
        return grad * 0
    return type(name, (Primitive,), {'forward': staticmethod(forward),
                                    'backward': staticmethod(backward)})


Sign = _zero_gradient('Sign', lambda xp, a: xp.sign(a))
Floor = _zero_gradient('Floor', lambda xp, a: xp.floor(a))
Ceil = _zero_gradient('Ceil', lambda xp, a: xp.ceil(a))
Round = _zero_gradient('Round', lambda xp, a: xp.round(a))
FloorDivide = _nondifferentiable('FloorDivide', lambda xp, a, b: xp.floor_divide(a, b))
Remainder = _nondifferentiable('Remainder', lambda xp, a, b: xp.remainder(a, b))
IsNan = _nondifferentiable('IsNan', lambda xp, a: xp.isnan(a))
IsFinite = _nondifferentiable('IsFinite', lambda xp, a: xp.isfinite(a))
