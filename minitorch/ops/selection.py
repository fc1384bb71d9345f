"""Choosing between values elementwise: where, masked_fill and clamp."""
import numpy as np

from .. import dtypes
from ..tensor import Tensor, has_values
from ._grad_utils import sum_to
from .elementwise import Elementwise, module_of, shape_of
from .promotion import promote, operands, explain_broadcast_error, result_dtype
from .shape_checks import broadcast_shape


class Where(Elementwise):
    """condition ? a : b, elementwise and broadcast."""
    kernel = '{0} ? {1} : {2}'

    @staticmethod
    def forward(ctx, condition, a, b):
        if getattr(ctx, 'next_functions', None) is not None:    # only a recorded call has a backward
            ctx.shapes = (shape_of(a), shape_of(b))
            ctx.save_for_backward(condition)
        return module_of((condition, a, b)).where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        condition, = ctx.saved_tensors
        sa, sb = ctx.shapes
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
        input = full_like(condition, input, dtype=result_dtype(input, other))
    input, other = operands(input, other, 'where')
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        target = result_dtype(input, other)         # the dtype a number must fit
        for value in (input, other):
            if not isinstance(value, Tensor):
                fits(value, target, 'where', check_floats=False)
    input, other = promote(input, other, 'where')
    try:
        return Where.apply(condition, input, other)
    except ValueError as error:
        broadcast_shape('where', shape_of(condition), shape_of(input), shape_of(other))
        raise error


def fits(value, dtype, op, check_floats=True):
    """Refuse a Python number that dtype cannot hold, as PyTorch's checked conversion does (an
    unsigned dtype takes negative ints down to -max, which wrap); floats are checked against a
    float dtype's range only where check_floats."""
    if type(value) is bool or value != value and dtype.category == 2:
        return
    if dtype.category == 1:
        info = np.iinfo(dtype.np)
        low = -info.max if info.min == 0 and type(value) is int else info.min
        if value != value or not low <= value <= info.max:
            raise RuntimeError(f'{op}: value {value} cannot be converted to {dtype} without '
                               f'overflow (it holds {info.min} to {info.max})')
    elif dtype.category == 2 and check_floats and abs(value) != float('inf'):
        top = float(np.finfo(dtype.np).max)
        if abs(value) > top:
            raise RuntimeError(f'{op}: value {value} cannot be converted to {dtype} without '
                               f'overflow (it holds -{top:g} to {top:g})')


def as_value(value, np_dtype):
    """A Python number as np_dtype holds it (ints wrap, floats truncate towards zero)."""
    return np.array(value).astype(np_dtype).item()


def masked_fill(input, mask, value):
    """A copy of input with value (a number or a 0-d tensor) where the bool mask is True."""
    if not isinstance(mask, Tensor) or mask.dtype is not dtypes.bool_:
        raise TypeError(f'masked_fill: mask must be a bool tensor, got '
                        f'{getattr(mask, "dtype", type(mask).__name__)}')
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f'masked_fill: only a 0-d tensor can be the fill value, got shape '
                               f'{list(value.shape)}')
        if has_values(value):       # a traced graph's value is known only when it runs
            fits(value.item(), input.dtype, 'masked_fill')
        value = value.to(input.dtype)
    elif not isinstance(value, (int, float, bool)):
        raise TypeError(f'masked_fill: value must be a number or a 0-d tensor, got '
                        f'{type(value).__name__}')
    else:
        fits(value, input.dtype, 'masked_fill')
        if not input.is_floating_point():
            value = as_value(value, input._data.dtype)
    try:
        return Where.apply(mask, value, input)
    except ValueError as error:
        explain_broadcast_error('masked_fill', mask, input, error)


