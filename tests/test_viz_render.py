"""Rendering: SVG/PNG/PDF with graphviz's `dot`, the clear error without it, side by side, objects."""
import io
import re
import shutil
import struct

import pytest

import minitorch as mt
from minitorch import viz

from test_viz_support import parse_dot, by_label

has_dot = pytest.mark.skipif(shutil.which('dot') is None, reason="graphviz's dot is not installed")


def drawing():
    x = mt.ones(2, requires_grad=True)
    return viz.draw((x * 2).sum())


PNG_MAGIC = b'\x89PNG\r\n\x1a\n'


def svg_size_in_css_pixels(svg):
    """The width and height an SVG from dot is shown at: it gives them in points (1/72 inch)."""
    match = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    return float(match[1]) * 96 / 72, float(match[2]) * 96 / 72


@has_dot
def test_svg_for_jupyter_and_files(tmp_path):
    d = drawing()
    bundle, metadata = d._repr_mimebundle_()
    assert set(bundle) == {'image/svg+xml', 'image/png', 'text/plain'}
    assert '<svg' in bundle['image/svg+xml'] and 'Mul' in bundle['image/svg+xml']
    assert bundle['text/plain'] == '<graph: 2 ops, 3 tensors>'
    assert d._repr_svg_() == bundle['image/svg+xml']
    assert d.svg() == drawing().svg()                       # same dot, same bytes
    png = d.render(tmp_path / 'g.png')
    assert png.endswith('g.png') and open(png, 'rb').read() == bundle['image/png']
    pdf = d.render(tmp_path / 'g', format='pdf')
    assert pdf.endswith('g.pdf') and open(pdf, 'rb').read(4) == b'%PDF'
    svg = d.render(tmp_path / 'g.svg')
    assert open(svg).read().lstrip().startswith('<?xml')
    with pytest.raises(ValueError, match='format'):
        d.render(tmp_path / 'g', format='gif')


@has_dot
@pytest.mark.parametrize('make', [drawing, lambda: viz.side_by_side(drawing(), drawing())],
                         ids=['drawing', 'side_by_side'])
def test_png_beside_svg_shows_at_the_svg_size_and_twice_as_sharp(make):
    # untrusted notebooks (every fresh clone) hide SVG outputs in JupyterLab but show PNGs
    bundle, metadata = make()._repr_mimebundle_()
    png = bundle['image/png']
    assert isinstance(png, bytes) and png[:8] == PNG_MAGIC
    pixels = struct.unpack('>II', png[16:24])
    shown = metadata['image/png']['width'], metadata['image/png']['height']
    for svg_side, shown_side, pixel_side in zip(svg_size_in_css_pixels(bundle['image/svg+xml']),
                                                shown, pixels):
        assert abs(shown_side - svg_side) <= 2, (shown, bundle['image/svg+xml'][:300])
        assert abs(pixel_side - 1.5 * shown_side) <= 2          # 144 dpi shown at 96 CSS px per inch
    assert make()._repr_mimebundle_()[0]['image/png'] == png    # same dot, same bytes


@has_dot
def test_png_has_a_small_palette_and_keeps_the_drawing_colours():
    image = pytest.importorskip('PIL.Image')
    png = drawing().pipe('png')
    assert png[25] == 3                                          # IHDR colour type 3: a palette
    colours = image.open(io.BytesIO(png)).convert('RGB').getcolors()
    assert len(colours) <= 32
    most = {rgb for count, rgb in sorted(colours, reverse=True)[:5]}
    full = image.open(io.BytesIO(drawing().digraph.pipe(format='png'))).convert('RGB').getcolors(1 << 20)
    assert most == {rgb for count, rgb in sorted(full, reverse=True)[:5]}   # white, black, the fills


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
