"""Drawings of module code: clusters per module call, weight sharing, collapse=, max_nodes."""
import numpy as np
import pytest

import minitorch as mt
from minitorch import viz

from test_viz_support import COLOURS, parse_dot, labels, by_label, MLP, Linear, Cell, Module, run_rnn


def mlp_loss():
    mt.manual_seed(0)
    model = MLP()
    return model, (model(mt.randn(3, 4)) ** 2).mean()


def cluster_of(g, nid):
    cid = g['nodes'][nid]['cluster']
    return g['clusters'][cid]['label'] if cid else None


def test_ops_grouped_by_module_call_with_parameters_inside():
    model, loss = mlp_loss()
    g = parse_dot(viz.draw(loss, params=model).source)
    clusters = {c['label']: c for c in g['clusters'].values()}
    assert set(clusters) == {'MLP', 'fc1: Linear', 'fc2: Linear'}
    names = {cid: c['label'] for cid, c in g['clusters'].items()}
    assert names[clusters['fc1: Linear']['parent']] == 'MLP'
    (w1,) = by_label(g, 'fc1.weight')
    assert cluster_of(g, w1) == 'fc1: Linear'
    assert g['nodes'][w1]['fillcolor'] == COLOURS['param']
    assert cluster_of(g, by_label(g, 'Relu')[0]) == 'MLP'
    assert {cluster_of(g, m) for m in by_label(g, 'MatMul')} == {'fc1: Linear', 'fc2: Linear'}
    assert cluster_of(g, by_label(g, 'Mean')[0]) is None          # the loss is outside the model
    # without params, names come from the modules seen in the ops' scopes
    assert by_label(parse_dot(viz.draw(loss).source), 'fc2.bias')
    # a dict of names still groups by module (labelled by class)
    g = parse_dot(viz.draw(loss, params={'W1': model.fc1.weight}).source)
    assert by_label(g, 'W1') and {c['label'] for c in g['clusters'].values()} == {'MLP', 'Linear'}


class Twice(Module):
    """One layer applied twice: weight sharing."""

    def __init__(self):
        super().__init__()
        self.layer = Linear(3, 3)

    def forward(self, x):
        return self.layer(self.layer(x).tanh())


def test_weight_sharing_two_calls_one_weight():
    mt.manual_seed(0)
    model = Twice()
    loss = model(mt.randn(2, 3)).sum()
    g = parse_dot(viz.draw(loss, params=model).source)
    labels_ = sorted(c['label'] for c in g['clusters'].values())
    assert labels_ == ['Twice', 'layer: Linear (call 1)', 'layer: Linear (call 2)']
    (w,) = by_label(g, 'layer.weight')                      # drawn once ...
    uses = [h for t, h, _ in g['edges'] if t == w]
    assert len(uses) == 2 and all(g['nodes'][u]['label'] == 'MatMul' for u in uses)
    assert {cluster_of(g, u) for u in uses} == {'layer: Linear (call 1)', 'layer: Linear (call 2)'}
    assert cluster_of(g, w) == 'Twice'                      # ... outside either call
    loss.backward()                                         # both uses add into one .grad
    g = parse_dot(viz.draw(loss, params=model).source)
    assert 'grad (3, 3)' in g['nodes'][by_label(g, 'layer.weight')[0]]['label']


def test_collapse_instance_class_and_list():
    model, loss = mlp_loss()
    d = viz.draw(loss, params=model, collapse=model.fc1)
    g = parse_dot(d.source)
    (m,) = [n for n in g['nodes'] if n.startswith('m')]
    assert g['nodes'][m]['label'] == 'fc1: Linear\n2 ops\n2 parameters'
    assert g['nodes'][m]['fillcolor'] == COLOURS['module'] and g['nodes'][m]['shape'] == 'box3d'
    assert not by_label(g, 'fc1.weight') and by_label(g, 'fc2.weight')
    assert len(by_label(g, 'MatMul')) == 1
    (out,) = [h for t, h, _ in g['edges'] if t == m]
    assert [h for t, h, _ in g['edges'] if t == out] == by_label(g, 'Relu')
    assert d.summary == '<graph: 7 ops, 11 tensors; 1 module call collapsed>'
    g = parse_dot(viz.draw(loss, params=model, collapse=Linear).source)
    assert len([n for n in g['nodes'] if n.startswith('m')]) == 2 and not by_label(g, 'MatMul')
    g = parse_dot(viz.draw(loss, params=model, collapse=[model.fc2, model.fc1]).source)
    assert len([n for n in g['nodes'] if n.startswith('m')]) == 2
    g = parse_dot(viz.draw(loss, params=model, collapse=MLP).source)
    assert [a['label'] for n, a in g['nodes'].items() if n.startswith('m')] == \
        ['MLP\n5 ops\n4 parameters']


