"""Matrix products: matmul covers mm, bmm, batched and vector cases, as numpy's matmul does.

The primitive multiplies op(a) @ op(b), where op transposes the last two dims when its flag is set.
The flags cost nothing in forward (a transposed view goes straight to BLAS) and close the rule under
differentiation: every gradient of a product is again such a product, with no transpose op between.
"""
import math

from .. import dtypes
from ..autograd.function import Primitive
from ..backend import array_module
from ..tensor import Tensor
from ._grad_utils import sum_to, expand_reduced
from .reduction import reduction_dims
from .shape_checks import broadcast_shape


def _t(x, flag):
    return x.swapaxes(-1, -2) if flag else x


class MatMul(Primitive):
    """op(a) @ op(b), op transposing the last two dims when its flag is set (numpy's matmul rules
    for vectors and batches); the primitive behind @, mm, bmm, mv, dot and nn.Linear."""
    op_name = 'matmul'

    @staticmethod
    def compute(a, b, transpose_a=False, transpose_b=False):
        """The product on arrays (what forward returns; compiled graphs call this directly)."""
        return array_module(a).matmul(_t(a, transpose_a), _t(b, transpose_b))

    @staticmethod
    def forward(ctx, a, b, transpose_a=False, transpose_b=False):
        ctx.save_for_backward(a, b)
        ctx.flags = (transpose_a, transpose_b)
        return MatMul.compute(a, b, transpose_a, transpose_b)

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


def matmul(input, other):
    """The matrix product, numpy's rules: 1-D operands are vectors, leading dims broadcast (the @
    operator)."""
    if not isinstance(other, Tensor) or not isinstance(input, Tensor):
        raise TypeError(f'matmul: both operands must be tensors, got {type(input).__name__} and '
                        f'{type(other).__name__}')
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f'matmul: both arguments need at least 1 dim, got shapes '
                           f'{list(a.shape)} and {list(b.shape)}; use * for scalars')
    k_in = a.shape[-1]
    k_other = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_in != k_other:
        raise RuntimeError(f'matmul: shapes {list(a.shape)} and {list(b.shape)} cannot be '
                           f'multiplied ({k_in} != {k_other}): the last dim of the first must equal '
                           f'the {"second-to-last" if b.ndim > 1 else "only"} dim of the second')
    if a.dtype != b.dtype:
        raise RuntimeError(f'matmul: expected both tensors to have the same dtype, but got '
                           f'{input.dtype} and {other.dtype}; convert one, e.g. b.to(a.dtype)')
    if a.dtype.kind == 'b':
        raise RuntimeError('matmul: not implemented for bool tensors; convert them, e.g. x.float()')
    try:
        return MatMul.apply(input, other)
    except ValueError as error:
        broadcast_shape('matmul', a.shape[:-2], b.shape[:-2])
        raise error


def _fixed_ranks(op, input, other, ranks, wanted):
    """matmul for the variants that take only certain numbers of dims (mm, bmm, mv, dot)."""
    if (input.ndim, other.ndim) != ranks:
        raise RuntimeError(f'{op}: expected {wanted}, got shapes {list(input.shape)} and '
                           f'{list(other.shape)}; use matmul (or @) for other cases')
    return matmul(input, other)


def mm(input, mat2):
    """The product of two matrices (2-D tensors)."""
    return _fixed_ranks('mm', input, mat2, (2, 2), 'two 2-D tensors')


def bmm(input, mat2):
    """Batched matrix products: (b, n, m) @ (b, m, p) -> (b, n, p); the batch sizes must be equal
    (no broadcasting: matmul broadcasts)."""
    if input.ndim == 3 and mat2.ndim == 3 and input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f'bmm: the batch sizes differ: shapes {list(input.shape)} and '
                           f'{list(mat2.shape)}; use matmul (or @) to broadcast them')
    return _fixed_ranks('bmm', input, mat2, (3, 3), 'two 3-D tensors')


def mv(input, vec):
    """A matrix times a vector."""
    return _fixed_ranks('mv', input, vec, (2, 1), 'a matrix and a vector')


def dot(input, other):
    """The dot product of two vectors (a 0-d tensor)."""
    return _fixed_ranks('dot', input, other, (1, 1), 'two 1-D tensors')


