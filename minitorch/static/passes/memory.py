"""Memory planning: free each buffer after its last use, and reuse a dying buffer for a result.

The compiled code deletes every intermediate right after its last use.  On top of that this pass
marks an elementwise node to write its result into one of its inputs (`out=`) when that input dies
at the node, has the result's shape and dtype, and no live value shares its memory (views made by
reshape, slicing, ... share it); a state update such as `w := w - lr * g` writes straight into w.
The report gives the peak bytes of intermediates before and after.
"""
from ..codegen import plain_ufunc
from ..ir import last_uses, node_like, protected


def plan_memory(graph):
    """A new Graph whose nodes carry note {'out': i} (write into input i); report {'in place': n,
    'peak bytes before': ..., 'peak bytes after': ...}."""
    last = last_uses(graph)
    kept = protected(graph)
    writes = {w.value: w.slot for w in graph.writes if w.value is not None}
    alias = _Aliases()
    out = graph.copy()
    nodes, in_place = [], 0
    for index, node in enumerate(graph.nodes):
        choice = _reusable_input(node, index, last, kept, writes, alias) if _can_write_out(node) \
            else None
        free = _free_inputs(node, index, last, kept, alias, choice) \
            if getattr(node.op, 'accepts_out', False) else ()
        if choice is not None or free:
            note = dict(node.note or {})
            if choice is not None:
                note['out'] = choice
            if free:
                note['free'] = free
            node = node_like(node, node.inputs, node.outputs, note)
            if choice is not None:
                alias.join(node.outputs[0], node.inputs[choice])
                in_place += 1
        elif getattr(node.op, 'returns_view', False):
            for v in node.outputs:
                alias.join(v, node.inputs[0])
        nodes.append(node)
    out.nodes = nodes
    return out, {'in place': in_place, 'peak bytes before': peak_bytes(graph),
                 'peak bytes after': peak_bytes(out)}


def _can_write_out(node):
    op = node.op
    return (plain_ufunc(op) is not None and len(node.outputs) == 1) or \
        getattr(op, 'accepts_out', False)


def _reusable_input(node, index, last, kept, writes, alias):
    out = node.outputs[0]
    order = sorted(range(len(node.inputs)), key=lambda i: node.inputs[i].kind != 'state')
    for i in order:                 # a state update in place first: it saves the copy back
        v = node.inputs[i]
        if v.shape != out.shape or v.dtype != out.dtype or last.get(v) != index:
            continue
        if v.kind == 'node' and v not in kept and not alias.shared(v, last, index) and \
                not alias.foreign(v) and not _a_view(v):
            return i
        if v.kind == 'state' and writes.get(out) is v.slot and not alias.shared(v, last, index):
            return i            # w := f(w, ...): the update writes into w itself
    return None


def _free_inputs(node, index, last, kept, alias, choice):
    """The inputs a fused node may reuse as buffers after reading them (they die here, own their
    memory, and no live value shares it)."""
    return tuple(i for i, v in enumerate(node.inputs)
                 if i != choice and v.kind == 'node' and last.get(v) == index and v not in kept
                 and node.inputs.index(v) == i and not alias.shared(v, last, index)
                 and not alias.foreign(v) and not _a_view(v))


def _a_view(v):
    """Made by a view op (reshape, expand, slicing): its memory may be read-only (a broadcast) or
    another array's, so it is never written into."""
    return v.node is not None and getattr(v.node.op, 'returns_view', False)


class _Aliases:
    """Which values may share memory (union-find over views and in-place results)."""

    def __init__(self):
        self.parent = {}

    def find(self, v):
        while self.parent.get(v, v) is not v:
            v = self.parent[v]
        return v

    def join(self, a, b):
        self.parent[self.find(a)] = self.find(b)

    def foreign(self, v):
        """Does v share memory with an input, state or a constant (memory the graph must not
        overwrite)?"""
        root = self.find(v)
        return any(self.find(other) is root and other.kind != 'node' for other in list(self.parent))

    def shared(self, v, last, index):
        """Does a value other than v, sharing v's memory, live past node `index`?"""
        root = self.find(v)
        return any(other is not v and self.find(other) is root and last.get(other, -1) > index
                   for other in list(self.parent))


def peak_bytes(graph):
    """The most bytes of intermediates alive at once, following the node order (outputs written
    into an input allocate nothing)."""
    last = last_uses(graph)
    kept = protected(graph)
    live, peak, sizes = set(), 0, 0
    for index, node in enumerate(graph.nodes):
        in_place = (node.note or {}).get('out') is not None
        for v in node.outputs:
            if not in_place and not getattr(node.op, 'returns_view', False):
                live.add(v)
                sizes += v.nbytes
        peak = max(peak, sizes)
        for v in node.inputs + node.outputs:
            if v in live and last.get(v, index) <= index and v not in kept:
                live.discard(v)
                sizes -= v.nbytes
    return peak
