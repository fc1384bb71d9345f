"""A sub-graph: what a loop or branch runs, traced once from a Python function.

Body(name, fn, specs) calls fn on symbolic tensors of the given (shape, dtype, device, requires_grad)
specs under an isolated tracer (its ops go to the sub-graph only).  Tensors fn reads from outside
(captured: weights, outer values) become extra inputs, listed in `captured`, so the node that runs
the body receives them as explicit inputs and gradients flow to them.  `vjp_compiled` traces, the
first time it is needed, the body's vector-Jacobian product with autograd (the same backward rules).
"""
import itertools

import numpy as np

from ..autograd import grad_mode
from ..autograd.api import grad as autograd_grad
from ..tensor import Tensor
from .codegen import Compiled
from .errors import StaticError
from .ir import Graph as IRGraph, Value
from .slots import TensorSlot
from .trace import Tracer

_IDS = itertools.count(1)


class Body:
    def __init__(self, name, fn, specs, differentiable=False):
        self.name, self.fn, self.specs, self.differentiable = name, fn, list(specs), differentiable
        self.graph, self.captured, self.returned_tuple = self._trace()
        self._compiled, self._vjp, self._vjp_compiled = {}, None, {}

    @property
    def outputs(self):
        """The Values the body returns."""
        return self.graph.outputs

    def __repr__(self):
        return self.graph.name

    # --- tracing ------------------------------------------------------------------------------
    def _trace(self, with_grads=False, captured=None):
        graph = IRGraph(f'{self.name}#{next(_IDS)}')
        tracer = Tracer(graph, isolated=True)
        inputs = [_symbolic(tracer, spec, f'in{i}', with_grads)
                  for i, spec in enumerate(self.specs)]
        with tracer, np.errstate(all='ignore'), grad_mode.set_grad_enabled(with_grads or
                                                                         grad_mode.is_grad_enabled()):
            out = self.fn(*inputs)
            returned_tuple = isinstance(out, (tuple, list))
            outs = list(out) if returned_tuple else [out]
            for o in outs:
                if not isinstance(o, Tensor):
                    raise StaticError(f'{self.name}: the function must return tensors, got '
                                      f'{type(o).__name__}')
            grads = self._vjp_outputs(graph, tracer, inputs, outs, captured) if with_grads else None
            tracer.finish(grads if with_grads else outs)
        if graph.writes:
            raise StaticError(f'{self.name}: a loop body or branch cannot change state (it wrote '
                              f'{graph.writes[0].slot}); return the new values instead')
        found = _state_as_inputs(graph, captured)
        return graph, found, returned_tuple

    def _vjp_outputs(self, graph, tracer, inputs, outs, captured):
        """Trace the gradients of outs (weighted by new inputs g) for every input and capture."""
        gs = [_symbolic(tracer, (tuple(o.shape), o._data.dtype, o._device, False), f'g{i}')
              for i, o in enumerate(outs)]
        wrt = inputs + list(captured)
        differentiable = [t for t in wrt if t.requires_grad]
        found = autograd_grad(outs, differentiable, grad_outputs=gs, allow_unused=True) \
            if differentiable else ()
        by_id = {id(t): g for t, g in zip(differentiable, found)}
        from ..creation import zeros_like
        return [by_id.get(id(t)) if by_id.get(id(t)) is not None else zeros_like(t) for t in wrt]

    # --- compiled forms -----------------------------------------------------------------------
    def compiled(self, xp):
        """The body as a function of arrays (inputs, then captured) -> (outputs, writes)."""
        return _compiled_once(self._compiled, self.graph, xp, 'body')

    def vjp_compiled(self, xp):
        """The vector-Jacobian product as a function of arrays (inputs, captured, output grads) ->
        (gradients of the inputs and of the captured tensors, writes)."""
        if self._vjp is None:
            if not self.differentiable:
                raise StaticError(f'{self.name} is not differentiable')
            self._vjp, _, _ = self._trace(with_grads=True, captured=self.captured)
        return _compiled_once(self._vjp_compiled, self._vjp, xp, 'vjp')


def _compiled_once(cache, graph, xp, name):
    """graph optimized and compiled for the array module xp, on the first call for that module."""
    found = cache.get(id(xp))
    if found is None:
        from .passes import optimize
        found = cache[id(xp)] = Compiled(optimize(graph), xp, name).fn
    return found


def _symbolic(tracer, spec, name, requires_grad=None):
    shape, dtype, device, wants_grad = spec
    wants_grad = wants_grad if requires_grad is None else requires_grad
    return tracer.new_input(shape, dtype, device, name, wants_grad and np.dtype(dtype).kind == 'f')


def _state_as_inputs(graph, order=None):
    """The tensors the body read from outside, now inputs of the graph (after its own inputs),
    in the order given (the forward body's, for its vector-Jacobian product)."""
    by_tensor = {}
    for v in graph.state:
        if not isinstance(v.slot, TensorSlot):
            raise StaticError(f'{graph.name}: a loop body or branch cannot read {v.slot} (.grad)')
        by_tensor[id(v.slot.tensor)] = v
    tensors = list(order) if order is not None else [v.slot.tensor for v in graph.state]
    own = [v for v in graph.inputs]
    grads_in = [v for v in own if v.name and v.name.startswith('g')]
    plain_in = [v for v in own if v not in grads_in]
    captured_values = []
    for t in tensors:
        v = by_tensor.get(id(t))
        if v is None:           # the vjp may not read a capture the forward read: a dummy input
            data = t._data
            v = Value(data.shape, data.dtype, t._device, 'input', name='unused')
        v.kind, v.slot = 'input', None
        captured_values.append(v)
    graph.inputs = plain_in + captured_values + grads_in
    graph.state = []
    return tensors
