"""Function: one differentiable operation, written as a forward and a backward.

A user's own operation subclasses Function; forward gets tensors (detached) and runs without recording,
as in PyTorch:

    class Exp(mt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            y, = ctx.saved_tensors
            return grad * y

Built-in operations subclass Primitive: forward gets the raw arrays (numpy or cupy; `xp =
array_module(a)`) and the op's attributes, and backward is written with tensor operations, so running
it with grad enabled builds the graph of the gradient (higher order for free).  This is minitorch's own
exp, in minitorch/ops/unary.py:

    class Exp(Primitive):
        @staticmethod
        def forward(ctx, a):
            y = array_module(a).exp(a)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            y, = ctx.saved_tensors
            return grad * y

`Exp.apply(t)` runs forward, wraps the result in a Tensor and, when an input requires grad (and grad
mode is on), records a Node (the `ctx` both halves see) as the result's `grad_fn`.  Every primitive call
passes the dispatch hook (autograd/dispatch.py), where the static-graph tracer and the profiler see it.
"""
import numpy as np

from .dispatch import INSTALLED, dispatched
from .node import Node
from .thread_state import STATE
from ..backend import CPU, device_of_array
from ..tensor import Tensor, as_result_array


class Function:
    """Base class of a user-defined differentiable operation: define forward and backward as
    staticmethods and call `YourFunction.apply(*inputs)` (never forward directly)."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        """Compute the result from the inputs (tensors, detached); save what backward needs on ctx."""
        raise NotImplementedError('a Function subclass must define forward(ctx, ...) as a staticmethod')

    @staticmethod
    def backward(ctx, *grads):
        """Given the gradient of each output, return one gradient (or None) per input of forward."""
        raise NotImplementedError('a Function subclass must define backward(ctx, *grads) to be '
                                  'differentiated')

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward on the arguments and record the call for backward when an input requires grad."""
        device, requires_grad = _scan(cls, args)
        record = requires_grad and STATE.enabled
        ctx = Node(cls, args) if record else _EagerContext()
        inputs = [a.detach() if isinstance(a, Tensor) else a for a in args]
        previous = STATE.enabled
        STATE.enabled = False       # forward's own tensor ops record nothing
        try:
            raw = cls.forward(ctx, *inputs, **kwargs)
        finally:
            STATE.enabled = previous
        return _finish(ctx, record, args, inputs, raw, device)


class Primitive(Function):
    """Base class of minitorch's built-in ops: forward(ctx, *arrays_and_attributes) gets raw arrays.

    Class attributes a primitive may set:
      differentiable = False   outputs never require grad (comparisons, argmax, random draws)
      returns_view = True      outputs may share memory with the first input (reshape, slicing)
      moves_device = True      the last argument is the device the output lives on
    """
    differentiable = True
    returns_view = False
    moves_device = False

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run the op, recording it for backward when an input requires grad.  When a dispatch mode
        is installed in this thread, the mode gets the call (and runs the op through apply again)."""
        # the hottest path of the library: one pass over the arguments, no work that is not needed
        # (so _scan and _finish, which Function.apply calls, are written out here, not called)
        if INSTALLED[0] and STATE.mode is not None:
            return dispatched(cls, args, kwargs, _apply_again)
        device = None
        requires_grad = False
        arrays = []
        for arg in args:
            if isinstance(arg, Tensor):
                if device is None:
                    device = arg._device
                elif arg._device is not device:
                    _raise_device_mismatch(cls, args)
                if arg._requires_grad:
                    requires_grad = True
                arrays.append(arg._data)
            else:
                arrays.append(arg)
        if cls.moves_device:
            device = args[-1]
        record = requires_grad and cls.differentiable and STATE.enabled
        ctx = Node(cls, args) if record else _EagerContext()
        raw = cls.forward(ctx, *arrays, **kwargs)
        if type(raw) is tuple:
            outputs = tuple([_wrap(r, device, record, ctx, i) for i, r in enumerate(raw)])
        elif raw is None:
            return None
        else:
            outputs = _wrap(raw, device, record, ctx, 0)
        if record:
            ctx._finish(args, arrays, raw, outputs)
        if cls.returns_view:
            _mark_views(outputs, args[0])
        return outputs


def _apply_again(cls, args, kwargs):
    """What a dispatch mode's `run` does: apply once more, now with the mode out of the way."""
    return cls.apply(*args, **kwargs)


def _scan(cls, args):
    """The device of the tensor arguments (all must agree) and whether any requires grad."""
    device, requires_grad = None, False
    for arg in args:
        if isinstance(arg, Tensor):
            if device is None:
                device = arg._device
            elif arg._device is not device:
                _raise_device_mismatch(cls, args)
            requires_grad = requires_grad or arg._requires_grad
    return device, requires_grad


def _finish(ctx, record, args, inputs, raw, device):
    """Wrap forward's result(s) in tensors; a recorded call resolves what it saved."""
    if raw is None:
        return None
    if type(raw) is tuple:
        outputs = tuple([_wrap(r, device, record, ctx, i) for i, r in enumerate(raw)])
    else:
        outputs = _wrap(raw, device, record, ctx, 0)
    if record:
        ctx._finish(args, inputs, raw, outputs)
    return outputs


class _EagerContext:
    """The ctx forward sees when nothing is recorded: saving is a no-op."""
    needs_input_grad = ()

    def save_for_backward(self, *items):
        pass

    def mark_non_differentiable(self, *items):
        pass

    def set_materialize_grads(self, value):
        pass


def _wrap(raw, device, record, ctx, index):
    if type(raw) is np.ndarray and device is CPU:
        data = raw
    else:
        if isinstance(raw, Tensor):
            raw = raw._data
        data = as_result_array(raw, device)
        if device is None:
            device = device_of_array(data) or CPU
    out = Tensor._make(data, device)
    if record and data.dtype.kind in 'fc' and (ctx._non_differentiable is None or
                                                not ctx._is_non_differentiable(raw)):
        out._requires_grad = True
        out.grad_fn = ctx
        out._output_nr = index
    return out


def _mark_views(outputs, source):
    """Views share their source's version counter, so in-place changes through either are seen."""
    for out in (outputs if type(outputs) is tuple else (outputs,)):
        if getattr(out._data, 'base', None) is not None:
            out._vc = source._version_counter()
            out._base = source if source._base is None else source._base


def _raise_device_mismatch(cls, args):
    described = ', '.join(f'{tuple(a.shape)} on {a.device}' for a in args if isinstance(a, Tensor))
    raise RuntimeError(f'{_op_name(cls)}: expected all tensors to be on the same device, but found '
                       f'tensors {described}. Move them with .to(device), e.g. x.to(y.device)')


def _op_name(cls):
    return getattr(cls, 'op_name', None) or cls.__name__.lower()


def once_differentiable(backward):
    """PyTorch's decorator for a backward that cannot be differentiated again.  Here backward always
    runs on tensors, so it changes nothing; it exists so PyTorch code runs unchanged."""
    return backward
