"""mt.static.partition: cut one static graph into a part per process, joined by Send/Recv pairs.

    step = mt.static.function(train_step, optimize=False)       # or trace_graph(train_step, x, y)
    graph = mt.static.trace_graph(train_step, x, y)             # forward, backward and update
    parts = mt.static.partition(graph, {'0': 0, '2': 1})        # module '0' on rank 0, '2' on rank 1
    print(parts)                    # each rank's graph, with its sends and receives
    mt.viz.draw(parts)              # the whole graph, each op in its rank's colour
    parts.draw()                    # the parts side by side, Send/Recv pairs marked

Every op gets a rank (placement.py says how: a few placed scopes decide the rest).  Every value that
one rank makes and another reads crosses on an edge of its own: the maker's part gets a `send` right
after the op that made it, the reader's part a `recv` at the same point, with one tag per edge.  Each
part keeps the graph's order, so all ranks meet their sends and receives in one global order: with
blocking sends and receives no rank can wait for a message that another sends only later.  Inputs
and state (parameters, optimizer buffers) live on one rank each; a rank holds only its own.

Run the parts with PartitionedSession (one process per rank, under mpiexec), or in threads of this
process with `run_in_threads`; Pipeline runs them on micro-batches (GPipe).
"""
from .comm_ops import Recv, Send
from .errors import StaticError
from .ir import Graph, In, Node, StateWrite, Value, node_like
from .placement import UPDATE, place
from .slots import GradSlot, TensorSlot

MAX_TAG = 16383         # minitorch.distributed sends tag t as MPI tags 2t and 2t+1 (at most 32767)


class Edge:
    """One Send/Recv pair: `value` (of the whole graph) goes from rank `src` to rank `dst` with `tag`;
    `phase`: the kind of op that made it (forward, backward, update)."""
    __slots__ = ('value', 'src', 'dst', 'tag', 'phase', 'made_by', 'read_by')

    def __init__(self, value, src, dst, tag, phase, made_by, read_by):
        self.value, self.src, self.dst, self.tag, self.phase = value, src, dst, tag, phase
        self.made_by, self.read_by = made_by, read_by

    def __repr__(self):
        return (f'tag {self.tag}: rank {self.src} → rank {self.dst}  {self.value.type_text()}  '
                f'{self.phase}  ({self.made_by} → {self.read_by})')


class Partition:
    """A graph cut into one part per rank (see the module doc).

    graph: the whole graph; parts[r]: rank r's graph (print it, draw it); edges: the Send/Recv pairs;
    placement: where each op runs and why (placement.Placement); stages: the ranks in pipeline
    order; values[r]: {value of the whole graph: the value standing for it in rank r's part}."""

    def __init__(self, graph, placement, parts, edges, values, dropped):
        self.graph, self.placement, self.parts, self.edges = graph, placement, parts, edges
        self.values, self.dropped_writes = values, dropped
        self.world_size, self.stages = placement.world_size, placement.stages

    def rank_of(self, node):
        """The rank a node of the whole graph runs on."""
        return self.placement.rank[node]

    def placed(self):
        """The whole graph with each op marked with its rank (mt.viz.draw colours it by rank)."""
        g = self.graph.copy()
        g.name = f'{self.graph.name} placed on {self.world_size} ranks'
        g.nodes = [Node(n.op, n.args, n.kwargs, n.inputs, n.outputs, n.scope, n.multi,
                        dict(n.note or {}, rank=self.placement.rank[n])) for n in self.graph.nodes]
        return g

    @property
    def ir(self):
        """What mt.viz.draw(partition) draws: the whole graph in its ranks' colours."""
        return self.placed()

    def draw(self, **options):
        """The parts side by side, one panel per rank, ops in their rank's colour (options as for
        mt.viz.draw of a static graph)."""
        from ..viz import draw_graph, side_by_side
        titles = [f'rank {r}' + (f' · stage {self.stages.index(r)}' if len(self.stages) > 1 else '')
                  for r in range(self.world_size)]
        return side_by_side(*(draw_graph(p, **options) for p in self.parts), titles=titles)

    def __repr__(self):
        stages = ' → '.join(map(str, self.stages))
        lines = [f'partition of graph {self.graph.name!r} into {self.world_size} ranks (stages '
                 f'{stages}), {len(self.edges)} Send/Recv pairs:']
        lines += [f'  {e!r}' for e in self.edges]
        for r, part in enumerate(self.parts):
            lines += [f'rank {r}:', repr(part)]
        return '\n'.join(lines)

    def _repr_pretty_(self, printer, cycle):
        printer.text(repr(self))


