"""Compilation: a Graph becomes straight-line Python that calls the array module directly.

No apply, no autograd bookkeeping, no promotion: one line per node.  An elementwise primitive (one
that names its `ufunc`) becomes a direct call of the array module (`xp.multiply(t1, t2)`); any other
primitive calls its own forward (`sum_(t3, (0,), False)` is `Sum.forward(ctx, t3, (0,), False)`), so
no op's math is written twice.  A value is deleted after its last use (its memory is freed then), and
`.code` shows the source:

    def step(x, w1, w2):
        t1 = matmul(x, w1, False, False)
        t2 = relu(t1)
        ...
        return (t9,), (t12, t13)
"""
import functools
import keyword
import re

import numpy as np

from ..autograd.function import _EagerContext
from .ir import In, last_uses, op_name, protected, value_names


class Compiled:
    """A graph compiled for one device: call it with the input arrays and the state arrays; it
    returns (outputs, state writes)."""

    def __init__(self, graph, xp, name='run'):
        self.graph, self.xp = graph, xp
        self.namespace = {'xp': xp, 'np': np}
        self.names = {}
        self.printed = value_names(graph)
        self.source = self._source(name)
        code = compile(self.source, f'<static graph {graph.name}>', 'exec')
        exec(code, self.namespace)
        self.fn = self.namespace[name]

    def __call__(self, *arrays):
        return self.fn(*arrays)

    def instrumented(self):
        """The same code with every node timed, for the profiler: fn(*arrays, _p) calls
        `_t = _p.start(i)` before node i and `_p.stop(i, _t, outputs)` after it.  Generated on the
        first request only, so a graph nobody profiles pays nothing."""
        found = self.__dict__.get('_instrumented')
        if found is None:
            name = self.fn.__name__ + '_profiled'
            source = self._source(name, profiled=True)
            exec(compile(source, f'<static graph {self.graph.name}, profiled>', 'exec'),
                 self.namespace)
            found = self._instrumented = self.namespace[name]
        return found

    # --- naming -------------------------------------------------------------------------------
    def name_of(self, value):
        """The value's name in the code: print(graph)'s name, made an identifier where needed."""
        found = self.names.get(value)
        if found is None:
            base = self.printed.get(value) or f'v{value.id}'
            if value.kind == 'const':
                found = self.bind(_identifier(base), value.const)
            else:
                found = self._fresh(_identifier(base))
            self.names[value] = found
        return found

    def _fresh(self, base):
        return fresh_name(base, set(self.names.values()) | set(self.namespace))

    def bind(self, base, obj):
        """A name in the generated code's globals for obj (a function or a constant)."""
        return bind_name(self.namespace, base, obj, self.names.values())

    def attr(self, a):
        """Source text for an attribute: its repr when that reads back as the same value."""
        if a is None or isinstance(a, (bool, int, str)):
            return repr(a)
        if isinstance(a, float):
            return repr(a) if np.isfinite(a) else f'float({str(a)!r})'
        if isinstance(a, tuple) and all(isinstance(x, (int, bool)) or x is None for x in a):
            return repr(a)
        if isinstance(a, np.dtype):
            return f'np.dtype({a.name!r})'
        return self.bind('a', a)

    # --- the source ---------------------------------------------------------------------------
    def _source(self, fn_name, profiled=False):
        g = self.graph
        params = [self.name_of(v) for v in g.inputs + g.state] + (['_p'] if profiled else [])
        lines = [f'def {fn_name}({", ".join(params)}):']
        dying = _dying_at(g)
        for index, node in enumerate(g.nodes):
            if profiled:        # generated names never start with '_': _t and _p are free
                lines.append(f'    _t = _p.start({index})')
            lines.append('    ' + self._line(node))
            if profiled:
                outs = ''.join(f'{self.name_of(v)}, ' for v in node.outputs)
                lines.append(f'    _p.stop({index}, _t, ({outs}))')
            dead = [self.names[v] for v in dying.get(index, ()) if v in self.names]
            if dead:
                lines.append(f'    del {", ".join(dead)}')
        outs = ', '.join(self._ref(v) for v in g.outputs)
        writes = ', '.join(self._ref(w.value) for w in g.writes)
        lines.append(f'    return ({outs}{"," if len(g.outputs) == 1 else ""}), '
                     f'({writes}{"," if len(g.writes) == 1 else ""})')
        return '\n'.join(lines) + '\n'

    def _ref(self, value):
        return 'None' if value is None else self.name_of(value)

    def _line(self, node):
        args = [self._ref(node.inputs[a.i]) if type(a) is In else self.attr(a) for a in node.args]
        args += [f'{k}={self.attr(v)}' for k, v in node.kwargs.items()]
        out = (node.note or {}).get('out')
        free = tuple((node.note or {}).get('free') or ())
        exact = getattr(node.op, 'variant_for', None)
        variant = exact(self.xp, out, free) if exact is not None and (out is not None or free) \
            else None
        callee = self._callee(node) if variant is None else None
        if variant is not None:         # a fused node whose buffers the plan knows: no checks
            callee = self.bind(_identifier(op_name(node.op)), variant)
            args.append(f'out={self._ref(node.inputs[out]) if out is not None else None}')
        else:
            if out is not None:
                args.append(f'out={self._ref(node.inputs[out])}')
            if free:
                args.append(f'free={free!r}')
        call = f'{callee}({", ".join(args)})'
        outs = [self.name_of(v) for v in node.outputs]
        if not outs:
            return call
        if node.multi:
            line = f'{", ".join(outs)}{"," if len(outs) == 1 else ""} = {call}'
            scalars = [name for name, v in zip(outs, node.outputs) if v.shape == ()]
            for name in scalars:        # numpy gives 0-d results as scalars: arrays, please
                line += f'; {name} = xp.asarray({name})'
            return line
        if node.outputs[0].shape == () and out is None:
            call = f'xp.asarray({call})'
        return f'{outs[0]} = {call}'

    def _callee(self, node):
        op = node.op
        ufunc = plain_ufunc(op)
        if ufunc is not None:
            return f'xp.{ufunc}'
        custom = getattr(op, 'codegen', None)
        if custom is not None:
            return self.bind(_identifier(op_name(op)), custom(self.xp))
        compute = getattr(op, 'compute', None)      # forward's math without the ctx bookkeeping
        if compute is not None:
            return self.bind(op_name(op), compute)
        return self.bind(op_name(op), forward_of(op))


