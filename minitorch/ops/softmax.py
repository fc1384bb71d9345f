"""softmax, log_softmax and logsumexp: exponentials normalised over a dim, computed stably.

Each subtracts the largest value before exponentiating (exp never overflows); an empty dim gives an
empty result (softmax) or -inf (logsumexp of nothing), as in PyTorch.  As in PyTorch, a slice holding
+inf has a nan softmax, while its logsumexp is +inf.
"""
from .. import dtypes
from ..autograd.function import Primitive
from ..backend import array_module
from ..tensor import Tensor
from ._grad_utils import expand_reduced, reduced_count
from .arguments import not_a_tensor
from .reduction import reduced_shape, reduction_dims
from .shape_checks import wrap_dim


def _shifted_max(xp, a, dims):
    """The max over dims (kept), 0 where it is not finite, so a - max stays finite."""
    top = xp.max(a, axis=dims, keepdims=True)
    return xp.where(xp.isfinite(top), top, 0)


class LogSumExp(Primitive):
    @staticmethod
    def forward(ctx, a, dims, keepdim):
        xp = array_module(a)
        ctx.meta = (a.shape, dims, keepdim)
        if reduced_count(a.shape, dims) == 0:
            y = xp.full(reduced_shape(a.shape, dims, keepdim), -xp.inf, dtype=a.dtype)
        else:
            top = _shifted_max(xp, a, dims)
            y = xp.log(xp.sum(xp.exp(a - top), axis=dims, keepdims=True)) + top
            if not keepdim:
                y = y.squeeze(dims)
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        a, y = ctx.saved_tensors
        shape, dims, keepdim = ctx.meta
        y = expand_reduced(y, shape, dims, keepdim)
        return expand_reduced(grad, shape, dims, keepdim) * (a - y).exp(), None, None


class Softmax(Primitive):
    @staticmethod
    def forward(ctx, a, dim):
        xp = array_module(a)
        ctx.dim = dim
        if a.size == 0:
            y = a.copy()
        else:
            e = xp.exp(a - xp.max(a, axis=dim, keepdims=True))    # +inf makes nan, as in PyTorch
            y = e / xp.sum(e, axis=dim, keepdims=True)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return y * (grad - (grad * y).sum(ctx.dim, keepdim=True)), None


class LogSoftmax(Primitive):
    @staticmethod
    def forward(ctx, a, dim):
        xp = array_module(a)
        ctx.dim = dim
        if a.size == 0:
            y = a.copy()
        else:
            shifted = a - xp.max(a, axis=dim, keepdims=True)
            y = shifted - xp.log(xp.sum(xp.exp(shifted), axis=dim, keepdims=True))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad - y.exp() * grad.sum(ctx.dim, keepdim=True), None


def _float_input(input, dtype, op):
    if not isinstance(input, Tensor):
        raise not_a_tensor(op, input)
    if dtype is not None:
        return input.to(dtypes.to_dtype(dtype))
    if not input.is_floating_point():
        raise RuntimeError(f'{op}: expected a floating point tensor, got {input.dtype}; convert it '
                           f'(x.float()) or pass dtype=mt.float32')
    return input


def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(input))) over dim, without overflow; integers give float32, as in PyTorch."""
    if not input.is_floating_point():
        input = input.to(dtypes.default_float())
    return LogSumExp.apply(input, reduction_dims(dim, input.ndim, 'logsumexp'), keepdim)


def softmax(input, dim, dtype=None):
    """exp(input) / sum(exp(input)) along dim: each slice becomes a probability distribution."""
    input = _float_input(input, dtype, 'softmax')
    return Softmax.apply(input, wrap_dim(dim, input.ndim, 'softmax'))


def log_softmax(input, dim, dtype=None):
    """log(softmax(input, dim)), computed directly (more accurate than taking the log)."""
    input = _float_input(input, dtype, 'log_softmax')
    return LogSoftmax.apply(input, wrap_dim(dim, input.ndim, 'log_softmax'))