def outer(input, vec2):
    """The outer product of two vectors: out[i, j] = input[i] * vec2[j]."""
    for name, t in (('input', input), ('vec2', vec2)):
        if not isinstance(t, Tensor) or t.ndim != 1:
            raise RuntimeError(f'outer: expected 1-D tensors, but {name} has shape '
                               f'{list(getattr(t, "shape", ()))}; flatten it first (x.flatten())')
    return input.unsqueeze(1) * vec2.unsqueeze(0)


class VectorNorm(Primitive):
    """(sum |a|^p)^(1/p) over dims; p may be inf, -inf or 0 (the count of nonzeros).  The gradient
    at a zero vector is 0 (a subgradient), as in PyTorch."""

    @staticmethod
    def forward(ctx, a, p, dims, keepdim):
        xp = array_module(a)
        ctx.meta = (a.shape, p, dims, keepdim)
        magnitude = xp.abs(a if a.dtype != xp.float16 else a.astype(xp.float32))   # as PyTorch
        if p == math.inf:
            y = xp.max(magnitude, axis=dims, keepdims=keepdim)
        elif p == -math.inf:
            y = xp.min(magnitude, axis=dims, keepdims=keepdim)
        elif p == 0:
            y = xp.sum(magnitude != 0, axis=dims, keepdims=keepdim).astype(a.dtype)
        elif p == 2:
            y = xp.sqrt(xp.sum(magnitude * magnitude, axis=dims, keepdims=keepdim))
        else:
            y = xp.sum(magnitude ** p, axis=dims, keepdims=keepdim) ** (1 / p)
        y = xp.asarray(y).astype(a.dtype, copy=False)      # the saved output is the output
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        a, y = ctx.saved_tensors
        shape, p, dims, keepdim = ctx.meta
        g = expand_reduced(grad, shape, dims, keepdim)
        norm = expand_reduced(y, shape, dims, keepdim)
        if p == 0:
            local = a * 0
        elif p in (math.inf, -math.inf):
            winners = (a.abs() == norm).to(a.dtype)
            local = a.sign() * winners / winners.sum(dims, keepdim=True)
        elif p == 1:
            local = a.sign()
        else:       # d/da (sum |a|^p)^(1/p) = sign(a) |a|^(p-1) / norm^(p-1), 0 at a zero norm
            zero = norm == 0        # divide by 1 there (no division by zero), then zero it
            safe = norm.masked_fill(zero, 1)
            local = a / safe if p == 2 else a.sign() * a.abs() ** (p - 1) / safe ** (p - 1)
            local = local.masked_fill(zero, 0)
        return g * local, None, None, None


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The vector norm of x over dim (all elements by default): ord 2 is the Euclidean length, 1 the
    sum of magnitudes, inf the largest magnitude (torch.linalg.vector_norm)."""
    if not x.is_floating_point():
        raise RuntimeError(f'linalg.vector_norm: expected a floating point tensor, got {x.dtype}; '
                           f'convert it first (x.float())')
    if dtype is not None:
        target = dtypes.to_dtype(dtype)
        if target.itemsize < x.dtype.itemsize or not target.is_floating_point:
            raise RuntimeError(f'linalg.vector_norm: the dtype of the input ({x.dtype}) should be '
                               f'convertible without narrowing to the specified dtype ({target})')
        x = x.to(target)
    if not isinstance(ord, (int, float)) or isinstance(ord, bool):
        raise TypeError(f'linalg.vector_norm: ord must be a number (2, 1, inf, ...), got {ord!r}')
    dims = reduction_dims(dim, x.ndim, 'linalg.vector_norm')
    if (ord < 0 or ord == math.inf) and any(x.shape[d] == 0 for d in dims):
        raise RuntimeError(f'linalg.vector_norm: the {ord} norm of an empty dim is undefined (the '
                           f'operation has no identity); shape {list(x.shape)}, dims {list(dims)}')
    return VectorNorm.apply(x, float(ord), dims, keepdim)


def norm(input, p='fro', dim=None, keepdim=False, dtype=None):
    """The norm of input: 'fro' (or 2) is the square root of the sum of squares; a number p gives the
    p-norm over dim (all elements by default), as vector_norm."""
    if p == 'fro' or p is None:
        p = 2
    if isinstance(p, str):
        raise RuntimeError(f"norm: p={p!r} is not supported here; use 'fro' or a number")
    return vector_norm(input, p, dim, keepdim, dtype=dtype)
