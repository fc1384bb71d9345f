"""The public shape, indexing and matrix functions (x.reshape, mt.cat, x[i], x @ y, ...)."""
import builtins

from .. import dtypes
from ..tensor import Tensor
from .indexing import GetItem, Gather
from .linalg import MatMul
from .shape import Reshape, Permute, Expand, Cat
from .shape_checks import wrap_dim, broadcast_shape


def _shape_arg(shape):
    """reshape(2, 3) and reshape((2, 3)) both mean (2, 3)."""
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def reshape(input, *shape):
    shape = _shape_arg(shape)
    known, unknown = 1, [i for i, s in enumerate(shape) if s == -1]
    for s in shape:
        known *= s if s != -1 else 1
    n = input.numel()
    if len(unknown) > 1 or (not unknown and known != n) or (unknown and (known == 0 or n % known)):
        raise RuntimeError(f'reshape: shape {list(shape)} is invalid for a tensor of shape '
                           f'{list(input.shape)} ({n} elements): the sizes must multiply to {n}, with '
                           f'at most one -1 for a size to infer')
    if unknown:
        shape = shape[:unknown[0]] + (n // known,) + shape[unknown[0] + 1:]
    return Reshape.apply(input, shape)


view = reshape


def view_as(input, other):
    return reshape(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    if input.ndim == 0:
        return reshape(input, 1)
    start = wrap_dim(start_dim, input.ndim, 'flatten')
    end = wrap_dim(end_dim, input.ndim, 'flatten')
    if start > end:
        raise RuntimeError(f'flatten: start_dim {start_dim} comes after end_dim {end_dim}')
    shape = input.shape
    return reshape(input, shape[:start] + (-1,) + shape[end + 1:]) if input.numel() else \
        reshape(input, shape[:start] + (0,) + shape[end + 1:])


def unflatten(input, dim, sizes):
    dim = wrap_dim(dim, input.ndim, 'unflatten')
    return reshape(input, input.shape[:dim] + tuple(sizes) + input.shape[dim + 1:])


def squeeze(input, dim=None):
    shape = input.shape
    if dim is None:
        return reshape(input, tuple(s for s in shape if s != 1))
    dims = {wrap_dim(d, input.ndim, 'squeeze') for d in ((dim,) if isinstance(dim, int) else dim)}
    return reshape(input, tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1)))


def unsqueeze(input, dim):
    dim = wrap_dim(dim, input.ndim + 1, 'unsqueeze')
    shape = input.shape
    return reshape(input, shape[:dim] + (1,) + shape[dim:])


def permute(input, *dims):
    dims = _shape_arg(dims)
    wrapped = tuple(wrap_dim(d, input.ndim, 'permute') for d in dims)
    if sorted(wrapped) != list(range(input.ndim)):
        raise RuntimeError(f'permute: dims {list(dims)} must name each of the {input.ndim} dims of a '
                           f'tensor of shape {list(input.shape)} exactly once')
    return Permute.apply(input, wrapped)


