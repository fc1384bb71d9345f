"""The graph: typed values and nodes `(op, attrs, inputs) -> outputs`, printable like a jaxpr.

A Value is one array the graph computes or reads: an input (a placeholder or a function argument), a
piece of state (a parameter, an optimizer buffer, a .grad) read at the start of a run, a constant, or
the output of a node.  A Node is one call of a primitive: `op.forward(ctx, *args)` where args mixes
input values (`In(i)`) and attributes (Python numbers, shapes, dims).  A Graph lists its nodes in
execution order, its inputs, the state it reads, what it returns and the state it writes back.

    g = trace(...)
    print(g)          # { lambda x:f32[64,1000] ; w1:f32[1000,100] . let t1 = matmul x w1 ... }
"""
import itertools

import numpy as np

_IDS = itertools.count(1)


class Value:
    """One typed array of a graph.  kind: 'input' | 'state' | 'const' | 'node'."""
    __slots__ = ('id', 'shape', 'dtype', 'device', 'kind', 'name', 'node', 'const', 'slot')

    def __init__(self, shape, dtype, device, kind, name=None, node=None, const=None, slot=None):
        self.id = next(_IDS)
        self.shape, self.dtype, self.device = tuple(shape), np.dtype(dtype), device
        self.kind, self.name, self.node, self.const, self.slot = kind, name, node, const, slot

    @property
    def nbytes(self):
        """The size of the value's array in bytes."""
        n = self.dtype.itemsize
        for s in self.shape:
            n *= s
        return n

    def type_text(self):
        """The value's dtype and shape, short: f32[64,100]."""
        return f'{_DTYPE_SHORT.get(self.dtype.name, self.dtype.name)}[{",".join(map(str, self.shape))}]'

    def __repr__(self):
        return f'<Value {self.name or self.id} {self.type_text()}>'


_DTYPE_SHORT = {'float32': 'f32', 'float64': 'f64', 'float16': 'f16', 'int64': 'i64', 'int32': 'i32',
                'int16': 'i16', 'int8': 'i8', 'uint8': 'u8', 'bool': 'bool'}


class In:
    """In an attribute template: the i-th input value of the node goes here."""
    __slots__ = ('i',)

    def __init__(self, i):
        self.i = i

    def __repr__(self):
        return f'In({self.i})'

    def __eq__(self, other):
        return type(other) is In and other.i == self.i

    def __hash__(self):
        return hash(('In', self.i))


class Node:
    """One primitive call: op (a Primitive class), args (a template: In(i) or an attribute),
    kwargs, inputs (Values), outputs (Values; empty for an op that returns nothing, such as an
    assertion), scope (the module path it ran in, '' at the top)."""
    __slots__ = ('op', 'args', 'kwargs', 'inputs', 'outputs', 'scope', 'multi', 'note')

    def __init__(self, op, args, kwargs, inputs, outputs, scope='', multi=False, note=None):
        self.op, self.args, self.kwargs = op, tuple(args), dict(kwargs)
        self.inputs, self.outputs = list(inputs), list(outputs)
        self.scope, self.multi, self.note = scope, multi, note

    @property
    def name(self):
        """The op's name as the printed graph shows it (matmul, add, sum, ...)."""
        return op_name(self.op)

    def attrs(self):
        """The non-value arguments, as (position, value) pairs."""
        return [(i, a) for i, a in enumerate(self.args) if type(a) is not In]

    def __repr__(self):
        return f'<Node {self.name} {[v.id for v in self.inputs]} -> {[v.id for v in self.outputs]}>'


def node_like(node, inputs, outputs, note):
    """A copy of node on these values with this note, recorded as its outputs' producer (nodes are
    shared between graphs, so a pass that changes one makes a copy)."""
    copy = Node(node.op, node.args, node.kwargs, inputs, outputs, node.scope, node.multi, note)
    for v in outputs:
        v.node = copy
    return copy


def op_name(op):
    """A primitive's printed name: its `op_name`, else its class name in snake case."""
    name = getattr(op, 'op_name', None)
    if name:
        return name
    out = []
    for i, ch in enumerate(op.__name__):
        if ch.isupper() and i and not op.__name__[i - 1].isupper():
            out.append('_')
        out.append(ch.lower())
    return ''.join(out)


class StateWrite:
    """At the end of a run, slot := value (or None, for a .grad cleared)."""
    __slots__ = ('slot', 'value')

    def __init__(self, slot, value):
        self.slot, self.value = slot, value

    def __repr__(self):
        return f'{self.slot} := {self.value.id if self.value is not None else None}'


