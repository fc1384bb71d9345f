"""Indexing: x[index], gather/scatter along a dim, index_select, narrow/select/unbind.

x[index] with ints, slices, None and ... is a view (BasicIndex); with integer or bool tensors/lists
it is a copy (AdvancedIndex), as in PyTorch and numpy.  Index tensors are inputs of the op, not
constants stored on it, so a traced graph reads them afresh on every run.  The backward of reading at
an index is adding into zeros at that index (repeated indices add up), and the other way round.
"""
import functools

from .. import dtypes
from ..autograd.function import Primitive
from ..backend import array_module
from ..tensor import Tensor
from ._grad_utils import sum_to
from .checks import check
from .index_args import fill_template, parse_index
from .selection import fits, as_value
from .shape import expand
from .shape_checks import wrap_dim, broadcast_shape


class BasicIndex(Primitive):
    """x[ints, slices, None, ...]: a view of x."""
    returns_view = True

    @staticmethod
    def forward(ctx, a, index):
        ctx.meta = (a.shape, index)
        return a[index]

    @staticmethod
    def backward(ctx, grad):
        shape, index = ctx.meta
        return IndexAddIntoZeros.apply(grad, index, shape), None


class AdvancedIndex(Primitive):
    """x[integer or bool arrays mixed with slices]: a copy.  forward(a, template, *index_arrays)."""

    @staticmethod
    def value_dependent_shape(args):
        """A bool mask picks as many elements as it holds True: a static graph cannot know."""
        return any(getattr(a, 'dtype', None) is dtypes.bool_ for a in args[2:])

    @staticmethod
    def forward(ctx, a, template, *arrays):
        ctx.meta = (a.shape, template)
        ctx.save_for_backward(*arrays)
        return a[fill_template(template, arrays)]

    @staticmethod
    def backward(ctx, grad):
        shape, template = ctx.meta
        arrays = ctx.saved_tensors
        return (IndexAddIntoZeros.apply(grad, template, shape, *arrays), None) + (None,) * len(arrays)


class IndexAddIntoZeros(Primitive):
    """zeros(shape) with grad added at the index (the adjoint of x[index])."""

    @staticmethod
    def forward(ctx, grad, template, shape, *arrays):
        ctx.template = template
        index = fill_template(template, arrays)
        ctx.save_for_backward(*arrays)
        xp = array_module(grad)
        out = xp.zeros(shape, dtype=grad.dtype)
        if arrays and _may_repeat(index):
            _scatter_add(xp, out, index, grad)
        else:
            out[index] = grad
        return out

    @staticmethod
    def backward(ctx, grad):
        arrays = ctx.saved_tensors
        return (_read_at(grad, ctx.template, arrays), None, None) + (None,) * len(arrays)


def _read_at(t, template, index_tensors):
    """t read at a template's index (the adjoint of adding into zeros there, and of writing there)."""
    if index_tensors:
        return AdvancedIndex.apply(t, template, *index_tensors)
    return BasicIndex.apply(t, template)


class IndexPut(Primitive):
    """out = a.copy(); out[index] = value.  The op x[index] = value records (x then takes its place).
    forward(a, value, template, *index_arrays)."""

    @staticmethod
    def forward(ctx, a, value, template, *arrays):
        index = fill_template(template, arrays)
        ctx.meta = (template, getattr(value, 'shape', ()))
        ctx.save_for_backward(*arrays)
        out = a.copy()
        out[index] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        template, value_shape = ctx.meta
        arrays = ctx.saved_tensors
        need = ctx.needs_input_grad
        grad_a = IndexPut.apply(grad, 0.0, template, *arrays) if need[0] else None
        grad_value = None
        if need[1]:
            grad_value = sum_to(_read_at(grad, template, arrays), value_shape)
        return (grad_a, grad_value, None) + (None,) * len(arrays)


class Gather(Primitive):
    """out[i][j] = a[i][index[i][j]] along dim (torch.gather): out has the index's shape."""

    @staticmethod
    def forward(ctx, a, index, dim):
        ctx.meta = (a.shape, dim)
        ctx.save_for_backward(index)
        xp = array_module(a)
        return a[along_dim_index(xp, index, dim)]

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        shape, dim = ctx.meta
        return scatter_add_into_zeros(grad, index, dim, shape), None, None


class ScatterAdd(Primitive):
    """out = a.copy(); out[... index ...] += src along dim (torch.scatter_add)."""

    @staticmethod
    def forward(ctx, a, index, src, dim):
        ctx.dim, ctx.src_shape = dim, src.shape
        ctx.save_for_backward(index)
        xp = array_module(a)
        out = a.copy()
        region = tuple(slice(0, n) for n in index.shape)
        _scatter_add(xp, out, along_dim_index(xp, index, dim), src[region])
        return out

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad if need[0] else None), None, \
            (_src_grad(grad, index, ctx.dim, ctx.src_shape) if need[2] else None), None


