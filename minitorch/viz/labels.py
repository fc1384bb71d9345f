"""Text on the boxes: tensor descriptions, gradient lines, small values."""
import numpy as np

from ..autograd.node import AccumulateGrad

MAX_VALUES = 16


def shape_text(shape):
    return '(' + ', '.join(str(s) for s in shape) + (',)' if len(shape) == 1 else ')')


def meta_text(shape, dtype, device):
    return f'{shape_text(shape)} {np.dtype(dtype).name} {device}'


def number(x):
    return f'{x:.3g}'


def values_text(tensor, limit):
    """The values of a small tensor, row by row; None if it has more than `limit` elements."""
    if tensor is None or tensor.numel() > limit:
        return None
    array = np.asarray(tensor._host())
    fmt = (lambda v: 'T' if v else 'F') if array.dtype == np.bool_ else \
        (str if array.dtype.kind in 'iu' else number)
    if array.ndim == 0:
        return '= ' + fmt(array.item())
    if array.ndim == 1:
        return '= [' + ', '.join(fmt(v) for v in array.tolist()) + ']'
    rows = array.reshape(-1, array.shape[-1]).tolist()
    return '\n'.join(('= [' if i == 0 else '   [') + ', '.join(fmt(v) for v in row) + ']'
                     for i, row in enumerate(rows))


def grad_text(tensor):
    grad = tensor._grad if tensor is not None else None
    if grad is None:
        return None
    values = np.asarray(grad._host(), dtype=np.float64)
    if values.size == 1:                # a number: its value, sign included
        return f'grad {number(float(values.reshape(())))}'
    norm = float(np.linalg.norm(values))
    return f'grad {shape_text(grad.shape)} ‖g‖={number(norm)}'


def op_name(node):
    if isinstance(node, AccumulateGrad):
        return 'AccumulateGrad'
    return node._fn.__name__


def is_custom(node):
    fn = getattr(node, '_fn', None)
    return fn is not None and not (fn.__module__ or '').startswith('minitorch.')


def saved_lines(entry, names=None):
    """Describe one entry of node._saved (see autograd/node.py); `names` maps id(tensor) -> name."""
    kind = entry[0]
    if kind == 'input':
        t = entry[1]
        name = t.name or (names or {}).get(id(t))
        head = f'saved input{": " + name if name else ""}'
        return [head, meta_text(t._data.shape, t._data.dtype, t._device)]
    if kind == 'output':
        data, device = entry[2], entry[5]
        return [f'saved output {entry[1]}', meta_text(data.shape, data.dtype, device)]
    value = entry[1]
    if hasattr(value, '_data'):
        return ['saved', meta_text(value._data.shape, value._data.dtype, value._device)]
    return ['saved', f'{type(value).__name__} {value!r}'[:40]]
