"""mt.viz.draw on plain ops: structure of the DOT, roles, names, saved tensors, gradients, values."""
import gc

import pytest

import minitorch as mt
from minitorch import viz
from minitorch.autograd import Function

from test_viz_support import COLOURS, parse_dot, labels, by_label


def small_program():
    mt.manual_seed(0)
    x = mt.randn(3, 4, requires_grad=True)
    w = mt.randn(4, 2, requires_grad=True)
    b = mt.zeros(2, requires_grad=True)
    y = ((x @ w + b).tanh() ** 2).sum()
    return x, w, b, y


def role_of(graph, nid):
    return graph['nodes'][nid]['fillcolor']


def test_plain_ops_nodes_edges_and_roles():
    x, w, b, y = small_program()
    d = viz.draw(y, params={'w': w, 'b': b})
    g = parse_dot(d.source)
    ops = labels(g, 'op')
    assert list(ops.values()) == ['MatMul', 'Add', 'Tanh', 'Pow', 'Sum']     # forward order
    tensors = labels(g, 't')
    assert len(tensors) == 8 and d.summary == '<graph: 5 ops, 8 tensors>' == repr(d)
    (wid,) = by_label(g, 'w')
    (bid,) = by_label(g, 'b')
    assert tensors[wid] == 'w\n(4, 2) float32 cpu'
    assert role_of(g, wid) == role_of(g, bid) == COLOURS['param']
    (xid,) = [t for t, text in tensors.items() if text == '(3, 4) float32 cpu']
    assert role_of(g, xid) == COLOURS['leaf']
    (yid,) = [t for t, text in tensors.items() if text.startswith('() float32')]
    assert role_of(g, yid) == COLOURS['output']
    middle = [t for t in tensors if t not in (wid, bid, xid, yid)]
    assert {role_of(g, t) for t in middle} == {COLOURS['intermediate']}
    edges = {(a, b) for a, b, _ in g['edges']}
    (mm,) = by_label(g, 'MatMul')
    (add,) = by_label(g, 'Add')
    assert (xid, mm) in edges and (wid, mm) in edges and (bid, add) in edges
    (made_by_mm,) = [h for t, h in edges if t == mm]
    assert (made_by_mm, add) in edges
    (total,) = by_label(g, 'Sum')
    assert (total, yid) in edges
    assert 'legend' in g['nodes'] and 'parameter' in g['nodes']['legend']['label']


def test_same_program_twice_gives_same_dot():
    first = viz.draw(small_program()[3]).source
    second = viz.draw(small_program()[3]).source
    assert first == second
    assert 'op0' in first and 't0' in first


def test_tensor_name_and_repeated_input():
    x = mt.ones(3, requires_grad=True)
    x.name = 'x'
    y = (x * x).sum()
    y.name = 'loss'
    g = parse_dot(viz.draw(y).source)
    (xid,) = by_label(g, 'x')
    (mul,) = by_label(g, 'Mul')
    assert [(a, b) for a, b, _ in g['edges'] if b == mul] == [(xid, mul), (xid, mul)]
    assert by_label(g, 'loss')


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return 3 * x * x * grad


def test_custom_function_named_by_class_with_its_own_colour():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x).exp().sum()
    g = parse_dot(viz.draw(y).source)
    (cube,) = by_label(g, 'Cube')
    (exp,) = by_label(g, 'Exp')
    assert g['nodes'][cube]['fillcolor'] == COLOURS['custom']
    assert g['nodes'][exp]['fillcolor'] != COLOURS['custom']


def test_saved_tensors_on_request():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x).exp().sum()
    assert not [n for n in parse_dot(viz.draw(y).source)['nodes'] if n.startswith('s')]
    g = parse_dot(viz.draw(y, show_saved=True).source)
    saved = labels(g, 's')
    (cube,) = by_label(g, 'Cube')
    (exp,) = by_label(g, 'Exp')
    into = {b: a for a, b, attrs in g['edges'] if a in saved}
    assert set(into) == {cube, exp}
    assert saved[into[cube]] == 'saved input\n(2,) float32 cpu'
    assert saved[into[exp]] == 'saved output 0\n(2,) float32 cpu'     # exp saves its result
    assert {g['nodes'][s]['fillcolor'] for s in saved} == {COLOURS['saved']}
    y.backward()
    g = parse_dot(viz.draw(y, show_saved=True).source)
    assert '(saved tensors freed)' in g['nodes'][by_label(g, 'Cube')[0]]['label']


