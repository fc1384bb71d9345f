"""Node: a recorded Function call, the vertex the backward engine visits.

The Node is also the `ctx` that the Function's forward and backward see: forward stores what backward
needs (`ctx.save_for_backward(...)`, or plain attributes), backward reads it back.  Edges point from a
node to the nodes that produced its inputs (`next_functions`); a leaf that requires grad is reached
through its AccumulateGrad node.  Nodes never hold their input tensors, only what was saved, so an
intermediate result that backward does not need is freed as soon as the user drops it.
"""
import weakref

from ..backend import CPU
from ..tensor import Tensor
from .thread_state import STATE

NO_EDGE = (None, 0)     # next_functions' entry for an input that needs no gradient, as in PyTorch


class Node:
    """A recorded call of a Function: the grad_fn of the tensors it made (printed <MulBackward>)
    and the ctx its forward and backward see.  next_functions holds (node, output number) for each
    input, (None, 0) where an input needs no gradient, as in PyTorch."""
    __slots__ = ('_fn', 'next_functions', '_saved', 'out_meta', '_outputs', 'scope', '__dict__',
                 '__weakref__')
    # rarely changed: class-level defaults, so recording an op sets only what it must
    _to_save = ()
    _freed = False
    _non_differentiable = None
    materialize_grads = True
    _pre_hooks = None

    def __init__(self, fn, args):
        self._fn = fn                # the Function (a private name: ctx.fn is the user's)
        edges = []
        for arg in args:
            if isinstance(arg, Tensor) and arg._requires_grad:
                node = arg.grad_fn
                edges.append((node, arg._output_nr) if node is not None else (arg._accumulator(), 0))
            else:
                edges.append(NO_EDGE)
        self.next_functions = tuple(edges)
        self._saved = None
        self.scope = STATE.scope        # the modules running when this op was recorded

    @property
    def needs_input_grad(self):
        """One bool per input of forward: does that input need a gradient?"""
        return tuple([edge[0] is not None for edge in self.next_functions])

    # --- what forward calls -------------------------------------------------------------------
    def save_for_backward(self, *items):
        """In forward: keep these tensors (inputs or outputs of forward, or None) for backward to
        read as ctx.saved_tensors; an in-place change to one before backward is caught."""
        self._to_save = items

    def mark_non_differentiable(self, *items):
        """In forward: these outputs get no gradient (requires_grad=False), e.g. indices returned
        beside values."""
        self._non_differentiable = items

    def set_materialize_grads(self, value):
        """In forward: with False, backward receives None (instead of zeros) for an output whose
        gradient was never computed."""
        self.materialize_grads = bool(value)

    def _is_non_differentiable(self, raw):
        marked = self._non_differentiable
        return marked is not None and any(raw is m or getattr(m, '_data', None) is raw for m in marked)

    def _finish(self, args, inputs, raw, outputs):
        """After forward: remember output metadata and resolve what was saved."""
        if type(outputs) is tuple:
            outs, raws = outputs, raw
            self.out_meta = tuple([(o._data.shape, o._data.dtype, o._device) for o in outs])
            self._outputs = tuple([weakref.ref(o) for o in outs])
        else:
            outs, raws = (outputs,), (raw,)
            data = outputs._data
            self.out_meta = ((data.shape, data.dtype, outputs._device),)
            self._outputs = (weakref.ref(outputs),)
        to_save = self._to_save
        if to_save:
            self._saved = [_resolve(item, args, inputs, raws, outs) for item in to_save]
            del self._to_save

    # --- what backward reads ------------------------------------------------------------------
    @property
    def saved_tensors(self):
        """What forward saved, as tensors: the very input and output tensors (the same objects on
        every read), None where None was saved.  Raises if an in-place op changed one since."""
        if self._saved is None:
            if self._freed:
                raise RuntimeError(
                    f'Trying to backward through the graph a second time (or to read the saved tensors '
                    f'of {self.name()} after they were freed). Saved tensors are freed by backward() '
                    f'to save memory; pass retain_graph=True to the first backward() or autograd.grad() '
                    f'call if you need to go through the graph again.')
            return ()
        saved = self._saved
        return tuple([_unpack(saved, i, self) for i in range(len(saved))])

    def _release(self):
        if self._saved is not None:
            self._saved = None
            self._freed = True

    # --- identity -----------------------------------------------------------------------------
    def name(self):
        """The node's name, the Function's name plus 'Backward' (MulBackward)."""
        return f'{self._fn.__name__}Backward'

    def __repr__(self):
        return f'<{self.name()}>'

    def register_prehook(self, output_nr, hook):
        """hook(grad) runs on the gradient of output output_nr before backward uses it and may
        return a replacement; returns a handle whose remove() unregisters it (what
        Tensor.register_hook uses)."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        hooks = self._pre_hooks.setdefault(output_nr, [])
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    def outputs(self):
        """The output tensors still alive (None for those the program dropped)."""
        return tuple(ref() for ref in self._outputs)


class AccumulateGrad:
    """The node through which gradients reach a leaf tensor's .grad."""

    __slots__ = ('variable', 'next_functions', 'needs_input_grad', '_pre_hooks', 'out_meta',
                 '__weakref__')
    _saved = None

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()
        self.needs_input_grad = ()
        self._pre_hooks = None
        self.out_meta = ((variable._data.shape, variable._data.dtype, variable._device),)

    def name(self):
        """The node's name: 'AccumulateGrad'."""
        return 'AccumulateGrad'

    def __repr__(self):
        return '<AccumulateGrad>'

    register_prehook = Node.register_prehook

    def _release(self):
        pass


