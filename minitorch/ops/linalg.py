"""Matrix products: matmul covers mm, bmm, batched and vector cases, as numpy's matmul does.

The primitive multiplies op(a) @ op(b), where op transposes the last two dims when its flag is set.
The flags cost nothing in forward (a transposed view goes straight to BLAS) and close the rule under
differentiation: every gradient of a product is again such a product, with no transpose op between.
"""
from ..autograd.function import Primitive
from ..backend import array_module
from ._grad_utils import sum_to


def _t(x, flag):
    return x.swapaxes(-1, -2) if flag else x


class MatMul(Primitive):

    @staticmethod
    def forward(ctx, a, b, transpose_a=False, transpose_b=False):
        ctx.save_for_backward(a, b)
        ctx.flags = (transpose_a, transpose_b)
        return array_module(a).matmul(_t(a, transpose_a), _t(b, transpose_b))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ta, tb = ctx.flags
        need = ctx.needs_input_grad
        # treat a vector as a one-row (a) or one-column (b) matrix, then undo that on the gradients
        a_vector, b_vector = a._data.ndim == 1, b._data.ndim == 1
        a2 = a.unsqueeze(0) if a_vector else a
        b2 = b.unsqueeze(-1) if b_vector else b
        g = grad
        if a_vector:
            g = g.unsqueeze(0 if b_vector else -2)
        if b_vector:
            g = g.unsqueeze(-1)
        grad_a = grad_b = None
        if need[0]:     # d op(a) = g @ op(b)^T, transposed back when a was used transposed
            grad_a = MatMul.apply(b2, g, tb, True) if ta else MatMul.apply(g, b2, False, not tb)
            grad_a = sum_to(grad_a, a2._data.shape)
            grad_a = grad_a.reshape(a._data.shape) if a_vector else grad_a
        if need[1]:     # d op(b) = op(a)^T @ g, likewise
            grad_b = MatMul.apply(g, a2, True, ta) if tb else MatMul.apply(a2, g, not ta, False)
            grad_b = sum_to(grad_b, b2._data.shape)
            grad_b = grad_b.reshape(b._data.shape) if b_vector else grad_b
        return grad_a, grad_b, None, None
