"""Operators and methods of Tensor, each delegating to one public function in minitorch.ops.

In-place variants (x.add_(y), x += y, x[i] = v) compute the out-of-place op and write the result into
x's array.  While a graph is being recorded, x takes over the new node as its grad_fn and the op works
on a copy of x's old values, so backward sees what forward saw; the version counter records the change.
A view made by indexing writes through to the tensor it indexes (as source[index] = result), so that
tensor's graph records the change too.
"""
import weakref

from . import dtypes
from .autograd import grad_mode
from .backend import device as Device
from .ops import math_api as M
from .ops import shape_api as S
from .ops.elementwise import Cast, Clone
from .ops.indexing import IndexPut
from .ops.movement import ToDevice
from .tensor import Tensor

# --- methods that are the function with the tensor as first argument ----------------------------
_SAME_AS_FUNCTION = {
    M: ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'floor_divide', 'remainder', 'eq',
        'ne', 'lt', 'le', 'gt', 'ge', 'logical_and', 'logical_or', 'logical_xor', 'logical_not', 'exp',
        'log', 'sqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'neg', 'relu', 'abs', 'sign', 'floor', 'ceil',
        'round', 'isnan', 'isfinite', 'square', 'rsqrt', 'log1p', 'clamp', 'clip', 'sum', 'mean',
        'prod', 'max', 'min', 'amax', 'amin', 'argmax', 'argmin', 'var', 'std', 'logsumexp', 'softmax',
        'log_softmax', 'all', 'any', 'isclose', 'allclose', 'equal'],
    S: ['reshape', 'view', 'view_as', 'reshape_as', 'flatten', 'unflatten', 'squeeze', 'unsqueeze',
        'permute', 'transpose', 'swapaxes', 't', 'expand', 'expand_as', 'broadcast_to', 'split',
        'chunk', 'unbind', 'select', 'narrow', 'gather', 'take_along_dim', 'matmul', 'mm', 'bmm',
        'mv', 'dot', 'outer'],
}
for module, names in _SAME_AS_FUNCTION.items():
    for name in names:
        setattr(Tensor, name, getattr(module, name))

Tensor.multiply, Tensor.subtract, Tensor.divide = M.mul, M.sub, M.div
Tensor.greater, Tensor.less = M.gt, M.lt


def _where(self, condition, other):
    return M.where(condition, self, other)


Tensor.where = _where


# --- operators ---------------------------------------------------------------------------------
def _reflected(fn):
    return lambda self, other: fn(other, self)


Tensor.__add__, Tensor.__radd__ = M.add, _reflected(M.add)
Tensor.__sub__, Tensor.__rsub__ = M.sub, _reflected(M.sub)
Tensor.__mul__, Tensor.__rmul__ = M.mul, _reflected(M.mul)
Tensor.__truediv__, Tensor.__rtruediv__ = M.div, _reflected(M.div)
Tensor.__floordiv__, Tensor.__rfloordiv__ = M.floor_divide, _reflected(M.floor_divide)
Tensor.__mod__ = M.remainder
Tensor.__pow__, Tensor.__rpow__ = M.pow, _reflected(M.pow)
Tensor.__matmul__, Tensor.__rmatmul__ = S.matmul, _reflected(S.matmul)
Tensor.__neg__ = M.neg
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = M.abs
Tensor.__eq__, Tensor.__ne__ = M.eq, M.ne
Tensor.__lt__, Tensor.__le__, Tensor.__gt__, Tensor.__ge__ = M.lt, M.le, M.gt, M.ge
Tensor.__and__, Tensor.__or__, Tensor.__xor__ = M.logical_and, M.logical_or, M.logical_xor
Tensor.__invert__ = M.logical_not
Tensor.__getitem__ = S.getitem
Tensor.T = property(lambda self: self.permute(tuple(reversed(range(self.ndim)))))
Tensor.mT = property(S.matrix_transpose)


