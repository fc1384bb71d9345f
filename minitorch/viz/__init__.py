"""Drawings of graphs with graphviz: what a forward pass recorded, how backward walks it.

    import minitorch as mt
    loss = ((x @ w).tanh() ** 2).sum()
    mt.viz.draw(loss, params={'w': w})      # shown inline as SVG in Jupyter
    mt.viz.draw(step.graph)                 # a static graph: ops as nodes, tensors as edges
    mt.viz.draw_passes(step.graph)          # each graph pass, before and after
    mt.viz.draw_backward(loss)              # the gradient graph, edges labelled with shapes
    steps = mt.viz.backward_steps(loss)     # one frame per node, in the engine's order
    steps.show(2)

Every drawing has `.source` (DOT text), `.render(path)` and a one-line text form.
"""
from .drawing import Drawing, GraphvizNotFound, side_by_side
from .forward import draw as draw_tensors
from .dispatch import draw
from .static_graph import draw_graph
from .static_passes import draw_pass, draw_passes, PassDrawings
from .backward import draw_backward, backward_steps, BackwardSteps
from .objects import draw_objects

__all__ = ['draw', 'draw_tensors', 'draw_graph', 'draw_pass', 'draw_passes', 'PassDrawings',
           'draw_backward', 'backward_steps', 'BackwardSteps', 'draw_objects', 'side_by_side',
           'Drawing', 'GraphvizNotFound']
