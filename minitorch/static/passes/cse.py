"""Common-subexpression elimination: two nodes that apply the same op with the same attributes to
the same values compute the same thing; the second is dropped and its results read the first's."""
import numpy as np

from ..ir import In
from .rewrite import is_pure, substitute


def eliminate_common_subexpressions(graph):
    """A new Graph without repeated computations; report {'removed': n}."""
    seen, mapping, kept, removed = {}, {}, [], 0
    for node in graph.nodes:
        inputs = tuple(mapping.get(v, v) for v in node.inputs)
        key = _key(node, inputs) if is_pure(node.op) and node.outputs else None
        earlier = seen.get(key) if key is not None else None
        if earlier is not None:
            for old, new in zip(node.outputs, earlier.outputs):
                mapping[old] = new
            removed += 1
            continue
        if key is not None:
            seen[key] = node
        kept.append(node)
    return substitute(graph, mapping, kept), {'removed': removed}


def _key(node, inputs):
    try:
        args = tuple(('in', inputs[a.i].id) if type(a) is In else _hashable(a) for a in node.args)
        kwargs = tuple(sorted((k, _hashable(v)) for k, v in node.kwargs.items()))
        key = (node.op, args, kwargs)
        hash(key)
        return key
    except TypeError:
        return None


def _hashable(a):
    if isinstance(a, np.ndarray) or (hasattr(a, 'shape') and hasattr(a, 'dtype')):
        return ('array', id(a))
    if isinstance(a, (list, tuple)):
        return (type(a).__name__,) + tuple(_hashable(x) for x in a)
    if isinstance(a, float):
        return ('float', repr(a))           # 0.0 and -0.0 differ, nan equals nan
    return (type(a).__name__, a)