def _src_grad(grad, index, dim, src_shape):
    """The gradient of scatter's src: grad read at the index, placed in the corner of a src-shaped
    zeros (src may be larger than the index; the rest of it is not used)."""
    read = Gather.apply(grad, index, dim)
    if tuple(read.shape) == tuple(src_shape):
        return read
    region = tuple(slice(0, n) for n in index.shape)
    return IndexAddIntoZeros.apply(read, region, tuple(src_shape))


class Scatter(Primitive):
    """out = a.copy(); out[... index ...] = src along dim (torch.scatter; with repeated indices the
    value written last wins, which is not defined in PyTorch either)."""

    @staticmethod
    def forward(ctx, a, index, src, dim):
        ctx.dim, ctx.src_shape = dim, getattr(src, 'shape', ())
        ctx.save_for_backward(index)
        out = a.copy()
        xp = array_module(a)
        where = along_dim_index(xp, index, dim)
        if hasattr(src, 'shape'):
            src = src[tuple(slice(0, n) for n in index.shape)]
        out[where] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        index, = ctx.saved_tensors
        need = ctx.needs_input_grad
        grad_a = Scatter.apply(grad, index, 0.0, ctx.dim) if need[0] else None
        grad_src = _src_grad(grad, index, ctx.dim, ctx.src_shape) if need[2] else None
        return grad_a, None, grad_src, None


def scatter_add_into_zeros(src, index, dim, shape):
    """zeros(shape) with src added at index along dim (the adjoint of gather)."""
    from ..creation import zeros
    return ScatterAdd.apply(zeros(shape, dtype=src.dtype, device=src.device), index, src, dim)


def along_dim_index(xp, index, dim):
    """The full fancy index that addresses index[...] along dim (as take_along_axis does), for an
    index no larger than the array in the other dims."""
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


# --- the public functions --------------------------------------------------------------------
def getitem(input, index):
    """input[index]: a view for ints, slices, None and ...; a copy for integer or bool tensors."""
    template, tensors = parse_index(input, index)
    try:
        if not tensors:
            out = BasicIndex.apply(input, template)
            out._view_of = (input, index)       # in-place changes to the view write through
            return out
        return AdvancedIndex.apply(input, template, *tensors)
    except IndexError as error:
        raise IndexError(f'index: {error} (tensor of shape {list(input.shape)})') from None


def narrow(input, dim, start, length):
    """The slice start:start+length along dim (a view); start may be negative."""
    d = wrap_dim(dim, input.ndim, 'narrow')
    size = input.shape[d]
    if not -size <= start <= size:
        raise IndexError(f'narrow: start ({start}) is out of range for dim {dim} of size {size} '
                         f'(expected -{size} <= start <= {size})')
    start = start + size if start < 0 else start
    if length < 0 or start + length > size:
        raise RuntimeError(f'narrow: start ({start}) + length ({length}) exceeds dimension size '
                           f'({size}) of dim {dim} in shape {list(input.shape)}')
    return getitem(input, (slice(None),) * d + (slice(start, start + length),))


def select(input, dim, index):
    """The slice at `index` along dim, that dim removed (a view)."""
    d = wrap_dim(dim, input.ndim, 'select')
    return getitem(input, (slice(None),) * d + (index,))


def unbind(input, dim=0):
    """Every slice along dim, as a tuple of views."""
    d = wrap_dim(dim, input.ndim, 'unbind')
    return tuple(select(input, d, i) for i in range(input.shape[d]))


def _check_index_tensor(index, op, allowed=(dtypes.int64, dtypes.int32)):
    """The index must be a tensor of one of the allowed dtypes (PyTorch's: int64, and for most ops
    int32)."""
    if not isinstance(index, Tensor):
        raise TypeError(f'{op}(): index must be a tensor of {_names(allowed)}, got '
                        f'{type(index).__name__}')
    if index.dtype not in allowed:
        raise RuntimeError(f'{op}(): expected an index of dtype {_names(allowed)}, got '
                           f'{index.dtype}; convert it, e.g. index.long()')


def _names(allowed):
    return ' or '.join(d.name for d in allowed)


def _check_in_range(index, size, dim, op):
    """A RuntimeError naming the first index outside [0, size); a check op, so a static graph
    checks the indices of each run."""
    if index.numel():
        ok = (index >= 0) & (index < size)
        check(ok, RuntimeError, functools.partial(_out_of_bounds, op, size, dim), index, ok)


