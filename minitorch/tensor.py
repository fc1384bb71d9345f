"""Tensor: an n-dimensional array (numpy on CPU, cupy on CUDA) plus what autograd needs.

The array lives in `_data`; `grad_fn` is the Node that made the tensor (None for leaves); a leaf with
`requires_grad=True` collects gradients in `.grad`.  The ops (x + y, x.exp(), x @ w, x.sum(), ...) are
made from the one table in minitorch/ops/table.py (see the bottom of this file), so each op has exactly
one definition, reached from its method's `__wrapped__`; conversions come from tensor_conversions.py.
"""
import math
import warnings
import weakref

import numpy as np

from . import dtypes
from .backend import CPU, device as Device
from .tensor_conversions import TensorConversions

NON_LEAF_GRAD = ('the .grad of a tensor that is not a leaf is being read: backward() does not fill it in '
                 '(it stays None). Call .retain_grad() on the tensor before backward() to keep its '
                 'gradient, or read the .grad of the leaf tensor it was made from')


class Size(tuple):
    """A tensor's shape: a tuple that prints as minitorch.Size([2, 3])."""

    def __repr__(self):
        return f'minitorch.Size({list(self)})'

    def numel(self):
        """The number of elements a tensor of this shape has."""
        return math.prod(self)


def as_result_array(raw, device):
    """An op's result as an array of `device`'s array module (numpy reductions return scalars)."""
    if type(raw) is np.ndarray and (device is None or device is CPU):
        return raw
    xp = (device or CPU).xp
    if isinstance(raw, xp.ndarray):
        return raw
    return xp.asarray(raw)


