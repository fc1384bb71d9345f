"""Shape primitives: reshape, permute, expand, concatenate.  Their outputs are views where the
array module can make one (returns_view), sharing the input's version counter."""
from ..autograd.function import Primitive
from ..backend import array_module
from ._grad_utils import sum_to


class Reshape(Primitive):
    returns_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.input_shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.input_shape), None


class Permute(Primitive):
    returns_view = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return array_module(a).transpose(a, dims)

    @staticmethod
    def backward(ctx, grad):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return grad.permute(tuple(inverse)), None


class Expand(Primitive):
    returns_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.input_shape = a.shape
        xp = array_module(a)
        if a.size == 1 and _numel(shape) <= 4096:
            return xp.full(shape, a.reshape(()), dtype=a.dtype)    # cheaper than a view when small
        return xp.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return sum_to(grad, ctx.input_shape), None


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


class Cat(Primitive):
    """cat(tensors, dim): forward gets the arrays then the dim; backward slices the gradient apart."""

    @staticmethod
    def forward(ctx, *arrays_then_dim):
        *arrays, dim = arrays_then_dim
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] for a in arrays]
        return array_module(arrays[0]).concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        pieces, start = [], 0
        for size, need in zip(ctx.sizes, ctx.needs_input_grad):
            pieces.append(grad.narrow(ctx.dim, start, size) if need else None)
            start += size
        return (*pieces, None)
