"""Dead-code elimination: drop the nodes whose results nothing needs.

A node is live when the graph returns one of its results, writes one back to state, or feeds a
live node; nodes that check values (assertions: `has_effects`) are always live.  The state values
nobody reads any more are dropped from the graph's state list too.
"""
from ..ir import protected


def eliminate_dead_code(graph, fetches=None):
    """A new Graph without dead nodes, and a report {'removed': n}.  fetches: the outputs to keep
    (default: all of the graph's outputs)."""
    out = graph.copy()
    if fetches is not None:
        out.outputs = list(fetches)
    needed = protected(out)
    live = []
    for node in reversed(out.nodes):
        if getattr(node.op, 'has_effects', False) or any(v in needed for v in node.outputs):
            live.append(node)
            needed.update(node.inputs)
    live.reverse()
    removed = len(out.nodes) - len(live)
    out.nodes = live
    out.state = [v for v in out.state if v in needed]
    out.inputs = list(graph.inputs)         # inputs stay: callers feed them by position
    return out, {'removed': removed}

