"""@mt.static.function: trace a Python function into a graph on its first call, then run the graph.

    @mt.static.function
    def step(x, y):
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss

The first call for each signature (the shapes, dtypes and devices of the tensor arguments, and the
values of the other arguments) traces `step`: the ordinary code runs on symbolic tensors and every op
is recorded (model parameters and optimizer buffers become state the graph reads and writes back).
The graph is optimized and compiled; later calls with that signature run the compiled code.  A new
signature traces again, and the log says which argument changed and how.  Python values the graph
baked in (a learning rate, a module's training flag) are checked on each call: a change traces again.
"""
import contextlib
import functools
import inspect
import io
import logging
import sys
import warnings

import numpy as np

from ..tensor import Tensor
from .codegen import function_name
from .errors import StaticError
from .executable import Executable
from .ir import Graph
from .naming import StateNamer
from .slots import GradSlot
from .trace import Tracer
from .tree import flatten, unflatten

log = logging.getLogger('minitorch.static')
_TENSOR = object()          # in a result's leaves: a tensor the graph computes


class StaticWarning(UserWarning):
    """Something a traced function does that runs only while tracing (a print, say)."""


class StaticFunction:
    """A Python function compiled into one static graph per signature (see the module doc)."""

    def __init__(self, fn, optimize=True):
        functools.update_wrapper(self, fn)
        self.fn, self.optimize = fn, optimize
        self.cache = {}                 # signature -> [Executable, ...] (one per guard state)
        self.trace_log = []             # (signature, reason) for every trace, in order
        self.last = None                # the Executable that ran last
        self._fast = None               # (signature, executable) of the last flat call

    @property
    def retraces(self):
        """How many times the function was traced again after its first trace."""
        return max(len(self.trace_log) - 1, 0)

    @property
    def graph(self):
        """The (optimized) graph that ran last."""
        return self._last('graph')

    @property
    def code(self):
        """The generated Python source of the graph that ran last."""
        return self._last('code')

    def _last(self, what):
        if self.last is None:
            raise StaticError(f'{self.__name__} has not been called yet: call it once, and it is '
                              f'traced into a graph')
        return getattr(self.last, what)

    def trace(self, *args, **kwargs):
        """The graph this function records on these arguments, without running it (and without
        caching it): as traced when optimize=False, else optimized (tf.function's
        get_concrete_function)."""
        leaves, tree = flatten((args, kwargs))
        return self._trace(args, kwargs, leaves, tree, 'trace()').graph

    def __get__(self, instance, owner):
        return self if instance is None else functools.partial(self, instance)

    def __call__(self, *args, **kwargs):
        """Run the compiled graph for this signature (tracing it first if it is new)."""
        if not kwargs and self._fast is not None:     # the same kind of call as the last one
            key, executable = self._fast
            if signature(args) == key and executable.guards_hold():
                return self._run(executable, args)
        leaves, tree = flatten((args, kwargs))
        key = signature(leaves)
        stale = None
        for executable in self.cache.get(key, ()):
            stale = executable.stale_guard()
            if stale is None:
                self._remember(args, kwargs, leaves, key, executable)
                return self._run(executable, leaves)
        reason = stale or self._reason(key, leaves, args, kwargs)
        executable = self._trace(args, kwargs, leaves, tree, reason)
        self.cache.setdefault(key, []).append(executable)
        self.trace_log.append((key, reason))
        self._remember(args, kwargs, leaves, key, executable)
        return self._run(executable, leaves)

    def _remember(self, args, kwargs, leaves, key, executable):
        """Calls with plain positional arguments (no nesting) skip flattening next time."""
        flat = not kwargs and len(leaves) == len(args) and all(
            type(a) not in (tuple, list, dict) for a in args)
        self._fast = (key, executable) if flat else None

    # --- tracing ------------------------------------------------------------------------------
    def _trace(self, args, kwargs, leaves, tree, reason):
        log.info('tracing %s: %s', self.__name__, reason)
        graph = Graph(self.__name__)
        namer = StateNamer()
        tracer = Tracer(graph, namer)
        names = _argument_names(self.fn, args, kwargs, leaves)
        symbolic = []
        for leaf, name in zip(leaves, names):
            if isinstance(leaf, Tensor):
                data = leaf._data
                leaf = tracer.new_input(data.shape, data.dtype, leaf._device, name,
                                        leaf._requires_grad)
            symbolic.append(leaf)
        sym_args, sym_kwargs = unflatten(symbolic, tree)
        printed = io.StringIO()
        tee = _Tee(printed, sys.stdout)
        # errstate: stand-in values mean nothing, so numpy's warnings about them are noise
        with tracer, contextlib.redirect_stdout(tee), np.errstate(all='ignore'):
            result = self.fn(*sym_args, **sym_kwargs)
            out_leaves, out_tree = flatten(result)
            tensors = [leaf for leaf in out_leaves if isinstance(leaf, Tensor)]
            tracer.finish(tensors)
        if printed.getvalue():
            warnings.warn(f'{self.__name__} printed while it was being traced; Python side effects '
                          f'(print, appending to a list, ...) run only while tracing, not on each '
                          f'call of the compiled graph. Return the values you want to see instead.',
                          StaticWarning, stacklevel=3)
        _bind_input_grads(graph, symbolic)
        if self.optimize:
            from .passes import optimize
            graph = optimize(graph)
        device = _device_of(leaves, graph)
        executable = Executable(graph, device, tracer.guards,
                                name=function_name(self.__name__, 'fn'))
        executable.out_tree = out_tree
        executable.out_constants = [_TENSOR if isinstance(leaf, Tensor) else leaf
                                    for leaf in out_leaves]
        return executable

    def _reason(self, key, leaves, args, kwargs):
        """Why a new trace: the first call, or which argument changed and how."""
        if not self.cache:
            return 'first call'
        names = _argument_names(self.fn, args, kwargs, leaves)
        best, diffs, best_distance = None, None, None
        for old in self.cache:
            if len(old) != len(key):
                continue
            found = [describe_change(name, a, b) for name, a, b in zip(names, old, key) if a != b]
            distance = sum(text.count('→') for text in found)
            if diffs is None or distance < best_distance:
                best, diffs, best_distance = old, found, distance
        if best is None:
            return f'a new number of arguments ({len(key)})'
        return '; '.join(diffs)

    # --- running ------------------------------------------------------------------------------
    def _run(self, executable, leaves):
        device = executable.device
        tensors = []
        for leaf in leaves:
            if isinstance(leaf, Tensor):
                if leaf._device is not device:
                    raise StaticError(f'{self.__name__}: an argument is on {leaf.device} but the '
                                      f'graph was compiled for {executable.device}')
                tensors.append(leaf)
        outputs = executable.run([t._data for t in tensors], tensors)
        self.last = executable
        if executable.out_tree is None and executable.out_constants[0] is _TENSOR:
            return Tensor._make(outputs[0], device)         # the usual case: one tensor
        out = iter(outputs)
        leaves_out = [executable.wrap(next(out)) if c is _TENSOR else c
                      for c in executable.out_constants]
        return unflatten(leaves_out, executable.out_tree)


