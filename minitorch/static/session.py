"""Session: runs a hand-built Graph (see graph_api.py).

`sess.run(fetches, feed={placeholder: value})` compiles, once per fetch set and feed shapes, the part
of the graph the fetches need, and runs it.  A placeholder with None dims was built with stand-in
sizes; fed with other sizes, the graph is *specialised*: the recorded ops are run again on stand-ins
of the new shapes (and the gradients traced again, since backward rules bake in shapes), and the log
says why.
"""
import logging

import numpy as np

from ..backend import device as Device
from ..tensor import Tensor
from .codegen import function_name
from .errors import StaticError
from .executable import Executable
from .graph_api import Graph, Operation, _CURRENT
from .ir import StateWrite, protected
from .replay import specialize
from .tree import flatten, unflatten

log = logging.getLogger('minitorch.static')


class Session:
    """Runs a Graph on a device ('cpu' or 'cuda'); the graph is finalized (no more ops)."""

    def __init__(self, graph, device='cpu'):
        if not isinstance(graph, Graph):
            raise TypeError(f'Session(graph): expected an mt.static.Graph, got {type(graph).__name__}')
        graph.finalize()
        self.graph, self.device = graph, Device(device)
        self.cache = {}                 # (fetches, feed shapes) -> (Executable, input positions)
        self.specialisations = {}       # feed shapes -> (IR graph, mapping)
        self.log = []                   # why each specialisation happened
        self.needs = {}                 # fetches -> the placeholders they need

    def run(self, fetches, feed=None):
        """The values of fetches (tensors of the graph, Operations, or lists/tuples/dicts of them),
        after feeding feed {placeholder: array or tensor}; Operations' writes are done at the end."""
        if self.graph in _CURRENT:
            raise StaticError(f'run graph {self.graph.name!r} after its `with` block has ended')
        leaves, tree = flatten(fetches)
        ids = tuple(id(leaf) for leaf in leaves)
        arrays = self._feed_arrays(feed or {})
        self._check_feeds(ids, leaves, arrays)
        shapes = tuple(arrays[p.name].shape if p.name in arrays else None
                       for p in self.graph.placeholders)
        key = (ids, shapes)
        entry = self.cache.get(key)
        if entry is None:
            entry = self.cache[key] = self._compile(leaves, shapes)
        executable, names, kinds = entry
        outputs = executable.run([arrays.get(n) for n in names])
        values = iter(outputs)
        result = [executable.wrap(next(values)) if kind == 'value' else None for kind in kinds]
        return unflatten(result, tree)

    # --- feeds --------------------------------------------------------------------------------
    def _check_feeds(self, ids, leaves, arrays):
        """Every placeholder the fetches (ids: theirs) need must be fed (checked on the graph as
        built)."""
        needed = self.needs.get(ids)
        if needed is None:
            from .passes import eliminate_dead_code
            outputs, writes = self._fetch_values(leaves, lambda v: v)[:2]
            g = self.graph.ir.copy()
            g.outputs, g.writes = outputs, writes
            g, _ = eliminate_dead_code(g)
            used = _used_inputs(g)
            needed = self.needs[ids] = [v.name for v in g.inputs if v in used]
        for name in needed:
            if name not in arrays:
                raise StaticError(f'missing feed for placeholder {name!r}: the fetches need it; pass '
                                  f'feed={{{name}: ...}}')

    def _feed_arrays(self, feed):
        by_tensor = {id(p.tensor): p for p in self.graph.placeholders}
        arrays = {}
        for key, value in feed.items():
            p = by_tensor.get(id(key))
            if p is None:
                raise StaticError(f'feed: {getattr(key, "name", None) or key!r} is not a placeholder '
                                  f'of graph {self.graph.name!r}; feed the tensors '
                                  f'mt.static.placeholder() returned')
            array = self._as_array(value, p)
            p.check(array)
            arrays[p.name] = array
        return arrays

    def _as_array(self, value, p):
        """The fed value as an array of the session's device, in the placeholder's dtype when it
        converts without changing kind (float64 data feeds a float32 placeholder, as in TF1)."""
        xp = self.device.xp
        if isinstance(value, Tensor):
            return value.detach().to(self.device)._data
        if not isinstance(value, xp.ndarray):
            value = np.asarray(value)
        if value.dtype != p.dtype.np and np.can_cast(value.dtype, p.dtype.np, 'same_kind'):
            value = value.astype(p.dtype.np)
        return value if xp is np else xp.asarray(value)

    # --- compiling ----------------------------------------------------------------------------
    def _compile(self, leaves, shapes):
        ir, mapping = self._specialised(shapes)
        outputs, writes, kinds = self._fetch_values(leaves, mapping)
        g = ir.copy()
        g.outputs, g.writes = outputs, writes
        from .passes import optimize
        g = optimize(g)
        names = [v.name for v in g.inputs]
        executable = Executable(g, self.device, name=function_name(self.graph.name, 'g'))
        return executable, names, kinds

    def _fetch_values(self, leaves, mapping):
        """(output values, state writes, what each fetch gives) for the fetches."""
        outputs, writes, kinds = [], [], []
        for leaf in leaves:
            if isinstance(leaf, Operation):
                if leaf.graph is not self.graph:
                    raise StaticError(f'{leaf!r} belongs to graph {leaf.graph.name!r}, not '
                                      f'{self.graph.name!r}')
                writes += [StateWrite(w.slot, mapping(w.value)) for w in leaf.writes]
                if leaf.value is not None:
                    outputs.append(mapping(leaf.value))
                    kinds.append('value')
                else:
                    kinds.append('none')
            elif isinstance(leaf, Tensor):
                outputs.append(mapping(self.graph.value(leaf)))
                kinds.append('value')
            else:
                raise StaticError(f'Session.run: cannot fetch a {type(leaf).__name__}; fetch tensors '
                                  f'of the graph and Operations')
        return outputs, writes, kinds

    def _specialised(self, shapes):
        """The graph for these feed shapes, and a map from build-time values to its values."""
        built = tuple(p.value.shape for p in self.graph.placeholders)
        wanted = tuple(s if s is not None else b for s, b in zip(shapes, built))
        if wanted == built:
            return self.graph.ir, (lambda v: v)
        found = self.specialisations.get(wanted)
        if found is None:
            changes = [f'{p.name}: shape {b} → {s}' for p, b, s in
                       zip(self.graph.placeholders, built, wanted) if b != s]
            reason = '; '.join(changes)
            log.info('specialising graph %s: %s', self.graph.name, reason)
            self.log.append(reason)
            found = self.specialisations[wanted] = specialize(self.graph, dict(
                (p.name, s) for p, s in zip(self.graph.placeholders, wanted)))
        return found


def _used_inputs(graph):
    used = protected(graph)
    for node in graph.nodes:
        used.update(node.inputs)
    return used
