"""Draw any graph of objects (a hand-built scalar engine, say) in the same style as tensors.

    mt.viz.draw_objects(out, inputs=lambda v: v._prev, op=lambda v: v._op,
                        label=lambda v: f'data {v.data:.3g}')

Each object is a box; when `op(obj)` names the operation that made it, an ellipse for that operation
sits between the object and its inputs.  Inputs must come in a fixed order (a tuple or list; a set is
sorted by label) so the drawing is the same every time.
"""
from .drawing import Drawing
from .model import Item, Picture
from .walk import postorder


def draw_objects(*roots, inputs, op=None, label=repr, rankdir='TB'):
    """Draw the graph of any objects reachable from roots, in the style of tensor drawings; returns
    a Drawing.

    inputs(obj): the objects obj was made from, in a fixed order (a set is sorted by label);
    op(obj): the name of the operation that made obj (or None), drawn as an ellipse between obj and
    its inputs; label(obj): the text of obj's box; rankdir: 'TB' (top to bottom) or 'LR'."""
    op = op or (lambda obj: None)

    def kids(obj):
        found = inputs(obj) or ()
        if isinstance(found, (set, frozenset)):
            found = sorted(found, key=label)
        return list(found)
    order = postorder(list(roots), kids)
    ids = {id(obj): f'v{i}' for i, obj in enumerate(order)}
    pic = Picture(rankdir)
    ops = 0
    for obj in order:
        vid = ids[id(obj)]
        parents = kids(obj)
        role = 'output' if any(obj is r for r in roots) else ('leaf' if not parents else
                                                               'intermediate')
        pic.add(Item(vid, 'tensor', role, str(label(obj)).split('\n')))
        name = op(obj)
        if parents and name:
            ops += 1
            pic.add(Item(f'{vid}_op', 'op', 'op', [str(name)]))
            pic.edge(f'{vid}_op', vid)
            head = f'{vid}_op'
        else:
            head = vid
        for parent in parents:
            pic.edge(ids[id(parent)], head)
    pic.summary = f'<graph: {ops} ops, {len(order)} values>'
    return Drawing(pic)
