"""mt.viz.draw(graph): a static graph as TensorFlow drew one — ops are nodes, tensors are edges.

Dynamic drawings (forward.py) show each tensor as a box because each one is a particular array that
was computed; in a static graph a tensor is only a typed wire between two ops until the graph runs,
so it is an edge labelled with its type (f32[64,100]).  What flows in is drawn as small source nodes
(placeholders, state such as parameters and optimizer buffers, constants); what flows out as sinks
(outputs, and `set w := ...` for state written back after a run).  Ops that ran inside a module are
grouped in a box named by the module's path.  Node ids follow positions in the graph (in0, s0, n12,
out0, w3), so the same graph always gives the same DOT text.
"""
from ..static.ir import Graph
from . import static_labels as L
from .drawing import Drawing
from .model import Item, Picture
from .static_summary import fold
from .style import ROLES

# The static drawing's roles join the shared table, which gives colours, shapes and the legend.
ROLES.update({
    'static_input': ({'shape': 'invhouse', 'style': 'filled', 'fillcolor': '#a8d5ff'},
                     'input (placeholder)'),
    'static_state': ({'shape': 'cylinder', 'style': 'filled', 'fillcolor': '#ffd27f'},
                     'state read (parameter, buffer, .grad)'),
    'static_const': ({'shape': 'box', 'style': 'filled,rounded', 'fillcolor': '#eeeeee',
                      'fontsize': '9'}, 'constant'),
    'static_op': ({'shape': 'ellipse', 'style': 'filled', 'fillcolor': '#ffffff'}, 'operation'),
    'static_fused': ({'shape': 'ellipse', 'style': 'filled', 'fillcolor': '#c8e6c9'},
                     'fused elementwise chain'),
    'static_check': ({'shape': 'octagon', 'style': 'filled', 'fillcolor': '#ffcdd2'},
                     'run-time check'),
    'static_output': ({'shape': 'house', 'style': 'filled', 'fillcolor': '#9fdf9f'}, 'output'),
    'static_write': ({'shape': 'cylinder', 'style': 'filled', 'fillcolor': '#f5b97f'},
                     'state write (after the run)'),
    'static_send': ({'shape': 'rarrow', 'style': 'filled', 'fillcolor': '#ffffff'},
                    'send to another rank'),
    'static_recv': ({'shape': 'larrow', 'style': 'filled', 'fillcolor': '#ffffff'},
                    'receive from another rank'),
})
# A partitioned graph's ops carry note['rank'] (mt.static.partition): each rank has its colour.
RANK_COLOURS = ('#cfe3ff', '#ffd9b3', '#d3f0d3', '#f3d1f0', '#fff1a8', '#e0e0e0', '#c9f1f1',
                '#f7c9c9')
ROLES.update({f'static_rank{r}': ({'shape': 'ellipse', 'style': 'filled', 'fillcolor': colour},
                                  f'op on rank {r}') for r, colour in enumerate(RANK_COLOURS)})

HIGHLIGHT = '#d62728'
STEP_EDGE = {'style': 'dashed', 'color': '#d2691e', 'fontcolor': '#d2691e'}
CUT_EDGE = {'style': 'dotted'}


def draw_graph(graph, *, show_shapes=True, group_scopes=True, max_nodes=200, title=None,
               highlight=None, rankdir='TB'):
    """Draw a static graph (ops as nodes, tensors as edges); returns a Drawing.

    show_shapes: label each edge with its tensor's type (f32[64,100]).  group_scopes: draw the ops
    of each module call inside a box named by the module's path.  max_nodes: above this many
    nodes, draw a summary (a repeated block drawn once, then only the ops nearest the outputs).
    title: a heading over the drawing.  highlight: ops to outline, given as Nodes, positions in
    graph.nodes or op names (or a dict of those to colours).  rankdir: 'TB' or 'LR'.
    """
    found = as_graph(graph)
    if found is None:
        raise TypeError(f'draw_graph() takes a static graph (an mt.static.Graph, a Session, or a '
                        f'traced function after its first call), not {type(graph).__name__}')
    graph = found
    folding, note = fold(graph, max_nodes)
    painter = Painter(graph, folding, show_shapes, group_scopes, rankdir)
    picture = painter.paint(note, _highlights(graph, folding, highlight))
    return GraphDrawing(picture, title)


