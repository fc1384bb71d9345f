"""mt.viz.draw on static graphs: ops as nodes, tensors as edges with their types, sources and sinks,
module scopes as boxes, the same DOT every time, summaries of long graphs, passes before and after."""
import shutil

import numpy as np
import pytest

import minitorch as mt
from minitorch import viz
from minitorch.static.errors import StaticError
from minitorch.static.ir import Graph, In, Node, Value

from helpers import training_step
from test_viz_support import parse_dot, by_label

has_dot = pytest.mark.skipif(shutil.which('dot') is None, reason="graphviz's dot is not installed")


class Net(mt.nn.Module):
    """Nested scopes: body.0 (Linear), body.1 (ReLU), head (Linear)."""

    def __init__(self):
        super().__init__()
        self.body = mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.ReLU())
        self.head = mt.nn.Linear(8, 1)

    def forward(self, x):
        return self.head(self.body(x))


def traced_forward(batch=16):
    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.ReLU(), mt.nn.Linear(8, 1))
    f = mt.static.function(lambda x: model(x).sum(), optimize=False)
    f(mt.randn(batch, 4))
    return f


def traced_step():
    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.ReLU(), mt.nn.Linear(8, 1))
    opt = mt.optim.SGD(model.parameters(), lr=0.1)
    step = mt.static.function(training_step(model, opt), optimize=False)
    step(mt.randn(16, 4), mt.randn(16, 1))
    return step.graph


def traced_rnn(steps):
    mt.manual_seed(0)
    wx, wh = mt.randn(3, 5), mt.randn(5, 5)

    @mt.static.function(optimize=False)
    def rnn(xs, h):
        for t in range(xs.shape[0]):
            h = (xs[t] @ wx + h @ wh).tanh()
        return h.sum()
    rnn(mt.randn(steps, 2, 3), mt.zeros(2, 5))
    return rnn.graph


def ops_of(dot):
    return {nid: a['label'] for nid, a in dot['nodes'].items() if nid[0] == 'n' and nid[1:].isdigit()}


def edge(dot, tail, head):
    (found,) = [attrs for t, h, attrs in dot['edges'] if (t, h) == (tail, head)]
    return found


def test_the_same_graph_gives_the_same_dot_and_ids_follow_positions():
    f = traced_forward()
    g = f.graph
    assert viz.draw_graph(g).source == viz.draw_graph(g).source
    again = traced_forward()            # new Values with new ids: the drawing does not see them
    assert [v.id for v in again.graph.values()] != [v.id for v in g.values()]
    assert viz.draw_graph(again.graph).source == viz.draw_graph(g).source
    dot = parse_dot(viz.draw_graph(g).source)
    assert sorted(ops_of(dot)) == sorted(f'n{i}' for i in range(len(g.nodes)))


def test_ops_are_nodes_and_tensors_are_edges_labelled_with_types():
    g = traced_forward(batch=16).graph
    d = viz.draw(g)
    dot = parse_dot(d.source)
    ops = ops_of(dot)
    names = [ops[f'n{i}'].split('\n')[0] for i in range(len(ops))]
    assert names == [node.name for node in g.nodes] == ['matmul', 'add', 'relu', 'matmul', 'add',
                                                        'sum']
    assert ops_of(dot)['n0'] == 'matmul\ntranspose_b=True'     # attributes by name, non-default only
    assert edge(dot, 'in0', 'n0')['label'] == 'f32[16,4]'       # the input x
    assert edge(dot, 's0', 'n0')['label'] == 'f32[8,4]'         # the first Linear's weight
    assert edge(dot, 'n0', 'n1')['label'] == 'f32[16,8]'
    assert edge(dot, 'n5', 'out0')['label'] == 'f32[]'
    assert dot['nodes']['in0']['label'] == 'x' and dot['nodes']['in0']['shape'] == 'invhouse'
    assert [dot['nodes'][f's{i}']['label'] for i in range(4)] == [v.name for v in g.state] == \
        ['0.weight', '0.bias', '2.weight', '2.bias']
    assert {dot['nodes'][f's{i}']['shape'] for i in range(4)} == {'cylinder'}
    assert dot['nodes']['out0']['shape'] == 'house'
    # every op input is one edge, every edge of a tensor carries its type
    inputs = sum(len(node.inputs) for node in g.nodes) + len(g.outputs)
    assert len(dot['edges']) == inputs
    assert all(a['label'].startswith('f32[') for _, _, a in dot['edges'])
    bare = parse_dot(viz.draw(g, show_shapes=False).source)
    assert not any('label' in a for _, _, a in bare['edges'])


