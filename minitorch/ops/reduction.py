"""Reductions over dims: sum, mean, prod, max/min, amax/amin, argmax/argmin, var/std, all/any, cumsum.

Each public function parses `dim` (None or () for every dim, an int, or a tuple) and keepdim, then
applies one primitive.  Backward rules put the reduced dims back with `expand_reduced`.
"""
import warnings

from .. import dtypes
from ..autograd.function import Primitive
from ..backend import array_module
from ..return_types import values_indices
from ..tensor import Tensor
from ._grad_utils import expand_reduced, reduced_count
from .arguments import not_a_tensor
from .arithmetic import maximum, minimum
from .indexing import scatter_add_into_zeros
from .shape_checks import wrap_dim, wrap_dims


def reduction_dims(dim, ndim, op):
    """dim=None or () -> every dim (as PyTorch's reductions); an int or tuple -> sorted dims."""
    return wrap_dims(None if dim == () else dim, ndim, op)


def reduced_shape(shape, dims, keepdim):
    """The shape a reduction over (normalised) dims leaves: those dims kept as 1 or dropped."""
    return tuple(1 if i in dims else s for i, s in enumerate(shape) if keepdim or i not in dims)


class Sum(Primitive):
    @staticmethod
    def compute(a, dims, keepdim):
        """The sum on arrays (what forward returns; compiled graphs call this directly)."""
        return a.sum(axis=dims, keepdims=keepdim)      # the method skips numpy's Python wrapper

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.meta = (a.shape, dims, keepdim)
        return Sum.compute(a, dims, keepdim)

    @staticmethod
    def backward(ctx, grad):
        shape, dims, keepdim = ctx.meta
        return expand_reduced(grad, shape, dims, keepdim), None, None


class Mean(Primitive):
    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.meta = (a.shape, dims, keepdim)
        xp = array_module(a)
        if reduced_count(a.shape, dims) == 0:       # the mean of nothing is nan, quietly
            return xp.full(reduced_shape(a.shape, dims, keepdim), xp.nan, dtype=a.dtype)
        return xp.mean(a, axis=dims, keepdims=keepdim)

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
        # d prod / d a_i = product of the others: prod / a_i where no element is 0; with one zero,
        # the product of the nonzero elements at the zero and 0 elsewhere; with two or more, all 0
        is_zero = a == 0
        zeros = expand_reduced(is_zero.sum(dims, keepdim=keepdim), shape, dims, keepdim)
        others = expand_reduced(Prod.apply(a.masked_fill(is_zero, 1), dims, keepdim), shape, dims,
                                keepdim)
        plain = expand_reduced(y, shape, dims, keepdim) / a.masked_fill(is_zero, 1)
        local = plain.masked_fill(zeros > 0, 0) + others.masked_fill(~(is_zero & (zeros == 1)), 0)
        return expand_reduced(grad, shape, dims, keepdim) * local, None, None


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


class Amax(Primitive):
    """amax / amin over dims: the gradient is shared evenly among the elements that tie."""

    @staticmethod
    def forward(ctx, a, dims, keepdim, largest):
        xp = array_module(a)
        y = (xp.max if largest else xp.min)(a, axis=dims, keepdims=keepdim)
        ctx.meta = (a.shape, dims, keepdim)
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        a, y = ctx.saved_tensors
        shape, dims, keepdim = ctx.meta
        winners = (a == expand_reduced(y, shape, dims, keepdim)).to(grad.dtype)
        share = winners / winners.sum(dims, keepdim=True)
        return expand_reduced(grad, shape, dims, keepdim) * share, None, None, None


class MaxDim(Primitive):
    """max(dim) / min(dim): values and indices; the gradient goes to the index that won.  The
    indices are an output (not differentiable), and backward reads them from there."""

    @staticmethod
    def forward(ctx, a, dim, keepdim, largest):
        xp = array_module(a)
        scalar = a.ndim == 0
        if scalar:
            a = a.reshape(1)
        indices = (xp.argmax if largest else xp.argmin)(a, axis=dim, keepdims=True)
        values = xp.take_along_axis(a, indices, axis=dim)
        indices = indices.astype(xp.int64, copy=False)
        if scalar or not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        ctx.meta = (a.shape if not scalar else (), dim, keepdim)
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return values, indices

    @staticmethod
    def backward(ctx, grad, _grad_indices):
        indices, = ctx.saved_tensors
        shape, dim, keepdim = ctx.meta
        if shape == ():
            return grad, None, None, None
        if not keepdim:
            grad, indices = grad.unsqueeze(dim), indices.unsqueeze(dim)
        return scatter_add_into_zeros(grad, indices, dim, shape), None, None, None


class ArgExtreme(Primitive):
    """argmax / argmin along one dim (int64 indices, not differentiable)."""
    differentiable = False

    @staticmethod
    def forward(ctx, a, dim, keepdim, largest):
        xp = array_module(a)
        if a.ndim == 0:
            return xp.zeros((), dtype=xp.int64)
        found = (xp.argmax if largest else xp.argmin)(a, axis=dim, keepdims=keepdim)
        return found.astype(xp.int64, copy=False)