def test_gradients_shown_after_backward():
    x, w, b, y = small_program()
    before = viz.draw(y, params={'w': w}).source
    assert 'grad' not in before
    h = x @ w
    h.retain_grad()
    loss = (h.tanh() * 2).sum()
    loss.backward()
    g = parse_dot(viz.draw(loss, params={'w': w}).source)
    (wid,) = by_label(g, 'w')
    norm = float((w.grad * w.grad).sum().item()) ** 0.5
    assert g['nodes'][wid]['label'].split('\n')[2] == f'grad (4, 2) ‖g‖={norm:.3g}'
    retained = [t for t, text in labels(g, 't').items() if text.startswith('(3, 2)') and 'grad' in text]
    assert len(retained) == 1                   # h retained its grad; tanh's output did not
    assert 'grad' not in viz.draw(loss, show_grad=False).source
    fresh = mt.ones(2, requires_grad=True)
    g = parse_dot(viz.draw((fresh * 3).sum(), show_grad=True).source)
    (leaf,) = [t for t, a in g['nodes'].items() if a.get('fillcolor') == COLOURS['leaf']]
    assert g['nodes'][leaf]['label'] == '(2,) float32 cpu\ngrad: None'


def test_values_only_for_small_tensors():
    a = mt.tensor([1.0, -2.5], requires_grad=True)
    big = mt.ones(40, requires_grad=True)
    doubled = a * 2                             # alive, so its values can be shown
    y = doubled.sum() + big.sum()
    g = parse_dot(viz.draw(y, show_values=True).source)
    text = labels(g, 't')
    assert any(t.endswith('= [1, -2.5]') for t in text.values())
    assert any(t.endswith('= [2, -5]') for t in text.values())
    assert not any('(40,)' in t and '=' in t for t in text.values())
    assert any(t.endswith('= 37') for t in text.values())


def test_several_outputs_and_dropped_intermediates():
    x = mt.ones(2, 2, requires_grad=True)
    a = x.exp()
    b = a.sum(0)
    c = (a * 3).mean()
    del a
    gc.collect()                                # a is gone: described from node.out_meta
    g = parse_dot(viz.draw(b, c).source)
    outputs = [t for t, attrs in g['nodes'].items() if attrs.get('fillcolor') == COLOURS['output']]
    assert len(outputs) == 2
    (exp,) = by_label(g, 'Exp')
    (made,) = [h for t, h, _ in g['edges'] if t == exp]
    assert g['nodes'][made]['label'] == '(2, 2) float32 cpu'
    assert len([h for t, h, _ in g['edges'] if t == made]) == 2     # used by Sum and Mul


def test_errors_are_clear():
    with pytest.raises(TypeError, match='draw_objects'):
        viz.draw([1, 2, 3])
    with pytest.raises(TypeError, match='at least one tensor'):
        viz.draw()
    with pytest.raises(RuntimeError, match='no backward graph'):
        viz.draw_backward(mt.ones(2))
    with pytest.raises(TypeError, match='params'):
        viz.draw(mt.ones(2, requires_grad=True) * 2, params=42)


def test_leaf_or_constant_output():
    leaf = mt.ones(2, requires_grad=True)
    d = viz.draw(leaf)
    assert repr(d) == '<graph: 0 ops, 1 tensors>'
    g = parse_dot(d.source)
    assert g['nodes']['t0']['fillcolor'] == COLOURS['output']


def test_other_devices_labelled_and_read_through_host(device):
    x = mt.tensor([1.0, -2.0], device=device, requires_grad=True)
    y = (x * 3).sum()
    y.backward()
    g = parse_dot(viz.draw(y, show_values=True).source)
    dev = str(x.device)
    (leaf,) = [t for t, a in g['nodes'].items() if a.get('fillcolor') == COLOURS['leaf']]
    assert g['nodes'][leaf]['label'] == (f'(2,) float32 {dev}\ngrad (2,) ‖g‖={3 * 2 ** 0.5:.3g}\n'
                                         f'= [1, -2]')
    assert viz.draw_backward(y).source.count(dev) == 1
