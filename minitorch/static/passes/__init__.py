"""Graph passes: each takes a Graph, returns a new Graph and a report of what it changed.

    g2 = mt.static.optimize(g)                  # the default pipeline
    g2, report = mt.static.passes.fold_constants(g)
"""
from .cse import eliminate_common_subexpressions
from .dce import eliminate_dead_code
from .fold import fold_constants
from .fuse import fuse_elementwise
from .memory import plan_memory, peak_bytes
from .simplify import simplify

DEFAULT = ('simplify', 'fold_constants', 'eliminate_common_subexpressions', 'simplify',
           'eliminate_dead_code', 'fuse_elementwise', 'plan_memory')


def optimize(graph, fetches=None, passes=None, report=None):
    """graph run through the passes (names or functions; the default pipeline when None).  With
    fetches=None, only nodes whose results nothing reads and that change no state are dead.
    report: a list to which (pass name, report) pairs are appended."""
    current = graph
    for p in (DEFAULT if passes is None else passes):
        fn = globals()[p] if isinstance(p, str) else p
        if fn is eliminate_dead_code:
            current, found = fn(current, fetches)
        else:
            current, found = fn(current)
        if report is not None:
            report.append((getattr(fn, '__name__', str(p)), found))
    return current
