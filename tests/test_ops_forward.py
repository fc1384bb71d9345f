"""Forward values agree with numpy's, and result dtypes follow PyTorch's promotion rules."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import minitorch as mt
from helpers import check_on_device, host

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
NONEMPTY_DIMS = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def _softmax(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


UNARY = [
    ('exp', np.exp), ('log', lambda x: np.log(np.abs(x) + 0.1)), ('sqrt', lambda x: np.sqrt(np.abs(x))),
    ('sin', np.sin), ('cos', np.cos), ('tanh', np.tanh), ('sigmoid', lambda x: 1 / (1 + np.exp(-x))),
    ('relu', lambda x: np.maximum(x, 0)), ('abs', np.abs), ('neg', np.negative), ('sign', np.sign),
    ('floor', np.floor), ('ceil', np.ceil), ('round', np.round), ('square', np.square),
    ('isfinite', np.isfinite), ('logical_not', np.logical_not),
    ('sum', np.sum), ('mean', np.mean), ('prod', np.prod), ('max', np.max), ('min', np.min),
    ('var', lambda x: np.var(x, ddof=1)), ('std', lambda x: np.std(x, ddof=1)),
    ('argmax', lambda x: np.argmax(x)), ('argmin', lambda x: np.argmin(x)),
    ('all', np.all), ('any', np.any),
]
_PREPARE = {'log': lambda t: t.abs() + 0.1, 'sqrt': lambda t: t.abs()}


@pytest.mark.parametrize('name,np_fn', UNARY, ids=[u[0] for u in UNARY])
@given(shape=SHAPES, seed=st.integers(0, 2**32 - 1))
@settings(max_examples=6)
def test_unary_and_full_reductions_match_numpy(device, name, np_fn, shape, seed):
    x = np.random.default_rng(seed).standard_normal(shape) * 3
    if name in ('var', 'std') and x.size < 2:
        return
    t = mt.tensor(x, dtype=mt.float64, device=device)
    got = getattr(_PREPARE.get(name, lambda u: u)(t), name)()
    check_on_device(got, device)
    np.testing.assert_allclose(host(got), np_fn(x), rtol=1e-12, atol=1e-12)


DIM_OPS = [
    ('sum', lambda x, d, k: np.sum(x, d, keepdims=k)),
    ('mean', lambda x, d, k: np.mean(x, d, keepdims=k)),
    ('var', lambda x, d, k: np.var(x, d, ddof=1, keepdims=k)),
    ('logsumexp', lambda x, d, k: np.log(np.sum(np.exp(x), d, keepdims=k))),
    ('amax', None), ('all', lambda x, d, k: np.all(x > 0, d, keepdims=k)),
    ('any', lambda x, d, k: np.any(x > 0, d, keepdims=k)),
]


@pytest.mark.parametrize('name,np_fn', DIM_OPS, ids=[u[0] for u in DIM_OPS])
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=8)
def test_reductions_over_dims_match_numpy(device, name, np_fn, data, seed):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
    ndim = len(shape)
    dims = data.draw(st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim,
                              unique_by=lambda d: d % ndim))
    dim = dims[0] if len(dims) == 1 or name == 'amax' else tuple(dims)
    keepdim = data.draw(st.booleans())
    x = np.random.default_rng(seed).standard_normal(shape)
    t = mt.tensor(x, dtype=mt.float64, device=device)
    if name in ('all', 'any'):
        t = t > 0
    got = getattr(t, name)(dim, keepdim=keepdim)
    expected = np.max(x, dim, keepdims=keepdim) if name == 'amax' else np_fn(x, dim, keepdim)
    check_on_device(got, device)
    assert got.shape == expected.shape
    np.testing.assert_allclose(host(got), expected, rtol=1e-12)


@given(shape=NONEMPTY_DIMS, seed=st.integers(0, 2**32 - 1), data=st.data())
@settings(max_examples=10)
def test_softmax_family_match_numpy(device, shape, seed, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = np.random.default_rng(seed).standard_normal(shape) * 30    # large values: must stay stable
    t = mt.tensor(x, dtype=mt.float64, device=device)
    np.testing.assert_allclose(host(t.softmax(dim)), _softmax(x, dim), rtol=1e-10, atol=1e-300)
    top = x.max(dim, keepdims=True)
    np.testing.assert_allclose(host(t.log_softmax(dim)),
                               x - top - np.log(np.exp(x - top).sum(dim, keepdims=True)), rtol=1e-9,
                               atol=1e-12)
    np.testing.assert_allclose(host(t.logsumexp(dim, keepdim=True)),
                               np.log(np.exp(x - top).sum(dim, keepdims=True)) + top, rtol=1e-12)


BINARY = [
    ('add', np.add), ('sub', np.subtract), ('mul', np.multiply), ('div', np.true_divide),
    ('maximum', np.maximum), ('minimum', np.minimum), ('eq', np.equal), ('ne', np.not_equal),
    ('lt', np.less), ('le', np.less_equal), ('gt', np.greater), ('ge', np.greater_equal),
    ('floor_divide', np.floor_divide), ('remainder', np.remainder),
    ('pow', lambda a, b: np.abs(a) ** b),
]


@pytest.mark.parametrize('name,np_fn', BINARY, ids=[b[0] for b in BINARY])
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4),
       seed=st.integers(0, 2**32 - 1))
@settings(max_examples=8)
def test_binary_ops_match_numpy(device, name, np_fn, shapes, seed):
    rng = np.random.default_rng(seed)
    a, b = (np.round(rng.standard_normal(s) * 4, 1) + 0.05 for s in shapes.input_shapes)
    ta, tb = (mt.tensor(v, dtype=mt.float64, device=device) for v in (a, b))
    got = getattr(ta.abs() if name == 'pow' else ta, name)(tb)
    check_on_device(got, device)
    assert got.shape == shapes.result_shape
    got, expected = host(got), np_fn(a, b)
    if name in ('floor_divide', 'remainder'):
        # at exact multiples (2.05 // 0.41) CuPy's float floor may round the other way than numpy's
        ratio = a / b
        exact = np.broadcast_to(np.abs(ratio - np.round(ratio)) < 1e-9, expected.shape)
        got, expected = got[~exact], expected[~exact]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_operators_and_reflected_operators(device):
    a = np.array([[1.5, -2.0, 3.0]])
    t = mt.tensor(a, dtype=mt.float64, device=device)
    cases = [(t + 1, a + 1), (1 - t, 1 - a), (2 * t, 2 * a), (3 / t, 3 / a), (t // 2, a // 2),
             (t % 2, a % 2), (2 ** t, 2 ** a), (t ** 2, a ** 2), (-t, -a), (abs(t), abs(a)),
             (t @ t.T, a @ a.T), (t.T @ t, a.T @ a), (t > 0, a > 0), (0 < t, 0 < a)]
    for got, expected in cases:
        check_on_device(got, device)
        np.testing.assert_allclose(host(got), expected)


# --- dtype promotion, as PyTorch ----------------------------------------------------------------
def _t(dtype, zero_dim=False):
    def make(device):
        value = 2 if dtype is not mt.bool else True
        return mt.tensor(value if zero_dim else [value, value], dtype=dtype, device=device)
    return make


PROMOTION = [
    # (description, lambda device: result tensor, expected dtype)
    ('int32 + float scalar', lambda d: _t(mt.int32)(d) + 2.5, mt.float32),
    ('int64 + float scalar', lambda d: _t(mt.int64)(d) * 0.5, mt.float32),
    ('int32 + int scalar', lambda d: _t(mt.int32)(d) + 2, mt.int32),
    ('int tensor / int', lambda d: _t(mt.int64)(d) / 2, mt.float32),
    ('int / int tensor', lambda d: 3 / _t(mt.int32)(d), mt.float32),
    ('int32 tensor / int32 tensor', lambda d: _t(mt.int32)(d) / _t(mt.int32)(d), mt.float32),
    ('float16 + float64 0-d', lambda d: _t(mt.float16)(d) + _t(mt.float64, True)(d), mt.float16),
    ('float16 + float scalar', lambda d: _t(mt.float16)(d) + 1.5, mt.float16),
    ('float16 + float32', lambda d: _t(mt.float16)(d) + _t(mt.float32)(d), mt.float32),
    ('float32 + float64', lambda d: _t(mt.float32)(d) - _t(mt.float64)(d), mt.float64),
    ('int32 + int64 0-d', lambda d: _t(mt.int32)(d) + _t(mt.int64, True)(d), mt.int32),
    ('int32 + float64 0-d', lambda d: _t(mt.int32)(d) + _t(mt.float64, True)(d), mt.float64),
    ('int32 0-d + int64 0-d', lambda d: _t(mt.int32, True)(d) + _t(mt.int64, True)(d), mt.int64),
    ('float64 0-d + float scalar', lambda d: _t(mt.float64, True)(d) + 2.5, mt.float64),
    ('bool + bool', lambda d: _t(mt.bool)(d) + _t(mt.bool)(d), mt.bool),
    ('int32 + int64', lambda d: _t(mt.int32)(d) + _t(mt.int64)(d), mt.int64),
    ('int64 * float32', lambda d: _t(mt.int64)(d) * _t(mt.float32)(d), mt.float32),
    ('bool + int scalar', lambda d: _t(mt.bool)(d) + 1, mt.int64),
    ('bool + float scalar', lambda d: _t(mt.bool)(d) + 1.5, mt.float32),
    ('bool * float32', lambda d: _t(mt.bool)(d) * _t(mt.float32)(d), mt.float32),
    ('sum of int32', lambda d: _t(mt.int32)(d).sum(), mt.int64),
    ('sum of bool', lambda d: _t(mt.bool)(d).sum(), mt.int64),
    ('sum of int over dim', lambda d: _t(mt.int32)(d).sum(0), mt.int64),
    ('sum with dtype', lambda d: _t(mt.int32)(d).sum(dtype=mt.float64), mt.float64),
    ('mean of float16', lambda d: _t(mt.float16)(d).mean(), mt.float16),
    ('max of int32', lambda d: _t(mt.int32)(d).max(), mt.int32),
    ('argmax', lambda d: _t(mt.float32)(d).argmax(), mt.int64),
    ('exp of int', lambda d: _t(mt.int64)(d).exp(), mt.float32),
    ('int > float', lambda d: _t(mt.int32)(d) > 1.5, mt.bool),
    ('float == float', lambda d: _t(mt.float32)(d) == _t(mt.float64)(d), mt.bool),
    ('bool & bool', lambda d: _t(mt.bool)(d) & _t(mt.bool)(d), mt.bool),
    ('cat int32 float32', lambda d: mt.cat([_t(mt.int32)(d), _t(mt.float32)(d)]), mt.float32),
    ('where int32 float scalar', lambda d: mt.where(_t(mt.bool)(d), _t(mt.int32)(d), 0.5),
     mt.float32),
    ('clamp int with float', lambda d: _t(mt.int64)(d).clamp(0.5), mt.float32),
    ('neg of int32', lambda d: -_t(mt.int32)(d), mt.int32),
]


@pytest.mark.parametrize('make,expected', [(p[1], p[2]) for p in PROMOTION],
                         ids=[p[0] for p in PROMOTION])
def test_dtype_promotion(device, make, expected):
    out = make(device)
    assert out.dtype is expected
    check_on_device(out, device)
    assert host(out).dtype == expected.np


def test_promote_types_matches_torch_table():
    assert mt.promote_types(mt.int32, mt.float16) is mt.float16
    assert mt.promote_types(mt.uint8, mt.int8) is mt.int16
    assert mt.promote_types(mt.bool, mt.int32) is mt.int32
    assert mt.promote_types(mt.float64, mt.int64) is mt.float64


def test_int_values_survive_promotion(device):
    big = mt.tensor([2**40], device=device)            # int64: must not pass through float32
    assert (big + 1).tolist() == [2**40 + 1]
    assert mt.tensor([7], dtype=mt.int32, device=device).__truediv__(2).tolist() == [3.5]
    assert (mt.tensor([7, -7], device=device) // 2).tolist() == [3, -4]