# --- dtype and device ----------------------------------------------------------------------------
def to(self, *args, **kwargs):
    """to(device), to(dtype), to(device, dtype), to(other_tensor); copy=True forces a new tensor."""
    device, dtype = kwargs.pop('device', None), kwargs.pop('dtype', None)
    copy = kwargs.pop('copy', False)
    kwargs.pop('non_blocking', None)
    if kwargs:
        raise TypeError(f'to() got unexpected keyword arguments {sorted(kwargs)}')
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, (Device, str)) and not (isinstance(arg, str) and arg in dtypes.BY_NAME):
            device = Device(arg)
        else:
            dtype = dtypes.to_dtype(arg)
    out = self
    if device is not None and Device(device) != self._device:
        target = Device(device)
        target.xp          # raises a clear error when the device cannot be used
        out = ToDevice.apply(out, self._device, target)
    if dtype is not None and dtypes.to_dtype(dtype).np != out._data.dtype:
        out = Cast.apply(out, dtypes.to_dtype(dtype).np)
    if copy and out is self:
        out = Clone.apply(self)
    return out


Tensor.to = to
Tensor.cpu = lambda self: self.to('cpu')
Tensor.cuda = lambda self, device=None: self.to(Device('cuda', device) if isinstance(device, int)
                                                 else (device or 'cuda'))
Tensor.type_as = lambda self, other: self.to(other.dtype)


def type_(self, dtype=None):
    """x.type(mt.float32) converts, as x.to(mt.float32); x.type() names the dtype."""
    if dtype is None:
        return f'minitorch.{self.dtype.name}'
    return self.to(dtypes.to_dtype(dtype))


Tensor.type = type_
for _name, _dtype in [('float', dtypes.float32), ('double', dtypes.float64), ('half', dtypes.float16),
                      ('int', dtypes.int32), ('long', dtypes.int64), ('bool', dtypes.bool_)]:
    setattr(Tensor, _name, (lambda d: lambda self: self.to(d))(_dtype))
Tensor.clone = lambda self: Clone.apply(self)
Tensor.contiguous = lambda self: self


# --- in place ------------------------------------------------------------------------------------
def _check_inplace(self, op, other=None):
    if not grad_mode.STATE.enabled:
        return False
    if self._requires_grad and self.grad_fn is None:
        raise RuntimeError(f'{op}: a leaf tensor that requires grad is being used in an in-place '
                           f'operation. Do the update inside `with mt.no_grad():` (as optimizers do), '
                           f'or work on a copy (x.clone()).')
    recording = self._requires_grad or (isinstance(other, Tensor) and other._requires_grad)
    if recording and self._base is not None and '_view_of' not in self.__dict__:
        raise RuntimeError(f'{op}: in-place changes to a view made by reshape, transpose, expand '
                           f'... are not recorded for autograd in minitorch (views made by indexing, '
                           f'x[i], are); change the base tensor instead or use the out-of-place op')
    return recording


def _store(self, result, op):
    """Write a recorded result into self: through to the indexed source when self is a view of it
    (so the source records the change too, as x[index] = result), then self takes the new node."""
    view_of = self.__dict__.get('_view_of')
    if view_of is not None:
        _check_fits(self, result, op)
        setitem(view_of[0], view_of[1], result)
    else:
        _write_result(self, result, op)
    return _take_over(self, result)


def _write_result(self, result, op):
    _check_fits(self, result, op)
    self._data[...] = result._data


def _check_fits(self, result, op):
    if result._data.shape != self._data.shape:
        raise RuntimeError(f'{op}: the result has shape {list(result.shape)} but the tensor changed in '
                           f'place has shape {list(self.shape)}: in-place ops cannot change a '
                           f'tensor\'s shape (broadcast the other operand to it, not it to the other)')
    if result.dtype.category > self.dtype.category:
        raise RuntimeError(f"{op}: the result type {result.dtype} can't be cast to the tensor's dtype "
                           f'{self.dtype} in place; use the out-of-place op or convert first')


def _recording_alias(self):
    """A stand-in for self with a copy of its old values, for the op being recorded to save."""
    alias = Tensor._make(self._data.copy(), self._device)
    alias._requires_grad = self._requires_grad
    alias.grad_fn = self.grad_fn
    alias._output_nr = self._output_nr
    return alias


def _take_over(self, result):
    node = result.grad_fn
    if node is not None:
        self.grad_fn = node
        self._requires_grad = True
        self._output_nr = result._output_nr
        node._outputs = (weakref.ref(self),) + node._outputs[1:]
    self._bump_version()
    return self


