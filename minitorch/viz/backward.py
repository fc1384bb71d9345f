"""The backward graph, and the order in which backward visits it.

`draw_backward(loss)` draws what `loss.backward()` walks: one node per recorded op (MulBackward, ...)
and one AccumulateGrad per leaf, edges pointing the way gradients flow, labelled with their shapes.
`backward_steps(loss)` replays the engine's schedule (minitorch/autograd/engine.py: dependency counts,
a ready stack popped from the end) without running any backward function, and draws one frame per
visited node.
"""
from ..autograd.engine import _count_dependencies
from ..autograd.node import AccumulateGrad
from ..tensor import Tensor
from . import labels as L
from .drawing import Drawing
from .model import Item, Picture
from .modules import Names
from .walk import forward_order


def draw_backward(loss, params=None, max_nodes=200, rankdir='TB'):
    """Draw the backward graph of `loss`: gradient edges labelled with the shape they carry."""
    graph = BackwardGraph(loss, params, max_nodes)
    return Drawing(graph.picture(rankdir))


def backward_steps(loss, params=None, max_nodes=200, rankdir='TB'):
    """The frames of backward: frame i shows the i-th node the engine runs (red), those already run
    (green), those whose gradients are all in and wait their turn (yellow)."""
    graph = BackwardGraph(loss, params, max_nodes)
    order, queues = engine_order(graph.roots)
    frames = []
    for i, node in enumerate(order):
        state = {n: 'done' for n in order[:i]}
        state.update({n: 'ready' for n in queues[i]})
        state[node] = 'current'
        picture = graph.picture(rankdir, state)
        picture.summary = f'<backward step {i + 1}/{len(order)}: {graph.title(node)}>'
        frames.append(Drawing(picture))
    return BackwardSteps(frames, [graph.title(n) for n in order])


def engine_order(roots):
    """The nodes in the order run_backward visits them, and the ready stack when each is popped."""
    dependencies = _count_dependencies(roots)
    ready = [node for node in dict.fromkeys(roots) if dependencies.get(node, 0) == 0]
    order, queues = [], []
    while ready:
        node = ready.pop()
        order.append(node)
        queues.append(list(ready))
        for edge in node.next_functions:
            child = edge[0]
            if child is None:
                continue
            left = dependencies[child] - 1
            dependencies[child] = left
            if left == 0:
                ready.append(child)
    return order, queues


class BackwardSteps(list):
    """A list of Drawings, one per step of backward; `.order` names the nodes in visiting order."""

    def __init__(self, frames, order):
        super().__init__(frames)
        self.order = order

    def show(self, i):
        """Frame i (0-based; negative counts from the end), to display in a notebook."""
        return self[i]

    def __repr__(self):
        return f'<backward steps: {len(self)} frames: ' + ' → '.join(self.order) + '>'


class BackwardGraph:
    def __init__(self, loss, params, max_nodes):
        if not isinstance(loss, Tensor):
            raise TypeError(f'expected a tensor, not {type(loss).__name__}')
        if loss.grad_fn is None:
            raise RuntimeError('this tensor has no backward graph (grad_fn is None): it is a leaf or '
                               'was computed without requires_grad / under no_grad')
        self.loss = loss
        self.roots = [loss.grad_fn]
        self.nodes = forward_order(self.roots)[::-1]         # from the loss down to the leaves
        self.total = len(self.nodes)
        self.nodes = self.nodes[:max_nodes]
        self.names = Names(params, [n for n in self.nodes if not isinstance(n, AccumulateGrad)])
        self.ids = {node: f'b{i}' for i, node in enumerate(self.nodes)}

    def title(self, node):
        if isinstance(node, AccumulateGrad):
            name = self._name(node.variable)
            return f'AccumulateGrad({name})' if name else 'AccumulateGrad'
        return node.name()

    def _name(self, t):
        return t.name or self.names.tensor.get(id(t))

    def picture(self, rankdir, state=None):
        pic = Picture(rankdir)
        shape = L.shape_text(self.loss.shape)
        pic.add(Item('grad', 'tensor', 'grad', ['gradient of the output', f'ones {shape}']))
        pic.edge('grad', self.ids[self.loss.grad_fn], label=shape)
        for node in self.nodes:
            pic.add(self._item(node, state))
        for node in self.nodes:
            for edge in node.next_functions:
                if edge[0] is None or edge[0] not in self.ids:
                    continue
                child, nr = edge
                attrs = {'label': L.shape_text(child.out_meta[nr][0])}
                if state is not None and state.get(node) not in ('done', 'current'):
                    attrs.update(color='#bbbbbb', fontcolor='#999999')
                elif state is not None and state.get(node) == 'current':
                    attrs.update(color='#d32f2f', penwidth='2')
                pic.edge(self.ids[node], self.ids[child], **attrs)
        cut = self.total - len(self.nodes)
        if cut:
            pic.add(Item('note', 'note', 'note', [f'{self.total} nodes: only the {len(self.nodes)} '
                                                  f'nearest the output drawn ({cut} more)']))
        ops = sum(not isinstance(n, AccumulateGrad) for n in self.nodes)
        pic.summary = f'<backward graph: {ops} nodes, {len(self.nodes) - ops} leaves' + \
            (f'; {cut} more not drawn>' if cut else '>')
        return pic

    def _item(self, node, state):
        if isinstance(node, AccumulateGrad):
            t = node.variable
            name = self._name(t)
            lines = ['AccumulateGrad', name, L.meta_text(t._data.shape, t._data.dtype, t._device)]
            if state is None:
                lines.append(L.grad_text(t))
            role = 'param' if self.names.is_param(t) else 'leaf'
        else:
            lines = [node.name()]
            role = 'custom' if L.is_custom(node) else 'backward'
        attrs = {}
        if state is not None:
            if isinstance(node, AccumulateGrad):
                attrs['shape'] = 'box'
            step = state.get(node, 'pending')
            if isinstance(node, AccumulateGrad) and step == 'pending':
                attrs['style'] = 'filled,dashed'
            else:
                role = step
        return Item(self.ids[node], 'op', role, lines, **attrs)
