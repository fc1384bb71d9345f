"""mt.viz.draw: one name for every graph the course draws — what tensors were computed from (a
dynamic graph, recorded as the ops ran) or a static graph (built once, before any data flows)."""
from ..tensor import Tensor
from .forward import draw as draw_tensors
from .static_graph import as_graph, draw_graph


def draw(*things, **options):
    """Draw a graph; returns a Drawing that Jupyter shows inline.

    draw(loss, ...): the dynamic graph that computed one or more tensors, tensors as boxes and ops
    as ellipses (options: params, show_saved, show_grad, show_values, collapse, max_nodes, rankdir;
    see mt.viz.draw_tensors).
    draw(graph, ...): a static graph — an mt.static.Graph, a Session's, or a traced
    @mt.static.function's (the graph of its last call) — ops as nodes and tensors as edges labelled
    with their types (options: show_shapes, group_scopes, max_nodes, title, highlight, rankdir; see
    mt.viz.draw_graph).
    """
    if len(things) == 1 and not isinstance(things[0], (Tensor, list, tuple)):
        graph = as_graph(things[0])
        if graph is not None:
            return draw_graph(graph, **options)
    return draw_tensors(*things, **options)