def _out_of_bounds(op, size, dim, index, ok):
    bad = int(index[~ok].reshape(-1)[0])
    return (f'{op}: index {bad} is out of bounds for dimension {dim} with size {size} (indices go '
            f'from 0 to {size - 1})')


def _check_gather_shapes(input, index, dim, op):
    if index.ndim != input.ndim:
        raise RuntimeError(f'{op}: index tensor must have the same number of dimensions as the input '
                           f'({input.ndim}), got index of shape {list(index.shape)} for input of '
                           f'shape {list(input.shape)}')
    for i, (n, m) in enumerate(zip(index.shape, input.shape)):
        if i != dim and n > m and index.numel():        # an empty index reads nothing
            raise RuntimeError(f'{op}: size of index ({list(index.shape)}) does not fit the input '
                               f'({list(input.shape)}) at dim {i}: it must be at most {m} in every '
                               f'dim but {dim}')


def gather(input, dim, index):
    """out[i][j] = input[i][index[i][j]] along dim; out has index's shape (which must fit input's)."""
    d = wrap_dim(dim, input.ndim, 'gather')
    _check_index_tensor(index, 'gather')
    _check_gather_shapes(input, index, d, 'gather')
    _check_in_range(index, input.shape[d] if input.ndim else 1, d, 'gather')
    return Gather.apply(input, index, d)


def take_along_dim(input, indices, dim=None):
    """Values of input at indices along dim, broadcasting the other dims (of the flattened input
    when dim is None); the partner of argmax/argsort."""
    _check_index_tensor(indices, 'take_along_dim', (dtypes.int64,))
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    d = wrap_dim(dim, input.ndim, 'take_along_dim')
    if indices.ndim != input.ndim:
        raise RuntimeError(f'take_along_dim: input and indices should have the same number of '
                           f'dimensions, got {list(input.shape)} and {list(indices.shape)}')
    others = [tuple(1 if i == d else n for i, n in enumerate(t.shape)) for t in (input, indices)]
    shape = list(broadcast_shape('take_along_dim', *others))
    input = expand(input, tuple(shape[:d] + [input.shape[d]] + shape[d + 1:]))
    indices = expand(indices, tuple(shape[:d] + [indices.shape[d]] + shape[d + 1:]))
    return gather(input, d, indices)


def _scatter_args(input, dim, index, src, op):
    """The wrapped dim, once index (and src, a tensor or a number) are checked against input."""
    d = wrap_dim(dim, input.ndim, op)
    _check_index_tensor(index, op)
    _check_gather_shapes(input, index, d, op)
    if isinstance(src, Tensor):
        if src.dtype is not input.dtype:
            raise RuntimeError(f'{op}(): expected src to have the dtype of the tensor, '
                               f'{input.dtype}, got {src.dtype}; convert it, e.g. '
                               f'src.to(x.dtype)')
        if src.ndim != index.ndim or any(n > m for n, m in zip(index.shape, src.shape)):
            raise RuntimeError(f'{op}: src of shape {list(src.shape)} must be at least as large as '
                               f'the index, shape {list(index.shape)}, in every dim')
    _check_in_range(index, input.shape[d] if input.ndim else 1, d, op)
    return d


def scatter(input, dim, index, src=None, *, value=None):
    """A copy of input with src's values (or the number value) written at index along dim."""
    if (src is None) == (value is None):
        raise TypeError('scatter: give exactly one of src (a tensor) or value (a number)')
    d = _scatter_args(input, dim, index, src if src is not None else value, 'scatter')
    if value is not None:
        fits(value, input.dtype, 'scatter')
        src = as_value(value, input._data.dtype) if not input.is_floating_point() else value
    return Scatter.apply(input, index, src, d)


def scatter_add(input, dim, index, src):
    """A copy of input with src's values added at index along dim (repeated indices add up)."""
    if not isinstance(src, Tensor):
        raise TypeError(f'scatter_add: src must be a tensor, got {type(src).__name__}')
    d = _scatter_args(input, dim, index, src, 'scatter_add')
    return ScatterAdd.apply(input, index, src, d)


def index_select(input, dim, index):
    """The slices of input at the integer indices (a 1-D tensor) along dim (a copy)."""
    d = wrap_dim(dim, input.ndim, 'index_select')
    _check_index_tensor(index, 'index_select')
    if index.ndim > 1:
        raise IndexError(f'index_select: index must be 0-d or 1-d, got shape {list(index.shape)}')
    _check_in_range(index, input.shape[d] if input.ndim else 1, d, 'index_select')
    if input.ndim == 0:
        if index.numel() != 1:
            raise IndexError(f'index_select(): a 0-d tensor takes exactly one index, got '
                             f'{index.numel()}')
        return getitem(input.reshape(1), index.reshape(-1)).reshape(())
    return getitem(input, (slice(None),) * d + (index.reshape(-1),))
