"""Matrix products: matmul covers mm, bmm, batched and vector cases, as numpy's matmul does."""
from ..autograd.function import Function
from ..backend import array_module
from ._grad_utils import sum_to


class MatMul(Function):
    array_forward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return array_module(a).matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        # treat a vector as a one-row (a) or one-column (b) matrix, then undo that on the gradients
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        g2 = grad
        if a.ndim == 1:
            g2 = g2.unsqueeze(-2 if b.ndim > 1 else 0)
        if b.ndim == 1:
            g2 = g2.unsqueeze(-1)
        grad_a = grad_b = None
        if need[0]:
            grad_a = sum_to(g2 @ b2.mT, a2.shape)
            grad_a = grad_a.reshape(a.shape) if a.ndim == 1 else grad_a
        if need[1]:
            grad_b = sum_to(a2.mT @ g2, b2.shape)
            grad_b = grad_b.reshape(b.shape) if b.ndim == 1 else grad_b
        return grad_a, grad_b