def plain_ufunc(op):
    """The name of op's ufunc when its forward is exactly xp.<ufunc> (made from it by Elementwise,
    so the call takes `out=`), else None (no ufunc, or a forward of its own)."""
    ufunc = getattr(op, 'ufunc', None)
    if ufunc is not None and getattr(op.forward, '__name__', '').startswith('forward_'):
        return ufunc
    return None


_CTX = _EagerContext()
_FORWARDS = {}


def forward_of(op):
    """op's forward as a plain function of arrays (the ctx it gets keeps nothing)."""
    found = _FORWARDS.get(op)
    if found is None:
        found = _FORWARDS[op] = functools.partial(op.forward, _CTX)    # (no Python frame of its own)
    return found


def _dying_at(graph):
    """{node index: [values whose last use is that node]}, leaving outputs and state writes alone."""
    kept = protected(graph)
    by_node = {}
    for v, index in last_uses(graph).items():
        if v not in kept and v.kind == 'node':
            by_node.setdefault(index, []).append(v)
    return by_node


def fresh_name(base, taken):
    """base, or base_2, base_3, ...: the first that is not in `taken` and is no Python keyword."""
    name, n = base, 1
    while name in taken or keyword.iskeyword(name):
        n += 1
        name = f'{base}_{n}'
    return name


def bind_name(namespace, base, obj, taken=()):
    """A name for obj in namespace (the globals of generated code): the one it has there already,
    else a fresh one (see fresh_name) that is not in `taken` either, bound to it."""
    for name, existing in namespace.items():
        if existing is obj:
            return name
    name = fresh_name(base, set(taken) | set(namespace))
    namespace[name] = obj
    return name


def function_name(text, prefix):
    """A name for the generated function: text with every non-word character made '_' ('<lambda>'
    gives '_lambda_'), after `prefix_` when it would be empty or start with a digit."""
    name = re.sub(r'\W', '_', text)
    return name if name and not name[0].isdigit() else f'{prefix}_{name}'


def _identifier(text):
    name = re.sub(r'\W', '_', text).strip('_') or 'v'
    return name if not name[0].isdigit() else f'v_{name}'
