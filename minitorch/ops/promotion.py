"""Bring a binary op's operands to one dtype (PyTorch's rules), then apply its primitive.

PyTorch, not numpy, decides result dtypes: bool < integer < floating; a dimensioned tensor outranks a
0-d tensor, which outranks a Python number, and a lower-ranked operand only matters when it is of a
higher category (int32 tensor + 2.5 -> float32; float16 tensor + float64 0-d tensor -> float16).
"""
import numpy as np

from .. import dtypes
from ..tensor import Tensor
from .shape_checks import broadcast_shape

_NUMBER = (int, float, bool)


def binary(fn, a, b, op, slow=None):
    """fn.apply on a and b (tensors or Python numbers) after promotion, with a clear broadcast error.

    slow(a, b), when given, sees the operands (before promotion) of every call that misses the fast
    path (a float tensor with a same-dtype tensor or a Python number): it raises for inputs the op
    refuses (bools, say) or returns the result itself; None goes on to promotion and fn.apply."""
    # fast paths first: a float tensor with a same-dtype tensor or a Python number (the array
    # module's weak scalars then give PyTorch's result dtype without any casting)
    if isinstance(a, Tensor):
        if a._data.dtype.kind == 'f' and (type(b) is float or type(b) is int or (
                isinstance(b, Tensor) and b._data.dtype == a._data.dtype)):
            return apply_binary(fn, a, b, op)
    elif (type(a) is float or type(a) is int) and isinstance(b, Tensor) and \
            b._data.dtype.kind == 'f':
        return apply_binary(fn, a, b, op)
    a, b = operands(a, b, op)
    if slow is not None:
        result = slow(a, b)
        if result is not None:
            return result
    a, b = promote(a, b, op)
    return apply_binary(fn, a, b, op)


def operands(a, b, op):
    """(a, b) with numpy scalars as Python numbers and arrays/lists as tensors on the other's device."""
    if not isinstance(a, Tensor):
        a = as_operand(a, b, op)
    if not isinstance(b, Tensor):
        b = as_operand(b, a, op)
    return a, b


def apply_binary(fn, a, b, op):
    try:
        return fn.apply(a, b)
    except ValueError as error:
        explain_broadcast_error(op, a, b, error)


def as_operand(value, like, op):
    """A Tensor or a Python number; numpy scalars act as Python numbers, and numpy arrays and lists
    become tensors on `like`'s device."""
    if isinstance(value, Tensor) or type(value) in _NUMBER:
        return value
    if isinstance(value, np.generic) or (hasattr(value, 'dtype') and
                                         getattr(value, 'ndim', None) == 0):
        return value.item()
    if isinstance(value, (list, tuple)) or hasattr(value, '__array__'):
        from ..creation import tensor
        return tensor(value, device=like.device if isinstance(like, Tensor) else None)
    raise TypeError(f'{op}: unsupported operand type {type(value).__name__}; expected a Tensor or a '
                    f'Python number')


def promote(a, b, op):
    """(a, b) cast to their common dtype; at least one is a Tensor."""
    a_is, b_is = isinstance(a, Tensor), isinstance(b, Tensor)
    if a_is and b_is:
        a_kind, b_kind = a._data.dtype.kind, b._data.dtype.kind
        if a._data.dtype == b._data.dtype or (a_kind == 'b' and b_kind == 'f') or \
                (b_kind == 'b' and a_kind == 'f'):
            return a, b         # the array module already gives PyTorch's result dtype
        target = result_dtype(a, b)
        return cast(a, target), cast(b, target)
    tensor, scalar = (a, b) if a_is else (b, a)
    if not a_is and not b_is:
        raise TypeError(f'{op}: expected at least one tensor, got {type(a).__name__} and '
                        f'{type(b).__name__}')
    category = dtypes.scalar_category(scalar)
    if category > dtypes.FROM_NUMPY[tensor._data.dtype].category:
        target = dtypes.default_float() if category == 2 else dtypes.int64
        tensor = cast(tensor, target)
    elif category == 1 and tensor._data.dtype.kind in 'iu':
        scalar = wrapped(scalar, tensor._data.dtype)
    return (tensor, scalar) if a_is else (scalar, tensor)


def wrapped(value, np_dtype):
    """A Python int as the integer dtype holds it: out-of-range values wrap around, as PyTorch casts
    a number to the tensor's dtype (uint8 tensor - 1 wraps, where numpy would refuse the -1)."""
    info = np.iinfo(np_dtype)
    if info.min <= value <= info.max:
        return value
    span = 1 << info.bits
    return (value - info.min) % span + info.min


def result_dtype(*operands):
    """The dtype PyTorch gives an op on the operands (tensors or Python numbers)."""
    dims, zero_dims, scalars = [], [], []
    for t in operands:
        if isinstance(t, Tensor):
            (dims if t._data.ndim else zero_dims).append(dtypes.FROM_NUMPY[t._data.dtype])
        else:
            scalars.append(dtypes.scalar_category(t))
    return dtypes.result_type(dims, zero_dims, scalars)


def cast(t, target):
    return t if t._data.dtype == target.np else t.to(target)


def explain_broadcast_error(op, a, b, error):
    """Called when the array module refused to broadcast: raise our message, or the original."""
    shapes = [tuple(getattr(x, 'shape', ())) for x in (a, b)]
    broadcast_shape(op, *shapes)
    raise error
