"""The one table of public ops.  Each row makes `mt.<name>`, the method `Tensor.<name>`, the in-place
method `Tensor.<name>_`, the operators and the aliases; `minitorch.__all__` lists them.

Adding an op: write its primitive (a Primitive subclass, forward on arrays and backward in tensor
ops) and its public function beside it in one module of minitorch/ops/, then add one row here.  From
`Tensor.__matmul__` (or any method made here), `__wrapped__` and the docstring lead to that module,
where the function and its primitive's forward and backward sit together.
"""
import types

from . import arithmetic as A
from . import comparison as C
from . import indexing as I
from . import inplace_index
from .inplace import make_inplace, self_signature, fill_, zero_, copy_
from . import linalg as L
from . import random as RND
from . import reduction as R
from . import selection as S
from . import shape as SH
from . import softmax as SM
from . import unary as U


class Op:
    """One row: the public function and what it makes.

    function   mt.<name> exists (False: only the method, e.g. view)
    method     Tensor.<name> exists (False: only mt.<name>, e.g. cat)
    inplace    Tensor.<name>_ exists; a string names the array-module function that does it in one
               array op when nothing is recorded (the optimizers' fast path)
    operators  dunder names: '__add__' calls fn(self, other), '__radd__' fn(other, self),
               '__iadd__' the in-place method
    aliases    other names for the same function and method
    """

    def __init__(self, fn, *, function=True, method=True, inplace=False, operators=(), aliases=()):
        self.fn, self.name = fn, fn.__name__
        self.function, self.method, self.inplace = function, method, inplace
        self.operators, self.aliases = operators, aliases


OPS = [
    # arithmetic (minitorch/ops/arithmetic.py)
    Op(A.add, inplace='add', operators=('__add__', '__radd__', '__iadd__')),
    Op(A.sub, inplace='subtract', operators=('__sub__', '__rsub__', '__isub__'),
       aliases=('subtract',)),
    Op(A.mul, inplace='multiply', operators=('__mul__', '__rmul__', '__imul__'),
       aliases=('multiply',)),
    Op(A.div, inplace='true_divide', operators=('__truediv__', '__rtruediv__', '__itruediv__'),
       aliases=('divide', 'true_divide')),
    Op(A.pow, inplace=True, operators=('__pow__', '__rpow__', '__ipow__')),
    Op(A.floor_divide, inplace=True, operators=('__floordiv__', '__rfloordiv__', '__ifloordiv__')),
    Op(A.remainder, inplace=True, operators=('__mod__', '__rmod__', '__imod__')),
    Op(A.maximum), Op(A.minimum),
    Op(A.neg, inplace=True, operators=('__neg__',), aliases=('negative',)),
    Op(A.square, inplace=True),
    # comparisons, logic, bits (minitorch/ops/comparison.py)
    Op(C.eq, inplace=True, operators=('__eq__',)),
    Op(C.ne, inplace=True, operators=('__ne__',), aliases=('not_equal',)),
    Op(C.lt, inplace=True, operators=('__lt__',), aliases=('less',)),
    Op(C.le, inplace=True, operators=('__le__',), aliases=('less_equal',)),
    Op(C.gt, inplace=True, operators=('__gt__',), aliases=('greater',)),
    Op(C.ge, inplace=True, operators=('__ge__',), aliases=('greater_equal',)),
    Op(C.logical_and, inplace=True), Op(C.logical_or, inplace=True),
    Op(C.logical_xor, inplace=True), Op(C.logical_not, inplace=True),
    Op(C.bitwise_and, inplace=True, operators=('__and__', '__rand__', '__iand__')),
    Op(C.bitwise_or, inplace=True, operators=('__or__', '__ror__', '__ior__')),
    Op(C.bitwise_xor, inplace=True, operators=('__xor__', '__rxor__', '__ixor__')),
    Op(C.bitwise_not, inplace=True, operators=('__invert__',)),
    Op(C.isnan), Op(C.isfinite), Op(C.isinf), Op(C.isclose), Op(C.allclose), Op(C.equal),
    # functions of one tensor (minitorch/ops/unary.py)
    Op(U.exp, inplace=True), Op(U.expm1, inplace=True), Op(U.log, inplace=True),
    Op(U.log1p, inplace=True), Op(U.log2, inplace=True), Op(U.sqrt, inplace=True), Op(U.rsqrt, inplace=True),
    Op(U.sin, inplace=True), Op(U.cos, inplace=True), Op(U.tanh, inplace=True),
    Op(U.sigmoid, inplace=True), Op(U.relu, inplace=True), Op(U.erf, inplace=True),
    Op(U.abs, inplace=True, operators=('__abs__',), aliases=('absolute',)),
    Op(U.sign, inplace=True), Op(U.floor, inplace=True), Op(U.ceil, inplace=True),
    Op(U.round, inplace=True), Op(U.trunc, inplace=True),
    # choosing values (minitorch/ops/selection.py)
    Op(S.where, method=False), Op(S.masked_fill, inplace=True),
    Op(S.clamp, inplace=True, aliases=('clip',)),
    # reductions (minitorch/ops/reduction.py, softmax.py)
    Op(R.sum), Op(R.mean), Op(R.prod), Op(R.max), Op(R.min), Op(R.amax), Op(R.amin),
    Op(R.argmax), Op(R.argmin), Op(R.var), Op(R.std), Op(R.all), Op(R.any),
    Op(R.cumsum, inplace=True),
    Op(SM.logsumexp), Op(SM.softmax), Op(SM.log_softmax),
    # shapes (minitorch/ops/shape.py)
    Op(SH.reshape), Op(SH.view, function=False), Op(SH.view_as, function=False),
    Op(SH.reshape_as, function=False), Op(SH.flatten), Op(SH.unflatten), Op(SH.squeeze),
    Op(SH.unsqueeze), Op(SH.permute), Op(SH.transpose, aliases=('swapaxes',)), Op(SH.t),
    Op(SH.expand, function=False), Op(SH.expand_as, function=False), Op(SH.broadcast_to),
    Op(SH.broadcast_tensors, method=False), Op(SH.cat, method=False, aliases=('concat',
                                                                             'concatenate')),
    Op(SH.stack, method=False), Op(SH.split), Op(SH.chunk), Op(SH.flip),
    # indexing (minitorch/ops/indexing.py, inplace_index.py)
    Op(I.getitem, function=False, method=False, operators=('__getitem__',)),
    Op(inplace_index.setitem, function=False, method=False, operators=('__setitem__',)),
    Op(I.narrow), Op(I.select), Op(I.unbind), Op(I.gather), Op(I.take_along_dim),
    Op(I.scatter, inplace=True), Op(I.scatter_add, inplace=True), Op(I.index_select),
    # matrix products and norms (minitorch/ops/linalg.py)
    Op(L.matmul, operators=('__matmul__', '__rmatmul__')), Op(L.mm), Op(L.bmm), Op(L.mv),
    Op(L.dot), Op(L.outer), Op(L.norm),
    # random numbers (minitorch/ops/random.py)
    Op(RND.rand, method=False), Op(RND.randn, method=False), Op(RND.randint, method=False),
    Op(RND.randperm, method=False), Op(RND.bernoulli), Op(RND.rand_like, method=False),
    Op(RND.randn_like, method=False),
]