def test_collapse_keeps_inputs_that_are_not_parameters():
    mt.manual_seed(0)
    layer = Linear(4, 2)
    x = mt.randn(3, 4, requires_grad=True)
    x.name = 'x'
    g = parse_dot(viz.draw(layer(x).sum(), params=layer, collapse=layer).source)
    (xid,) = by_label(g, 'x')
    assert [h for t, h, _ in g['edges'] if t == xid] == ['m0']


def test_collapse_shared_module_one_node_per_call():
    mt.manual_seed(0)
    model = Twice()
    g = parse_dot(viz.draw(model(mt.randn(2, 3)).sum(), params=model, collapse=Linear).source)
    modules = labels(g, 'm')
    assert sorted(modules.values()) == ['layer: Linear (call 1)\n2 ops\n2 parameters',
                                        'layer: Linear (call 2)\n2 ops\n2 parameters']


def test_max_nodes_draws_repeated_steps_once():
    mt.manual_seed(0)
    cell = Cell(3, 5)
    d = viz.draw(run_rnn(cell, 40), params=cell, max_nodes=60)
    g = parse_dot(d.source)
    assert len(g['nodes']) - 2 <= 60                            # minus note and legend
    assert g['nodes']['note']['label'].split('\n')[1] == 'a block of 6 ops repeated ×39: drawn once'
    repeat = [c for c in g['clusters'].values() if c['label'].startswith('repeated ×')]
    assert len(repeat) == 1
    loops = [(t, h) for t, h, a in g['edges'] if a.get('label') == 'next step']
    assert len(loops) == 1 and g['nodes'][loops[0][1]]['label'] == 'MatMul'
    assert by_label(g, 'hh.weight') and len(by_label(g, 'hh.weight')) == 1
    assert d.summary.startswith('<graph: 242 ops, 246 tensors; summarized: ×')
    assert viz.draw(run_rnn(cell, 40), params=cell, max_nodes=60).source == d.source
    # under the limit the same program is drawn in full
    assert viz.draw(run_rnn(cell, 3), params=cell).summary == '<graph: 20 ops, 24 tensors>'


def test_max_nodes_collapses_modules_when_nothing_repeats():
    mt.manual_seed(0)

    class Deep(Module):
        def __init__(self):
            super().__init__()
            for i in range(6):
                setattr(self, f'l{i}', Linear(4 + i, 5 + i))

        def forward(self, x):
            for i in range(6):
                x = getattr(self, f'l{i}')(x).relu()
            return x
    model = Deep()
    loss = model(mt.randn(2, 4)).sum()
    d = viz.draw(loss, params=model, max_nodes=30)
    g = parse_dot(d.source)
    assert len(g['nodes']) - 2 <= 30
    assert len(labels(g, 'm')) == 6 and 'depth 1' in g['nodes']['note']['label']


def test_max_nodes_truncates_a_long_irregular_chain():
    rng = np.random.default_rng(0)
    x = mt.ones(3, requires_grad=True)
    y = x
    for i in rng.integers(0, 6, size=60):
        y = [y.abs, y.tanh, y.sin, y.cos, y.sigmoid, y.relu][i]()
    d = viz.draw(y.sum(), max_nodes=40)
    g = parse_dot(d.source)
    assert len(g['nodes']) - 2 <= 40
    assert g['nodes']['note']['label'].split('\n')[1].startswith('only the last 19 operations')
    assert d.summary == '<graph: 61 ops, 62 tensors; summarized: truncated; 39 boxes drawn>'
    cut = [n for n, a in g['nodes'].items() if a.get('style') == 'filled,dotted']
    assert len(cut) == 1


def test_real_nn_modules():
    nn = pytest.importorskip('minitorch.nn')
    if not hasattr(nn, 'Linear') or not hasattr(nn, 'Sequential'):
        pytest.skip('minitorch.nn has no Linear/Sequential yet')
    mt.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    loss = model(mt.randn(3, 4)).sum()
    g = parse_dot(viz.draw(loss, params=model).source)
    found = {c['label'] for c in g['clusters'].values()}
    assert {'Sequential', '0: Linear', '2: Linear'} <= found
    assert by_label(g, '0.weight') and by_label(g, '2.bias')
    g = parse_dot(viz.draw(loss, params=model, collapse=nn.Linear).source)
    assert sorted(labels(g, 'm').values())[0].startswith('0: Linear')
