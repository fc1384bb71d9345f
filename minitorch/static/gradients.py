"""Gradients in a graph: traced, not re-derived.

`gradients(ys, xs)` runs autograd.grad while the graph is being built, so the backward graph is made
of the same backward rules eager mode runs: each rule's tensor ops are recorded as nodes like any
others.  Inside `with mt.static.Graph()` the call is remembered, so that a graph specialised for new
placeholder shapes traces its gradients again.
"""
from ..autograd.api import grad as autograd_grad
from ..tensor import Tensor
from .errors import StaticError


def gradients(ys, xs, grad_ys=None):
    """The gradients of sum(ys) with respect to each of xs (tf.gradients): a list with one tensor
    (or None, when x does not affect ys) per x.  xs are Variables, parameters, placeholders of a
    floating point dtype, or arguments of a traced function that require grad."""
    from .graph_api import _CURRENT
    ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
    xs = list(xs) if isinstance(xs, (list, tuple)) else [xs]
    for i, x in enumerate(xs):
        if not isinstance(x, Tensor) or not x.requires_grad:
            raise StaticError(f'gradients: xs[{i}] {_describe(x)} does not require grad, so no '
                              f'gradient flows to it; use Variables, float placeholders, or tensors '
                              f'with requires_grad=True')
    if grad_ys is None:
        from ..creation import ones_like
        grad_ys = [ones_like(y) for y in ys]
    graph = _CURRENT[-1] if _CURRENT else None
    start = len(graph.ir.nodes) if graph is not None else None
    found = autograd_grad(ys, xs, grad_outputs=grad_ys, allow_unused=True)
    if graph is not None:             # remembered by value, to be traced again for new shapes
        values = [[None if t is None else graph.value(t, 'a gradient') for t in ts]
                  for ts in (ys, xs, grad_ys, found)]
        graph.gradient_calls.append((start, len(graph.ir.nodes), *values))
    return list(found)


def _describe(x):
    if isinstance(x, Tensor):
        return f'({x.name or "a tensor"} of shape {list(x.shape)}, {x.dtype})'
    return f'({type(x).__name__})'