def functions():
    """{name: function} for every mt.<name> the table makes (aliases included)."""
    found = {}
    for op in OPS:
        if op.function:
            for name in (op.name,) + op.aliases:
                found[name] = op.fn
    return found


def install_methods(cls):
    """Give the Tensor class every method, in-place method and operator of the table, and the
    in-place methods that have no out-of-place function (fill_, zero_, copy_)."""
    for name, method in (('fill_', fill_), ('zero_', zero_), ('copy_', copy_)):
        method.__name__, method.__qualname__ = name, f'Tensor.{name}'
        setattr(cls, name, method)
    for op in OPS:
        if op.method:
            for name in (op.name,) + op.aliases:
                setattr(cls, name, as_method(op.fn, name))
        if op.inplace:
            ufunc = op.inplace if isinstance(op.inplace, str) else None
            method = make_inplace(op.fn, f'{op.name}_', ufunc)
            for name in (op.name,) + op.aliases:
                setattr(cls, f'{name}_', _renamed(method, f'{name}_'))
        for dunder in op.operators:
            setattr(cls, dunder, _operator(op, dunder, cls))


def as_method(fn, name):
    """fn as a method named `name` of Tensor: the same code (no extra call), with its own name,
    qualified name, signature (first argument `self`) and a docstring pointing back to fn."""
    method = _code_copy(fn, name)
    method.__module__ = fn.__module__
    method.__wrapped__ = fn
    method.__doc__ = (f'{fn.__doc__ or ""}\n\nSame as minitorch.{fn.__name__}(self, ...); defined in '
                      f'{fn.__module__}, beside its primitive (forward and backward).')
    method.__signature__ = self_signature(fn)
    return method


def _renamed(method, name):
    if method.__name__ == name:
        return method
    copy = _code_copy(method, name)
    copy.__doc__, copy.__wrapped__ = method.__doc__, method.__wrapped__
    copy.__signature__ = getattr(method, '__signature__', None)
    return copy


def _code_copy(fn, name):
    """A new function object running fn's code, named Tensor.<name>."""
    copy = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    copy.__kwdefaults__ = fn.__kwdefaults__
    copy.__qualname__ = f'Tensor.{name}'
    return copy


_REFLECTED = {'__radd__': '+', '__rsub__': '-', '__rmul__': '*', '__rtruediv__': '/',
              '__rpow__': '**', '__rfloordiv__': '//', '__rmod__': '%', '__rand__': '&',
              '__ror__': '|', '__rxor__': '^', '__rmatmul__': '@'}    # dunder: the operator's symbol
_IN_PLACE = {'__iadd__', '__isub__', '__imul__', '__itruediv__', '__ipow__', '__ifloordiv__',
             '__imod__', '__iand__', '__ior__', '__ixor__'}


def _operator(op, dunder, cls):
    fn = op.fn
    if dunder in _IN_PLACE:
        return _renamed(getattr(cls, f'{op.name}_'), dunder)
    if dunder in _REFLECTED:
        def reflected(self, other):
            return fn(other, self)
        reflected.__name__, reflected.__qualname__ = dunder, f'Tensor.{dunder}'
        reflected.__doc__ = (f'other {_REFLECTED[dunder]} self, for an other that is '
                             f'not a tensor (a number): minitorch.{fn.__name__}(other, self).')
        return reflected
    return as_method(fn, dunder)
