"""Specs of the functions of one tensor: exp ... trunc (minitorch/ops/unary.py), neg and square
(arithmetic.py), logical_not, bitwise_not, isnan, isfinite, isinf (comparison.py)."""
import math

import numpy as np

from . import reference as R
from .registry import Case, spec

_erf = np.vectorize(math.erf, otypes=[np.float64])


def _sign(x):
    return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)     # PyTorch: sign(nan) is 0


FLOAT_RESULT = {       # name: (values in float64, derivative in float64, positive domain)
    'exp': (np.exp, np.exp, False),
    'expm1': (np.expm1, np.exp, False),
    'log': (np.log, lambda x: 1 / x, True),
    'log1p': (np.log1p, lambda x: 1 / (1 + x), True),
    'log2': (np.log2, lambda x: 1 / (x * np.log(2)), True),
    'sqrt': (np.sqrt, lambda x: 0.5 / np.sqrt(x), True),
    'rsqrt': (lambda x: 1 / np.sqrt(x), lambda x: -0.5 * x ** -1.5, True),
    'sin': (np.sin, np.cos, False),
    'cos': (np.cos, lambda x: -np.sin(x), False),
    'tanh': (np.tanh, lambda x: 1 - np.tanh(x) ** 2, False),
    'sigmoid': (lambda x: 1 / (1 + np.exp(-x)), lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2, False),
    'erf': (_erf, lambda x: 2 / np.sqrt(np.pi) * np.exp(-x * x), False),
}

SAME_DTYPE = {         # name: (values, derivative, dtypes PyTorch accepts)
    'relu': (lambda x: np.where(x > 0, x, np.zeros_like(x)) if x.dtype.kind != 'f' else
             np.where(np.isnan(x) | (x > 0), x, 0.0), lambda x: (x > 0) * 1.0, R.NUMERIC),
    'abs': (np.abs, np.sign, R.NUMERIC),
    'sign': (lambda x: x.copy() if x.dtype == R.BOOL else _sign(x), lambda x: 0 * x, R.ALL),
    'floor': (np.floor, lambda x: 0 * x, R.NUMERIC),
    'ceil': (np.ceil, lambda x: 0 * x, R.NUMERIC),
    'round': (np.round, lambda x: 0 * x, R.NUMERIC),
    'trunc': (np.trunc, lambda x: 0 * x, R.NUMERIC),
    'neg': (np.negative, lambda x: -1 + 0 * x, R.NUMERIC),
}

BOOL_RESULT = {
    'isnan': (np.isnan, R.ALL), 'isfinite': (np.isfinite, R.ALL), 'isinf': (np.isinf, R.ALL),
    'logical_not': (np.logical_not, R.ALL), 'bitwise_not': (np.invert, R.INTEGRAL),
}


def _draw(positive):
    def draw(d):
        x = d.array()
        return Case(np.asarray(np.abs(x)) if positive and d.grad else x)
    return draw


def _derivative(slope):
    def derivative(upstream, x):
        return (upstream * slope(x.astype(np.float64)),)
    return derivative


def _float_result(name, values):
    def reference(x):
        out = R.float_of(x.dtype)        # the input is cast to the result dtype first
        return R.as_result(values(R.as_result(x, out).astype(np.float64)), out)
    return reference


def _same_dtype(name, values, accepts):
    def reference(x):
        if x.dtype not in accepts:
            raise R.Refused(f'{name} of {x.dtype}', (RuntimeError, TypeError, NotImplementedError))
        computed = values(x.astype(np.float64)) if x.dtype.kind == 'f' else values(x)
        return R.as_result(computed, x.dtype)
    return reference


def _bool_result(name, values, accepts):
    def reference(x):
        if x.dtype not in accepts:
            raise R.Refused(f'{name} of {x.dtype}', (RuntimeError, TypeError, NotImplementedError))
        if name == 'bitwise_not':
            return R.as_result(np.invert(x), x.dtype)
        return R.as_result(values(x), R.BOOL)
    return reference


def _square(x):
    if x.dtype == R.BOOL:
        return R.as_result(x.astype(np.int64), np.int64)      # bool squares to int64, as in PyTorch
    return R.as_result(x.astype(np.float64) ** 2 if x.dtype.kind == 'f' else x * x, x.dtype)


for _name, (_values, _slope, _positive) in FLOAT_RESULT.items():
    spec(_name, _draw(_positive), _float_result(_name, _values), derivative=_derivative(_slope),
         second_order=True)

for _name, (_values, _slope, _accepts) in SAME_DTYPE.items():
    spec(_name, _draw(False), _same_dtype(_name, _values, _accepts), derivative=_derivative(_slope),
         names=('negation',) if _name == 'neg' else ())

for _name, (_values, _accepts) in BOOL_RESULT.items():
    spec(_name, _draw(False), _bool_result(_name, _values, _accepts), grad=())

spec('square', _draw(False), _square, derivative=_derivative(lambda x: 2 * x))
