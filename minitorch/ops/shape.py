"""Shapes: reshape/view, permute/transpose, expand, cat/stack, split/chunk, flip.

Reshape, permute and expand give views where the array module can (returns_view: they share the
input's memory and version counter); `view` refuses, as PyTorch does, when the elements are not laid
out so that a view is possible (after a transpose, say) and says to use reshape.
"""
import builtins
import math

from .. import dtypes
from ..autograd.function import Primitive
from ..backend import array_module
from ..tensor import Tensor
from ._grad_utils import sum_to
from .shape_checks import wrap_dim, wrap_dims, broadcast_shape


class Reshape(Primitive):
    returns_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.input_shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.input_shape), None


class ReshapeDims(Primitive):
    """A reshape whose target names the input's own dims: an entry is a size, ('dim', i) for the
    input's dim i, or ('prod', i, j) for the product of its dims i..j.  flatten, squeeze and
    unsqueeze say their targets so, and a static graph specialised to a new batch size follows."""
    op_name = 'reshape_dims'
    returns_view = True

    @staticmethod
    def forward(ctx, a, spec):
        ctx.input_shape = a.shape
        return a.reshape(resolve_dims(spec, a.shape))

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.input_shape), None


def resolve_dims(spec, shape):
    """The concrete shape a ReshapeDims spec means for an input of this shape."""
    return tuple(e if type(e) is not tuple else
                 (shape[e[1]] if e[0] == 'dim' else math.prod(shape[e[1]:e[2] + 1])) for e in spec)


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
        if a.size == 1 and math.prod(shape) <= 4096:
            return xp.full(shape, a.reshape(()), dtype=a.dtype)    # cheaper than a view when small
        return xp.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return sum_to(grad, ctx.input_shape), None


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


