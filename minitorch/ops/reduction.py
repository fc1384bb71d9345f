"""Reductions over dims: sum, mean, max/min, var, logsumexp, softmax and friends.

Each takes already-normalised dims (a sorted tuple) and keepdim; the Tensor methods in
minitorch/tensor_methods.py parse the user's `dim=` and check it.
"""
from ..autograd.function import Primitive
from ..backend import array_module
from ._grad_utils import expand_reduced, reduced_count


class Sum(Primitive):

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.meta = (a.shape, dims, keepdim)
        return a.sum(axis=dims, keepdims=keepdim)      # the method skips numpy's Python wrapper

    @staticmethod
    def backward(ctx, grad):
        shape, dims, keepdim = ctx.meta
        return expand_reduced(grad, shape, dims, keepdim), None, None


class Mean(Primitive):

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.meta = (a.shape, dims, keepdim)
        return array_module(a).mean(a, axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        shape, dims, keepdim = ctx.meta
        return expand_reduced(grad / reduced_count(shape, dims), shape, dims, keepdim), None, None


class Prod(Primitive):

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.meta = (a.shape, dims, keepdim)
        y = array_module(a).prod(a, axis=dims, keepdims=keepdim)
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        a, y = ctx.saved_tensors
        shape, dims, keepdim = ctx.meta
        # d prod / d a_i = prod / a_i (inputs are assumed nonzero, as in the simple formula)
        return expand_reduced(grad * y, shape, dims, keepdim) / a, None, None


class MaxAll(Primitive):
    """max() / min() over every element: the gradient is shared among the elements that tie."""

    @staticmethod
    def forward(ctx, a, largest):
        xp = array_module(a)
        y = xp.max(a) if largest else xp.min(a)
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        a, y = ctx.saved_tensors
        winners = (a == y).to(grad.dtype)
        return grad * winners / winners.sum(), None


class MaxDim(Primitive):
    """max(dim) / min(dim): values and indices; the gradient goes to the index that won."""

    @staticmethod
    def forward(ctx, a, dim, keepdim, largest):
        xp = array_module(a)
        indices = xp.argmax(a, axis=dim) if largest else xp.argmin(a, axis=dim)
        indices = xp.expand_dims(indices, dim)
        values = xp.take_along_axis(a, indices, axis=dim)
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        ctx.meta = (a.shape, dim, keepdim)
        ctx.save_for_backward(indices)
        return values, indices.astype(xp.int64)

    @staticmethod
    def backward(ctx, grad, _grad_indices):
        indices, = ctx.saved_tensors
        shape, dim, keepdim = ctx.meta
        if not keepdim:
            grad, indices = grad.unsqueeze(dim), indices.unsqueeze(dim)
        from .indexing import scatter_add_into_zeros
        return scatter_add_into_zeros(grad, indices, dim, shape), None, None, None


class Var(Primitive):

    @staticmethod
    def forward(ctx, a, dims, correction, keepdim):
        ctx.meta = (a.shape, dims, correction, keepdim)
        ctx.save_for_backward(a)
        return array_module(a).var(a, axis=dims, ddof=correction, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        shape, dims, correction, keepdim = ctx.meta
        n = reduced_count(shape, dims)
        centred = a - a.mean(dims, keepdim=True)
        return expand_reduced(grad, shape, dims, keepdim) * centred * (2 / (n - correction)), \
            None, None, None


class LogSumExp(Primitive):

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        xp = array_module(a)
        top = xp.max(a, axis=dims, keepdims=True)
        top = xp.where(xp.isfinite(top), top, 0)
        y = xp.log(xp.sum(xp.exp(a - top), axis=dims, keepdims=True)) + top
        if not keepdim:
            y = y.squeeze(dims)
        ctx.meta = (a.shape, dims, keepdim)
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
        e = xp.exp(a - xp.max(a, axis=dim, keepdims=True))
        y = e / xp.sum(e, axis=dim, keepdims=True)
        ctx.dim = dim
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
        shifted = a - xp.max(a, axis=dim, keepdims=True)
        y = shifted - xp.log(xp.sum(xp.exp(shifted), axis=dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad - y.exp() * grad.sum(ctx.dim, keepdim=True), None


def _nondifferentiable_reduction(name, reduce):
    def forward(ctx, a, dims, keepdim):
        return reduce(array_module(a), a, dims, keepdim)
    return type(name, (Primitive,), {'differentiable': False,
                                    'forward': staticmethod(forward)})


All = _nondifferentiable_reduction('All', lambda xp, a, d, k: xp.all(a, axis=d, keepdims=k))
Any = _nondifferentiable_reduction('Any', lambda xp, a, d, k: xp.any(a, axis=d, keepdims=k))
ArgMax = _nondifferentiable_reduction(
    'ArgMax', lambda xp, a, d, k: xp.argmax(a, axis=d, keepdims=k).astype(xp.int64))
ArgMin = _nondifferentiable_reduction(
    'ArgMin', lambda xp, a, d, k: xp.argmin(a, axis=d, keepdims=k).astype(xp.int64))