def test_an_op_reading_one_tensor_twice_has_two_edges():
    square = mt.static.function(lambda x: (x * x).sum(), optimize=False)
    square(mt.randn(3))
    dot = parse_dot(viz.draw(square).source)
    assert [(t, h) for t, h, _ in dot['edges'] if h == 'n0'] == [('in0', 'n0'), ('in0', 'n0')]


def test_state_writes_constants_and_numbers_in_operand_places():
    g = traced_step()
    d = viz.draw(g)
    dot = parse_dot(d.source)
    writes = {dot['nodes'][f'w{i}']['label']: f'w{i}' for i in range(len(g.writes))}
    assert set(writes) == {f'set {w.slot}' for w in g.writes}
    assert {'set 0.weight', 'set 0.weight.grad', 'set 2.bias'} <= set(writes)
    (tail, _, attrs), = [e for e in dot['edges'] if e[1] == writes['set 0.weight']]
    assert ops_of(dot)[tail] == 'add' and attrs['label'] == 'f32[8,4]'   # w := w + (-lr) * g
    labels = ops_of(dot).values()
    assert 'mul\n(•, -0.1)' in labels and 'where\n(•, 0, •)' in labels
    consts = [a['label'] for nid, a in dot['nodes'].items() if nid.startswith('c')]
    assert consts == ['const\n1']                     # d(mean)/d(mean): 1, then divided by 16
    assert repr(d) == f'<static graph: {len(g.nodes)} ops, 2 inputs, 4 state values, 1 output, ' \
                      f'8 state writes>'


def test_module_scopes_are_nested_boxes_holding_their_ops_and_parameters():
    mt.manual_seed(0)
    net = Net()
    f = mt.static.function(lambda x: net(x).sum(), optimize=False)
    f(mt.randn(2, 4))
    g = f.graph
    assert [node.scope for node in g.nodes] == ['body.0', 'body.0', 'body.1', 'head', 'head', '']
    dot = parse_dot(viz.draw(g).source)
    clusters = {name: c for name, c in dot['clusters'].items()}
    label = {name: c['label'] for name, c in clusters.items()}
    body, = [n for n in clusters if label[n] == 'body']
    first, = [n for n in clusters if label[n] == '0']
    head, = [n for n in clusters if label[n] == 'head']
    assert clusters[first]['parent'] == body and clusters[head]['parent'] is None
    nodes = dot['nodes']
    assert nodes['n0']['cluster'] == nodes['n1']['cluster'] == first
    assert nodes['n3']['cluster'] == head and nodes['n5']['cluster'] is None
    weight, = by_label(dot, 'body.0.weight')
    assert nodes[weight]['cluster'] == first           # a parameter sits with the ops reading it
    flat = parse_dot(viz.draw(g, group_scopes=False).source)
    assert not flat['clusters'] and flat['nodes']['n3']['label'].endswith('in head')