class Flip(Primitive):
    """The elements in reverse order along dims (a copy, as in PyTorch)."""

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return array_module(a).flip(a, axis=dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return grad.flip(ctx.dims), None


# --- reshape and view ------------------------------------------------------------------------
def _shape_arg(shape, op):
    """reshape(2, 3) and reshape((2, 3)) both mean (2, 3); anything but integers is refused, and
    so is no shape at all (x.reshape(): write x.reshape(()) for a 0-d result)."""
    if not shape:
        raise TypeError(f'{op}() missing its sizes: write {op}(2, 3) or {op}((2, 3)), or {op}(()) '
                        f'for no dims')
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = shape[0]
    if not isinstance(shape, (tuple, list)) and not hasattr(shape, '__iter__'):
        raise TypeError(f'{op}: expected a shape (ints, or one tuple of ints), got {shape!r}')
    shape = tuple(shape)
    for s in shape:
        if isinstance(s, bool) or not isinstance(s, int) and not hasattr(s, '__index__'):
            raise TypeError(f'{op}: a shape holds integers, got {s!r} of type {type(s).__name__} '
                            f'in {shape!r}')
    return tuple(int(s) for s in shape)


def _infer(input, shape, op):
    known, unknown = 1, [i for i, s in enumerate(shape) if s == -1]
    for s in shape:
        if s < -1:
            raise RuntimeError(f'{op}: invalid shape dimension {s} in {list(shape)}')
        known *= s if s != -1 else 1
    n = input.numel()
    if len(unknown) > 1 or (not unknown and known != n) or (unknown and (known == 0 or n % known)):
        raise RuntimeError(f'{op}: shape {list(shape)} is invalid for a tensor of shape '
                           f'{list(input.shape)} ({n} elements): the sizes must multiply to {n}, with '
                           f'at most one -1 for a size to infer')
    if unknown:
        shape = shape[:unknown[0]] + (n // known,) + shape[unknown[0] + 1:]
    return shape


def reshape(input, *shape):
    """The same elements in a new shape (one size may be -1: inferred); a view when possible."""
    shape = _infer(input, _shape_arg(shape, 'reshape'), 'reshape')
    return Reshape.apply(input, shape)


def view(input, *shape):
    """The same memory seen with a new shape; raises if the layout does not allow a view."""
    shape = _infer(input, _shape_arg(shape, 'view'), 'view')
    data = input._data
    strides = [s // data.itemsize for s in data.strides] if data.itemsize else list(data.strides)
    if _view_strides(data.shape, strides, shape) is None:
        raise RuntimeError(f'view size is not compatible with input tensor\'s size and stride (at '
                           f'least one dimension spans across two contiguous subspaces): shape '
                           f'{list(input.shape)} with strides {strides} cannot be seen as '
                           f'{list(shape)}. Use .reshape(...) instead (it copies when it must).')
    return Reshape.apply(input, shape)


def _view_strides(old_shape, old_strides, new_shape):
    """The strides of a view of new_shape on memory laid out as (old_shape, old_strides), or None
    when no view can have that shape (PyTorch's computeStride)."""
    if not old_shape:
        return [1] * len(new_shape)
    if math.prod(old_shape) == 0:
        return list(new_shape)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    base = old_strides[-1]
    tensor_numel = view_numel = 1
    for tensor_d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[tensor_d]
        if tensor_d == 0 or (old_shape[tensor_d - 1] != 1 and
                             old_strides[tensor_d - 1] != tensor_numel * base):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * base
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                base = old_strides[tensor_d - 1]
                tensor_numel = view_numel = 1
    return new_strides if view_d == -1 else None


def view_as(input, other):
    """The same memory seen with other's shape: input.view(other.shape)."""
    return view(input, other.shape)


def reshape_as(input, other):
    """The same elements in other's shape: input.reshape(other.shape)."""
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Dims start_dim..end_dim merged into one (a 0-d tensor becomes 1-d)."""
    if input.ndim == 0:
        wrap_dim(start_dim, 0, 'flatten'), wrap_dim(end_dim, 0, 'flatten')
        return reshape(input, 1)
    start = wrap_dim(start_dim, input.ndim, 'flatten')
    end = wrap_dim(end_dim, input.ndim, 'flatten')
    if start > end:
        raise RuntimeError(f'flatten: start_dim {start_dim} comes after end_dim {end_dim}')
    spec = tuple(('dim', i) for i in range(start)) + (('prod', start, end),) + \
        tuple(('dim', i) for i in range(end + 1, input.ndim))
    return ReshapeDims.apply(input, spec)


def unflatten(input, dim, sizes):
    """Dim `dim` split into `sizes` (one may be -1)."""
    dim = wrap_dim(dim, input.ndim, 'unflatten')
    size = input.shape[dim]
    sizes = _shape_arg((sizes,), 'unflatten')
    known = math.prod(s for s in sizes if s != -1)
    if sizes.count(-1) == 1 and known and size % known == 0:
        sizes = tuple(size // known if s == -1 else s for s in sizes)
    if math.prod(sizes) != size or builtins.any(s < 0 for s in sizes):
        raise RuntimeError(f'unflatten: sizes {list(sizes)} do not multiply to the size {size} of '
                           f'dim {dim} of shape {list(input.shape)} (one size may be -1)')
    return reshape(input, input.shape[:dim] + sizes + input.shape[dim + 1:])


def squeeze(input, dim=None):
    """Dims of size 1 removed (all of them, or those named by dim)."""
    shape = input.shape
    if dim is None:
        return reshape(input, tuple(s for s in shape if s != 1))
    dims = wrap_dims(dim, input.ndim, 'squeeze')
    return ReshapeDims.apply(input, tuple(('dim', i) for i, s in enumerate(shape)
                                          if not (i in dims and s == 1)))


def unsqueeze(input, dim):
    """A new dim of size 1 inserted at position dim."""
    dim = wrap_dim(dim, input.ndim + 1, 'unsqueeze')
    spec = tuple(('dim', i) for i in range(input.ndim))
    return ReshapeDims.apply(input, spec[:dim] + (1,) + spec[dim:])


# --- permutations ----------------------------------------------------------------------------
def permute(input, *dims):
    """The dims reordered: out.shape[i] = input.shape[dims[i]] (a view)."""
    dims = _shape_arg(dims, 'permute')
    wrapped = tuple(wrap_dim(d, input.ndim, 'permute') for d in dims)
    if sorted(wrapped) != list(range(input.ndim)):
        raise RuntimeError(f'permute: dims {list(dims)} must name each of the {input.ndim} dims of a '
                           f'tensor of shape {list(input.shape)} exactly once')
    return Permute.apply(input, wrapped)


def transpose(input, dim0, dim1):
    """dim0 and dim1 swapped (a view; alias: swapaxes)."""
    if input.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
        return input
    d0, d1 = wrap_dim(dim0, input.ndim, 'transpose'), wrap_dim(dim1, input.ndim, 'transpose')
    dims = list(range(input.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(input, tuple(dims))


def t(input):
    """The transpose of a matrix (a vector or scalar is returned as is)."""
    if input.ndim > 2:
        raise RuntimeError(f't() expects a tensor with <= 2 dims, got shape {list(input.shape)}; '
                           'use transpose(dim0, dim1) or .mT')
    return transpose(input, 0, 1) if input.ndim == 2 else input


def matrix_transpose(input):
    """x.mT: the last two dims swapped (a view)."""
    ndim = input._data.ndim
    if ndim < 2:
        raise RuntimeError(f'mT: expected a tensor with at least 2 dims, got shape '
                           f'{list(input.shape)}')
    return Permute.apply(input, tuple(range(ndim - 2)) + (ndim - 1, ndim - 2))


def full_transpose(input):
    """x.T: every dim reversed (a view)."""
    return Permute.apply(input, tuple(reversed(range(input.ndim))))


# --- broadcasting ----------------------------------------------------------------------------
def expand(input, *sizes):
    """A view with dims of size 1 repeated to `sizes` (-1 keeps a dim; new dims go in front)."""
    sizes = _shape_arg(sizes, 'expand')
    if len(sizes) < input.ndim:
        raise RuntimeError(f'expand: the number of sizes ({len(sizes)}) must be at least the number '
                           f'of dims of the tensor ({input.ndim}), shape {list(input.shape)}')
    lead = len(sizes) - input.ndim
    target = tuple(input.shape[i - lead] if s == -1 and i >= lead else s
                   for i, s in enumerate(sizes))
    for i, s in enumerate(input.shape):
        if s != 1 and s != target[lead + i]:
            raise RuntimeError(f'expand: the size {s} at dim {i} of shape {list(input.shape)} must '
                               f'match {list(sizes)} or be 1')
    if any(s < 0 for s in target):
        raise RuntimeError(f'expand: the expanded size of the tensor (-1) isn\'t allowed in a '
                           f'leading, non-existing dimension: sizes {list(sizes)} for shape '
                           f'{list(input.shape)} (-1 keeps the size of an existing dim)')
    if target == input._data.shape:
        return input
    return Expand.apply(input, target)


def expand_as(input, other):
    """A view of input repeated to other's shape: input.expand(other.shape)."""
    return expand(input, other.shape)


def broadcast_to(input, shape):
    """input expanded to shape, by the broadcasting rules."""
    return expand(input, tuple(shape))


def broadcast_tensors(*tensors):
    """The tensors expanded to their common broadcast shape."""
    shape = broadcast_shape('broadcast_tensors', *[t.shape for t in tensors])
    return tuple(expand(t, shape) for t in tensors)


# --- joining and splitting -------------------------------------------------------------------
def _tensor_list(tensors, op):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{op}(): argument 'tensors' must be a tuple or list of Tensors, not a "
                        f"Tensor; write {op}([a, b])")
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f'{op}: expected a non-empty list of tensors')
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f'{op}(): expected a list of Tensors, but element {i} is '
                            f'{type(t).__name__}')
    return tensors


