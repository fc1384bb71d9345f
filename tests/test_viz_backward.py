"""draw_backward and backward_steps: the gradient graph and the engine's visiting order."""
import minitorch as mt
from minitorch import viz
from minitorch.autograd.node import AccumulateGrad

from test_viz_support import parse_dot, by_label


def diamond():
    mt.manual_seed(0)
    x = mt.randn(3, requires_grad=True)
    w = mt.randn(3, requires_grad=True)
    a = x * w
    b = a.exp()
    c = a.sin()
    loss = (b + c * x).sum()
    return x, w, loss


def all_nodes(loss):
    seen, stack = [], [loss.grad_fn]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.append(node)
        stack.extend(e[0] for e in node.next_functions if e[0] is not None)
    return seen


def test_backward_graph_nodes_and_gradient_shapes():
    mt.manual_seed(0)
    x = mt.randn(4, 3, requires_grad=True)
    w = mt.randn(3, 2, requires_grad=True)
    loss = (x @ w).relu().mean()
    d = viz.draw_backward(loss, params={'w': w})
    g = parse_dot(d.source)
    assert d.summary == '<backward graph: 3 nodes, 2 leaves>'
    (mean,) = by_label(g, 'MeanBackward')
    (mm,) = by_label(g, 'MatMulBackward')
    assert [(a['label']) for t, h, a in g['edges'] if t == 'grad'] == ['()']
    leaves = {a['label'].split('\n')[1]: n for n, a in g['nodes'].items()
              if a.get('label', '').startswith('AccumulateGrad')}
    edges = {(t, h): a.get('label') for t, h, a in g['edges']}
    assert edges[(mm, leaves['w'])] == '(3, 2)'
    (xleaf,) = [n for k, n in leaves.items() if k != 'w']
    assert edges[(mm, xleaf)] == '(4, 3)'
    assert ('grad', mean) in edges


def test_steps_follow_the_engine_order():
    x, w, loss = diamond()
    steps = viz.backward_steps(loss, params={'x': x, 'w': w})
    ran = []
    for node in all_nodes(loss):
        node.register_prehook(0, lambda grad, node=node: ran.append(node))
    loss.backward()
    titles = [('AccumulateGrad(' + ('x' if n.variable is x else 'w') + ')')
              if isinstance(n, AccumulateGrad) else n.name() for n in ran]
    assert steps.order == titles
    assert len(steps) == len(ran) == 8
    assert repr(steps).startswith('<backward steps: 8 frames: SumBackward → AddBackward')


def test_frames_colour_done_current_and_waiting():
    x, w, loss = diamond()
    steps = viz.backward_steps(loss)
    assert steps.show(0) is steps[0] and steps.show(-1) is steps[-1]
    colour = {'done': '#c8e6c9', 'current': '#ff8a80', 'ready': '#fff3c4'}
    for i, frame in enumerate(steps):
        g = parse_dot(frame.source)
        fills = [a.get('fillcolor') for n, a in g['nodes'].items() if n.startswith('b')]
        assert fills.count(colour['current']) == 1
        assert fills.count(colour['done']) == i
        assert repr(frame) == f'<backward step {i + 1}/8: {steps.order[i]}>'
    # after AddBackward ran, both of its inputs wait their turn at some point
    waiting = [parse_dot(f.source) for f in steps]
    assert any(colour['ready'] in str(g['nodes']) for g in waiting)
    # nothing ran: computing the steps did not touch .grad
    assert x.grad is None and w.grad is None