class RemovableHandle:
    """What register_hook returns: handle.remove() unregisters the hook."""

    def __init__(self, hooks, hook):
        self._hooks = hooks
        self._hook = hook

    def remove(self):
        """Unregister the hook (doing it twice is harmless)."""
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


# Saved entries: ('input', tensor, version) | ('output', nr, data, counter, version, device, ref)
#                | ('const', tensor)
def _resolve(item, args, inputs, raws, outs):
    if item is None:
        return None
    index = 0
    for seen in inputs:
        if item is seen:
            arg = args[index]
            if not isinstance(arg, Tensor):
                return ('const', arg)       # a Python number passed to the op
            return ('input', arg, 0 if arg._vc is None else arg._vc[0])
        index += 1
    for index, r in enumerate(raws):
        if item is r or (isinstance(item, Tensor) and item._data is r):
            out = outs[index]
            counter = out._version_counter()
            # a weak reference: the output keeps its node alive, not the other way round, so an
            # activation is freed as soon as nothing else needs it
            return ('output', index, out._data, counter, counter[0], out._device, weakref.ref(out))
    if isinstance(item, Tensor):
        return ('const', item.detach())
    return ('const', Tensor._make(item, args_device(args)))


def args_device(args):
    """The device of the first tensor in args (the CPU when there is none)."""
    for a in args:
        if isinstance(a, Tensor):
            return a._device
    return CPU


def _unpack(saved, i, node):
    entry = saved[i]
    if entry is None:
        return None
    kind = entry[0]
    if kind == 'input':
        tensor, version = entry[1], entry[2]
        if tensor._version_value() != version:
            _raise_modified(tensor.shape, tensor.dtype, node, tensor._version_value(), version)
        return tensor
    if kind == 'output':
        nr, data, counter, version, device, ref = entry[1:]
        if counter[0] != version:
            _raise_modified(data.shape, data.dtype, node, counter[0], version)
        out = ref()
        if out is None or out._data is not data:
            # the output tensor is gone: stand in with one tensor, kept, so reads stay identical
            out = Tensor._make(data, device)
            out._vc = counter
            if data.dtype.kind in 'fc':
                out._requires_grad = True
                out.grad_fn = node
                out._output_nr = nr
            saved[i] = entry[:6] + ((lambda kept=out: kept),)
        return out
    return entry[1]


def _raise_modified(shape, dtype, node, now, expected):
    raise RuntimeError(
        f'one of the tensors needed for gradient computation has been modified by an in-place '
        f'operation: [{dtype} {list(shape)}], saved by {node.name()}, is at version {now}; expected '
        f'version {expected} instead. An in-place op (such as x += 1, x.add_(...), x[i] = v) changed it '
        f'after {node._fn.__name__} used it; use the out-of-place form (x = x + 1) or modify a .clone().')
