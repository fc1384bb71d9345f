"""Named results, as PyTorch's torch.return_types: `values, indices = x.max(dim=1)`."""
from collections import namedtuple

_TYPES = {}


def values_indices(op, values, indices):
    """A named tuple (values, indices) of a type named after op ('max', 'sort', ...), made once per
    op, as torch.return_types.max and its kin."""
    kind = _TYPES.get(op)
    if kind is None:
        kind = _TYPES[op] = namedtuple(op, ['values', 'indices'])
        kind.__doc__ = f'What {op} returns: a named tuple (values, indices).'
    return kind(values, indices)
