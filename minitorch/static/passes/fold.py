"""Constant folding: a node whose inputs are all constants is computed once, at compile time.

Never folded: state (Variables, parameters: they change between runs), random draws (each run
draws anew) and checks (they must run)."""
import numpy as np

from ...ops.elementwise import module_of
from ..codegen import forward_of
from ..ir import In, Value
from .rewrite import is_pure, substitute


def fold_constants(graph, max_bytes=1 << 24):
    """A new Graph with constant subexpressions replaced by their values; report {'folded': n}."""
    mapping, kept, folded = {}, [], 0
    for node in graph.nodes:
        inputs = [mapping.get(v, v) for v in node.inputs]
        foldable = (is_pure(node.op) and all(v.kind == 'const' for v in inputs) and node.outputs
                    and sum(v.nbytes for v in node.outputs) <= max_bytes)
        if not foldable:
            kept.append(node)
            continue
        args = [inputs[a.i].const if type(a) is In else a for a in node.args]
        result = forward_of(node.op)(*args, **node.kwargs)
        results = result if node.multi else (result,)
        for old, array in zip(node.outputs, results):
            if isinstance(array, np.generic) or not hasattr(array, 'shape'):   # 0-d as scalars
                array = module_of([v.const for v in inputs]).asarray(array)
            mapping[old] = Value(old.shape, old.dtype, old.device, 'const', const=array)
        folded += 1
    return substitute(graph, mapping, kept), {'folded': folded}
