"""Indexing: x[index] (basic slices, integer arrays, boolean masks) and x[index] = value.

Index tensors are turned into arrays of the same device before forward.  The backward of a gather
is a scatter-add (repeated indices add up) and the backward of that scatter is the gather again.
"""
from ..autograd.function import Primitive
from ..backend import array_module
from ._grad_utils import sum_to


class GetItem(Primitive):
    returns_view = True

    @staticmethod
    def forward(ctx, a, index):
        ctx.meta = (a.shape, index)
        return a[index]

    @staticmethod
    def backward(ctx, grad):
        shape, index = ctx.meta
        return IndexAddIntoZeros.apply(grad, index, shape), None


class IndexAddIntoZeros(Primitive):
    """zeros(shape) with grad added at index (the adjoint of x[index])."""

    @staticmethod
    def forward(ctx, grad, index, shape):
        ctx.index = index
        xp = array_module(grad)
        out = xp.zeros(shape, dtype=grad.dtype)
        if _may_repeat(index):
            _scatter_add(xp, out, index, grad)
        else:
            out[index] = grad
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.index], None, None


class IndexPut(Primitive):
    """out = a.copy(); out[index] = value.  Used in place by x[index] = value."""

    @staticmethod
    def forward(ctx, a, value, index):
        ctx.meta = (index, getattr(value, 'shape', ()))
        out = a.copy()
        out[index] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        index, value_shape = ctx.meta
        need = ctx.needs_input_grad
        grad_a = IndexPut.apply(grad, 0.0, index) if need[0] else None
        grad_value = sum_to(grad[index], value_shape) if need[1] else None
        return grad_a, grad_value, None


class Gather(Primitive):
    """out[i][j] = a[i][index[i][j]] along dim (torch.gather / take_along_dim)."""

    @staticmethod
    def forward(ctx, a, index, dim):
        ctx.meta = (a.shape, dim)
        ctx.save_for_backward(index)
        return array_module(a).take_along_axis(a, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        shape, dim = ctx.meta
        return scatter_add_into_zeros(grad, index, dim, shape), None, None


class ScatterAddIntoZeros(Primitive):
    """zeros(shape) with src added at index along dim (the adjoint of Gather)."""

    @staticmethod
    def forward(ctx, src, index, dim, shape):
        ctx.dim = dim
        ctx.save_for_backward(index)
        xp = array_module(src)
        out = xp.zeros(shape, dtype=src.dtype)
        _scatter_add(xp, out, _along_axis_index(xp, index, dim), src)
        return out

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        return Gather.apply(grad, index, ctx.dim), None, None, None


def scatter_add_into_zeros(src, index, dim, shape):
    return ScatterAddIntoZeros.apply(src, index, dim, tuple(shape))


def _along_axis_index(xp, index, dim):
    """The full fancy index that addresses index[...] along dim (as take_along_axis does)."""
    ndim = index.ndim
    grids = [xp.arange(n).reshape((1,) * i + (n,) + (1,) * (ndim - i - 1))
             for i, n in enumerate(index.shape)]      # open grids (CuPy's indices has no sparse=)
    grids[dim] = index
    return tuple(grids)


def _scatter_add(xp, out, index, values):
    at = getattr(getattr(xp, 'add', None), 'at', None)
    if at is not None:
        at(out, index, values)
    else:       # older CuPy
        import cupyx
        cupyx.scatter_add(out, index, values)


def _may_repeat(index):
    """Integer arrays can address an element twice; ints, slices and masks cannot."""
    items = index if isinstance(index, tuple) else (index,)
    return any(getattr(i, 'dtype', None) is not None and i.dtype.kind in 'iu' for i in items)
