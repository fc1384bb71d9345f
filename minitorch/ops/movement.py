"""Copies: to another device, to another dtype, or plain clones.  The gradient goes back the same way
(to the source device, in the source dtype)."""
from ..autograd.function import Primitive
from ..dtypes import FROM_NUMPY


class ToDevice(Primitive):
    moves_device = True

    @staticmethod
    def forward(ctx, a, source, target):
        ctx.source = source
        if source.type == target.type == 'cpu':
            return a.copy()
        host = source.backend.to_host(a)
        return target.backend.from_host(host, target.index or 0)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(ctx.source), None, None


class Cast(Primitive):
    """Change dtype; the gradient is cast back to the input's dtype."""

    @staticmethod
    def forward(ctx, a, np_dtype):
        ctx.input_dtype = a.dtype
        return a.astype(np_dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(FROM_NUMPY[ctx.input_dtype]), None


class Clone(Primitive):
    """A copy with its own memory."""

    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad
