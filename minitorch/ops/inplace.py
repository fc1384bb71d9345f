"""In-place changes: x.add_(y), x += y, x[i] = v, fill_, zero_, copy_.

Every change is an op.  An in-place op computes its out-of-place result (recorded like any op while a
graph is being built: it works on a copy of x's old values, so backward sees what forward saw) and then
writes it into x with Assign, a primitive; x takes over the result's node as its grad_fn, and its
version counter counts the change.  A view made by indexing writes through to the tensor it indexes
(as source[index] = result), so that tensor's graph records the change too.

When nothing observes (no graph recorded, no dispatch mode installed) `x += y` is one array op writing
into x, with no temporary: optimizers update parameters this way.
"""
import inspect
import weakref

from .. import dtypes
from ..autograd.dispatch import INSTALLED, writes_recorded
from ..autograd.function import Primitive
from ..autograd.thread_state import STATE
from ..backend import array_module
from ..tensor import Tensor
from ._grad_utils import sum_to
from .movement import Clone
from .shape_checks import broadcast_shape


class Assign(Primitive):
    """Write value into target's memory (target[...] = value): the state change of every in-place
    op.  It returns nothing and is not differentiable; the tensor takes the value's node itself."""
    differentiable = False

    @staticmethod
    def forward(ctx, target, value):
        target[...] = value