def function(fn=None, *, optimize=True):
    """Decorator: trace fn into a static graph on its first call for each signature (tf.function,
    torch.compile); optimize=False skips the graph passes."""
    if fn is None:
        return lambda f: StaticFunction(f, optimize=optimize)
    return StaticFunction(fn, optimize=optimize)


# --- signatures ------------------------------------------------------------------------------
def signature(leaves):
    """What a compiled graph depends on: tensors' shapes/dtypes/devices/requires_grad, other
    arguments' values (or identity, for objects that are not plain values)."""
    key = []
    for leaf in leaves:
        if isinstance(leaf, Tensor):
            data = leaf._data       # (the dtype and device objects: their names are slow to get)
            key.append(('tensor', data.shape, data.dtype, leaf._device, leaf._requires_grad))
        elif leaf is None or isinstance(leaf, (bool, int, float, str, bytes)):
            key.append(('value', type(leaf).__name__, leaf))
        else:
            key.append(('object', type(leaf).__name__, id(leaf)))
    return tuple(key)


def describe_change(name, old, new):
    if old[0] == new[0] == 'tensor':
        changes = [f'{label} {old[i]} → {new[i]}' for label, i in
                   (('shape', 1), ('dtype', 2), ('device', 3), ('requires_grad', 4))
                   if old[i] != new[i]]
        return f'{name}: {", ".join(changes)}'
    if old[0] == new[0] == 'value':
        return f'{name}: {old[2]!r} → {new[2]!r}'
    if old[0] == new[0] == 'object':
        return f'{name}: another {new[1]} object'
    return f'{name}: {old[0]} → {new[0]}'


def _argument_names(fn, args, kwargs, leaves):
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
        named = list(bound.arguments.items())
    except (TypeError, ValueError):
        named = [(f'args[{i}]', a) for i, a in enumerate(args)] + list(kwargs.items())
    names = []
    for name, value in named:
        inner, _ = flatten(value)
        names += [name] if len(inner) == 1 else [f'{name}[{i}]' for i in range(len(inner))]
    return names + [f'arg{i}' for i in range(len(names), len(leaves))]


class InputGradSlot:
    """The .grad of the index-th tensor argument (bound to the real argument on each call)."""

    def __init__(self, index, name, mode):
        self.input_index, self.name, self.mode = index, name, mode

    def bound_to(self, tensor):
        return GradSlot(tensor, self.name, self.mode)

    def __repr__(self):
        return f'{self.name}.grad'


def _bind_input_grads(graph, symbolic):
    """Writes to a symbolic argument's .grad go to the real argument's .grad on each call."""
    positions = {id(t): i for i, t in enumerate(x for x in symbolic if isinstance(x, Tensor))}
    for write in graph.writes:
        slot = write.slot
        if isinstance(slot, GradSlot) and id(slot.tensor) in positions:
            write.slot = InputGradSlot(positions[id(slot.tensor)], graph.inputs[
                positions[id(slot.tensor)]].name, slot.mode)


def _device_of(leaves, graph):
    from ..backend import CPU
    for leaf in leaves:
        if isinstance(leaf, Tensor):
            return leaf._device
    for v in graph.state:
        return v.device
    return CPU


class _Tee(io.TextIOBase):
    """Standard output while tracing: written through to out, and noticed in sink."""

    def __init__(self, sink, out):
        self.sink, self.out = sink, out

    def write(self, text):
        self.sink.write(text)
        return self.out.write(text)

    def flush(self):
        self.out.flush()