def cat(tensors, dim=0):
    """The tensors joined along an existing dim (alias: concat, concatenate)."""
    tensors = _tensor_list(tensors, 'cat')
    first = tensors[0]
    d = wrap_dim(dim, first.ndim, 'cat')
    for i, t in enumerate(tensors):
        if t.ndim != first.ndim or builtins.any(
                a != b for k, (a, b) in enumerate(zip(t.shape, first.shape)) if k != d):
            raise RuntimeError(f'cat: sizes of tensors must match except in dim {dim}: tensor 0 has '
                               f'shape {list(first.shape)} but tensor {i} has shape {list(t.shape)}')
    common = first.dtype
    for t in tensors[1:]:
        common = dtypes.promote_types(common, t.dtype)
    tensors = [t if t.dtype is common else t.to(common) for t in tensors]
    return Cat.apply(*tensors, d)


def stack(tensors, dim=0):
    """The tensors (all of one shape) joined along a new dim."""
    tensors = _tensor_list(tensors, 'stack')
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f'stack: expects each tensor to be of equal size, but tensor 0 has '
                               f'shape {list(tensors[0].shape)} and tensor {i} has {list(t.shape)}')
    d = wrap_dim(dim, tensors[0].ndim + 1, 'stack')
    return cat([unsqueeze(t, d) for t in tensors], d)


def split(input, split_size_or_sections, dim=0):
    """Pieces along dim: of split_size each (the last may be smaller), or of the listed sizes."""
    from .indexing import narrow
    d = wrap_dim(dim, input.ndim, 'split')
    size = input.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step < 0 or (step == 0 and size):
            raise ValueError(f'split: split_size must be positive (or 0 for a dim of size 0), got '
                             f'{step} for dim {dim} of size {size}')
        sizes = [builtins.min(step, size - s) for s in range(0, size, step)] if step else [0]
        sizes = sizes or [0]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != size:
            raise RuntimeError(f'split: sections {sizes} sum to {builtins.sum(sizes)} but dim {dim} '
                               f'has size {size}')
    pieces, start = [], 0
    for s in sizes:
        pieces.append(narrow(input, d, start, s))
        start += s
    return tuple(pieces)


def chunk(input, chunks, dim=0):
    """At most `chunks` pieces of equal size along dim (the last may be smaller)."""
    if not isinstance(chunks, int) or chunks <= 0:
        raise RuntimeError(f'chunk expects `chunks` to be greater than 0, got: {chunks}')
    d = wrap_dim(dim, input.ndim, 'chunk')
    size = input.shape[d]
    if size == 0:
        return split(input, [0] * chunks, d)        # `chunks` empty pieces, as in PyTorch
    return split(input, -(-size // chunks), d)


def flip(input, dims):
    """The elements in reverse order along dims (an int or a tuple; a copy)."""
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    wrapped = tuple(wrap_dim(d, input.ndim, 'flip') for d in dims)
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f'flip: dim {list(dims)} names a dimension more than once')
    if input.ndim == 0:
        return input.clone()
    return Flip.apply(input, wrapped)