class Fill(Primitive):
    """A tensor of a's shape and dtype filled with value (a number or a 0-d tensor); a gets a zero
    gradient, so `y.zero_()` on a non-leaf cuts y's history as in PyTorch."""

    @staticmethod
    def forward(ctx, a, value):
        xp = array_module(a)
        return xp.full(a.shape, value, dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (grad * 0 if need[0] else None), (grad.sum() if need[1] else None)


class Copy(Primitive):
    """src cast to a's dtype and broadcast to a's shape (what a.copy_(src) writes); a gets a zero
    gradient and src the gradient summed back to its shape."""

    @staticmethod
    def forward(ctx, a, src):
        xp = array_module(a)
        ctx.meta = (getattr(src, 'shape', ()), getattr(src, 'dtype', None))
        out = xp.empty(a.shape, dtype=a.dtype)
        out[...] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        shape, dtype = ctx.meta
        need = ctx.needs_input_grad
        grad_src = None
        if need[1]:
            grad_src = sum_to(grad, shape)
            grad_src = grad_src.to(dtypes.FROM_NUMPY[dtype]) if dtype is not None else grad_src
        return (grad * 0 if need[0] else None), grad_src


# --- how an in-place op is carried out ---------------------------------------------------------
def recording(self, op, other=None):
    """Whether the in-place op on self must be recorded; refuses a leaf that requires grad."""
    if not STATE.enabled:
        return False
    if self._requires_grad and self.grad_fn is None:
        raise RuntimeError(f'{op}: a leaf tensor that requires grad is being used in an in-place '
                           f'operation. Do the update inside `with mt.no_grad():` (as optimizers do), '
                           f'or work on a copy (x.clone()).')
    record = self._requires_grad or (isinstance(other, Tensor) and other._requires_grad)
    if record and self._base is not None and '_view_of' not in self.__dict__:
        raise RuntimeError(f'{op}: in-place changes to a view made by reshape, transpose, expand '
                           f'... are not recorded for autograd in minitorch (views made by indexing, '
                           f'x[i], are); change the base tensor instead or use the out-of-place op')
    return record


def observed():
    """Does a dispatch mode in this thread need every state change as an op (a tracer does; a
    profiler only watches, and the fast paths stay)?"""
    return INSTALLED[0] and STATE.mode is not None and writes_recorded()


def store(self, result, op):
    """Write a recorded result into self: through to the indexed source when self is a view of it
    (so the source records the change too, as x[index] = result), then self takes the new node."""
    view_of = self.__dict__.get('_view_of')
    if view_of is not None:
        check_fits(self, result, op)
        from .inplace_index import setitem
        setitem(view_of[0], view_of[1], result)
    else:
        write(self, result, op)
    return take_over(self, result)


def write(self, result, op):
    """self's memory := result's values (an Assign op); the version counter is the caller's job."""
    check_fits(self, result, op)
    if result._data.dtype != self._data.dtype:
        result = result.detach().to(self.dtype)
    Assign.apply(self, result.detach())


def check_fits(self, result, op):
    if result._data.shape != self._data.shape:
        raise RuntimeError(f'{op}: the result has shape {list(result.shape)} but the tensor changed in '
                           f'place has shape {list(self.shape)}: in-place ops cannot change a '
                           f'tensor\'s shape (broadcast the other operand to it, not it to the other)')
    if result.dtype.category > self.dtype.category:
        raise RuntimeError(f"{op}: the result type {result.dtype} can't be cast to the tensor's dtype "
                           f'{self.dtype} in place; use the out-of-place op or convert first')


def recording_alias(self):
    """A stand-in for self with a copy of its old values, for the op being recorded to save."""
    alias = Clone.apply(self.detach())
    alias._requires_grad = self._requires_grad
    alias.grad_fn = self.grad_fn
    alias._output_nr = self._output_nr
    return alias


def take_over(self, result):
    node = result.grad_fn
    if node is not None:
        self.grad_fn = node
        self._requires_grad = True
        self._output_nr = result._output_nr
        node._outputs = (weakref.ref(self),) + node._outputs[1:]
    self._bump_version()
    return self


def make_inplace(fn, name, ufunc=None):
    """The in-place method `name` (e.g. 'add_') of the out-of-place function fn (e.g. add)."""
    def method(self, *args, **kwargs):
        other = args[0] if args else None
        if recording(self, name, other):
            return store(self, fn(recording_alias(self), *args, **kwargs), name)
        if ufunc is not None and not kwargs and not observed() and fast_inplace(self, other, ufunc):
            self._bump_version()
            return self
        write(self, fn(self, *args, **kwargs), name)      # nothing is recorded here
        self._bump_version()
        return self
    method.__name__ = name
    method.__qualname__ = f'Tensor.{name}'
    method.__doc__ = (f'In-place version of {fn.__name__}(): self = {fn.__name__}(self, ...), '
                      f'written into self\'s memory; returns self.\n\n{fn.__doc__ or ""}')
    method.__wrapped__ = fn
    method.__signature__ = self_signature(fn)
    return method


def self_signature(fn):
    """fn's signature with its first argument named self (None when it has none to rename)."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    params = list(signature.parameters.values())
    if params and params[0].kind in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
        params[0] = params[0].replace(name='self')
    return signature.replace(parameters=params)


def fast_inplace(self, other, ufunc):
    """Without a graph or an observer, x += y is one array op writing into x (no temporary)."""
    if isinstance(other, Tensor):
        if other._device is not self._device or other._data.dtype != self._data.dtype:
            return False
        other = other._data
    elif type(other) not in (int, float) or (type(other) is float and self._data.dtype.kind != 'f'):
        return False
    try:
        getattr(self._device.xp, ufunc)(self._data, other, out=self._data)
    except (ValueError, TypeError, OverflowError):
        return False        # shapes, casts or numbers that do not fit: the general path sees to them
    return True


# --- fill_, zero_, copy_ -----------------------------------------------------------------------
def filled(self, value):
    """A tensor like self holding value (the out-of-place form of fill_)."""
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f'fill_: only a 0-d tensor can be the fill value, got shape '
                               f'{list(value.shape)}')
        return Fill.apply(self, value.to(self.dtype).to(self.device))
    if not isinstance(value, (int, float, bool)):
        raise TypeError(f'fill_: value must be a number or a 0-d tensor, got {type(value).__name__}')
    return Fill.apply(self, dtypes.element(value, self.dtype, 'fill_'))


def copied(self, src):
    """src moved to self's device and dtype and broadcast to self's shape: what copy_ writes."""
    if not isinstance(src, Tensor):
        from ..creation import tensor
        src = tensor(src, dtype=self.dtype, device=self.device)
    if broadcast_shape('copy_', self.shape, src.shape) != tuple(self.shape):
        raise RuntimeError(f'copy_: the source of shape {list(src.shape)} cannot be broadcast to the '
                           f'destination of shape {list(self.shape)}')
    return Copy.apply(self, src.to(self._device))


_recorded_fill_ = make_inplace(filled, 'fill_')


def fill_(self, value):
    """Fill self with value (a number or a 0-d tensor), in place; returns self.  A number is
    converted as in PyTorch: an int into uint8 wraps around from -255 up (-1 is 255), a float into
    an integer dtype is truncated, and one the dtype cannot hold (300 into uint8, inf into int64)
    is refused, leaving self as it was."""
    if type(value) in (int, float, bool) and not observed() and not recording(self, 'fill_'):
        # nothing watches: one array write, of the value converted as PyTorch does (-1 into uint8
        # is 255; 300 into uint8 is refused)
        self._data[...] = dtypes.element(value, self.dtype, 'fill_')
        self._bump_version()
        return self
    return _recorded_fill_(self, value)

copy_ = make_inplace(copied, 'copy_')
copy_.__doc__ = ("Copy src's values into self (broadcast, cast to self's dtype, moved to self's "
                 "device), in place; returns self.")


def zero_(self):
    """Fill self with zeros, in place; returns self."""
    return fill_(self, 0)