class Clamp(Elementwise):
    """input limited to [low, high] (Python numbers, either may be None)."""
    kernel = 'min(max({0}, {1}), {2})'

    @staticmethod
    def compute(a, low, high):
        """The clamped array (what forward returns; compiled graphs call this directly)."""
        xp = module_of((a,))
        if high is None:        # maximum/minimum are several times faster than clip in numpy
            return xp.maximum(a, low).astype(a.dtype, copy=False)
        if low is None:
            return xp.minimum(a, high).astype(a.dtype, copy=False)
        return xp.minimum(xp.maximum(a, low), high).astype(a.dtype, copy=False)

    @staticmethod
    def forward(ctx, a, low, high):
        ctx.save_for_backward(a)
        ctx.bounds = (low, high)
        return Clamp.compute(a, low, high)

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        low, high = ctx.bounds
        inside = None
        if low is not None:
            inside = a >= low
        if high is not None:
            inside = (a <= high) if inside is None else inside & (a <= high)
        return where(inside, grad, 0), None, None      # one op where masked_fill(~inside) takes two


class ClampByTensors(Elementwise):
    """input limited by tensor bounds (broadcast); None for a missing bound.  Where low > high the
    result is high, as in PyTorch."""

    @staticmethod
    def forward(ctx, a, low, high):
        xp = module_of((a,))
        ctx.save_for_backward(a, low, high)
        out = a if low is None else xp.maximum(a, low)
        return out if high is None else xp.minimum(out, high)

    @staticmethod
    def backward(ctx, grad):
        a, low, high = ctx.saved_tensors
        need = ctx.needs_input_grad
        keep = None             # where the input itself came through: low <= a <= high
        if low is not None:
            keep = a >= low
        if high is not None:
            keep = (a <= high) if keep is None else keep & (a <= high)
        grad_a = sum_to(where(keep, grad, 0), shape_of(a)) if need[0] else None
        grad_low = grad_high = None
        if low is not None and need[1]:
            won = (low > a) if high is None else (low > a) & ~(low > high)
            grad_low = sum_to(where(won, grad, 0), shape_of(low))
        if high is not None and need[2]:
            won = (high < a) if low is None else (high < a) | (high < low)
            grad_high = sum_to(where(won, grad, 0), shape_of(high))
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
    if not input.is_floating_point() or type(min) is bool or type(max) is bool:
        input = _clamped_dtype(input, min, max)
        min, max = (None if b is None else _bound(b, input.dtype) for b in (min, max))
    return Clamp.apply(input, min, max)


def _clamped_dtype(input, low, high):
    """input cast to the dtype of clamp(input, numbers), by PyTorch's promotion (bool with an int
    bound gives int64, an int tensor with a float bound float32); bounds must fit it."""
    numbers = [b for b in (low, high) if b is not None]
    target = result_dtype(input, *numbers)
    if target is dtypes.bool_:
        raise NotImplementedError('clamp: not implemented for bool tensors with bool bounds (as in '
                                  'PyTorch); convert first, e.g. x.int()')
    for b in numbers:
        fits(b, target, 'clamp')
    return input if target is input.dtype else input.to(target)


def _bound(value, dtype):
    """A number bound as the (integer) dtype holds it: -8 for uint8 is 248, as in PyTorch."""
    return as_value(value, dtype.np) if type(value) is int and dtype.category == 1 else value


def _clamp_by_tensors(input, low, high):
    """clamp with a tensor bound: the three promote together (a number bound as a Python number)."""
    present = [b for b in (low, high) if b is not None]
    tensors = [input] + [b for b in present if isinstance(b, Tensor)]
    target = result_dtype(input, *present)
    broadcast_shape('clamp', *[tuple(t.shape) for t in tensors])
    bounds = []
    for bound in (low, high):
        if bound is not None and not isinstance(bound, Tensor):
            from ..creation import tensor
            fits(bound, target, 'clamp')
            bound = tensor(_bound(bound, target), dtype=target, device=input.device)
        bounds.append(None if bound is None else bound.to(target))
    return ClampByTensors.apply(input.to(target), *bounds)
