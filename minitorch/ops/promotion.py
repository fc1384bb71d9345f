"""Bring a binary op's operands to one dtype (PyTorch's rules) and check they can broadcast."""
from .. import dtypes
from ..tensor import Tensor
from .shape_checks import broadcast_shape

_NUMBER = (int, float, bool)


def as_operand(value, like, op):
    """A Tensor or a Python number; numpy arrays and lists become tensors on `like`'s device."""
    if isinstance(value, Tensor) or type(value) in _NUMBER:
        return value
    if hasattr(value, 'dtype') and getattr(value, 'ndim', None) == 0:
        return value.item()          # numpy scalars act as Python numbers
    if isinstance(value, (list, tuple)) or hasattr(value, '__array__'):
        from ..creation import tensor
        return tensor(value, device=like.device)
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
        target = _tensor_pair_type(a, b)
        return _cast(a, target), _cast(b, target)
    tensor, scalar = (a, b) if a_is else (b, a)
    category = dtypes.scalar_category(scalar)
    if category > dtypes.FROM_NUMPY[tensor._data.dtype].category:
        target = dtypes.default_float() if category == 2 else dtypes.int64
        tensor = _cast(tensor, target)
    return (tensor, scalar) if a_is else (scalar, tensor)


def _tensor_pair_type(a, b):
    dims, zero_dims = [], []
    for t in (a, b):
        (dims if t._data.ndim else zero_dims).append(dtypes.FROM_NUMPY[t._data.dtype])
    return dtypes.result_type(dims, zero_dims, ())


def _cast(t, target):
    return t if t._data.dtype == target.np else t.to(target)


def explain_broadcast_error(op, a, b, error):
    """Called when the array module refused to broadcast: raise our message, or the original."""
    shapes = [tuple(getattr(x, 'shape', ())) for x in (a, b)]
    broadcast_shape(op, *shapes)
    raise error