def partition(graph, placement, world_size=None, default=0):
    """Cut a static graph into one part per rank with a Send/Recv pair on every edge between ranks.

    graph: a graph as traced, not yet optimized (mt.static.trace_graph(fn, *args), or the .graph of
    an mt.static.function(fn, optimize=False) after its first call).  placement: {scope or Node:
    rank}, e.g. {'0': 0, '2': 1} for the modules '0' and '2' of a Sequential; ops follow the rules
    of placement.py.  world_size: the number of ranks (default: the highest placed rank + 1).
    default: the rank of what nothing decides.  Returns a Partition."""
    ir = as_ir_graph(graph)
    return _Cut(ir, place(ir, placement, world_size, default)).run()


def trace_graph(fn, *args, **kwargs):
    """The graph fn records on these arguments, as traced (not optimized), without running it:
    what partition takes.  Tracing never changes a model (its state is set aside meanwhile)."""
    from .function import StaticFunction
    static = StaticFunction(fn.fn if isinstance(fn, StaticFunction) else fn, optimize=False)
    return static.trace(*args, **kwargs)


def as_ir_graph(graph):
    """The IR graph of a graph-like thing (an IR Graph, a traced function, a define-then-run Graph)."""
    from .function import StaticFunction
    if isinstance(graph, Graph):
        return graph
    if isinstance(graph, StaticFunction):
        if graph.last is None:
            raise StaticError(f'partition: {graph.__name__} has not been traced yet: call it once, or '
                              f'use mt.static.trace_graph({graph.__name__}, *args)')
        return graph.graph
    if hasattr(graph, 'placeholders'):
        raise StaticError('partition: a define-then-run Graph has no outputs of its own (each '
                          'Session.run picks them); partition a traced function\'s graph: '
                          'mt.static.trace_graph(step, *args)')
    raise StaticError(f'partition takes a static graph (mt.static.trace_graph(fn, *args), a traced '
                      f'function), not {type(graph).__name__}')


class _Cut:
    """Builds the parts: walks the whole graph once, in order, copying each op into its rank's part
    and inserting a Send/Recv pair wherever a value is needed on a rank that does not hold it."""

    def __init__(self, graph, placement):
        self.graph, self.where = graph, placement
        n = placement.world_size
        self.parts = [Graph(f'{graph.name}@rank{r}') for r in range(n)]
        self.values = [{} for _ in range(n)]        # whole-graph value -> its value in part r
        self.edges = []
        self.producer = graph.producers()
        self.owner = _write_owners(graph, placement, self.producer)
        self.written_on = {}                        # value -> ranks whose state writes take it
        for value, r in self.owner.values():
            if value is not None:
                self.written_on.setdefault(value, set()).add(r)

    def run(self):
        g, where = self.graph, self.where
        for v in g.inputs:
            self.parts[where.home[v]].inputs.append(self._own(v, where.home[v]))
        for v in g.state:
            self.parts[where.home[v]].state.append(self._own(v, where.home[v]))
        consumers = g.consumers()
        for node in g.nodes:
            r = where.rank[node]
            for v in node.inputs:
                self._bring(v, r, where.phase[node], node)
            self._copy(node, r)
            for v in node.outputs:
                for dst, reader in self._readers(v, consumers, r).items():
                    self._edge(v, r, dst, where.phase[node], reader)
        dropped = self._writes_and_outputs()
        return Partition(g, where, self.parts, self.edges, self.values, dropped)

    # --- values ----------------------------------------------------------------------------------
    def _own(self, v, r):
        """The copy of v in part r (made on first use: parts share no Value)."""
        found = self.values[r].get(v)
        if found is None:
            found = self.values[r][v] = _value_like(v)
        return found

    def _holder(self, v):
        node = self.producer.get(v)
        return self.where.rank[node] if node is not None else self.where.home.get(v)

    def _bring(self, v, r, phase, reader):
        """Make v available on rank r (a source of another rank crosses here, where it is read)."""
        if v.kind == 'const':
            self._own(v, r)
        elif v not in self.values[r]:
            src = self._holder(v)
            if src is None or src == r:
                raise StaticError(f'partition: value {v!r} is read before it is made')
            self._edge(v, src, r, phase, reader)

    def _readers(self, v, consumers, r):
        """{rank other than r that needs v: the first op there that reads it (or 'state write')}."""
        found = {}
        for c in consumers.get(v, ()):
            found.setdefault(self.where.rank[c], c)
        for rank in sorted(self.written_on.get(v, ())):
            found.setdefault(rank, 'a state write')
        return {rank: found[rank] for rank in sorted(found) if rank != r}

    # --- ops ---------------------------------------------------------------------------------------
    def _copy(self, node, r):
        inputs = [self.values[r][v] for v in node.inputs]
        outputs = [self._own(v, r) for v in node.outputs]
        note = dict(node.note or {}, rank=r, phase=self.where.phase[node])
        self.parts[r].add_node(node_like(node, inputs, outputs, note))

    def _edge(self, v, src, dst, phase, about):
        tag = len(self.edges)
        if tag > MAX_TAG:
            raise StaticError(f'partition: more than {MAX_TAG + 1} values cross between ranks; MPI '
                              f'tags run out — place fewer, larger pieces on each rank')
        made = self.producer.get(v)
        made_by = f'{made.name} in {made.scope!r}' if made is not None else (v.name or v.kind)
        read_by = f'{about.name} in {about.scope!r}' if isinstance(about, Node) else about
        self.edges.append(Edge(v, src, dst, tag, phase, made_by, read_by))
        note = {'rank': src, 'phase': phase, 'edge': tag}
        self.parts[src].add_node(Node(Send, (In(0),), {'dst': dst, 'tag': tag},
                                      [self.values[src][v]], [], '', note=note))
        received = Value(v.shape, v.dtype, v.device, 'node')
        recv = Node(Recv, (), {'src': src, 'tag': tag, 'shape': v.shape, 'dtype': v.dtype}, [],
                    [received], '', note=dict(note, rank=dst))
        received.node = recv
        self.values[dst][v] = received
        self.parts[dst].add_node(recv)

    # --- the end of a run ----------------------------------------------------------------------------
    def _writes_and_outputs(self):
        g, dropped = self.graph, []
        for w in g.writes:
            if w not in self.owner:
                dropped.append(w)
                continue
            _, r = self.owner[w]
            if w.value is not None:
                self._bring(w.value, r, UPDATE, f'set {w.slot}')
            value = None if w.value is None else self.values[r][w.value]
            self.parts[r].writes.append(StateWrite(w.slot, value))
        for r, part in enumerate(self.parts):
            held = [i for i, v in enumerate(g.outputs) if v is not None and v in self.values[r]
                    and self._holder(v) in (r, None)]
            part.outputs = [self.values[r][g.outputs[i]] for i in held]
            part.output_positions = held        # where each is among the whole graph's outputs
        return dropped