def as_graph(thing):
    """The IR graph a thing holds, or None: an IR Graph itself; a define-then-run Graph (its .ir);
    a Session (its graph's); a traced function (the graph of its last call)."""
    for _ in range(3):
        if isinstance(thing, Graph):
            return thing
        kind = type(thing)
        if hasattr(kind, 'ir') or 'ir' in getattr(thing, '__dict__', ()):
            thing = thing.ir
        elif hasattr(kind, 'graph') or 'graph' in getattr(thing, '__dict__', ()):
            thing = thing.graph
        else:
            return None
    return thing if isinstance(thing, Graph) else None


class GraphDrawing(Drawing):
    """A Drawing of a static graph, with an optional title above it."""

    def __init__(self, picture, title=None):
        super().__init__(picture, 'static_graph')
        self.title = title

    @property
    def digraph(self):
        """The graphviz.Digraph behind this drawing (built on first use)."""
        fresh = self._digraph is None
        dot = super().digraph
        if fresh and self.title:
            dot.attr(label=self.title, labelloc='t', fontsize='12')
        return dot


def _highlights(graph, folding, highlight):
    """{position drawn: colour} for what `highlight` names."""
    if not highlight:
        return {}
    colours = highlight if isinstance(highlight, dict) else dict.fromkeys(highlight, HIGHLIGHT)
    found = {}
    for p, node in enumerate(graph.nodes):
        for key, colour in colours.items():
            if key is node or (type(key) is int and key == p) or \
                    (isinstance(key, str) and key == node.name):
                found.setdefault(folding.R(p), colour)
    return found


