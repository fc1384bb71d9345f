"""Elementwise primitives: one array-module function applied element by element.

An elementwise primitive names its array-module function (`ufunc = 'exp'`: numpy.exp, cupy.exp) and
says what backward needs (`saves`); its forward is made from these.  The same name lets a compiled
static graph call the array module directly and run a fused chain with `out=` buffers, and `kernel`
gives the op in CUDA C for a fused GPU kernel.  So each op's math is stated once, in one class:

    class Exp(Elementwise):
        ufunc, saves, kernel = 'exp', 'output', 'exp({0})'

        @staticmethod
        def backward(ctx, grad):
            y, = ctx.saved_tensors
            return grad * y
"""
import numpy as np

from ..autograd.function import Primitive
from ..backend import array_module


def module_of(arrays):
    """The array module of the first array among the operands (a Python number has none)."""
    for a in arrays:
        if type(a) is np.ndarray:
            return np
        if hasattr(a, 'shape') and not isinstance(a, np.generic):
            return array_module(a)
    return np


def shape_of(x):
    """An operand's shape (an array's or a tensor's) as a tuple; () for a Python number."""
    return getattr(getattr(x, '_data', x), 'shape', ())


class Elementwise(Primitive):
    """Base of elementwise primitives.

    ufunc   the numpy/cupy function name: forward computes xp.<ufunc>(*arrays)
    saves   what backward reads from ctx: 'inputs' (ctx.saved_tensors = the inputs), 'output' (the
            result), 'other' (of two operands, each one only when the other's gradient is needed:
            a product, whose gradients are grad * other), or () for nothing (binary ops then keep
            the operands' ctx.shapes, for sum_to)
    kernel  the op in CUDA C, `{0}`, `{1}` standing for the operands (for fused GPU kernels)
    """
    ufunc = None
    saves = ()
    kernel = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.ufunc is not None and 'forward' not in cls.__dict__:
            cls.forward = staticmethod(_forward_from_ufunc(cls.ufunc, cls.saves))


def _forward_from_ufunc(name, saves):
    """forward(ctx, *operands) computing xp.<name>(*operands); written out per number of operands,
    because this is every elementwise op's hot path."""
    on_numpy = getattr(np, name)
    ndarray = np.ndarray

    def other_module(arrays):
        xp = module_of(arrays)
        return on_numpy if xp is np else getattr(xp, name)

    def unary(ctx, a):
        y = on_numpy(a) if type(a) is ndarray else other_module((a,))(a)
        if saves:
            ctx.save_for_backward(a if saves == 'inputs' else y)
        return y

    def binary(ctx, a, b):
        y = on_numpy(a, b) if type(a) is ndarray else other_module((a, b))(a, b)
        if saves == 'inputs':
            ctx.save_for_backward(a, b)
        elif saves == 'output':
            ctx.save_for_backward(y)
        else:       # backward needs the shapes (saved operands would carry their own)
            edges = getattr(ctx, 'next_functions', None)
            if edges is not None:   # only a recorded call keeps them: the eager ctx has no edges
                ctx.shapes = (getattr(a, 'shape', ()), getattr(b, 'shape', ()))
                if saves == 'other':        # each gradient needs the other operand (a product)
                    ctx.save_for_backward(a if edges[1][0] is not None else None,
                                          b if edges[0][0] is not None else None)
        return y

    def any_arity(ctx, *arrays):
        if getattr(ctx, 'next_functions', None) is not None:      # (recorded: as in binary)
            ctx.shapes = tuple([shape_of(a) for a in arrays])
        y = on_numpy(*arrays) if type(arrays[0]) is ndarray else other_module(arrays)(*arrays)
        if saves:
            ctx.save_for_backward(*(arrays if saves == 'inputs' else (y,)))
        return y

    arity = on_numpy.nin if isinstance(on_numpy, np.ufunc) else None
    forward = unary if arity == 1 else binary if arity == 2 else any_arity
    forward.__name__ = f'forward_{name}'        # made from the ufunc (codegen calls xp.<name>)
    return forward


class NotDifferentiable(Elementwise):
    """An elementwise op whose result never requires grad (comparisons, logic, bit operations)."""
    differentiable = False


class ZeroGradient(Elementwise):
    """A piecewise-constant op: differentiable, with a zero gradient almost everywhere (as PyTorch)."""

    @staticmethod
    def backward(ctx, grad):
        return grad * 0