def test_draw_dispatches_graphs_traced_functions_and_tensors():
    f = traced_forward()
    assert viz.draw(f).source == viz.draw(f.graph).source == viz.draw_graph(f.graph).source
    assert repr(viz.draw(f)).startswith('<static graph: 6 ops, 1 input')
    x = mt.ones(2, requires_grad=True)
    assert repr(viz.draw((x * 2).sum())) == '<graph: 2 ops, 3 tensors>'     # still dynamic
    untraced = mt.static.function(lambda x: x * 2)
    with pytest.raises(StaticError):
        viz.draw(untraced)                     # no graph before the first call
    with pytest.raises(TypeError, match='static graph'):
        viz.draw_graph('not a graph')


class Holder:
    """Holds a graph the way mt.static's define-then-run Graph (.ir) and Session (.graph) do."""

    def __init__(self, **held):
        self.__dict__.update(held)


def test_draw_finds_the_graph_inside_what_holds_one():
    g = traced_forward().graph
    session = Holder(graph=Holder(ir=g))
    assert viz.draw(session).source == viz.draw(Holder(ir=g)).source == viz.draw(g).source
    with pytest.raises(TypeError, match='static graph'):
        viz.draw_graph(Holder(graph='not a graph'))


@pytest.mark.skipif(not hasattr(mt.static, 'placeholder'), reason='no define-then-run API yet')
def test_a_define_then_run_graph_and_its_session_draw_the_same():
    with mt.static.Graph() as g:
        x = mt.static.placeholder((None, 4), name='x')
        w = mt.static.Variable(mt.ones(4, 1), name='w')
        (x @ w).sum()
    d = viz.draw(g)
    dot = parse_dot(d.source)
    assert dot['nodes']['in0']['label'] == 'x' and dot['nodes']['s0']['label'] == 'w'
    assert viz.draw(mt.static.Session(g)).source == d.source


def test_highlight_and_title():
    g = traced_forward().graph
    d = viz.draw_graph(g, highlight=['relu', 0], title='a two-layer net')
    dot = parse_dot(d.source)
    assert dot['nodes']['n2'].get('penwidth') == dot['nodes']['n0'].get('penwidth') == '2.5'
    assert 'penwidth' not in dot['nodes']['n1']
    assert 'label="a two-layer net"' in d.source


def hand_built_fused_graph():
    """A graph built by hand around a fused node (named like the fusion pass names them)."""
    class FusedElementwise:
        op_name = 'fused[mul add tanh mul sub abs sqrt add log mul]'
    g = Graph('hand')
    x = Value((64, 100), np.float32, 'cpu', 'input', name='x')
    y = Value((64, 100), np.float32, 'cpu', 'node')
    g.inputs.append(x)
    g.nodes.append(Node(FusedElementwise, [In(0)], {}, [x], [y], note={'out': 0}))
    g.outputs.append(y)
    return g


def test_a_fused_node_reads_in_its_own_colour_over_short_lines():
    d = viz.draw(hand_built_fused_graph())
    fused, = [item for item in d.items.values() if item.kind == 'op']
    assert fused.role == 'static_fused'
    assert ' '.join(fused.lines[:-1]) == 'fused[mul add tanh mul sub abs sqrt add log mul]'
    assert all(len(line) <= 32 for line in fused.lines)
    assert fused.lines[-1] == "reuses input 0's buffer"
    assert repr(d) == '<static graph: 1 op, 1 input, 1 output>'
    assert edge(parse_dot(d.source), 'n0', 'out0')['label'] == 'f32[64,100]'