def transpose(input, dim0, dim1):
    if input.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
        return input
    d0, d1 = wrap_dim(dim0, input.ndim, 'transpose'), wrap_dim(dim1, input.ndim, 'transpose')
    dims = list(range(input.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(input, tuple(dims))


swapaxes = transpose


def t(input):
    if input.ndim > 2:
        raise RuntimeError(f't() expects a tensor with <= 2 dims, got shape {list(input.shape)}; '
                           'use transpose(dim0, dim1) or .mT')
    return transpose(input, 0, 1) if input.ndim == 2 else input


def expand(input, *sizes):
    sizes = _shape_arg(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError(f'expand: the number of sizes ({len(sizes)}) must be at least the number '
                           f'of dims of the tensor ({input.ndim}), shape {list(input.shape)}')
    lead = len(sizes) - input.ndim
    target = tuple(input.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    for i, s in enumerate(input.shape):
        if s != 1 and s != target[lead + i]:
            raise RuntimeError(f'expand: the size {s} at dim {i} of shape {list(input.shape)} must '
                               f'match {list(sizes)} or be 1')
    if target == input._data.shape:
        return input
    return Expand.apply(input, target)


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, shape):
    return expand(input, tuple(shape))


def broadcast_tensors(*tensors):
    shape = broadcast_shape('broadcast_tensors', *[t.shape for t in tensors])
    return tuple(expand(t, shape) for t in tensors)


def cat(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError('cat: expected a non-empty list of tensors')
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


concat = concatenate = cat


def stack(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError('stack: expected a non-empty list of tensors')
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f'stack: expects each tensor to be of equal size, but tensor 0 has '
                               f'shape {list(tensors[0].shape)} and tensor {i} has {list(t.shape)}')
    d = wrap_dim(dim, tensors[0].ndim + 1, 'stack')
    return cat([unsqueeze(t, d) for t in tensors], d)


def narrow(input, dim, start, length):
    d = wrap_dim(dim, input.ndim, 'narrow')
    index = [slice(None)] * d + [slice(start, start + length)]
    return getitem(input, tuple(index))


def split(input, split_size_or_sections, dim=0):
    d = wrap_dim(dim, input.ndim, 'split')
    size = input.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise ValueError(f'split: split_size must be positive, got {step}')
        sizes = [builtins.min(step, size - s) for s in range(0, size, step)] or [0]
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
    d = wrap_dim(dim, input.ndim, 'chunk')
    size = input.shape[d]
    step = -(-size // chunks) if size else 1
    return split(input, step, d)


def unbind(input, dim=0):
    d = wrap_dim(dim, input.ndim, 'unbind')
    return tuple(select(input, d, i) for i in range(input.shape[d]))


def select(input, dim, index):
    d = wrap_dim(dim, input.ndim, 'select')
    return getitem(input, (slice(None),) * d + (index,))


# --- indexing ----------------------------------------------------------------------------------
def array_index(input, index):
    """Turn tensors and lists inside an index into arrays on the input's device."""
    if isinstance(index, tuple):
        return tuple(_index_item(input, i) for i in index)
    return _index_item(input, index)


def _index_item(input, item):
    if isinstance(item, Tensor):
        if item._device is not input._device:
            raise RuntimeError(f'index: indices are on {item.device} but the tensor is on '
                               f'{input.device}; move the indices with .to({str(input.device)!r})')
        if item.dtype.category == 2:
            raise IndexError(f'index: tensors used as indices must be integer or bool, got '
                             f'{item.dtype}')
        return item._data
    if isinstance(item, list):
        return input._device.xp.asarray(item)
    return item


def getitem(input, index):
    arr_index = array_index(input, index)
    try:
        out = GetItem.apply(input, arr_index)
    except IndexError as error:
        raise IndexError(f'index: {error} (tensor of shape {list(input.shape)})') from None
    if out._base is not None:
        out._view_of = (input, arr_index)   # in-place changes to the view write through to input
    return out


def gather(input, dim, index):
    d = wrap_dim(dim, input.ndim, 'gather')
    if index.dtype.category != 1:
        raise RuntimeError(f'gather: index must be an integer tensor, got {index.dtype}')
    return Gather.apply(input, index, d)


def take_along_dim(input, indices, dim):
    return gather(input, dim, indices)


# --- matrix products ---------------------------------------------------------------------------
def matmul(input, other):
    if not isinstance(other, Tensor) or not isinstance(input, Tensor):
        raise TypeError('matmul: both operands must be tensors')
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
    try:
        return MatMul.apply(input, other)
    except ValueError as error:
        broadcast_shape('matmul', a.shape[:-2], b.shape[:-2])
        raise error


def matrix_transpose(input):
    """x.mT: the last two dims swapped (a view)."""
    ndim = input._data.ndim
    if ndim < 2:
        raise RuntimeError(f'mT: expected a tensor with at least 2 dims, got shape '
                           f'{list(input.shape)}')
    return Permute.apply(input, tuple(range(ndim - 2)) + (ndim - 1, ndim - 2))


def _fixed_ranks(op, input, other, ranks, wanted):
    """matmul for the variants that take only certain numbers of dims (mm, bmm, mv, dot)."""
    if (input.ndim, other.ndim) != ranks:
        raise RuntimeError(f'{op}: expected {wanted}, got shapes {list(input.shape)} and '
                           f'{list(other.shape)}; use matmul (or @) for other cases')
    return matmul(input, other)


def mm(input, mat2):
    return _fixed_ranks('mm', input, mat2, (2, 2), 'two 2-D tensors')


def bmm(input, mat2):
    return _fixed_ranks('bmm', input, mat2, (3, 3), 'two 3-D tensors')


def mv(input, vec):
    return _fixed_ranks('mv', input, vec, (2, 1), 'a matrix and a vector')


def dot(input, other):
    return _fixed_ranks('dot', input, other, (1, 1), 'two 1-D tensors')


def outer(input, vec2):
    return unsqueeze(input, 1) * unsqueeze(vec2, 0)