class Var(Primitive):
    @staticmethod
    def forward(ctx, a, dims, correction, keepdim):
        ctx.meta = (a.shape, dims, correction, keepdim)
        ctx.save_for_backward(a)
        return _variance(a, dims, correction, keepdim).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        shape, dims, correction, keepdim = ctx.meta
        return expand_reduced(grad, shape, dims, keepdim) * _variance_slope(a, shape, dims,
                                                                            correction), \
            None, None, None


class Std(Primitive):
    """sqrt(var): a primitive of its own, so that a constant input gets a zero gradient, not nan."""

    @staticmethod
    def forward(ctx, a, dims, correction, keepdim):
        ctx.meta = (a.shape, dims, correction, keepdim)
        y = array_module(a).sqrt(_variance(a, dims, correction, keepdim)).astype(a.dtype, copy=False)
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        a, y = ctx.saved_tensors
        shape, dims, correction, keepdim = ctx.meta
        constant = y == 0           # divide by 1 there (no division by zero), then zero it
        outer = (grad / (2 * y.masked_fill(constant, 1))).masked_fill(constant, 0)
        return expand_reduced(outer, shape, dims, keepdim) * _variance_slope(a, shape, dims,
                                                                             correction), \
            None, None, None


def _variance(a, dims, correction, keepdim):
    xp = array_module(a)
    n = reduced_count(a.shape, dims)
    if n - correction <= 0:
        warnings.warn('var(): degrees of freedom is <= 0. Correction should be strictly less than '
                      'the reduction factor (input numel divided by output numel).', stacklevel=6)
        if n == 0:
            return xp.full(reduced_shape(a.shape, dims, keepdim), xp.nan, dtype=a.dtype)
        # PyTorch divides the sum of squared deviations by max(0, n - correction): inf, or nan
        # where that sum is 0
        spread = xp.var(a, axis=dims, keepdims=keepdim)
        return xp.where(spread > 0, xp.inf, xp.nan).astype(a.dtype)
    # float16 is computed in float32 (as PyTorch does): its squares overflow from 256 on
    work = xp.float32 if a.dtype == xp.float16 else None
    return xp.var(a, axis=dims, ddof=correction, keepdims=keepdim, dtype=work)


def _variance_slope(a, shape, dims, correction):
    """d var / d a: 2 (a - mean) / (n - correction), nan where there are no degrees of freedom."""
    n = reduced_count(shape, dims)
    centred = a - a.mean(dims, keepdim=True)
    return centred * (2 / (n - correction) if n - correction > 0 else float('nan'))


