"""mt.viz.draw: one name for every graph the course draws — what tensors were computed from (a
dynamic graph, recorded as the ops ran) or a static graph (built once, before any data flows)."""
from ..static.ir import Graph
from .forward import draw as draw_tensors
from .static_graph import draw_graph


def draw(*things, **options):
    """Draw a graph; returns a Drawing that Jupyter shows inline.

    draw(loss, ...): the dynamic graph that computed one or more tensors, tensors as boxes and ops
    as ellipses (options: params, show_saved, show_grad, show_values, collapse, max_nodes, rankdir;
    see mt.viz.draw_tensors).
    draw(graph, ...): a static graph — a minitorch.static Graph, or a traced @mt.static.function
    (its graph of the last call) — ops as nodes and tensors as edges labelled with their types
    (options: show_shapes, group_scopes, max_nodes, title, highlight, rankdir; see
    mt.viz.draw_graph).
    """
    if len(things) == 1 and _static_graph(things[0]) is not None:
        return draw_graph(_static_graph(things[0]), **options)
    return draw_tensors(*things, **options)


def _static_graph(thing):
    if isinstance(thing, Graph):
        return thing
    if not _is_tensor_like(thing) and hasattr(type(thing), 'graph'):
        graph = thing.graph             # a traced function: the graph it ran last
        return graph if isinstance(graph, Graph) else None
    return None


def _is_tensor_like(thing):
    from ..tensor import Tensor
    return isinstance(thing, (Tensor, list, tuple))
