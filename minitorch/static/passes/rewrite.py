"""What passes share: replacing values by others across a graph without changing the input graph
(nodes are shared between graphs, so a node whose inputs change is copied)."""
from ..ir import StateWrite, node_like


def substitute(graph, mapping, nodes=None):
    """A copy of graph whose nodes (default: graph.nodes) read mapping[v] instead of v, as do its
    outputs and state writes.  Chains (a -> b -> c) are followed."""
    def final(v):
        seen = 0
        while v in mapping and seen < 1000:
            v = mapping[v]
            seen += 1
        return v

    out = graph.copy()
    out.nodes = [with_inputs(node, [final(v) for v in node.inputs])
                 for node in (graph.nodes if nodes is None else nodes)]
    out.outputs = [None if v is None else final(v) for v in graph.outputs]
    out.writes = [StateWrite(w.slot, None if w.value is None else final(w.value))
                  for w in graph.writes]
    return out


def with_inputs(node, inputs):
    """node itself when it reads these very inputs, else a copy that reads them (its outputs now
    name the copy as their node)."""
    if all(a is b for a, b in zip(inputs, node.inputs)):
        return node
    return node_like(node, inputs, node.outputs, node.note)


def is_pure(op):
    """Whether evaluating op twice, or early, or not at all gives the same program (no randomness,
    no checks that must run, no state it reads on its own)."""
    return not getattr(op, 'random', False) and not getattr(op, 'has_effects', False)

