"""Choosing between values elementwise: where, masked_fill and clamp."""
from .. import dtypes
from ..tensor import Tensor
from ._grad_utils import sum_to
from .elementwise import Elementwise, module_of, shape_of
from .promotion import promote, operands, explain_broadcast_error


class Where(Elementwise):
    """condition ? a : b, elementwise and broadcast."""
    kernel = '{0} ? {1} : {2}'

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.shapes = (shape_of(condition), shape_of(a), shape_of(b))
        ctx.save_for_backward(condition)
        return module_of((condition, a, b)).where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        condition, = ctx.saved_tensors
        _, sa, sb = ctx.shapes
        need = ctx.needs_input_grad
        return None, (sum_to(masked_fill(grad, ~condition, 0), sa) if need[1] else None), \
            (sum_to(masked_fill(grad, condition, 0), sb) if need[2] else None)


def where(condition, input, other):
    """input where condition is True, other elsewhere (broadcast together; condition is bool)."""
    if not isinstance(condition, Tensor) or condition.dtype is not dtypes.bool_:
        raise TypeError(f'where: condition must be a bool tensor, got '
                        f'{getattr(condition, "dtype", type(condition).__name__)}')
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        from ..creation import full_like
        input = full_like(condition, input, dtype=dtypes.result_type(
            (), (), (dtypes.scalar_category(input), dtypes.scalar_category(other))))
    input, other = promote(*operands(input, other, 'where'), 'where')
    try:
        return Where.apply(condition, input, other)
    except ValueError as error:
        explain_broadcast_error('where', condition, input, error)


def masked_fill(input, mask, value):
    """A copy of input with value (a number or a 0-d tensor) where the bool mask is True."""
    if not isinstance(mask, Tensor) or mask.dtype is not dtypes.bool_:
        raise TypeError(f'masked_fill: mask must be a bool tensor, got '
                        f'{getattr(mask, "dtype", type(mask).__name__)}')
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f'masked_fill: only a 0-d tensor can be the fill value, got shape '
                               f'{list(value.shape)}')
        value = value.to(input.dtype)
    elif not isinstance(value, (int, float, bool)):
        raise TypeError(f'masked_fill: value must be a number or a 0-d tensor, got '
                        f'{type(value).__name__}')
    elif not input.is_floating_point():
        value = input._data.dtype.type(value).item()
    try:
        return Where.apply(mask, value, input)
    except ValueError as error:
        explain_broadcast_error('masked_fill', mask, input, error)


class Clamp(Elementwise):
    """input limited to [low, high] (Python numbers, either may be None)."""
    kernel = 'min(max({0}, {1}), {2})'

    @staticmethod
    def forward(ctx, a, low, high):
        ctx.save_for_backward(a)
        ctx.bounds = (low, high)
        xp = module_of((a,))
        if high is None:        # maximum/minimum are several times faster than clip in numpy
            return xp.maximum(a, low).astype(a.dtype, copy=False)
        if low is None:
            return xp.minimum(a, high).astype(a.dtype, copy=False)
        return xp.minimum(xp.maximum(a, low), high).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        low, high = ctx.bounds
        inside = None
        if low is not None:
            inside = a >= low
        if high is not None:
            inside = (a <= high) if inside is None else inside & (a <= high)
        return grad.masked_fill(~inside, 0), None, None


class ClampByTensors(Elementwise):
    """input limited by tensor bounds (broadcast); None for a missing bound.  Where low > high the
    result is high, as in PyTorch."""

    @staticmethod
    def forward(ctx, a, low, high):
        xp = module_of((a,))
        ctx.shapes = (a.shape, shape_of(low), shape_of(high))
        ctx.save_for_backward(a, low, high)
        out = a if low is None else xp.maximum(a, low)
        return out if high is None else xp.minimum(out, high)

    @staticmethod
    def backward(ctx, grad):
        a, low, high = ctx.saved_tensors
        sa, sl, sh = ctx.shapes
        need = ctx.needs_input_grad
        keep = None             # where the input itself came through: low <= a <= high
        if low is not None:
            keep = a >= low
        if high is not None:
            keep = (a <= high) if keep is None else keep & (a <= high)
        grad_a = sum_to(grad.masked_fill(~keep, 0), sa) if need[0] else None
        grad_low = grad_high = None
        if low is not None and need[1]:
            won = (low > a) if high is None else (low > a) & ~(low > high)
            grad_low = sum_to(grad.masked_fill(~won, 0), sl)
        if high is not None and need[2]:
            won = (high < a) if low is None else (high < a) | (high < low)
            grad_high = sum_to(grad.masked_fill(~won, 0), sh)
        return grad_a, grad_low, grad_high


def clamp(input, min=None, max=None):
    """input limited to [min, max] elementwise (alias: clip); min/max are numbers or tensors."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of 'min' or 'max' must not be None")
    for name, bound in (('min', min), ('max', max)):
        if bound is not None and not isinstance(bound, (Tensor, int, float)):
            raise TypeError(f'clamp: {name} must be a number or a tensor, got '
                            f'{type(bound).__name__} {bound!r}')
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _clamp_by_tensors(input, min, max)
    if not input.is_floating_point() and (isinstance(min, float) or isinstance(max, float)):
        input = input.to(dtypes.default_float())
    return Clamp.apply(input, min, max)


def _clamp_by_tensors(input, low, high):
    common = input
    bounds = []
    for bound in (low, high):
        if bound is not None and not isinstance(bound, Tensor):
            from ..creation import tensor
            bound = tensor(bound, dtype=input.dtype, device=input.device)
        bounds.append(bound)
    for bound in bounds:
        if bound is not None:
            common, _ = promote(common, bound, 'clamp')
    dtype = common.dtype
    input = input.to(dtype)
    low, high = (b.to(dtype) if b is not None else None for b in bounds)
    try:
        return ClampByTensors.apply(input, low, high)
    except ValueError as error:
        explain_broadcast_error('clamp', input, low if low is not None else high, error)
