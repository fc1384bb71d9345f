"""Bytes an op allocates (its outputs that are not views of its inputs) and bytes its graph node holds
for backward (the arrays saved with ctx.save_for_backward, and arrays kept as ctx attributes)."""
from ..tensor import Tensor

_PLAIN = frozenset([int, float, bool, str, type(None), slice, type(Ellipsis)])


def _root(array):
    """The array that owns the memory of array (array itself unless it is a view)."""
    base = getattr(array, 'base', None)
    while base is not None and base is not array:      # a numpy dtype's .base is itself
        array, base = base, getattr(base, 'base', None)
    return array


def allocated_bytes(outputs, inputs):
    """nbytes of the outputs, leaving out views of an input's memory (reshape, slicing, out=) and
    an input returned as it is."""
    if outputs is None:
        return 0
    if type(outputs) is not tuple:
        outputs = (outputs,)
    total = 0
    for out in outputs:
        data = out._data if isinstance(out, Tensor) else out
        nbytes = getattr(data, 'nbytes', 0)
        if nbytes and not _shares_an_input(_root(data), inputs):
            total += nbytes
    return total


def _shares_an_input(root, inputs):
    for a in inputs:
        if type(a) in _PLAIN or not (isinstance(a, Tensor) or hasattr(a, 'nbytes')):
            continue
        data = a._data if isinstance(a, Tensor) else a
        if data is root or _root(data) is root:
            return True
    return False


def saved_bytes(outputs):
    """The bytes the node that made `outputs` keeps for backward (0 when nothing was recorded)."""
    first = outputs[0] if type(outputs) is tuple and outputs else outputs
    node = getattr(first, 'grad_fn', None) if isinstance(first, Tensor) else None
    if node is None:
        return 0
    return node_saved_bytes(node)


def node_saved_bytes(node):
    """Bytes of the arrays a graph node holds: its saved tensors (see autograd/node.py's _resolve:
    ('input', tensor, version), ('output', nr, array, ...), ('const', tensor or number)) and arrays
    kept as ctx attributes (index arrays, masks)."""
    total = 0
    for entry in getattr(node, '_saved', None) or ():
        if entry is None:
            continue
        kind = entry[0]
        if kind == 'input':
            total += entry[1]._data.nbytes
        elif kind == 'output':
            total += entry[2].nbytes
        elif isinstance(entry[1], Tensor):
            total += entry[1]._data.nbytes
    for value in getattr(node, '__dict__', {}).values():
        total += _array_bytes(value)
    return total


def _array_bytes(value):
    kind = type(value)
    if kind in _PLAIN:
        return 0
    if kind is tuple or kind is list:
        total = 0
        for v in value:
            if type(v) not in _PLAIN:
                total += _array_bytes(v)
        return total
    if isinstance(value, Tensor) or not hasattr(value, 'shape'):
        return 0
    return getattr(value, 'nbytes', 0)
