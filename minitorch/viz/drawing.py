"""Drawing: what the viz functions return.  Jupyter shows it inline as SVG, or as the PNG beside it where
SVG is not shown (JupyterLab hides the SVG of a notebook it does not trust, as every fresh clone is);
`.source` is the DOT text; `.render(path)` writes a file; its text form is a one-line summary that does not
depend on graphviz.

Rendering needs graphviz's `dot` program (the python package is only a binding).  Without it,
`.source` still works, `.svg()`/`.render()` raise GraphvizNotFound saying how to install it, and in
Jupyter the drawing falls back to its text form with that note instead of a traceback.
"""
import io
import os
import struct

from .style import emit, add_body

INSTALL = ("graphviz's `dot` program is needed to render drawings (the python package `graphviz` is "
           "only a binding). Install it with one of: sudo apt-get install graphviz | "
           "conda install -c conda-forge graphviz python-graphviz | brew install graphviz; "
           "then restart the kernel. The DOT text is in drawing.source meanwhile.")

FORMATS = ('svg', 'png', 'pdf')

# PNGs are drawn at twice the SVG's 72 points per inch and shown at the SVG's size, so they stay sharp on
# high-resolution screens (a CSS pixel is 1/96 inch); a palette of 32 colours keeps them a quarter as big
# as dot's full-colour PNG (notebooks store every drawing) and looks the same.
PNG_DPI = 144
PNG_COLOURS = 32


class GraphvizNotFound(RuntimeError):
    """Raised when a drawing must be rendered and the `dot` program cannot be run."""


class Drawing:
    """A drawing of a graph, as the viz functions return it: Jupyter shows it inline (SVG, with a
    PNG beside it), .source is the DOT text, .render(path) writes a file, and repr() is a one-line
    summary such as '<graph: 5 ops, 7 tensors>' that needs no graphviz."""

    def __init__(self, picture, name='graph'):
        self.picture = picture
        self.summary = picture.summary
        self._name = name
        self._digraph = None

    @property
    def digraph(self):
        """The graphviz.Digraph behind this drawing (built on first use)."""
        if self._digraph is None:
            self._digraph = emit(self.picture, self._name)
        return self._digraph

    @property
    def source(self):
        """The DOT text of the drawing (needs no dot program)."""
        return self.digraph.source

    # --- what tests and users look at ---------------------------------------------------------
    @property
    def items(self):
        """{id: Item} of the nodes drawn (tensors, ops, modules, notes), in drawing order."""
        return self.picture.items

    @property
    def edges(self):
        """The edges drawn, as (tail id, head id, attributes) tuples."""
        return self.picture.edges

    @property
    def clusters(self):
        """{id: Cluster} of the boxes that group nodes (such as the modules ops ran in)."""
        return self.picture.clusters

    def __repr__(self):
        return self.summary

    # --- rendering ----------------------------------------------------------------------------
    def pipe(self, format='svg'):
        """The rendered drawing as bytes in format 'svg', 'png' or 'pdf'; raises GraphvizNotFound
        when the dot program is missing."""
        if format not in FORMATS:
            raise ValueError(f'format must be one of {FORMATS}, not {format!r}')
        import graphviz     # imported when drawing, so that importing minitorch never needs it
        digraph = self.digraph
        if format == 'png':
            digraph = digraph.copy()
            digraph.graph_attr['dpi'] = str(PNG_DPI)
        try:
            data = digraph.pipe(format=format)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFound(INSTALL) from None
        return fewer_colours(data) if format == 'png' else data

    def svg(self):
        """The rendered drawing as SVG text (GraphvizNotFound without the dot program)."""
        return self.pipe('svg').decode('utf-8')

    def render(self, path, format=None):
        """Write the drawing to `path` (format from the suffix, else svg); returns the path."""
        path = os.fspath(path)
        suffix = os.path.splitext(path)[1].lstrip('.').lower()
        if format is None:
            format = suffix if suffix in FORMATS else 'svg'
        if suffix != format:
            path = f'{path}.{format}'
        data = self.pipe(format)
        with open(path, 'wb') as f:
            f.write(data)
        return path

    def _repr_svg_(self):
        try:
            return self.svg()
        except GraphvizNotFound:
            return None         # Jupyter then shows the text form (see _repr_mimebundle_)

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            png = self.pipe('png')
            data = {'image/svg+xml': self.svg(), 'image/png': png, 'text/plain': self.summary}
        except GraphvizNotFound as error:
            return {'text/plain': f'{self.summary}\n(not drawn: {error})'}
        return data, {'image/png': png_display_size(png)}


def fewer_colours(png):
    """The PNG with a palette of PNG_COLOURS colours (Pillow comes with matplotlib; without it, as drawn)."""
    try:
        from PIL import Image
        method = Image.Quantize.MEDIANCUT       # keeps the fill colours and the white exact
    except (ImportError, AttributeError):
        return png
    image = Image.open(io.BytesIO(png)).convert('RGB').quantize(colors=PNG_COLOURS, method=method)
    out = io.BytesIO()
    image.save(out, 'PNG', optimize=True)
    return out.getvalue()


def png_display_size(png):
    """{'width', 'height'} in CSS pixels that show a PNG drawn at PNG_DPI at the size of its SVG."""
    width, height = struct.unpack('>II', png[16:24])       # from the PNG's IHDR chunk
    return {'width': round(width * 96 / PNG_DPI), 'height': round(height * 96 / PNG_DPI)}


def side_by_side(*drawings, titles=None):
    """One drawing holding several, left to right, each in its own titled panel (e.g. one RNN graph
    per sequence length).  Its text form lists the summaries of the parts."""
    from .model import Picture
    titles = list(titles) if titles is not None else [None] * len(drawings)
    if len(titles) != len(drawings):
        raise ValueError(f'side_by_side: {len(drawings)} drawings but {len(titles)} titles')
    parts = ' | '.join(d.summary for d in drawings)
    combined = Picture()
    combined.summary = f'<{len(drawings)} drawings side by side: {parts}>'
    return _Combined(combined, drawings, titles)


class _Combined(Drawing):
    def __init__(self, picture, drawings, titles):
        super().__init__(picture, 'side_by_side')
        self.parts = tuple(drawings)
        self.titles = titles

    @property
    def digraph(self):
        if self._digraph is None:
            import graphviz
            dot = graphviz.Digraph('side_by_side', graph_attr={'rankdir': 'TB', 'newrank': 'true',
                                                              'fontname': 'Helvetica'},
                                   node_attr={'fontname': 'Helvetica', 'fontsize': '10',
                                              'height': '0.3'},
                                   edge_attr={'fontname': 'Helvetica', 'fontsize': '9',
                                              'arrowsize': '0.7'})
            for index, (part, title) in enumerate(zip(self.parts, self.titles)):
                with dot.subgraph(name=f'cluster_panel{index}') as panel:
                    panel.attr(label=title or '', style='rounded', color='#bbbbbb',
                               rankdir=part.picture.rankdir)
                    add_body(panel, part.picture, prefix=f'p{index}_')
            self._digraph = dot
        return self._digraph
