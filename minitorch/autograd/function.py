"""Function: one differentiable operation, written as a forward and a backward.

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            y, = ctx.saved_tensors
            return grad * y

`Exp.apply(t)` runs forward without recording, wraps the result in a Tensor and, when an input requires
grad, records a Node (the `ctx` both halves see) as the result's `grad_fn`.  Backward is written with
tensor operations, so running it with grad enabled builds the graph of the gradient (higher order).

Built-in primitives set `array_forward = True`: their forward receives the raw arrays (numpy or cupy,
`xp = array_module(x)`) instead of tensors, which keeps the per-op cost low.
"""
import numpy as np

from . import grad_mode
from ..backend import CPU
from .node import Node
from ..tensor import Tensor, as_result_array


class Function:
    array_forward = False       # built-ins: forward gets arrays; user Functions get tensors, as in PyTorch
    differentiable = True       # False: outputs never require grad (comparisons, argmax, ...)
    returns_view = False        # True: outputs may share memory with the first input (reshape, slicing)
    moves_device = False        # True: the last argument is the device the output lives on

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError('a Function subclass must define forward(ctx, ...) as a staticmethod')

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError('a Function subclass must define backward(ctx, *grads) to be '
                                  'differentiated')

    @classmethod
    def apply(cls, *args, **kwargs):
        # the hottest path of the library: one pass over the arguments, no work that is not needed
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
        record = requires_grad and grad_mode.STATE.enabled and cls.differentiable
        ctx = Node(cls, args) if record else _EagerContext()
        if cls.array_forward:
            inputs = arrays
            raw = cls.forward(ctx, *arrays, **kwargs)
        else:
            inputs = [a.detach() if isinstance(a, Tensor) else a for a in args]
            with grad_mode.no_grad():
                raw = cls.forward(ctx, *inputs, **kwargs)
        if type(raw) is tuple:
            outputs = tuple(_wrap(r, device, record, ctx, i) for i, r in enumerate(raw))
        else:
            outputs = _wrap(raw, device, record, ctx, 0)
        if record:
            ctx._finish(args, inputs, raw, outputs)
        if cls.returns_view:
            _mark_views(outputs, args[0])
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

    def _is_non_differentiable(self, raw):
        return True


def _wrap(raw, device, record, ctx, index):
    if type(raw) is np.ndarray and device is CPU:
        data = raw
    else:
        if isinstance(raw, Tensor):
            raw = raw._data
        data = as_result_array(raw, device)
        if device is None:
            device = _device_of(data)
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


def _device_of(data):
    from ..backend import device_of_array, CPU
    return device_of_array(data) or CPU


def _raise_device_mismatch(cls, args):
    described = ', '.join(f'{tuple(a.shape)} on {a.device}' for a in args if isinstance(a, Tensor))
    raise RuntimeError(f'{cls.__name__}: expected all tensors to be on the same device, but found '
                       f'tensors {described}. Move them with .to(device), e.g. x.to(y.device)')


def once_differentiable(backward):
    """PyTorch's decorator for a backward that cannot be differentiated again.  Here backward always
    runs on tensors, so it changes nothing; it exists so PyTorch code runs unchanged."""
    return backward