def inplace(fn, op, ufunc=None):
    def method(self, *args, **kwargs):
        other = args[0] if args else None
        if _check_inplace(self, op, other):
            return _store(self, fn(_recording_alias(self), *args, **kwargs), op)
        if ufunc is not None and not kwargs and _fast_inplace(self, other, ufunc):
            self._bump_version()
            return self
        _write_result(self, fn(self.detach(), *args, **kwargs), op)
        self._bump_version()
        return self
    method.__name__ = op
    return method


def _fast_inplace(self, other, ufunc):
    """Without a graph, x += y is one array op writing into x (no temporary)."""
    if isinstance(other, Tensor):
        if other._device is not self._device or other._data.dtype != self._data.dtype:
            return False
        other = other._data
    elif type(other) not in (int, float) or (type(other) is float and self._data.dtype.kind != 'f'):
        return False
    try:
        getattr(self._device.xp, ufunc)(self._data, other, out=self._data)
    except ValueError:
        return False        # shapes that do not fit: the general path explains
    return True


for _name, _fn, _ufunc in [('add_', M.add, 'add'), ('sub_', M.sub, 'subtract'),
                           ('mul_', M.mul, 'multiply'), ('div_', M.div, 'true_divide'),
                           ('pow_', M.pow, None), ('clamp_', M.clamp, None), ('exp_', M.exp, None),
                           ('log_', M.log, None), ('sqrt_', M.sqrt, None), ('tanh_', M.tanh, None),
                           ('sigmoid_', M.sigmoid, None), ('relu_', M.relu, None),
                           ('neg_', M.neg, None), ('abs_', M.abs, None)]:
    setattr(Tensor, _name, inplace(_fn, _name, _ufunc))
Tensor.clip_ = Tensor.clamp_
Tensor.__iadd__, Tensor.__isub__ = Tensor.add_, Tensor.sub_
Tensor.__imul__, Tensor.__itruediv__ = Tensor.mul_, Tensor.div_


def _copied(self, src):
    """src moved to self's device and dtype and broadcast to self's shape: what copy_ writes."""
    if not isinstance(src, Tensor):
        from .creation import tensor
        src = tensor(src, dtype=self.dtype, device=self.device)
    return S.expand(src.to(self._device).to(self.dtype), self.shape).clone()


def _filled(self, value):
    from .creation import full
    value = value.item() if isinstance(value, Tensor) else value
    return full(self.shape, value, dtype=self.dtype, device=self.device)


copy_ = inplace(_copied, 'copy_')
_recorded_fill_ = inplace(_filled, 'fill_')


def fill_(self, value):
    if _check_inplace(self, 'fill_', value):
        return _recorded_fill_(self, value)
    self._data[...] = value._data if isinstance(value, Tensor) else value
    self._bump_version()
    return self


def zero_(self):
    return fill_(self, 0)


Tensor.copy_, Tensor.fill_, Tensor.zero_ = copy_, fill_, zero_


def setitem(self, index, value):
    """x[index] = value (a number or a tensor broadcastable to x[index])."""
    if isinstance(value, Tensor) and value._device is not self._device:
        raise RuntimeError(f'index_put: the value is on {value.device} but the tensor is on '
                           f'{self.device}; move it with .to({str(self.device)!r})')
    arr_index = S.array_index(self, index)
    if _check_inplace(self, 'index_put_ (x[index] = value)', value):
        value = value.to(self.dtype) if isinstance(value, Tensor) else value
        _store(self, IndexPut.apply(_recording_alias(self), value, arr_index), 'x[index] = value')
        return
    try:
        self._data[arr_index] = value._data if isinstance(value, Tensor) else value
    except (ValueError, IndexError) as error:
        raise type(error)(f'x[index] = value: {error} (tensor of shape {list(self.shape)}, value of '
                          f'shape {list(getattr(value, "shape", ()))})') from None
    self._bump_version()


Tensor.__setitem__ = setitem


# --- new tensors like this one -------------------------------------------------------------------
def _new(factory):
    def method(self, *size, dtype=None, device=None, requires_grad=False):
        from . import creation
        return getattr(creation, factory)(*size, dtype=dtype or self.dtype,
                                          device=device or self.device, requires_grad=requires_grad)
    return method


Tensor.new_zeros, Tensor.new_ones, Tensor.new_empty = _new('zeros'), _new('ones'), _new('empty')


def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
    from .creation import full
    return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                requires_grad=requires_grad)


def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    from .creation import tensor
    return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad)


Tensor.new_full, Tensor.new_tensor = new_full, new_tensor
