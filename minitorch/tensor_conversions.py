"""The methods of Tensor that convert or copy it: to(device/dtype), numpy(), item(), new_zeros(),
pickling and deep copies.  Tensor inherits them from TensorConversions (see tensor.py)."""
import functools

from . import dtypes
from .backend import device as Device


class TensorConversions:
    """Conversions of a tensor to other devices, dtypes and Python objects."""

    __slots__ = ()

    # --- dtype and device ---------------------------------------------------------------------
    def to(self, *args, **kwargs):
        """to(device), to(dtype), to(device, dtype), to(other_tensor): self converted (a new tensor,
        recorded for autograd), or self itself when nothing changes; copy=True forces a copy."""
        device, dtype = kwargs.pop('device', None), kwargs.pop('dtype', None)
        copy = kwargs.pop('copy', False)
        kwargs.pop('non_blocking', None)
        if kwargs:
            raise TypeError(f'to() got unexpected keyword arguments {sorted(kwargs)}')
        for arg in args:
            if hasattr(arg, '_data') and hasattr(arg, '_device'):
                device, dtype = arg.device, arg.dtype
            elif isinstance(arg, (Device, str)) and not (isinstance(arg, str) and
                                                           arg in dtypes.BY_NAME):
                device = Device(arg)
            else:
                dtype = dtypes.to_dtype(arg)
        out = self
        if device is not None:
            target = Device(device)
            if target != self._device:
                target.xp          # raises a clear error when the device cannot be used
                out = _movement().ToDevice.apply(out, self._device, target)
        if dtype is not None:
            np_dtype = dtypes.to_dtype(dtype).np
            if np_dtype != out._data.dtype:
                out = _movement().Cast.apply(out, np_dtype)
        if copy and out is self:
            out = _movement().Clone.apply(self)
        return out

    def cpu(self):
        """A copy in host memory (self when already there)."""
        return self.to('cpu')

    def cuda(self, device=None):
        """A copy on a CUDA GPU (device: an index or a device; the first GPU by default)."""
        return self.to(Device('cuda', device) if isinstance(device, int) else (device or 'cuda'))

    def type(self, dtype=None):
        """x.type(mt.float32) converts, as x.to(mt.float32); x.type() names the dtype."""
        if dtype is None:
            return f'minitorch.{self.dtype.name}'
        return self.to(dtypes.to_dtype(dtype))

    def type_as(self, other):
        """self converted to other's dtype."""
        return self.to(other.dtype)

    def float(self):
        """self as float32."""
        return self.to(dtypes.float32)

    def double(self):
        """self as float64."""
        return self.to(dtypes.float64)

    def half(self):
        """self as float16."""
        return self.to(dtypes.float16)

    def int(self):
        """self as int32."""
        return self.to(dtypes.int32)

    def long(self):
        """self as int64."""
        return self.to(dtypes.int64)

    def bool(self):
        """self as bool (nonzero is True)."""
        return self.to(dtypes.bool_)

    def clone(self):
        """A copy with its own memory (recorded: the gradient passes through)."""
        return _movement().Clone.apply(self)

    def contiguous(self):
        """self when its elements are laid out in row-major order, else a copy that is (recorded:
        the gradient passes through), as PyTorch does."""
        if self._data.flags.c_contiguous:
            return self
        out = _movement().Clone.apply(self)
        if not out._data.flags.c_contiguous:
            out._data = self._device.xp.ascontiguousarray(out._data)
        return out

    # --- to Python and numpy ------------------------------------------------------------------
    def numpy(self, force=False):
        """The numpy array holding self's values (shared memory on the CPU); force=True copies a
        GPU tensor to the host and allows a tensor that requires grad."""
        if self._device.type != 'cpu':
            if not force:
                raise TypeError(f"can't convert {self._device} tensor to numpy: copy it to host memory "
                                f'first with .cpu() (or pass force=True)')
            return self._device.backend.to_host(self._data)
        if self._requires_grad and not force:
            raise RuntimeError("can't call numpy() on a tensor that requires grad: use "
                               'tensor.detach().numpy() instead')
        if hasattr(self._data, 'graph_tag'):      # a symbolic tensor of a graph being built
            from .static.standin import refuse_value
            refuse_value('.numpy()', 'return the tensor from the graph and call .numpy() on the result')
        return self._data

    def _host(self):
        return self._device.backend.to_host(self._data)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f'item(): a tensor with {self._data.size} elements (shape '
                               f'{tuple(self.shape)}) cannot be converted to a Python number; '
                               f'index one element first, e.g. x[0].item(), or reduce it (x.sum().item())')
        return self._data.item()

    def tolist(self):
        """The values as (nested) Python lists of numbers."""
        return self._host().tolist()

    # --- new tensors like this one ------------------------------------------------------------
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        """zeros(size) with self's dtype and device unless given."""
        from .creation import zeros
        _needs_size(size, 'new_zeros')
        return zeros(*size, dtype=dtype or self.dtype, device=device or self.device,
                     requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        """ones(size) with self's dtype and device unless given."""
        from .creation import ones
        _needs_size(size, 'new_ones')
        return ones(*size, dtype=dtype or self.dtype, device=device or self.device,
                    requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        """empty(size) with self's dtype and device unless given."""
        from .creation import empty
        _needs_size(size, 'new_empty')
        return empty(*size, dtype=dtype or self.dtype, device=device or self.device,
                     requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        """full(size, fill_value) with self's dtype and device unless given."""
        from .creation import full
        return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                    requires_grad=requires_grad)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        """tensor(data) with self's dtype and device unless given."""
        from .creation import tensor
        return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                      requires_grad=requires_grad)

    # --- pickling and copies ------------------------------------------------------------------
    def __reduce_ex__(self, protocol):
        """Pickle as (values on the host, device, requires_grad, name), as PyTorch keeps them."""
        return (_rebuild, (type(self), self._host(), str(self._device), self._requires_grad,
                           self.name))

    def __deepcopy__(self, memo):
        """A copy with its own memory, requires_grad and .grad (leaves only, as in PyTorch)."""
        if self.grad_fn is not None:
            raise RuntimeError('Only Tensors created explicitly by the user (graph leaves) support '
                               'the deepcopy protocol at the moment; use t.detach().clone() (or '
                               'deepcopy the leaves it came from)')
        import copy
        out = _rebuild(type(self), self._data.copy(), self._device, self._requires_grad, self.name)
        memo[id(self)] = out
        if self._grad is not None:
            out._grad = copy.deepcopy(self._grad, memo)
        return out


@functools.cache
def _movement():
    """minitorch.ops.movement (Cast, Clone, ToDevice), imported at the first call because it imports
    Tensor, which inherits from this module's class; kept, since an import statement in a method
    costs microseconds on every call."""
    from .ops import movement
    return movement


def _rebuild(cls, array, device, requires_grad, name):
    """A leaf of class cls (Tensor or Parameter) holding array on device."""
    from .creation import as_tensor
    data = as_tensor(array, device=device)
    if data._device != Device(device):
        data = data.to(device)
    out = object.__new__(cls)
    out._adopt(data._data, data._device)
    out._requires_grad = bool(requires_grad)
    if name is not None:
        out.name = name
    return out


def _needs_size(size, op):
    if not size:
        raise TypeError(f'{op}() needs a size: {op}(2, 3) or {op}((2, 3)); {op}(()) for a 0-d tensor')
