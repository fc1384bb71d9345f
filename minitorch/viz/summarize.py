"""Big graphs: past max_nodes, draw a summary instead of a hairball.

Tried in order, keeping the first that fits:
1. repeated structure: the longest-saving run of identical steps (same op signatures, in order) is
   drawn once as a "×N" block; up to a few blocks (e.g. an unrolled RNN, a layer applied N times);
2. module internals: calls below some depth of the module tree are drawn as one node each (the
   deepest depth that fits), with repeated structure looked for again on top;
3. truncation: only the ops nearest the outputs are drawn; tensors made by the others are marked.
A note node says what was done.
"""
import numpy as np

from .layout import Layout, Block
from .modules import Call
from .walk import leaf_tensor

MAX_BLOCKS = 4
MAX_PERIOD = 512


def signature(unit, layout):
    """What must match for two units to count as the same step: the op (or module), its output
    shapes, the module instances it ran in, and which parameters it read."""
    if isinstance(unit, Call):
        return ('call', id(unit.module), len(unit.ops))
    shapes = tuple((tuple(s), str(d)) for s, d, _ in unit.out_meta)
    reads = []
    for key in layout.flow.inputs[unit]:
        if key is None or key[0] == 'out':
            reads.append(key and 'out')
        else:
            t = leaf_tensor(key)
            reads.append(('param', id(t)) if layout.names.is_param(t) else ('leaf', t.shape))
    return (unit._fn, shapes, tuple(id(m) for m in getattr(unit, 'scope', ())), tuple(reads))


def find_repeat(sequence, layout):
    """(start, period, count) of the run of identical consecutive steps saving the most units, or None."""
    found = best_run([signature(u, layout) for u in sequence])
    if found is None:
        return None
    begin, slack, period, count = found
    return _aligned(sequence, begin, slack), period, count


def best_run(keys):
    """The run of identical consecutive steps (equal keys, one per unit, period by period) that
    saves the most units: (begin, slack, period, count), where the run may start anywhere from
    begin to begin + slack; None when nothing repeats.  Static drawings use it too."""
    codes = {}
    arr = np.array([codes.setdefault(k, len(codes)) for k in keys], dtype=np.int64)
    n, best = len(arr), None
    for period in range(1, min(n // 2, MAX_PERIOD) + 1):
        same = np.concatenate(([False], arr[:-period] == arr[period:], [False]))
        change = np.flatnonzero(same[1:] != same[:-1])
        for begin, end in zip(change[::2], change[1::2]):       # runs of True: [begin, end)
            count = int((end - begin + period) // period)
            saved = period * (count - 1)
            if count >= 2 and (best is None or saved > best[0]):
                slack = int(end + period - begin - count * period)
                best = (saved, int(begin), slack, period, count)
    return None if best is None else best[1:]


def _aligned(sequence, begin, slack):
    """Within the `slack` positions a run can shift by, start where a module call starts."""
    def outer(unit):
        if isinstance(unit, Call):
            while unit.parent is not None:
                unit = unit.parent
            return unit.key
        scope = getattr(unit, 'scope', ())
        if not scope:
            return None
        return ('call', id(_outermost(scope))) if hasattr(scope, 'parent') else id(scope[0])

    for start in range(begin, begin + slack + 1):
        if start == 0 or outer(sequence[start]) != outer(sequence[start - 1]):
            return start
    return begin


def _outermost(scope):
    while getattr(scope, 'parent', None):
        scope = scope.parent
    return scope


def with_repeats(flow, calls, names, pred, limit):
    """Layout with up to MAX_BLOCKS repeated blocks folded, stopping once it fits in `limit`."""
    blocks = []
    layout = Layout(flow, calls, names, pred)
    while layout.size() > limit and len(blocks) < MAX_BLOCKS:
        sequence = [u for u in layout.units if u not in layout.step]
        found = find_repeat(sequence, layout)
        if found is None:
            break
        start, period, count = found
        steps = [sequence[start + k * period: start + (k + 1) * period] for k in range(count)]
        blocks.append(Block(steps))
        layout = Layout(flow, calls, names, pred, blocks)
    return layout


def choose(flow, calls, names, match, max_nodes):
    """The layout to draw and the note lines saying how it was summarized (empty if it was not)."""
    by_module = lambda call: match(call.module)
    layout = Layout(flow, calls, names, by_module)
    if layout.size() <= max_nodes:
        return layout, []
    note = [f'{len(flow.ops)} ops and {len(flow.tensor_keys)} tensors: more than '
            f'max_nodes={max_nodes}, so this is a summary']
    layout = with_repeats(flow, calls, names, by_module, max_nodes)
    if layout.size() > max_nodes:
        depths = sorted({c.depth for c in calls.calls.values()}, reverse=True)
        for depth in depths:
            pred = lambda call, d=depth: match(call.module) or call.depth >= d
            candidate = with_repeats(flow, calls, names, pred, max_nodes)
            layout = candidate
            if candidate.size() <= max_nodes:
                note.append(f'module calls at depth {depth} and below drawn as one node each')
                break
    if layout.size() > max_nodes and layout.blocks:
        plain = Layout(flow, calls, names, _pred_of(layout))
        if plain.size() - layout.size() < (plain.size() - max_nodes) / 2:
            layout = plain                  # the repeats found were too small to matter
    for block in layout.blocks:
        size = len(block.instances[0])
        note.append(f'a block of {size} op{"s" if size > 1 else ""} repeated ×{block.n}: '
                    f'drawn once')
    if layout.size() > max_nodes:
        layout = truncated(layout, max_nodes)
        note.append(f'only the last {len(layout.units)} operations drawn; dotted tensors come from '
                    f'ops not drawn')
    return layout, note


def truncated(layout, max_nodes):
    """Keep the most units nearest the outputs that fit (binary search on how many)."""
    def keeping(keep):
        units = layout.units
        dropped = set(layout.dropped) | set(units[:max(0, len(units) - keep)])
        dropped |= {u for u in layout.sequence if layout.R(u) in dropped}
        return Layout(layout.flow, layout.calls, layout.names, _pred_of(layout), layout.blocks,
                      dropped)
    low, high, best = 1, max_nodes, None
    while low <= high:
        middle = (low + high) // 2
        candidate = keeping(middle)
        if candidate.size() <= max_nodes:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best if best is not None else keeping(1)


def _pred_of(layout):
    collapsed = {u for u in layout.unit_of.values() if isinstance(u, Call)}
    return lambda call: call in collapsed