class Painter:
    """Turns a graph and its Folding into a Picture: sources, ops, sinks, edges, clusters."""

    def __init__(self, graph, folding, show_shapes, group_scopes, rankdir):
        self.graph, self.folding = graph, folding
        self.show_shapes, self.group_scopes = show_shapes, group_scopes
        self.picture = Picture(rankdir)
        self.source_ids = {}        # Value -> id of its source node
        self.edges = {}             # (tail, head, kind, output index, slot) -> [label, steps]
        self.cluster_ids = {}       # (block, scope) -> cluster id

    # --- the whole picture --------------------------------------------------------------------
    def paint(self, note, highlights):
        graph, folding = self.graph, self.folding
        self._name_sources()
        drawn = folding.drawn()
        for p in range(len(graph.nodes)):
            if p not in folding.dropped:
                self._connect_op(p)
        for i, v in enumerate(graph.outputs):
            self._connect_sink(v, f'out{i}')
        for i, w in enumerate(graph.writes):
            self._connect_sink(w.value, f'w{i}')
        clusters = {p: self._cluster(p) for p in drawn}      # numbered in op order
        self._source_items(bool(note))
        for p in drawn:
            self._op_item(p, clusters[p], highlights.get(p))
        self._sink_items()
        if folding.dropped:
            self.picture.add(Item('cut', 'note', 'cut', [f'{folding.cut} earlier ops',
                                                          'not drawn']))
        if note:
            self.picture.add(Item('note', 'note', 'note', note))
        self._edge_list()
        self.picture.summary = self._summary(bool(note))
        return self.picture

    # --- edges --------------------------------------------------------------------------------
    def _name_sources(self):
        """Ids of inputs and state by position; constants numbered in the order ops read them."""
        for i, v in enumerate(self.graph.inputs):
            self.source_ids.setdefault(v, f'in{i}')
        for i, v in enumerate(self.graph.state):
            self.source_ids.setdefault(v, f's{i}')
        consts = 0
        for node in self.graph.nodes:
            for v in node.inputs:
                if v not in self.folding.producer and v not in self.source_ids:
                    self.source_ids[v] = f'c{consts}'
                    consts += 1

    def _tail(self, v):
        """(tail id, kind, step) of the edge carrying v: kind 'plain', 'cut' or 'step'."""
        folding = self.folding
        p = folding.producer.get(v)
        if p is None:
            return self.source_ids[v], 'plain', None
        if p in folding.dropped:
            return 'cut', 'cut', None
        if folding.hidden(p):
            return f'n{folding.R(p)}', 'step', folding.step[p]
        return f'n{p}', 'plain', None

    def _connect_op(self, p):
        folding = self.folding
        node = self.graph.nodes[p]
        for slot, v in enumerate(node.inputs):
            tail, kind, step = self._tail(v)
            if not folding.hidden(p):           # x * x reads x twice: two edges
                self._edge(tail, f'n{p}', kind, v, step, None if kind == 'step' else slot)
            elif kind == 'step' and folding.step[p] == (step[0], step[1] + 1):
                self._edge(tail, f'n{folding.R(p)}', 'next', v, None)
            # other reads of a hidden step are the same as step 1's, which is drawn

    def _connect_sink(self, v, sink):
        if v is not None:
            tail, kind, step = self._tail(v)
            self._edge(tail, sink, kind, v, step)

    def _edge(self, tail, head, kind, v, step, slot=None):
        """One edge per input slot; edges of repeated steps (slot None) merge, counting steps."""
        p = self.folding.producer.get(v)
        outputs = self.graph.nodes[p].outputs if p is not None else ()
        index = outputs.index(v) if len(outputs) > 1 else None
        key = (tail, head, kind, index, slot)
        entry = self.edges.setdefault(key, [L.edge_text(v, index), []])
        if step is not None:
            entry[1].append(step[1] + 1)

    def _edge_list(self):
        for (tail, head, kind, *_), (label, steps) in self.edges.items():
            attrs = {}
            if kind == 'next':
                attrs.update(STEP_EDGE, constraint='false')
                label = f'{label} next step' if self.show_shapes else 'next step'
            elif kind == 'step':
                attrs.update(STEP_EDGE)
                label = f'{label} {_steps_text(steps)}' if self.show_shapes else _steps_text(steps)
            elif kind == 'cut':
                attrs.update(CUT_EDGE)
            if self.show_shapes or kind in ('next', 'step'):
                attrs['label'] = label
            self.picture.edge(tail, head, **attrs)

    # --- nodes --------------------------------------------------------------------------------
    def _source_items(self, summarized):
        consumers = {}              # tail id -> the heads of its edges (a source drawn is a key)
        for tail, head, *_ in self.edges:
            consumers.setdefault(tail, []).append(head)
        for v, sid in self.source_ids.items():
            if sid not in consumers and (summarized or v.kind == 'const'):
                continue            # an unused input or state still shows, unless summarized
            if sid.startswith('in') or (sid[0] == 'c' and v.kind == 'input'):
                role, lines = 'static_input', L.input_lines(v, sid)
            elif sid.startswith('s') or (sid[0] == 'c' and v.kind == 'state'):
                role, lines = 'static_state', L.state_lines(v, sid)
            else:                   # a constant (or a value made outside this graph)
                role, lines = 'static_const', L.const_lines(v)
            cluster = None if role == 'static_input' else self._shared_cluster(consumers.get(sid))
            self.picture.add(Item(sid, 'source', role, lines, cluster))

    def _op_item(self, p, cluster, colour):
        node = self.graph.nodes[p]
        role = _role(node)
        lines = L.op_lines(node)
        if node.scope and not self.group_scopes:
            lines.append(f'in {node.scope}')
        attrs = {'color': colour, 'penwidth': '2.5', 'fillcolor': _tint(colour)} if colour else \
            _rank_fill(node)
        self.picture.add(Item(f'n{p}', 'op', role, lines, cluster, **attrs))

    def _sink_items(self):
        count = len(self.graph.outputs)
        for i in range(count):
            self.picture.add(Item(f'out{i}', 'sink', 'static_output', L.output_lines(i, count)))
        for i, w in enumerate(self.graph.writes):
            self.picture.add(Item(f'w{i}', 'sink', 'static_write', L.write_lines(w)))

    # --- clusters -----------------------------------------------------------------------------
    def _cluster(self, p):
        step = self.folding.step.get(p)
        scope = self.graph.nodes[p].scope if self.group_scopes else ''
        return self._scope_cluster(step[0] if step else None, scope)

    def _scope_cluster(self, block, scope):
        if not scope:
            return self._repeat_cluster(block) if block is not None else None
        key = (block, scope)
        if key not in self.cluster_ids:
            parent_scope, _, last = scope.rpartition('.')
            parent = self._scope_cluster(block, parent_scope)
            self.cluster_ids[key] = self.picture.cluster(last, parent)
        return self.cluster_ids[key]

    def _repeat_cluster(self, block):
        key = (block, None)
        if key not in self.cluster_ids:
            n = len(self.folding.blocks[block])
            self.cluster_ids[key] = self.picture.cluster(f'repeated ×{n} (step 1 drawn)',
                                                         role='repeat')
        return self.cluster_ids[key]

    def _shared_cluster(self, heads):
        """The cluster a source sits in: its consumers' when they all share one, else none."""
        clusters = {self._cluster(int(h[1:])) if h.startswith('n') else None for h in heads or ()}
        return clusters.pop() if len(clusters) == 1 else None

    # --- text form ----------------------------------------------------------------------------
    def _summary(self, summarized):
        g = self.graph
        parts = [L.plural(len(g.nodes), 'op'), L.plural(len(g.inputs), 'input')]
        if g.state:
            parts.append(L.plural(len(g.state), 'state value'))
        parts.append(L.plural(len(g.outputs), 'output'))
        if g.writes:
            parts.append(L.plural(len(g.writes), 'state write'))
        text = '<static graph: ' + ', '.join(parts)
        if summarized:
            blocks = [f'×{len(steps)} block' for steps in self.folding.blocks]
            cut = ['truncated'] if self.folding.dropped else []
            drawn = len(self.picture.items) - 1         # the note is not a node of the graph
            text += f'; summarized: {", ".join(blocks + cut)}; {drawn} nodes drawn'
        return text + '>'


