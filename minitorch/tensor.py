"""Tensor: an n-dimensional array (numpy on CPU, cupy on CUDA) plus what autograd needs.

The array lives in `_data`; `grad_fn` is the Node that made the tensor (None for leaves); a leaf with
`requires_grad=True` collects gradients in `.grad`.  Operators and methods delegate to the primitives in
minitorch.ops (see the bottom of this file), so eager mode has exactly one definition of each op.
"""
import weakref

import numpy as np

from . import dtypes
from .backend import CPU, device as Device


class Size(tuple):
    """A tensor's shape: a tuple that prints as minitorch.Size([2, 3])."""

    def __repr__(self):
        return f'minitorch.Size({list(self)})'

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


def as_result_array(raw, device):
    """An op's result as an array of `device`'s array module (numpy reductions return scalars)."""
    if type(raw) is np.ndarray and (device is None or device is CPU):
        return raw
    xp = (device or CPU).xp
    if isinstance(raw, xp.ndarray):
        return raw
    return xp.asarray(raw)


class Tensor:
    __slots__ = ('_data', '_device', '_requires_grad', '_grad', 'grad_fn', '_output_nr', '_vc',
                 '__dict__', '__weakref__')
    # rarely set: class-level defaults keep making a tensor cheap (an instance sets its own)
    _base = None            # the tensor this one is a view of
    _accum = None           # weakref to this leaf's AccumulateGrad node
    _retains_grad = False
    _hooks = None           # a leaf's gradient hooks
    _post_accumulate_hooks = None   # a leaf's hooks run after its .grad was accumulated
    name = None             # shown in drawings and repr

    def __init__(self, data, dtype=None, device=None, requires_grad=False):
        from .creation import _array_from
        dev = Device(device) if device is not None else None
        self._adopt(*_array_from(data, dtype, dev))
        if requires_grad:
            self.requires_grad = True

    def _adopt(self, data, device):
        """Fill the fields of a new leaf holding `data` (Tensor._make does the same, inline)."""
        self._data = data
        self._device = device
        self._requires_grad = False
        self._grad = None
        self.grad_fn = None
        self._output_nr = 0
        self._vc = None

    @classmethod
    def _make(cls, data, device):
        # the fields of _adopt, set inline: every op result is made here, and a call costs
        t = object.__new__(cls)
        t._data = data
        t._device = device
        t._requires_grad = False
        t._grad = None
        t.grad_fn = None
        t._output_nr = 0
        t._vc = None
        return t

    # --- metadata -----------------------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[self._wrap_dim(dim, 'size')]

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    def numel(self):
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self):
        return dtypes.FROM_NUMPY[self._data.dtype]

    @property
    def device(self):
        return self._device

    @property
    def is_cuda(self):
        return self._device.type == 'cuda'

    def is_floating_point(self):
        return self._data.dtype.kind == 'f'

    def element_size(self):
        return self._data.itemsize

    def _wrap_dim(self, dim, op):
        from .ops.shape_checks import wrap_dim
        return wrap_dim(dim, self._data.ndim, op)

    # --- autograd state -----------------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        flag = bool(flag)
        if self.grad_fn is not None and not flag:
            raise RuntimeError('you can only change requires_grad flags of leaf tensors; this one was '
                               f'made by {self.grad_fn.name()}. Use .detach() to get a tensor without '
                               'history.')
        if flag and self._data.dtype.kind not in 'fc':
            raise RuntimeError(f'only tensors of floating point dtype can require gradients; this '
                               f'tensor is {self.dtype}. Make it float first: x = x.float() '
                               f'(or create it with dtype=mt.float32).')
        self._requires_grad = flag

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f'assigned grad must be a Tensor or None, not {type(value).__name__}')
            if value.shape != self.shape:
                raise RuntimeError(f'assigned grad has shape {tuple(value.shape)} but the tensor has '
                                   f'shape {tuple(self.shape)}')
        self._grad = value

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def retains_grad(self):
        return self._retains_grad

    def _accumulator(self):
        """This leaf's AccumulateGrad node (one per leaf, so the engine sums into it once)."""
        from .autograd.node import AccumulateGrad
        acc = self._accum() if self._accum is not None else None
        if acc is None:
            acc = AccumulateGrad(self)
            if self._hooks:
                acc._pre_hooks = {0: self._hooks}
            self._accum = weakref.ref(acc)
        return acc

    def _version_counter(self):
        if self._vc is None:
            self._vc = [0]
        return self._vc

    def _version_value(self):
        return 0 if self._vc is None else self._vc[0]

    @property
    def _version(self):
        return self._version_value()

    def _bump_version(self):
        if self._vc is None:
            self._vc = [1]
        else:
            self._vc[0] += 1

    # --- conversions --------------------------------------------------------------------------
    @property
    def data(self):
        return self.detach()

    @data.setter
    def data(self, other):
        if not isinstance(other, Tensor):
            raise TypeError(f'.data must be set to a Tensor, not {type(other).__name__}')
        self._data = other._data
        self._device = other._device

    def numpy(self, force=False):
        if self._device.type != 'cpu':
            if not force:
                raise TypeError(f"can't convert {self._device} tensor to numpy: copy it to host memory "
                                f'first with .cpu() (or pass force=True)')
            return self._device.backend.to_host(self._data)
        if self._requires_grad and not force:
            raise RuntimeError("can't call numpy() on a tensor that requires grad: use "
                               'tensor.detach().numpy() instead')
        return self._data

    def _host(self):
        return self._device.backend.to_host(self._data)

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f'item(): a tensor with {self._data.size} elements (shape '
                               f'{tuple(self.shape)}) cannot be converted to a Python number; '
                               f'index one element first, e.g. x[0].item(), or reduce it (x.sum().item())')
        return self._data.item()

    def tolist(self):
        return self._host().tolist()

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def __dlpack__(self, *args, **kwargs):
        return self._data.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError('len() of a 0-d tensor')
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError('iteration over a 0-d tensor')
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f'the truth value of a tensor with {self._data.size} elements is '
                               'ambiguous: use .any() or .all()')
        return bool(self._data.item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in 'iub' or self._data.size != 1:
            raise TypeError('only integer tensors of a single element can be converted to an index')
        return int(self._data.item())

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return format(repr(self), spec)

    __hash__ = object.__hash__

    def __repr__(self):
        from .printing import tensor_repr
        return tensor_repr(self)

    # --- history ------------------------------------------------------------------------------
    def detach(self):
        out = Tensor._make(self._data, self._device)
        out._vc = self._version_counter()
        return out

    def detach_(self):
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError('detach_() cannot be used on a view of a tensor that requires grad: use '
                               '.detach() to get a new tensor')
        self.grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self):
        if self.grad_fn is None:
            return          # leaves keep their .grad anyway
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on a tensor that has requires_grad=False")
        if self._retains_grad:
            return
        self._retains_grad = True
        ref = weakref.ref(self)

        def keep(grad):
            tensor = ref()
            if tensor is not None:
                g = grad if grad.grad_fn is not None else grad.detach()
                tensor._grad = g.clone() if tensor._grad is None else tensor._grad + g
        self.grad_fn.register_prehook(self._output_nr, keep)

    def register_hook(self, hook):
        """hook(grad) runs when this tensor's gradient is computed; it may return a replacement."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn.register_prehook(self._output_nr, hook)
        from .autograd.node import RemovableHandle
        if self._hooks is None:
            self._hooks = []
            acc = self._accum() if self._accum is not None else None
            if acc is not None:
                acc._pre_hooks = {0: self._hooks}
        self._hooks.append(hook)
        return RemovableHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """hook(tensor) runs after backward() has added into this leaf's .grad (the gradient is
        complete for this leaf); it returns nothing.  Returns a handle whose remove() unregisters it."""
        if self.grad_fn is not None:
            raise RuntimeError('post accumulate grad hooks cannot be registered on non-leaf tensors')
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from .autograd.node import RemovableHandle
        if self._post_accumulate_hooks is None:
            self._post_accumulate_hooks = []
        self._post_accumulate_hooks.append(hook)
        return RemovableHandle(self._post_accumulate_hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)


from . import tensor_methods  # noqa: E402  (attaches operators and methods to Tensor)
