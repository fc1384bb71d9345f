"""The tracer: a dispatch mode that records every primitive call into a Graph.

While a graph is being built, ordinary code runs (tensor operators, nn modules, backward(), optimizer
steps) and each primitive call reaches `Tracer.dispatch`, which:
  - finds the graph value of each tensor argument (by the identity of its array): a symbolic tensor
    made by an earlier op, a constant made inside the trace, or a tensor that existed before — state,
    which the graph reads on every run (its real values are set aside for the trace, so tracing never
    changes a model; a stand-in takes their place);
  - runs the op's own forward on the stand-ins (shapes and dtypes come for free) and records a Node;
  - turns an Assign (the write of every in-place op) into a rebinding: the tensor now stands for the
    new value, and if it is state, the graph writes that value back at the end of each run.
Changes of .grad (backward, zero_grad) are recorded as writes of the tensor's GradSlot.
"""
import re

import numpy as np

from ..autograd.dispatch import DispatchMode
from ..autograd.thread_state import STATE
from ..tensor import Tensor
from .errors import StaticError, at_user_line
from .ir import In, Node, StateWrite, Value
from .slots import GradSlot, TensorSlot
from .standin import StandIn, as_stand_in, stand_in


class Tracer(DispatchMode):
    """Records the ops run in its `with` block into `graph`."""

    def __init__(self, graph, namer=None, isolated=False):
        self.graph = graph
        self.isolated = isolated    # a sub-graph (a loop body): its ops reach no enclosing mode
        self.graph_tag = graph.name
        self.values = {}            # id(array) -> Value
        self.keep = {}              # id(array) -> array: keeps ids valid while tracing
        self.standins = {}          # id(real array of state) -> its stand-in
        self.swapped = {}           # id(tensor) -> (tensor, real array, version): restored at the end
        self.grads = {}             # id(tensor) -> (tensor, .grad before the trace)
        self.grad_events = set()    # id(tensor) of tensors whose .grad the trace has set
        self.writes = {}            # id(slot) -> StateWrite (the last write wins)
        self.guards = []            # (owner, description, read, value): Python values baked in
        self.slot_values = {}       # id(value) -> the slot it was written to
        self.accumulating = set()   # id(argument) whose .grad backward added to (not replaced)
        self.namer = namer or (lambda tensor: None)

    # --- entering and leaving -----------------------------------------------------------------
    def __enter__(self):
        STATE.tracing = STATE.tracing + (self.graph_tag,)
        return super().__enter__()

    def __exit__(self, *exc):
        try:
            self.restore()
        finally:
            STATE.tracing = tuple(t for t in STATE.tracing if t is not self.graph_tag)
            super().__exit__(*exc)
        return False

    def restore(self):
        """Give every state tensor back its real values, version and .grad."""
        for tensor, array, version in self.swapped.values():
            tensor._data = array
            if tensor._vc is not None:
                tensor._vc[0] = version
        for tensor, grad in self.grads.values():
            tensor._grad = grad
        self.swapped.clear()
        self.grads.clear()

    # --- values -------------------------------------------------------------------------------
    def bind(self, array, value):
        self.values[id(array)] = value
        self.keep[id(array)] = array

    def rebind(self, tensor, value):
        """tensor now stands for value, and so does the real array set aside for it, if any."""
        self.bind(tensor._data, value)
        entry = self.swapped.get(id(tensor))
        if entry is not None:
            self.bind(entry[1], value)

    def new_input(self, shape, dtype, device, name, requires_grad=False):
        """A symbolic tensor for a new input of the graph (a placeholder, an argument): a stand-in
        of shape and dtype, standing for a new input Value."""
        data = stand_in(shape, dtype, self.graph_tag)
        tensor = Tensor._make(data, device)
        tensor._requires_grad = requires_grad
        value = Value(shape, dtype, device, 'input', name=name)
        self.graph.inputs.append(value)
        self.bind(data, value)
        return tensor

    def value_of(self, tensor):
        """The graph value tensor stands for, capturing it as state when it is new to the trace."""
        data = tensor._data
        found = self.values.get(id(data))
        if found is None:
            return self.capture(tensor)
        standin = self.standins.get(id(data))
        if standin is not None:             # another tensor object on state memory: set it aside too
            self.swap(tensor, standin)
        return found

    def swap(self, tensor, standin):
        if id(tensor) not in self.swapped:
            self.swapped[id(tensor)] = (tensor, tensor._data, tensor._version_value())
        tensor._data = standin

    def capture(self, tensor):
        """A tensor that existed before the trace: its values become state the graph reads (while
        tracing, a stand-in takes their place, so the trace never changes them)."""
        data = tensor._data
        owner = self.grad_owner(data)
        name = self.namer(owner if owner is not None else tensor) or f's{len(self.graph.state)}'
        slot = GradSlot(owner, name, mode='assign') if owner is not None else TensorSlot(tensor, name)
        value = Value(data.shape, data.dtype, tensor._device, 'state', name=str(slot), slot=slot)
        self.graph.state.append(value)
        standin = stand_in(data.shape, data.dtype, self.graph_tag)
        self.standins[id(data)] = standin
        self.bind(data, value)
        self.bind(standin, value)
        self.swap(tensor, standin)
        if owner is not None and owner._grad is not None and owner._grad is not tensor:
            self.swap(owner._grad, standin)
        return value

    def grad_owner(self, data):
        """The captured tensor whose .grad holds this array, if any."""
        for owner, _, _ in list(self.swapped.values()):
            grad = self.grads[id(owner)][1] if id(owner) in self.grads else owner._grad
            if grad is not None and (grad._data is data or
                                     self.swapped.get(id(grad), (None, None))[1] is data):
                return owner
        return None

    def on_new_tensor(self, tensor):
        """A tensor made from data inside the trace: a constant of the graph."""
        data = tensor._data
        if isinstance(data, StandIn):
            return
        value = Value(data.shape, data.dtype, tensor._device, 'const', const=data)
        if type(data) is not np.ndarray:         # on a GPU: compute the trace on a host stand-in
            tensor._data = data = stand_in(data.shape, data.dtype, self.graph_tag)
        self.bind(data, value)

    def on_state_name(self, tensor, owner, key):
        """tensor is the state `key` of owner: name it after owner (the namer keeps the link)."""
        parts = getattr(self.namer, 'parts', None)
        if parts is not None:
            parts[id(tensor)] = (owner, key)
            self.keep[('name', id(tensor))] = tensor
            value = self.values.get(id(tensor._data))
            if value is not None and value.kind == 'state' and re.fullmatch(r's\d+', value.name):
                name = self.namer(tensor)
                if name:
                    value.name = value.slot.name = name

    def on_new_state(self, tensor):
        """A Parameter or buffer made inside the trace: state, not a constant (its real values are
        read at the start of each run, like any state)."""
        value = self.values.get(id(tensor._data))
        if value is not None and value.kind == 'const':
            del self.values[id(tensor._data)]
            if isinstance(tensor._data, StandIn):
                tensor._data = value.const

    # --- ops ----------------------------------------------------------------------------------
    def dispatch(self, fn, args, kwargs, run):
        from ..ops.inplace import Assign
        if fn is Assign:
            return self.assign(*args)
        inputs, template = [], []
        for a in args:
            if isinstance(a, Tensor):
                template.append(In(len(inputs)))
                inputs.append(self.value_of(a))
            else:
                _refuse_stand_in_attribute(fn, a)
                template.append(a)
        depends = getattr(fn, 'value_dependent_shape', None)
        if depends is not None and depends(args):
            raise StaticError(f'{fn.__name__}: the shape of its result depends on the values of its '
                              f'inputs{at_user_line()}, which a static graph does not know while it '
                              f'is built (a bool mask picks as many elements as it holds True); use '
                              f'where(mask, x, 0) or masked_fill instead, which keep the shape')
        if getattr(fn, 'has_effects', False):     # a check: recorded, run on each run of the graph
            self.graph.add_node(Node(fn, template, kwargs, inputs, [], scope=_scope_path(),
                                     note={'grad': STATE.enabled}))
            return None
        result = _run_alone(fn, args, kwargs) if self.isolated else run(fn, args, kwargs)
        outputs = _as_tuple(result)
        originals = []
        for o in outputs:           # numpy gives some results as plain arrays or scalars
            originals.append(o._data)
            if not isinstance(o._data, StandIn):
                o._data = as_stand_in(o._data, self.graph_tag)
        out_values = [Value(o._data.shape, o._data.dtype, o._device, 'node') for o in outputs]
        node = Node(fn, template, kwargs, inputs, out_values, scope=_scope_path(),
                    multi=type(result) is tuple, note={'grad': STATE.enabled})
        for o, original, v in zip(outputs, originals, out_values):
            v.node = node
            self.bind(o._data, v)
            self.bind(original, v)      # what the op's ctx saved, if it saved this output
        self.graph.add_node(node)
        return result

    def assign(self, target, value):
        """target[...] = value: target now stands for value; state is written back after a run."""
        old = self.value_of(target)
        new = self.value_of(value)
        if old.shape != new.shape or old.dtype != new.dtype:
            new = self.cast_like(value, old)
        slot = self.slot_of(old)
        if slot is not None:
            self.writes[id(slot)] = StateWrite(slot, new)
            self.slot_values[id(new)] = slot
        self.rebind(target, new)

    def slot_of(self, value):
        """The state slot a value was read from or last written to, if any."""
        return value.slot if value.kind == 'state' else self.slot_values.get(id(value))

    def cast_like(self, value, old):
        """value converted to old's dtype and broadcast to its shape, recorded (what Assign does)."""
        from ..ops.inplace import Copy
        from ..ops.movement import Cast
        t = value
        if t._data.dtype != old.dtype:
            t = Cast.apply(t, old.dtype)
        if t._data.shape != old.shape:
            t = Copy.apply(Tensor._make(stand_in(old.shape, old.dtype, self.graph_tag),
                                        t._device), t)
        return self.value_of(t)

    def on_set_grad(self, tensor, grad):
        """tensor.grad := grad inside the trace: a write of tensor's GradSlot."""
        if id(tensor) not in self.grads:
            self.grads[id(tensor)] = (tensor, tensor._grad)
        self.grad_events.add(id(tensor))
        slot = GradSlot(tensor, self.name_for(tensor), mode='set')
        value = None if grad is None else self.value_of(grad)
        if value is not None:
            self.slot_values[id(value)] = slot
        for key, write in list(self.writes.items()):       # a later set replaces earlier writes
            if isinstance(write.slot, GradSlot) and write.slot.tensor is tensor:
                del self.writes[key]
        self.writes[id(slot)] = StateWrite(slot, value)

    def name_for(self, tensor):
        """The name of tensor's state slot when it has one, else a name from the modules."""
        found = self.values.get(id(tensor._data))
        slot = self.slot_of(found) if found is not None else None
        if slot is not None:
            return slot.name
        return self.namer(tensor) or f's{len(self.graph.state)}'

    def on_python_value(self, owner, description, read):
        """The trace depends on read(owner): guard it (unless the trace itself decided it, as a
        .grad the trace has already set)."""
        if description == '.grad is None':
            if id(owner) in self.grad_events:
                return
            if self.values.get(id(owner._data)) is not None and \
                    self.values[id(owner._data)].kind == 'input':
                self.accumulating.add(id(owner))    # an argument: its .grad is added to per call
                return
            value = owner._grad is None
        else:
            value = read(owner)
        for o, d, _, _ in self.guards:
            if o is owner and d == description:
                return
        self.guards.append((owner, description, read, value))

    # --- the end ------------------------------------------------------------------------------
    def finish(self, outputs):
        """Set the graph's outputs (tensors or None) and its state writes (an argument's .grad that
        backward added to is added to on each run, as eager backward does)."""
        for write in self.writes.values():
            slot = write.slot
            if isinstance(slot, GradSlot) and id(slot.tensor) in self.accumulating and \
                    slot.mode == 'set':
                slot.mode = 'accumulate'
        self.graph.outputs = [None if o is None else self.value_of(o) for o in outputs]
        self.graph.writes = list(self.writes.values())
        return self.graph


def _run_alone(fn, args, kwargs):
    outer = STATE.mode
    STATE.mode = None
    try:
        return fn.apply(*args, **kwargs)
    finally:
        STATE.mode = outer


def _as_tuple(result):
    if result is None:
        return ()
    return result if type(result) is tuple else (result,)


def _refuse_stand_in_attribute(fn, a):
    if isinstance(a, StandIn) or (isinstance(a, tuple) and any(isinstance(x, StandIn) for x in a)):
        raise StaticError(f'{fn.__name__}: received the values of a symbolic tensor as an attribute'
                          f'{at_user_line()}; static graphs need those values as tensors')


def _scope_path():
    """The module path the op runs in ('' at the top): the stack of running modules, named by the
    outermost one's named_modules()."""
    stack = STATE.scope
    if not stack:
        return ''
    top = stack[0]
    names = {id(m): name for name, m in top.named_modules()}
    parts = [names.get(id(m)) for m in stack[1:]]
    return parts[-1] if parts and parts[-1] else type(stack[-1]).__name__