def _role(node):
    """A send or receive (their op says so), a check, a fused chain, an op placed on a rank, or an op."""
    special = getattr(node.op, 'viz_role', None)
    if special:
        return special
    if L.is_check(node):
        return 'static_check'
    if L.is_fused(node):
        return 'static_fused'
    rank = _rank(node)
    return 'static_op' if rank is None else f'static_rank{rank % len(RANK_COLOURS)}'


def _rank_fill(node):
    """A send or receive is filled with the colour of the rank whose part it is in."""
    rank = _rank(node)
    if rank is None or not getattr(node.op, 'viz_role', None):
        return {}
    return {'fillcolor': RANK_COLOURS[rank % len(RANK_COLOURS)]}


def _rank(node):
    """The rank a partitioned graph placed the op on (its note['rank']), else None."""
    return node.note.get('rank') if isinstance(node.note, dict) else None


def _tint(colour):
    """A pale version of '#rrggbb' (a fifth of it, on white), to fill a highlighted op."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return '#' + ''.join(f'{round(255 - (255 - c) / 5):02x}' for c in rgb)


def _steps_text(steps):
    steps = sorted(set(steps))
    if len(steps) == 1:
        return f'from step {steps[0]}'
    if steps == list(range(steps[0], steps[-1] + 1)):
        return f'from steps {steps[0]}–{steps[-1]}'
    return f'from {len(steps)} steps'