class Cumsum(Primitive):
    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        return array_module(a).cumsum(a, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        dim = ctx.dim
        return grad.flip(dim).cumsum(dim).flip(dim), None


class Logical(Primitive):
    """all / any over dims (bool result; uint8 for uint8 input, as in PyTorch; not differentiable)."""
    differentiable = False

    @staticmethod
    def forward(ctx, a, dims, keepdim, every):
        xp = array_module(a)
        found = (xp.all if every else xp.any)(a, axis=dims, keepdims=keepdim)
        return found.astype(a.dtype) if a.dtype == xp.uint8 else found


# --- the public functions --------------------------------------------------------------------
def _integers_as_int64(input, dtype, op):
    """(the tensor to accumulate, the dtype to cast the result to or None): integers and bools
    accumulate as int64, as in PyTorch; dtype= asks for another result dtype (a narrower integer one
    is accumulated in int64 and cast after, as numpy would widen it)."""
    try:
        array_dtype = input._data.dtype
    except AttributeError:
        raise not_a_tensor(op, input) from None
    if dtype is not None:
        target = dtypes.to_dtype(dtype)
        if not target.is_floating_point and target is not dtypes.int64:
            return input.to(dtypes.int64), target
        return input.to(target), None
    if array_dtype.kind in 'biu' and array_dtype != dtypes.int64.np:
        return input.to(dtypes.int64), None
    return input, None


def _as(result, dtype):
    return result if dtype is None else result.to(dtype)


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum over dim (an int, a tuple, or None/() for all); integers sum as int64."""
    input, cast = _integers_as_int64(input, dtype, 'sum')
    return _as(Sum.apply(input, reduction_dims(dim, input.ndim, 'sum'), keepdim), cast)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean over dim (an int, a tuple, or None/() for all); needs a floating point input."""
    if not isinstance(input, Tensor):
        raise not_a_tensor('mean', input)
    if dtype is not None:
        input = input.to(dtypes.to_dtype(dtype))
    if not input.is_floating_point():
        raise RuntimeError(f'mean(): could not infer output dtype: input dtype is {input.dtype}; use '
                           'a floating point tensor (x.float().mean()) or pass dtype=mt.float32')
    return Mean.apply(input, reduction_dims(dim, input.ndim, 'mean'), keepdim)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """The product over dim (an int, or None for all; a tuple of dims too, which PyTorch's prod does
    not take); integers multiply as int64."""
    input, cast = _integers_as_int64(input, dtype, 'prod')
    return _as(Prod.apply(input, reduction_dims(dim, input.ndim, 'prod'), keepdim), cast)


def max(input, dim=None, keepdim=False):
    """max(): the largest element; max(dim): (values, indices) along dim; max(other): maximum."""
    return _max_or_min(input, dim, keepdim, True, 'max')


def min(input, dim=None, keepdim=False):
    """min(): the smallest element; min(dim): (values, indices) along dim; min(other): minimum."""
    return _max_or_min(input, dim, keepdim, False, 'min')


def _max_or_min(input, dim, keepdim, largest, op):
    if isinstance(dim, Tensor):
        return (maximum if largest else minimum)(input, dim)       # max(a, b), elementwise
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError(f'{op}(): Expected reduction dim to be specified for input.numel() '
                               f'== 0 (shape {list(input.shape)}). Specify the reduction dim with '
                               f'the dim argument.')
        return MaxAll.apply(input, largest)
    d = wrap_dim(dim, input.ndim, op)
    _refuse_empty(input, (d,), op)
    values, indices = MaxDim.apply(input, d, keepdim, largest)
    return values_indices(op, values, indices)


def _refuse_empty(input, dims, op):
    for d in dims:
        if input.ndim and input.shape[d] == 0:
            raise IndexError(f'{op}(): Expected reduction dim {d} to have non-zero size (shape '
                             f'{list(input.shape)}): the largest of no values is undefined')


def amax(input, dim=(), keepdim=False):
    """The largest values over dim (an int, a tuple, or () for all); ties share the gradient."""
    return _amax(input, dim, keepdim, True, 'amax')


def amin(input, dim=(), keepdim=False):
    """The smallest values over dim (an int, a tuple, or () for all); ties share the gradient."""
    return _amax(input, dim, keepdim, False, 'amin')


def _amax(input, dim, keepdim, largest, op):
    dims = reduction_dims(dim, input.ndim, op)
    _refuse_empty(input, dims, op)
    return Amax.apply(input, dims, keepdim, largest)


def argmax(input, dim=None, keepdim=False):
    """The index of the largest element along dim (of the flattened tensor when dim is None)."""
    return _arg_extreme(input, dim, keepdim, True, 'argmax')


def argmin(input, dim=None, keepdim=False):
    """The index of the smallest element along dim (of the flattened tensor when dim is None)."""
    return _arg_extreme(input, dim, keepdim, False, 'argmin')


def _arg_extreme(input, dim, keepdim, largest, op):
    if input._data.dtype.kind == 'b':
        raise RuntimeError(f'{op}(): not implemented for bool tensors (as in PyTorch); convert '
                           f'first, e.g. x.int().{op}()')
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError(f'{op}(): Expected reduction dim to be specified for input.numel() '
                               f'== 0.')
        found = ArgExtreme.apply(input.reshape(-1), 0, False, largest)
        return found.reshape((1,) * input.ndim) if keepdim else found
    d = wrap_dim(dim, input.ndim, op)
    _refuse_empty(input, (d,), op)
    return ArgExtreme.apply(input, d, keepdim, largest)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased in (None, True) else 0


def _var_input(input, op):
    if not input.is_floating_point():
        raise RuntimeError(f'{op}(): only floating point tensors have a variance; got {input.dtype}. '
                           f'Convert first, e.g. x.float().{op}()')
    return input


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """The variance over dim, dividing by N - correction (1 by default: Bessel's correction)."""
    if isinstance(dim, bool):           # var(x, False): the old positional `unbiased`
        dim, unbiased = None, dim
    input = _var_input(input, 'var')
    return Var.apply(input, reduction_dims(dim, input.ndim, 'var'),
                     _correction(unbiased, correction), keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """The standard deviation over dim (sqrt of var); a constant input has a zero gradient."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    input = _var_input(input, 'std')
    return Std.apply(input, reduction_dims(dim, input.ndim, 'std'),
                     _correction(unbiased, correction), keepdim)


def all(input, dim=None, keepdim=False):
    """Whether every element (along dim) is nonzero: a bool tensor (uint8 for a uint8 input)."""
    return Logical.apply(input, reduction_dims(dim, input.ndim, 'all'), keepdim, True)


def any(input, dim=None, keepdim=False):
    """Whether any element (along dim) is nonzero: a bool tensor (uint8 for a uint8 input)."""
    return Logical.apply(input, reduction_dims(dim, input.ndim, 'any'), keepdim, False)


def cumsum(input, dim, *, dtype=None):
    """The running sum along dim; integers (and bools) sum as int64."""
    input, cast = _integers_as_int64(input, dtype, 'cumsum')
    if input.ndim == 0:
        wrap_dim(dim, 0, 'cumsum')
        return _as(input.clone(), cast)
    return _as(Cumsum.apply(input, wrap_dim(dim, input.ndim, 'cumsum')), cast)
