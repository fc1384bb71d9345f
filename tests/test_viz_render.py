"""Rendering: SVG/PNG/PDF with graphviz's `dot`, the clear error without it, side by side, objects."""
import shutil

import pytest

import minitorch as mt
from minitorch import viz

from test_viz_support import parse_dot, by_label

has_dot = pytest.mark.skipif(shutil.which('dot') is None, reason="graphviz's dot is not installed")


def drawing():
    x = mt.ones(2, requires_grad=True)
    return viz.draw((x * 2).sum())


@has_dot
def test_svg_for_jupyter_and_files(tmp_path):
    d = drawing()
    bundle = d._repr_mimebundle_()
    assert set(bundle) == {'image/svg+xml', 'text/plain'}
    assert '<svg' in bundle['image/svg+xml'] and 'Mul' in bundle['image/svg+xml']
    assert bundle['text/plain'] == '<graph: 2 ops, 3 tensors>'
    assert d._repr_svg_() == bundle['image/svg+xml']
    assert d.svg() == drawing().svg()                       # same dot, same bytes
    png = d.render(tmp_path / 'g.png')
    assert png.endswith('g.png') and open(png, 'rb').read(8) == b'\x89PNG\r\n\x1a\n'
    pdf = d.render(tmp_path / 'g', format='pdf')
    assert pdf.endswith('g.pdf') and open(pdf, 'rb').read(4) == b'%PDF'
    svg = d.render(tmp_path / 'g.svg')
    assert open(svg).read().lstrip().startswith('<?xml')
    with pytest.raises(ValueError, match='format'):
        d.render(tmp_path / 'g', format='gif')


def test_without_dot_source_works_and_rendering_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv('PATH', str(tmp_path))                   # no `dot` anywhere on PATH
    d = drawing()
    assert 'Mul' in d.source
    with pytest.raises(viz.GraphvizNotFound) as error:
        d.render(tmp_path / 'g.svg')
    message = str(error.value)
    for how in ('apt-get install graphviz', 'conda install -c conda-forge graphviz python-graphviz',
                'brew install graphviz'):
        assert how in message
    with pytest.raises(viz.GraphvizNotFound):
        d.svg()
    bundle = d._repr_mimebundle_()
    assert list(bundle) == ['text/plain']
    assert bundle['text/plain'].startswith('<graph: 2 ops, 3 tensors>\n(not drawn: ')
    assert 'apt-get install graphviz' in bundle['text/plain']
    assert d._repr_svg_() is None


def test_side_by_side_keeps_both_graphs_apart():
    a, b = drawing(), viz.draw(mt.ones(3, requires_grad=True).exp().sum())
    both = viz.side_by_side(a, b, titles=['short', 'long'])
    assert repr(both) == ('<2 drawings side by side: <graph: 2 ops, 3 tensors> | '
                          '<graph: 2 ops, 3 tensors>>')
    g = parse_dot(both.source)
    panels = {c['label']: name for name, c in g['clusters'].items()}
    assert set(panels) == {'short', 'long'}
    assert g['nodes']['p0_op0']['cluster'] == panels['short']
    assert g['nodes']['p1_op0']['label'] == 'Exp' and g['nodes']['p1_op0']['cluster'] == panels['long']
    assert ('p0_t0', 'p0_op0') in {(t, h) for t, h, _ in g['edges']}
    with pytest.raises(ValueError, match='titles'):
        viz.side_by_side(a, b, titles=['one'])


class Value:
    def __init__(self, data, inputs=(), op=None):
        self.data, self.inputs, self.op = data, inputs, op

    def __add__(self, other):
        return Value(self.data + other.data, (self, other), '+')

    def __mul__(self, other):
        return Value(self.data * other.data, (self, other), '*')


def test_any_object_graph():
    a, b = Value(2.0), Value(-3.0)
    out = a * b + a
    d = viz.draw_objects(out, inputs=lambda v: v.inputs, op=lambda v: v.op,
                         label=lambda v: f'{v.data:g}')
    assert repr(d) == '<graph: 2 ops, 4 values>'
    g = parse_dot(d.source)
    (plus,) = by_label(g, '+')
    (times,) = by_label(g, '*')
    (two,) = by_label(g, '2')
    (product,) = by_label(g, '-6')
    edges = {(t, h) for t, h, _ in g['edges']}
    assert {(two, times), (two, plus), (times, product), (product, plus)} <= edges
    assert g['nodes'][by_label(g, '-4')[0]]['fillcolor'] == '#9fdf9f'
    assert d.source == viz.draw_objects(out, inputs=lambda v: v.inputs, op=lambda v: v.op,
                                        label=lambda v: f'{v.data:g}').source
