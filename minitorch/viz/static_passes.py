"""What a graph pass did, drawn: the graph before and after, side by side, with the pass's report.

    steps = mt.viz.draw_passes(step.graph)      # run the default passes, one drawing per pass
    steps.show(1)                               # before | after fold_constants
    mt.viz.draw_pass(g, g2, report, name='simplify')

Ops the pass removed or rewrote are outlined in red on the left; ops it made, in green on the right
(a pass copies a node whose inputs or note it changes, so 'made' includes 'changed').
"""
from .drawing import side_by_side
from .static_graph import as_graph, draw_graph
from . import static_labels as L

GONE = '#d62728'
MADE = '#2ca02c'


def draw_pass(before, after, report=None, name='pass', **options):
    """Before | after drawings of one pass, titled with its name and report; returns a Drawing
    whose text form is '<pass NAME: 21 → 18 ops; removed: 3>'.  options go to draw_graph."""
    after_nodes, before_nodes = set(map(id, after.nodes)), set(map(id, before.nodes))
    gone = {n: GONE for n in before.nodes if id(n) not in after_nodes}
    made = {n: MADE for n in after.nodes if id(n) not in before_nodes}
    said = report_text(report)
    left = draw_graph(before, highlight=gone, **options)
    right = draw_graph(after, highlight=made, **options)
    titles = [f'before {name}: {L.plural(len(before.nodes), "op")}',
              f'after: {L.plural(len(after.nodes), "op")} — {said}']
    drawing = side_by_side(left, right, titles=titles)
    drawing.summary = f'<pass {name}: {len(before.nodes)} → {len(after.nodes)} ops; {said}>'
    return drawing


def report_text(report):
    """A pass's report in one line: 'removed: 3', 'in place: 2, peak bytes: 576 → 320' or
    'no change'."""
    if report is None:
        return 'no report'
    if not isinstance(report, dict):
        return str(report)
    items = {k: v for k, v in report.items() if v not in (0, None)}
    before, after = items.pop('peak bytes before', None), items.pop('peak bytes after', None)
    parts = [f'{k}: {v}' for k, v in items.items()]
    if before is not None or after is not None:
        parts.append(f'peak bytes: {before} → {after}')
    return ', '.join(parts) or 'no change'


class PassDrawings(list):
    """One before | after Drawing per pass, in the order they ran; `.reports` holds the
    (pass name, report) pairs and `.graph` the graph after the last pass."""

    def __init__(self, drawings, reports, graph):
        super().__init__(drawings)
        self.reports = reports
        self.graph = graph

    def show(self, i):
        """Drawing i (0-based; negative counts from the end), to display in a notebook."""
        return self[i]

    def __repr__(self):
        steps = ' → '.join(f'{name} ({report_text(report)})' for name, report in self.reports)
        return f'<{L.plural(len(self), "pass", "passes")}: {steps}>'


def draw_passes(graph, passes=None, fetches=None, **options):
    """Run the passes one at a time (the default pipeline of mt.static.optimize when None) on a
    static graph (or a traced function's), and draw each one before | after; returns a
    PassDrawings list.  options go to draw_graph."""
    from ..static.passes import DEFAULT, optimize
    graph = as_graph(graph) or graph
    drawings, reports, current = [], [], graph
    for p in (DEFAULT if passes is None else passes):
        found = []
        after = optimize(current, fetches=fetches, passes=[p], report=found)
        name, report = found[0]
        drawings.append(draw_pass(current, after, report, name, **options))
        reports.append((name, report))
        current = after
    return PassDrawings(drawings, reports, current)
