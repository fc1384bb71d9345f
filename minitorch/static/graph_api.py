"""Define-then-run, TensorFlow-1 style: build a Graph once, then run it in a Session many times.

    with mt.static.Graph() as g:
        x = mt.static.placeholder((None, 4), name='x')        # fed on each run; None: any size
        w = mt.static.Variable(mt.randn(4, 1), name='w')      # state kept between runs
        loss = (x @ w).pow(2).mean()
        train = mt.static.optim.SGD(0.1).minimize(loss)
    sess = mt.static.Session(g)
    for batch in data:
        value, _ = sess.run([loss, train], feed={x: batch})

Inside the `with` block ordinary minitorch code runs on symbolic tensors and every op is recorded.
Nothing is computed until Session.run: it compiles the part of the graph the fetches need (once per
fetch set and feed shapes) and runs it.  An assignment (`w.assign(...)`, an optimizer's update) is an
Operation: it changes the Variable only in the runs that fetch it.
"""
import itertools

import numpy as np

from .. import dtypes
from ..autograd.dispatch import suspended
from ..tensor import Tensor
from .errors import StaticError
from .ir import Graph as IRGraph
from .naming import StateNamer
from .standin import StandIn
from .trace import Tracer

STAND_IN_SIZE = 2           # a None dim's size while building (not 1: broadcasting would hide it)
_CURRENT = []               # the graphs whose `with` blocks are open, innermost last
_TAGS = itertools.count(1)


def current_graph(what):
    """The graph whose `with` block is open (innermost), or a clear error naming `what`."""
    if not _CURRENT:
        raise StaticError(f'{what} needs a graph to belong to: use it inside `with '
                          f'mt.static.Graph() as g:`')
    return _CURRENT[-1]


class Graph:
    """A static graph built by hand (see the module doc).  print(g) shows what was recorded."""

    def __init__(self, name='graph'):
        self.name = name
        self.ir = IRGraph(f'{name}#{next(_TAGS)}')
        self.tracer = Tracer(self.ir, StateNamer())
        self.placeholders = []          # Placeholder records, in creation order
        self.gradient_calls = []        # (first node, end node, ys, xs, outputs) of gradients()

    def __enter__(self):
        if self.finalized:
            raise StaticError(f'graph {self.name!r} is finalized (a Session runs it): no node can be '
                              f'added to it; build a new Graph for more ops')
        _CURRENT.append(self)
        self._errstate = np.errstate(all='ignore')
        self._errstate.__enter__()
        self.tracer.__enter__()
        return self

    def __exit__(self, *exc):
        try:
            self.tracer.__exit__(*exc)
        finally:
            self._errstate.__exit__(*exc)
            _CURRENT.remove(self)
        return False

    @property
    def finalized(self):
        """Whether ops may no longer be added (its IR graph says so)."""
        return self.ir.finalized

    def finalize(self):
        """No more ops may be added (a Session finalizes the graph it runs)."""
        self.ir.finalized = True

    def value(self, tensor, what='a fetch'):
        """The graph value a tensor of this graph stands for, or a clear error."""
        found = self.tracer.values.get(id(tensor._data)) if isinstance(tensor, Tensor) else None
        if found is None:
            tag = getattr(tensor._data, 'graph_tag', None) if isinstance(tensor, Tensor) else None
            other = f' (it belongs to graph {tag!r})' if tag else ''
            raise StaticError(f'{what} is not a tensor of graph {self.name!r}{other}; fetch and feed '
                              f'only tensors made inside `with g:`')
        return found

    def __repr__(self):
        return repr(self.ir)

    def __len__(self):
        """The number of ops recorded so far."""
        return len(self.ir.nodes)


class Placeholder:
    """What a placeholder was declared as: its shape (None for any size), dtype and name."""

    def __init__(self, tensor, shape, dtype, name, value):
        self.tensor, self.shape, self.dtype, self.name, self.value = tensor, shape, dtype, name, value

    def check(self, array):
        """A clear error when array does not fit the declaration."""
        got = tuple(array.shape)
        if len(got) != len(self.shape) or any(s is not None and s != g
                                               for s, g in zip(self.shape, got)):
            expected = tuple('None' if s is None else s for s in self.shape)
            raise StaticError(f'feed for placeholder {self.name!r}: expected shape '
                              f'({", ".join(map(str, expected))}), got {got}')
        if np.dtype(array.dtype) != self.dtype.np:
            raise StaticError(f'feed for placeholder {self.name!r}: expected dtype {self.dtype}, got '
                              f'{dtypes.FROM_NUMPY.get(np.dtype(array.dtype), array.dtype)}; '
                              f'convert it first (x.astype(...) or t.to(...))')


