"""Specialisation: the recorded graph run again on stand-ins of new placeholder shapes.

A hand-built graph records concrete ops (with the stand-in sizes of its None dims); backward rules
bake shapes in too (a mean divides by the batch size).  For new feed shapes, each recorded forward op
is applied again to stand-ins of the new shapes, and each gradients() call is traced again, under a
new tracer: the result is the graph for those shapes.  An op whose attributes baked in a size that
came from a None dim (`x.view(x.size(0), -1)`, `mt.zeros(x.shape[0], 8)`) cannot follow: that is
reported with the op and what to write instead.
"""
import numpy as np

from ..autograd import grad_mode
from ..autograd.api import grad as autograd_grad
from ..autograd.dispatch import report_new_tensor
from ..backend import CPU
from ..tensor import Tensor
from .errors import StaticError
from .ir import Graph as IRGraph, In
from .naming import StateNamer
from .slots import TensorSlot
from .trace import Tracer


def specialize(graph, shapes):
    """(IR graph for these placeholder shapes {name: shape}, map from build-time values to it)."""
    old = graph.ir
    ir = IRGraph(old.name)
    tracer = Tracer(ir, StateNamer())
    tensors = {}                                     # build-time Value -> tensor of the new trace

    def tensor_for(v):
        found = tensors.get(v)
        if found is not None:
            return found
        if v.kind == 'state' and isinstance(v.slot, TensorSlot):
            return v.slot.tensor
        if v.kind == 'const':
            t = tensors[v] = report_new_tensor(Tensor._make(v.const, v.device))
            return t
        raise StaticError(f'specialising graph {graph.name!r}: value {v.name or v.id} has no '
                          f'counterpart (it comes from a gradient that was not traced again)')

    with tracer, np.errstate(all='ignore'):
        for p in graph.placeholders:
            tensors[p.value] = tracer.new_input(shapes[p.name], p.dtype.np, CPU, p.name,
                                                p.tensor._requires_grad)
        calls = {start: call for call in graph.gradient_calls for start in [call[0]]}
        index = 0
        while index < len(old.nodes):
            call = calls.get(index)
            if call is not None:
                index = _gradients_again(call, tensor_for, tensors, graph)
                continue
            _apply_again(old.nodes[index], tensor_for, tensors, graph, shapes)
            index += 1
    values = {v: tracer.values.get(id(t._data)) for v, t in tensors.items()}
    return ir, (lambda v: v if v is None or v.kind == 'state' else values.get(v) or
                _missing(graph, v))


def _apply_again(node, tensor_for, tensors, graph, shapes):
    args = [tensor_for(node.inputs[a.i]) if type(a) is In else a for a in node.args]
    enabled = (node.note or {}).get('grad', True)
    try:
        with grad_mode.set_grad_enabled(enabled):
            result = node.op.apply(*args, **node.kwargs)
    except Exception as error:
        raise StaticError(
            f'specialising graph {graph.name!r} for {_describe(shapes)} failed at {node.name}'
            f'{" in " + node.scope if node.scope else ""}: {error}. An op baked in a size that came '
            f'from a None dim of a placeholder (for example x.view(x.size(0), -1) or '
            f'mt.zeros(x.shape[0], ...)); write shapes the graph can follow (x.reshape(-1, ...), '
            f'x.flatten(1), mt.zeros_like(...)) or give the placeholder a fixed size.') from error
    results = result if node.multi else (result,)
    for v, t in zip(node.outputs, results if result is not None else ()):
        tensors[v] = t


def _gradients_again(call, tensor_for, tensors, graph):
    start, end, ys, xs, grad_ys, found = call
    new_ys = [tensor_for(y) for y in ys]
    new_xs = [tensor_for(x) for x in xs]
    new_grad_ys = [tensor_for(g) for g in grad_ys]
    with grad_mode.enable_grad():
        grads = autograd_grad(new_ys, new_xs, grad_outputs=new_grad_ys, allow_unused=True)
    for old, new in zip(found, grads):
        if old is not None and new is not None:
            tensors[old] = new
    return end


def _describe(shapes):
    return ', '.join(f'{name}: {shape}' for name, shape in shapes.items())


def _missing(graph, v):
    raise StaticError(f'specialising graph {graph.name!r}: value {v.name or v.id} was not computed '
                      f'again')