class Tensor(TensorConversions):
    """An n-dimensional array on a device (numpy on the CPU, CuPy on a GPU) that records, when asked,
    the operations that made it, so that backward() can compute gradients.  Make one with
    mt.tensor(data), mt.zeros(...), mt.randn(...) and the other factories."""
    __slots__ = ('_data', '_device', '_requires_grad', '_grad', 'grad_fn', '_output_nr', '_vc',
                 '__dict__', '__weakref__')
    __array_priority__ = 1000       # numpy operands defer to Tensor: np.float32(2) * t is a Tensor
    __array_ufunc__ = None
    # rarely set: class-level defaults keep making a tensor cheap (an instance sets its own)
    _base = None            # the tensor this one is a view of
    _accum = None           # weakref to this leaf's AccumulateGrad node
    _retains_grad = False
    _hooks = None           # a leaf's gradient hooks
    _post_accumulate_hooks = None   # a leaf's hooks run after its .grad was accumulated
    name = None             # shown in drawings and repr

    def __init__(self, data, dtype=None, device=None, requires_grad=False):
        dev = Device(device) if device is not None else None
        self._adopt(*_array_from(data, dtype, dev))
        if _dispatch.INSTALLED[0]:
            _dispatch.report_new_tensor(self)
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
        """The size of each dim, as a minitorch.Size (a tuple)."""
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape, or the size of one dim."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[self._wrap_dim(dim, 'size')]

    @property
    def ndim(self):
        """The number of dims."""
        return self._data.ndim

    def dim(self):
        """The number of dims."""
        return self._data.ndim

    def numel(self):
        """The number of elements."""
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self):
        """The type of the elements (mt.float32, mt.int64, ...)."""
        return dtypes.FROM_NUMPY[self._data.dtype]

    @property
    def device(self):
        """Where the values live: device('cpu') or device('cuda', index)."""
        return self._device

    @property
    def is_cuda(self):
        """Whether the tensor lives on a CUDA GPU."""
        return self._device.type == 'cuda'

    def is_floating_point(self):
        """Whether the dtype is a floating point one."""
        return self._data.dtype.kind == 'f'

    def element_size(self):
        """The size of one element in bytes."""
        return self._data.itemsize

    def _wrap_dim(self, dim, op):
        return wrap_dim(dim, self._data.ndim, op)

    # --- autograd state -----------------------------------------------------------------------
    @property
    def requires_grad(self):
        """Whether gradients are computed for this tensor (set it on leaves)."""
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
        """Set requires_grad in place; returns self."""
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self):
        """The gradient backward() accumulated for this leaf (None before the first backward).  A
        non-leaf keeps none unless retain_grad() was called; reading it then warns, as in PyTorch."""
        if self._grad is None and self.grad_fn is not None and not self._retains_grad:
            warnings.warn(NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f'assigned grad must be a Tensor or None, not {type(value).__name__}')
            if value.shape != self.shape:
                raise RuntimeError(f'assigned grad has shape {tuple(value.shape)} but the tensor has '
                                   f'shape {tuple(self.shape)}')
        set_grad(self, value)

    @property
    def is_leaf(self):
        """True for tensors no recorded op made (inputs, parameters)."""
        return self.grad_fn is None

    @property
    def retains_grad(self):
        """Whether retain_grad() was called on this non-leaf."""
        return self._retains_grad

    def _accumulator(self):
        """This leaf's AccumulateGrad node (one per leaf, so the engine sums into it once)."""
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

    # --- conversions ---------------------------------------------------------------------------
    @property
    def data(self):
        """The same values without history (a detached tensor sharing memory); assigning a tensor
        to .data replaces the values behind this tensor."""
        return self.detach()

    @data.setter
    def data(self, other):
        if not isinstance(other, Tensor):
            raise TypeError(f'.data must be set to a Tensor, not {type(other).__name__}')
        self._data = other._data
        self._device = other._device

    def __array__(self, dtype=None, copy=None):
        """np.asarray(t): the values as a numpy array (CPU tensors without grad only)."""
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def __dlpack__(self, *args, **kwargs):
        return self._data.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    def __len__(self):
        """len(t): the size of the first dim (TypeError for a 0-d tensor)."""
        if self._data.ndim == 0:
            raise TypeError('len() of a 0-d tensor')
        return self._data.shape[0]

    def __iter__(self):
        """Iterate over the first dim: t[0], t[1], ... (TypeError for a 0-d tensor)."""
        if self._data.ndim == 0:
            raise TypeError('iteration over a 0-d tensor')
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self):
        """bool(t) for a one-element tensor (RuntimeError otherwise: use .any() or .all())."""
        if self._data.size != 1:
            raise RuntimeError(f'the truth value of a tensor with {self._data.size} elements is '
                               'ambiguous: use .any() or .all()')
        return bool(self._data)

    def __float__(self):
        """float(t) for a one-element tensor."""
        return float(self.item())

    def __int__(self):
        """int(t) for a one-element tensor (truncates a float)."""
        return int(self.item())

    def __index__(self):
        """operator.index(t) for a one-element integer tensor, so t can index a list or a range."""
        if self._data.dtype.kind not in 'iub' or self._data.size != 1:
            raise TypeError('only integer tensors of a single element can be converted to an index')
        return int(self._data.item())

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError('unsupported format string passed to Tensor.__format__: only 0-d tensors '
                            f'take a format spec ({spec!r}); format t.item() or t.tolist() instead')
        return repr(self)

    __hash__ = object.__hash__

    def __repr__(self):
        return tensor_repr(self)

    # --- history ------------------------------------------------------------------------------
    def detach(self):
        """The same values (shared memory) without history: requires_grad=False, no grad_fn."""
        out = Tensor._make(self._data, self._device)
        out._vc = self._version_counter()
        return out

    def detach_(self):
        """Detach self in place from the graph that made it; returns self."""
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError('detach_() cannot be used on a view of a tensor that requires grad: use '
                               '.detach() to get a new tensor')
        self.grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self):
        """Keep this non-leaf's gradient in .grad at the next backward()."""
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
                set_grad(tensor, g.clone() if tensor._grad is None else tensor._grad + g)
        self.grad_fn.register_prehook(self._output_nr, keep)

    def register_hook(self, hook):
        """hook(grad) runs when this tensor's gradient is computed; it may return a replacement."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn.register_prehook(self._output_nr, hook)
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
        if self._post_accumulate_hooks is None:
            self._post_accumulate_hooks = []
        self._post_accumulate_hooks.append(hook)
        return RemovableHandle(self._post_accumulate_hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor with respect to the leaves that made it, and add it
        into their .grad.

        gradient: d(something)/d(self), needed when self is not a scalar (the default is 1).
        retain_graph: keep the saved tensors, to call backward through this graph again.
        create_graph: record the backward pass too, for higher-order gradients.
        inputs: only accumulate into these leaves.
        """
        _backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def where(self, condition, other):
        """self where condition is True, other elsewhere: minitorch.where(condition, self, other)."""
        return _where(condition, self, other)

    @property
    def T(self):
        """Every dim reversed (the transpose of a matrix; a view)."""
        return full_transpose(self)

    @property
    def mT(self):
        """The last two dims swapped (a batch of transposed matrices; a view)."""
        return matrix_transpose(self)

    def __pos__(self):
        """+t: the tensor itself."""
        return self


def has_values(tensor):
    """Whether tensor holds values now: False for a symbolic tensor of a static graph being built,
    where a check that reads values must wait for the graph's runs (or be left out)."""
    return getattr(tensor._data, 'graph_tag', None) is None


def set_grad(tensor, value):
    """tensor.grad = value (a Tensor or None), reported to dispatch modes (a static-graph tracer
    records it as a state change)."""
    if _dispatch.INSTALLED[0]:
        _dispatch.report_set_grad(tensor, value)      # before: a tracer keeps the .grad it replaces
    tensor._grad = value


from .autograd import dispatch as _dispatch  # noqa: E402
from .ops.table import install_methods  # noqa: E402  (the ops' methods and operators)

install_methods(Tensor)

# What Tensor's own methods call: these modules import Tensor, so they are imported after it, and
# here once rather than in each method (an import statement in a method costs microseconds per call)
from .autograd.api import backward as _backward  # noqa: E402
from .autograd.node import AccumulateGrad, RemovableHandle  # noqa: E402
from .creation import _array_from  # noqa: E402
from .ops.selection import where as _where  # noqa: E402
from .ops.shape import full_transpose, matrix_transpose  # noqa: E402
from .ops.shape_checks import wrap_dim  # noqa: E402
from .printing import tensor_repr  # noqa: E402