def clone(graph):
    """A copy of graph with Values and Nodes of its own.  Graph passes record a value's producer in
    the value, so graphs optimized apart (the parts, a part's programs) must share no Value; a value
    the copy reads but does not make comes with no producer."""
    values = {}

    def own(v):
        if v is None:
            return None
        if v not in values:
            values[v] = _value_like(v)
        return values[v]
    g = Graph(graph.name)
    g.inputs, g.state = [own(v) for v in graph.inputs], [own(v) for v in graph.state]
    for node in graph.nodes:
        g.nodes.append(node_like(node, [own(v) for v in node.inputs],
                                  [own(v) for v in node.outputs], node.note))
    g.outputs = [own(v) for v in graph.outputs]
    g.writes = [StateWrite(w.slot, own(w.value)) for w in graph.writes]
    if hasattr(graph, 'output_positions'):
        g.output_positions = graph.output_positions
    return g


def _value_like(v):
    """A new Value with v's type, kind, name, constant and slot (and no producer yet)."""
    return Value(v.shape, v.dtype, v.device, v.kind, name=v.name, const=v.const, slot=v.slot)


def _write_owners(graph, placement, producer):
    """{StateWrite: (its value, the rank that holds its slot)}: the rank of the state it writes (a
    parameter's .grad goes with the parameter); writes to a function argument's .grad are left out."""
    by_slot = {id(v.slot): placement.home[v] for v in graph.state if v.slot is not None}
    by_tensor = {id(v.slot.tensor): placement.home[v] for v in graph.state
                 if isinstance(v.slot, (TensorSlot, GradSlot))}
    owners = {}
    for w in graph.writes:
        if getattr(w.slot, 'input_index', None) is not None:
            continue                    # an argument's .grad: partitions are fed arrays, not tensors
        r = by_slot.get(id(w.slot))
        if r is None and hasattr(w.slot, 'tensor'):
            r = by_tensor.get(id(w.slot.tensor))
        if r is None:
            made = producer.get(w.value)
            r = placement.rank[made] if made is not None else placement.home.get(w.value, 0)
        owners[w] = (w.value, r)
    return owners