def test_a_long_rnn_is_drawn_as_one_repeated_step_whatever_its_length():
    g = traced_rnn(200)
    assert len(g.nodes) == 1001
    d = viz.draw(g)
    assert repr(d).startswith('<static graph: 1001 ops, 2 inputs, 2 state values, 1 output; '
                              'summarized: ×199 block;')
    repeat, = [c for c in d.clusters.values() if c.role == 'repeat']
    assert repeat.label == 'repeated ×199 (step 1 drawn)'
    step = [item.lines[0] for item in d.items.values() if item.cluster == repeat.id]
    assert step == ['basic_index', 'matmul', 'matmul', 'add', 'tanh']     # the loop body, in order
    dot = parse_dot(d.source)
    carry, = [a for _, _, a in dot['edges'] if 'next step' in a.get('label', '')]
    assert carry['label'] == 'f32[2,5] next step' and carry['style'] == 'dashed'
    assert any(a.get('label') == 'f32[2,5] from step 199' for _, _, a in dot['edges'])
    assert 'a block of 5 ops repeated ×199: drawn once' in d.items['note'].lines
    shorter = viz.draw(traced_rnn(50))
    assert len(shorter.items) == len(d.items) and len(d.items) < 25     # does not grow with length


def test_a_graph_too_big_even_folded_keeps_the_ops_nearest_the_outputs():
    d = viz.draw(traced_rnn(200), max_nodes=8)
    ops = [item for item in d.items.values() if item.kind == 'op']
    assert 0 < len(ops) <= 8 and ops[-1].lines[0] == 'sum'
    assert d.items['cut'].role == 'cut'
    assert any(line.startswith('only the last') for line in d.items['note'].lines)
    assert 'truncated' in repr(d)


def duplicated_work():
    f = mt.static.function(lambda x: (x * 2).exp().sum() + (x * 2).exp().sum(), optimize=False)
    f(mt.randn(3, 4))
    return f.graph


def test_a_pass_is_drawn_before_and_after_with_its_report():
    g = duplicated_work()
    after, report = mt.static.passes.eliminate_common_subexpressions(g)
    d = viz.draw_pass(g, after, report, name='cse')
    assert repr(d) == f'<pass cse: {len(g.nodes)} → {len(after.nodes)} ops; removed: 3>'
    dot = parse_dot(d.source)
    assert {c['label'] for c in dot['clusters'].values() if c['parent'] is None} == \
        {f'before cse: {len(g.nodes)} ops', f'after: {len(after.nodes)} ops — removed: 3'}
    gone = [nid for nid, a in dot['nodes'].items() if a.get('color') == '#d62728']
    made = [nid for nid, a in dot['nodes'].items() if a.get('color') == '#2ca02c']
    assert all(nid.startswith('p0_') for nid in gone) and all(nid.startswith('p1_') for nid in made)
    # the three repeated ops go, and the add that read them is rewritten to read the first ones
    assert len(gone) == 4 and len(made) == 1


def test_draw_passes_runs_each_pass_once_and_ends_at_the_optimized_graph():
    g = duplicated_work()
    steps = viz.draw_passes(g, passes=['eliminate_common_subexpressions', 'eliminate_dead_code'])
    assert len(steps) == 2 and [name for name, _ in steps.reports] == \
        ['eliminate_common_subexpressions', 'eliminate_dead_code']
    expected = mt.static.optimize(g, passes=['eliminate_common_subexpressions',
                                             'eliminate_dead_code'])
    assert len(steps.graph.nodes) == len(expected.nodes)
    assert repr(steps).startswith('<2 passes: eliminate_common_subexpressions (removed: 3) → ')
    assert steps.show(-1) is steps[1]


@has_dot
def test_mimebundle_has_png_beside_svg_and_the_text_form():
    d = viz.draw(traced_forward().graph)
    bundle, metadata = d._repr_mimebundle_()
    assert set(bundle) == {'image/svg+xml', 'image/png', 'text/plain'}
    assert 'matmul' in bundle['image/svg+xml'] and bundle['image/png'][:4] == b'\x89PNG'
    assert bundle['text/plain'] == '<static graph: 6 ops, 1 input, 4 state values, 1 output>'
    assert set(metadata['image/png']) == {'width', 'height'}
    assert d.svg() == viz.draw(traced_forward().graph).svg()
    g = duplicated_work()
    after, report = mt.static.passes.eliminate_common_subexpressions(g)
    assert '<svg' in viz.draw_pass(g, after, report, name='cse').svg()