class Graph:
    """A static graph: nodes in execution order, and what flows in and out."""

    def __init__(self, name='graph'):
        self.name = name
        self.inputs = []            # Values fed on each run (placeholders, function arguments)
        self.state = []             # Values read from state slots at the start of each run
        self.nodes = []
        self.outputs = []           # Values (or None) returned
        self.writes = []            # StateWrites applied at the end of each run
        self.finalized = False

    # --- building -----------------------------------------------------------------------------
    def add_node(self, node):
        if self.finalized:
            from .errors import StaticError
            raise StaticError(f'graph {self.name!r} is finalized: no node can be added to it '
                              f'(build a new Graph, or add ops before running it)')
        self.nodes.append(node)
        return node

    def copy(self):
        """A shallow copy (the same Values and Nodes in new lists): what passes start from."""
        g = Graph(self.name)
        g.inputs, g.state, g.nodes = list(self.inputs), list(self.state), list(self.nodes)
        g.outputs, g.writes = list(self.outputs), list(self.writes)
        return g

    # --- reading ------------------------------------------------------------------------------
    def values(self):
        """Every value the graph holds, inputs and state first, then in node order."""
        seen = dict.fromkeys(self.inputs + self.state)
        for node in self.nodes:
            for v in node.inputs:
                seen.setdefault(v)
            for v in node.outputs:
                seen.setdefault(v)
        return list(seen)

    def producers(self):
        """{value: the node that makes it} (inputs, state and constants have none)."""
        return {v: node for node in self.nodes for v in node.outputs}

    def consumers(self):
        """{value: [node, ...]} in node order."""
        users = {}
        for node in self.nodes:
            for v in node.inputs:
                users.setdefault(v, []).append(node)
        return users

    def __len__(self):
        return len(self.nodes)

    def __repr__(self):
        return format_graph(self)

    def _repr_pretty_(self, printer, cycle):
        printer.text(format_graph(self))


def protected(graph):
    """Values that must keep their identity: outputs and state writes."""
    kept = set(v for v in graph.outputs if v is not None)
    kept |= set(w.value for w in graph.writes if w.value is not None)
    return kept


def last_uses(graph):
    """{value: the index of the last node that reads it, or of the node that makes it when none
    does} (a value is dead after that node)."""
    last = {}
    for index, node in enumerate(graph.nodes):
        for v in node.inputs:
            last[v] = index
        for v in node.outputs:
            last.setdefault(v, index)
    return last


def value_names(graph):
    """{value: name} as print(graph) and the compiled code both say them: inputs and state by their
    own names, constants c1, c2, ... and node results t1, t2, ... in the order the graph uses them."""
    names = {}
    for i, v in enumerate(graph.inputs + graph.state):
        names[v] = v.name or f'in{i}'
    consts = nodes = 0
    for node in graph.nodes:
        for v in node.inputs:
            if v not in names and v.kind == 'const':
                consts += 1
                names[v] = v.name or f'c{consts}'
        for v in node.outputs:
            if v not in names:
                nodes += 1
                names[v] = f't{nodes}'
    return names


def attr_text(a):
    """A short text for an attribute of a node."""
    if isinstance(a, np.ndarray):
        return f'array{list(a.shape)}'
    if isinstance(a, type):
        return a.__name__
    if hasattr(a, 'dtype') and hasattr(a, 'shape') and not isinstance(a, np.generic):
        return f'array{list(a.shape)}'
    if isinstance(a, np.dtype):
        return a.name
    if isinstance(a, tuple) and any(not isinstance(x, (int, float, bool, type(None))) for x in a):
        return '(' + ', '.join(attr_text(x) for x in a) + (',)' if len(a) == 1 else ')')
    text = repr(a)
    return text if len(text) <= 40 else text[:37] + '...'


def format_graph(g):
    """The graph in typed A-normal form, one line per node (as JAX prints a jaxpr)."""
    names = value_names(g)
    ins = ' '.join(f'{names[v]}:{v.type_text()}' for v in g.inputs)
    state = ' '.join(f'{names[v]}:{v.type_text()}' for v in g.state)
    consts = [v for v in names if v.kind == 'const']
    header = f'{{ lambda {ins or "-"} ; state {state or "-"}'
    if consts:
        header += ' ; consts ' + ' '.join(f'{names[v]}:{v.type_text()}' for v in consts)
    lines = [header + ' .', '  let']
    for node in g.nodes:
        outs = ' '.join(f'{names[v]}:{v.type_text()}' for v in node.outputs) or '_'
        parts = [names[node.inputs[a.i]] if type(a) is In else attr_text(a) for a in node.args]
        parts += [f'{k}={attr_text(a)}' for k, a in node.kwargs.items()]
        scope = f'   # {node.scope}' if node.scope else ''
        lines.append(f'    {outs} = {node.name} {" ".join(parts)}{scope}')
    outs = ', '.join('None' if v is None else names.get(v, '?') for v in g.outputs)
    lines.append(f'  in ( {outs} )')
    for w in g.writes:
        lines.append(f'  set {w.slot} := {"None" if w.value is None else names.get(w.value, "?")}')
    return '\n'.join(lines) + ' }'
