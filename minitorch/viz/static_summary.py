"""Big static graphs: past max_nodes, draw a summary instead of a hairball.

As for dynamic drawings (summarize.py), tried in order:
1. repeated structure: the run of identical consecutive steps (same ops, output types, scopes and
   sources read; attributes such as a time index may differ) that saves the most nodes is drawn
   once, as a "×N" block; up to MAX_BLOCKS blocks (an unrolled RNN, a layer applied N times).
   A loop is cut where the fewest values cross from one step to the next, so a step reads like the
   body of the Python loop that made it;
2. truncation: only the ops nearest the outputs are drawn; what the others made comes from one
   "not drawn" node.
Everything is by node position in the graph, so the same graph always gives the same summary.
"""
from .summarize import MAX_BLOCKS, best_run


class Folding:
    """Which ops of a graph are drawn.  blocks[b][k] lists the positions of step k of block b;
    rep maps each position in steps 2..N to its counterpart in step 1; dropped positions (a
    truncated graph) are not drawn at all."""

    def __init__(self, graph):
        self.graph = graph
        self.producer = {v: p for p, node in enumerate(graph.nodes) for v in node.outputs}
        self.blocks = []
        self.rep, self.step = {}, {}
        self.dropped = set()
        self.cut = 0                # how many of the ops the summary would draw are dropped

    def R(self, position):
        return self.rep.get(position, position)

    def hidden(self, position):
        return self.R(position) != position

    def drawn(self):
        """Positions of the ops drawn, in graph order."""
        return [p for p in range(len(self.graph.nodes))
                if p not in self.rep and p not in self.dropped]

    def size(self, kept=None):
        """How many nodes the drawing has: ops, the sources they read, and the sinks."""
        kept = self.drawn() if kept is None else kept
        nodes = self.graph.nodes
        sources = {v for p in kept for v in nodes[p].inputs if v not in self.producer}
        sinks = len(self.graph.outputs) + len(self.graph.writes)
        return len(kept) + len(sources) + sinks

    def add_block(self, steps):
        b = len(self.blocks)
        self.blocks.append(steps)
        for k, step in enumerate(steps):
            for j, position in enumerate(step):
                self.step[position] = (b, k)
                if k:
                    self.rep[position] = steps[0][j]


def fold(graph, max_nodes):
    """The Folding to draw and the note lines saying how it was summarized (empty if it was not)."""
    folding = Folding(graph)
    if folding.size() <= max_nodes:
        return folding, []
    note = [f'{len(graph.nodes)} ops: more than max_nodes={max_nodes}, so this is a summary']
    while folding.size() > max_nodes and len(folding.blocks) < MAX_BLOCKS:
        free = [p for p in range(len(graph.nodes)) if p not in folding.step]
        found = find_repeat(free, folding)
        if found is None:
            break
        start, period, count = found
        folding.add_block([free[start + k * period: start + (k + 1) * period]
                           for k in range(count)])
        size = period
        note.append(f'a block of {size} op{"s" if size > 1 else ""} repeated ×{count}: drawn once')
    if folding.size() > max_nodes and folding.blocks:
        plain = Folding(graph)
        if plain.size() - folding.size() < (plain.size() - max_nodes) / 2:
            folding, note = plain, note[:1]       # the repeats found were too small to matter
    if folding.size() > max_nodes:
        _truncate(folding, max_nodes)
        note.append(f'only the last {len(folding.drawn())} ops drawn; the dotted node stands for '
                    f'the {folding.cut} before them')
    return folding, note


def signature(node, producer):
    """What must match for two ops to count as the same step of a loop."""
    reads = tuple('made' if v in producer else
                  ('const', v.shape, v.dtype.str) if v.kind == 'const' else ('source', id(v))
                  for v in node.inputs)
    outs = tuple(v.type_text() for v in node.outputs)
    return (node.op, outs, node.scope, reads, tuple(node.kwargs))


def find_repeat(positions, folding):
    """(start, period, count) in `positions` of the run of identical consecutive steps that saves the
    most nodes, or None."""
    nodes = folding.graph.nodes
    found = best_run([signature(nodes[p], folding.producer) for p in positions])
    if found is None:
        return None
    begin, slack, period, count = found
    return _fewest_crossing(positions, folding, begin, slack, period), period, count


def _fewest_crossing(positions, folding, begin, slack, period):
    """The start, among those the run allows, where the fewest values cross from step 1 to step 2;
    among those, one whose first op reads no value of the step before (a loop body starts from its
    inputs, and the carry comes in later), else the earliest."""
    nodes = folding.graph.nodes

    def cost(start):
        first = set(positions[start:start + period])
        second = positions[start + period:start + 2 * period]
        crossing = {v for p in second for v in nodes[p].inputs if folding.producer.get(v) in first}
        opens_on_carry = any(v in crossing for v in nodes[second[0]].inputs)
        return len(crossing), opens_on_carry, start
    return min(range(begin, begin + slack + 1), key=cost)


def _truncate(folding, max_nodes):
    """Drop the earliest drawn ops, keeping as many as fit (binary search on how many)."""
    drawn = folding.drawn()
    low, high, keep = 1, len(drawn), 1
    while low <= high:
        middle = (low + high) // 2
        if folding.size(drawn[len(drawn) - middle:]) + 1 <= max_nodes:
            keep, low = middle, middle + 1
        else:
            high = middle - 1
    dropped = set(drawn[:len(drawn) - keep])
    folding.cut = len(dropped)
    folding.dropped = dropped | {p for p in folding.rep if folding.rep[p] in dropped}