def placeholder(shape, dtype=None, name=None):
    """A tensor fed on each run (tf.placeholder).  shape may hold None for a size given at run time;
    floating point placeholders can be differentiated against."""
    g = current_graph('placeholder()')
    dt = dtypes.to_dtype(dtype) if dtype is not None else dtypes.default_float()
    shape = tuple(None if s is None else int(s) for s in shape)
    name = name or f'placeholder_{len(g.placeholders)}'
    concrete = tuple(STAND_IN_SIZE if s is None else s for s in shape)
    from ..backend import CPU
    tensor = g.tracer.new_input(concrete, dt.np, CPU, name, dt.is_floating_point)
    tensor.name = name
    g.placeholders.append(Placeholder(tensor, shape, dt, name, g.ir.inputs[-1]))
    return tensor


class Variable(Tensor):
    """State that a graph reads on each run and that assignments change (tf.Variable): its value
    lives between runs.  Use it as a tensor; var.assign(v), var.assign_add(v), var.assign_sub(v)
    make Operations that change it when a run fetches them."""

    def __init__(self, initial, name=None, trainable=True, dtype=None):
        with suspended():           # the initial value is data, computed now, not part of a graph
            from ..creation import tensor
            data = initial.detach().clone() if isinstance(initial, Tensor) else \
                tensor(initial, dtype=dtype)
            if dtype is not None:
                data = data.to(dtypes.to_dtype(dtype))
        self._adopt(data._data, data._device)
        if trainable and self.is_floating_point():
            self._requires_grad = True
        self.name = name

    def assign(self, value):
        """An Operation setting this Variable to value (broadcast, cast to its dtype)."""
        return _assignment(self, value, 'assign', lambda v: self.copy_(v))

    def assign_add(self, delta):
        """An Operation adding delta to this Variable."""
        return _assignment(self, delta, 'assign_add', lambda v: self.add_(v))

    def assign_sub(self, delta):
        """An Operation subtracting delta from this Variable."""
        return _assignment(self, delta, 'assign_sub', lambda v: self.sub_(v))

    def __repr__(self):
        if isinstance(self._data, StandIn):
            return f'<Variable {self.name or ""} {list(self.shape)} {self.dtype}, being traced>'
        return f'Variable {self.name or ""}:\n' + super().__repr__()


class Operation:
    """Something a run does rather than computes: state writes (assignments, an optimizer's
    update), done at the end of each run that fetches it.  Fetching it gives None, or the new value
    for an assignment."""

    def __init__(self, graph, writes, name, value=None):
        self.graph, self.writes, self.name, self.value = graph, list(writes), name, value

    def __repr__(self):
        return f'<Operation {self.name}: {len(self.writes)} state write(s)>'


def _assignment(variable, value, name, apply):
    from ..autograd import grad_mode
    g = current_graph(f'{name}()')
    with grad_mode.no_grad():
        writes = _writes_of(g, lambda: apply(value))
    new_value = writes[-1].value if writes else None
    return Operation(g, writes, f'{variable.name or "variable"}.{name}', new_value)


def _writes_of(g, action):
    """Run action under g's tracer and return the state writes it made, then undo them in the
    graph's bindings: other ops keep reading the value each state has at the start of a run."""
    tracer = g.tracer
    before = dict(tracer.writes)
    action()
    made = [w for key, w in tracer.writes.items() if before.get(key) is not w]
    tracer.writes = before
    for w in made:
        slot = w.slot
        tensor = getattr(slot, 'tensor', None)
        state = next((v for v in tracer.graph.state if v.slot is slot), None)
        if tensor is not None and state is not None:
            tracer.rebind(tensor, state)
    return [w for w in made if not hasattr(w.slot, 'mode')]      # .grad writes are not kept


def group(*ops):
    """One Operation doing all of ops (tf.group)."""
    flat = []
    for op in ops:
        flat.extend(op if isinstance(op, (list, tuple)) else [op])
    graph = flat[0].graph if flat else current_graph('group()')
    return Operation(graph, [w for op in flat for w in op.writes],
                     'group(' + ', '.join(op.name for op in flat) + ')')


def constant(value, dtype=None, name=None):
    """A constant of the graph (its value is fixed when the graph is built)."""
    current_graph('constant()')
    from ..creation import tensor
    t = tensor(value, dtype=dtype)
    if name:
        t.name = name
    return t
