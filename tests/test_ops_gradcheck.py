"""Every differentiable op against finite differences (float64), on generated shapes, on every device."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import minitorch as mt
from helpers import check_grad, leaf, host

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
NONEMPTY_DIMS = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)
PAIRS = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)
SEEDS = st.integers(0, 2**32 - 1)


def normal(seed, *shapes):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


def away_from_zero(seed, *shapes):
    """Values with |v| in [0.5, 1.5): safe denominators and bases."""
    rng = np.random.default_rng(seed)
    return [rng.choice([-1.0, 1.0], s) * rng.uniform(0.5, 1.5, s) for s in shapes]


def positive(seed, *shapes):
    rng = np.random.default_rng(seed)
    return [rng.uniform(0.5, 2.0, s) for s in shapes]


@st.composite
def dims_of(draw, shape, allow_none=True, allow_tuple=True):
    """None, an int or a tuple of distinct dims (some negative) of a tensor of `shape`."""
    ndim = len(shape)
    choices = ['int'] + (['none'] if allow_none else []) + (['tuple'] if allow_tuple else [])
    kind = draw(st.sampled_from(choices))
    if kind == 'none':
        return None
    if kind == 'int':
        return draw(st.integers(-ndim, ndim - 1))
    picked = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(d - ndim if draw(st.booleans()) else d for d in picked)


# --- elementwise binary ops, broadcasting -------------------------------------------------------
BINARY = {
    'add': (lambda a, b: a + b, normal),
    'sub': (lambda a, b: a - b, normal),
    'mul': (lambda a, b: a * b, normal),
    'div': (lambda a, b: a / b, away_from_zero),
    'pow': (lambda a, b: a ** b, positive),
    'maximum': (mt.maximum, normal),
    'minimum': (mt.minimum, normal),
    'add_alpha': (lambda a, b: mt.add(a, b, alpha=-2.5), normal),
}


@pytest.mark.parametrize('name', sorted(BINARY))
@given(shapes=PAIRS, seed=SEEDS)
@settings(max_examples=15)
def test_binary_ops_broadcast(device, name, shapes, seed):
    fn, values = BINARY[name]
    check_grad(fn, values(seed, *shapes.input_shapes), device)


@pytest.mark.parametrize('fn', [lambda x: x + 2.5, lambda x: 2.5 - x, lambda x: x * -3.0,
                                lambda x: 1.5 / x, lambda x: x / 4, lambda x: x ** 3,
                                lambda x: x ** 2, lambda x: x ** -1.5, lambda x: x ** 0.5,
                                lambda x: 2.0 ** x, lambda x: mt.pow(x, 1.7), lambda x: -x],
                         ids=['radd', 'rsub', 'mul', 'rdiv', 'div_int', 'pow3', 'pow2', 'pow-1.5',
                              'sqrt_pow', 'rpow', 'pow_fn', 'neg'])
@given(shape=SHAPES, seed=SEEDS)
@settings(max_examples=8)
def test_ops_with_python_numbers(device, fn, shape, seed):
    check_grad(fn, positive(seed, shape), device)


# --- unary ---------------------------------------------------------------------------------------
UNARY = {
    'exp': (mt.exp, normal), 'log': (mt.log, positive), 'sqrt': (mt.sqrt, positive),
    'sin': (mt.sin, normal), 'cos': (mt.cos, normal), 'tanh': (mt.tanh, normal),
    'sigmoid': (mt.sigmoid, normal), 'relu': (mt.relu, away_from_zero),
    'abs': (mt.abs, away_from_zero), 'square': (mt.square, normal), 'rsqrt': (mt.rsqrt, positive),
    'log1p': (mt.log1p, positive), 'neg': (mt.neg, normal),
    'clamp_min': (lambda x: x.clamp(min=0.1), away_from_zero),
    'clamp_max': (lambda x: x.clamp(max=-0.1), away_from_zero),
    'clamp_both': (lambda x: x.clamp(-0.9, 0.8), normal),
    'clamp_tensor_bounds': (lambda x: x.clamp(min=x.detach() * 0 - 0.3), away_from_zero),
    'clone': (lambda x: x.clone(), normal),
    'to_float32_and_back': (lambda x: x.float().double() * 2, normal),
}


@pytest.mark.parametrize('name', sorted(UNARY))
@given(shape=SHAPES, seed=SEEDS)
@settings(max_examples=8)
def test_unary_ops(device, name, shape, seed):
    fn, values = UNARY[name]
    if name == 'to_float32_and_back':   # float32 round trip: finite differences see the rounding
        x = leaf(values(seed, shape)[0], device)
        y = fn(x)
        y.sum().backward()
        np.testing.assert_allclose(host(x.grad), 2.0)
        return
    if name == 'clamp_both':            # keep values away from the kinks at -0.9 and 0.8
        (a,) = values(seed, shape)
        a = np.where(np.abs(a + 0.9) < 1e-3, a + 0.01, a)
        a = np.where(np.abs(a - 0.8) < 1e-3, a + 0.01, a)
        check_grad(fn, [a], device)
        return
    check_grad(fn, values(seed, shape), device)


def test_sigmoid_large_inputs_stay_finite(device):
    import warnings
    x = mt.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], device=device, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter('error')      # no overflow warnings either
        y = x.sigmoid()
        y.sum().backward()
    assert np.all(np.isfinite(host(y))) and np.all(np.isfinite(host(x.grad)))
    np.testing.assert_allclose(host(y), [0.0, 1.9287e-22, 0.5, 1.0, 1.0], rtol=1e-4)
    np.testing.assert_allclose(host(x.grad), [0.0, 1.9287e-22, 0.25, 0.0, 0.0], rtol=1e-4, atol=1e-30)


# --- where ---------------------------------------------------------------------------------------
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3), seed=SEEDS)
@settings(max_examples=15)
def test_where(device, shapes, seed):
    cond_shape, a_shape, b_shape = shapes.input_shapes
    cond = mt.tensor(np.random.default_rng(seed).random(cond_shape) > 0.5, device=device)
    check_grad(lambda a, b: mt.where(cond, a, b), normal(seed, a_shape, b_shape), device)


def test_where_with_numbers(device):
    cond = mt.tensor([True, False, True], device=device)
    check_grad(lambda a: mt.where(cond, a, 0.0), [np.array([1.0, 2.0, 3.0])], device)
    check_grad(lambda a: a.where(cond, -1.0), [np.array([1.0, 2.0, 3.0])], device)


# --- reductions ----------------------------------------------------------------------------------
@pytest.mark.parametrize('op', ['sum', 'mean', 'logsumexp', 'prod'])
@given(data=st.data(), seed=SEEDS)
@settings(max_examples=12)
def test_reductions_over_dims(device, op, data, seed):
    shape = data.draw(NONEMPTY_DIMS)
    dim = data.draw(dims_of(shape, allow_none=op != 'logsumexp'))
    keepdim = data.draw(st.booleans())
    values = away_from_zero if op == 'prod' else normal
    check_grad(lambda x: getattr(x, op)(dim, keepdim=keepdim), values(seed, shape), device)


@pytest.mark.parametrize('op', ['sum', 'mean'])
@given(shape=SHAPES, seed=SEEDS)
@settings(max_examples=8)
def test_full_reductions(device, op, shape, seed):
    check_grad(lambda x: getattr(x, op)(), normal(seed, shape), device)


@pytest.mark.parametrize('op', ['var', 'std'])
@given(data=st.data(), seed=SEEDS)
@settings(max_examples=12)
def test_var_std(device, op, data, seed):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=3))
    dim = data.draw(dims_of(shape))
    keepdim = data.draw(st.booleans())
    correction = data.draw(st.sampled_from([0, 1]))
    check_grad(lambda x: getattr(x, op)(dim, keepdim=keepdim, correction=correction),
               normal(seed, shape), device)


@pytest.mark.parametrize('op', ['softmax', 'log_softmax'])
@given(data=st.data(), seed=SEEDS)
@settings(max_examples=12)
def test_softmax(device, op, data, seed):
    shape = data.draw(NONEMPTY_DIMS)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    weights = normal(seed + 1, shape)[0]    # a weighted sum, so the Jacobian is not trivially 0
    check_grad(lambda x: getattr(x, op)(dim) * mt.tensor(weights, device=device), normal(seed, shape),
               device)


@pytest.mark.parametrize('op', ['max', 'min'])
@given(data=st.data(), seed=SEEDS)
@settings(max_examples=12)
def test_max_min(device, op, data, seed):
    shape = data.draw(NONEMPTY_DIMS)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    keepdim = data.draw(st.booleans())
    (x,) = normal(seed, shape)
    check_grad(lambda t: getattr(t, op)(), [x], device)
    check_grad(lambda t: getattr(t, op)(dim, keepdim=keepdim).values, [x], device)
    values, indices = getattr(leaf(x, device), op)(dim, keepdim=keepdim)
    expected = (np.argmax if op == 'max' else np.argmin)(x, axis=dim, keepdims=keepdim)
    np.testing.assert_array_equal(host(indices), expected)
    assert indices.dtype is mt.int64 and not indices.requires_grad


def test_max_ties_share_the_gradient(device):
    x = mt.tensor([1.0, 3.0, 3.0], device=device, requires_grad=True)
    x.max().backward()
    np.testing.assert_allclose(host(x.grad), [0.0, 0.5, 0.5])


# --- matmul --------------------------------------------------------------------------------------
MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                 ((2, 2, 3), (3, 4)), ((2, 2, 3), (2, 3, 4)), ((1, 2, 3), (2, 3, 4)),
                 ((3,), (2, 3, 4)), ((2, 2, 3), (3,)), ((2, 1, 2, 3), (3, 3, 2))]


@pytest.mark.parametrize('a_shape,b_shape', MATMUL_SHAPES)
def test_matmul(device, a_shape, b_shape):
    a, b = normal(0, a_shape, b_shape)
    check_grad(lambda x, y: x @ y, [a, b], device)
    out = leaf(a, device) @ leaf(b, device)
    np.testing.assert_allclose(host(out), a @ b)


# --- shape ops -----------------------------------------------------------------------------------
@given(data=st.data(), seed=SEEDS)
@settings(max_examples=15)
def test_reshape_permute_transpose(device, data, seed):
    shape = data.draw(NONEMPTY_DIMS)
    (x,) = normal(seed, shape)
    n = x.size
    perm = data.draw(st.permutations(range(len(shape))))
    d0, d1 = data.draw(st.integers(-len(shape), len(shape) - 1)), data.draw(
        st.integers(-len(shape), len(shape) - 1))
    check_grad(lambda t: t.reshape(-1), [x], device)
    check_grad(lambda t: t.reshape(1, n, 1).view(n) * mt.arange(n, device=device), [x], device)
    check_grad(lambda t: t.permute(*perm) * mt.arange(n, device=device).reshape(
        tuple(shape[p] for p in perm)), [x], device)
    check_grad(lambda t: t.transpose(d0, d1).sum(0), [x], device)
    check_grad(lambda t: t.T.flatten() * mt.arange(n, device=device), [x], device)


@given(data=st.data(), seed=SEEDS)
@settings(max_examples=15)
def test_squeeze_unsqueeze_expand(device, data, seed):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=2))
    (x,) = normal(seed, shape)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    new_dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    target = (2,) + tuple(3 if s == 1 else s for s in shape)
    check_grad(lambda t: t.squeeze(), [x], device)
    check_grad(lambda t: t.squeeze(dim), [x], device)
    check_grad(lambda t: t.unsqueeze(new_dim), [x], device)
    check_grad(lambda t: t.expand(*target) * mt.arange(int(np.prod(target)), device=device)
               .reshape(target), [x], device)
    check_grad(lambda t: t.expand(2, *shape), [x], device)
    with pytest.raises(RuntimeError, match='leading, non-existing dimension'):
        leaf(x, device).expand(-1, *shape)      # as PyTorch: -1 only keeps an existing dim
    check_grad(lambda t: mt.broadcast_to(t, target).sum(), [x], device)


@given(data=st.data(), seed=SEEDS)
@settings(max_examples=15)
def test_cat_stack(device, data, seed):
    shape = data.draw(NONEMPTY_DIMS)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    other = list(shape)
    other[dim] = data.draw(st.integers(1, 3))
    a, b, c = normal(seed, shape, tuple(other), shape)
    check_grad(lambda x, y: mt.cat([x, y, x], dim), [a, b], device)
    check_grad(lambda x, y: mt.stack([x, y], dim), [a, c], device)
    check_grad(lambda x, y: mt.stack([x, y], -1), [a, c], device)
    np.testing.assert_allclose(host(mt.cat([leaf(a, device), leaf(b, device)], dim)),
                               np.concatenate([a, b], dim))
    np.testing.assert_allclose(host(mt.stack([leaf(a, device), leaf(c, device)], dim)),
                               np.stack([a, c], dim))


@given(data=st.data(), seed=SEEDS)
@settings(max_examples=15)
def test_split_chunk_narrow(device, data, seed):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    size = shape[dim]
    step = data.draw(st.integers(1, size))
    chunks = data.draw(st.integers(1, size))
    start = data.draw(st.integers(0, size - 1))
    length = data.draw(st.integers(0, size - start))
    (x,) = normal(seed, shape)
    weights = lambda t: t * mt.arange(t.numel(), device=device).reshape(t.shape)  # noqa: E731
    check_grad(lambda t: tuple(weights(p) for p in t.split(step, dim)), [x], device)
    check_grad(lambda t: tuple(weights(p) for p in t.chunk(chunks, dim)), [x], device)
    check_grad(lambda t: weights(t.narrow(dim, start, length)), [x], device)
    sections = [start, size - start]
    check_grad(lambda t: tuple(weights(p) for p in mt.split(t, sections, dim)), [x], device)
    pieces = leaf(x, device).split(step, dim)
    np.testing.assert_allclose(host(mt.cat(pieces, dim)), x)
    assert [p.shape[dim] for p in pieces] == [min(step, size - s) for s in range(0, size, step)]


# --- indexing --------------------------------------------------------------------------------------
BASIC_INDICES = [1, -1, slice(1, None), slice(None, None, 2), (0, slice(None)), (Ellipsis, -1),
                 (slice(None), None, 0), (slice(None, -1), slice(1, 3)), None]


@pytest.mark.parametrize('index', BASIC_INDICES, ids=repr)
def test_basic_indexing(device, index):
    (x,) = normal(1, (3, 4))
    check_grad(lambda t: t[index], [x], device)
    np.testing.assert_allclose(host(leaf(x, device)[index]), x[index])


def test_integer_array_indexing_with_repeats(device):
    (x,) = normal(2, (4, 3))
    rows = mt.tensor([0, 2, 0, 0, 3], device=device)
    cols = mt.tensor([1, 1, 2, 0, 1], device=device)
    check_grad(lambda t: t[rows], [x], device)
    check_grad(lambda t: t[rows, cols], [x], device)
    check_grad(lambda t: t[:, [2, 2, 0]], [x], device)
    check_grad(lambda t: t[[1, 1]] * 3, [x], device)
    t = leaf(x, device)
    t[rows].sum().backward()
    np.testing.assert_allclose(host(t.grad), np.array([3, 0, 1, 1])[:, None] * np.ones((4, 3)))


def test_bool_mask_indexing(device):
    (x,) = normal(3, (3, 4))
    mask = mt.tensor(x > 0, device=device)
    row_mask = mt.tensor([True, False, True], device=device)
    check_grad(lambda t: t[mask], [x], device)
    check_grad(lambda t: t[row_mask], [x], device)
    np.testing.assert_allclose(host(leaf(x, device)[mask]), x[x > 0])


@pytest.mark.parametrize('index', [1, (slice(None), 2), 'mask', 'ints'], ids=str)
def test_setitem_gradients_through_value_and_base(device, index):
    (b, v) = normal(4, (3, 4), (4,))
    if index == 'mask':
        index = mt.tensor([[True, False, True, False]] * 3, device=device)
        v = v[:1]       # a scalar-like value broadcast into every masked position
    elif index == 'ints':
        index = mt.tensor([0, 2], device=device)
    elif index == (slice(None), 2):
        v = v[:3]

    def put(base, value):
        out = base * 1.0
        out[index] = value * 2
        return out
    check_grad(put, [b, v], device)


def test_setitem_records_the_base(device):
    base = mt.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    value = mt.tensor(10.0, device=device, requires_grad=True)
    out = base.clone()
    out[1] = value
    assert out.grad_fn is not None and out.grad_fn.name() == 'IndexPutBackward'
    (out * mt.tensor([1.0, 2.0, 3.0], device=device)).sum().backward()
    np.testing.assert_allclose(host(base.grad), [1.0, 0.0, 3.0])
    np.testing.assert_allclose(host(value.grad), 2.0)
    np.testing.assert_allclose(host(out), [1.0, 10.0, 3.0])


@given(data=st.data(), seed=SEEDS)
@settings(max_examples=15)
def test_gather(device, data, seed):
    shape = data.draw(NONEMPTY_DIMS)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    index_shape = list(shape)
    index_shape[dim] = data.draw(st.integers(1, 4))
    rng = np.random.default_rng(seed)
    index = rng.integers(0, shape[dim], index_shape)
    (x,) = normal(seed, shape)
    idx = mt.tensor(index, device=device)
    check_grad(lambda t: t.gather(dim, idx), [x], device)
    check_grad(lambda t: mt.take_along_dim(t, idx, dim), [x], device)
    np.testing.assert_allclose(host(leaf(x, device).gather(dim, idx)),
                               np.take_along_axis(x, index, axis=dim))


# --- neural-network primitives (minitorch/ops/nn_ops.py) ----------------------------------------
def _nn_cases():
    import minitorch.nn.functional as F
    return {
        'conv2d': (lambda x, w, b: F.conv2d(x, w, b, stride=1, padding=1),
                   [(1, 2, 4, 4), (3, 2, 3, 3), (3,)]),
        'conv2d_stride_dilation': (lambda x, w: F.conv2d(x, w, None, stride=2, padding=1, dilation=2),
                                   [(2, 1, 5, 5), (2, 1, 2, 2)]),
        'max_pool2d': (lambda x: F.max_pool2d(x, 2), [(1, 2, 4, 4)]),
        'max_pool2d_padded': (lambda x: F.max_pool2d(x, 3, stride=2, padding=1), [(1, 1, 5, 5)]),
        'logsigmoid': (lambda x: F.logsigmoid(x * 10), [(5,)]),
        'unfold': (lambda x: F.unfold(x, 2), [(1, 2, 3, 3)]),
    }


@pytest.mark.parametrize('name', ['conv2d', 'conv2d_stride_dilation', 'max_pool2d',
                                  'max_pool2d_padded', 'logsigmoid', 'unfold'])
def test_nn_primitives(device, name):
    fn, shapes = _nn_cases()[name]
    check_grad(fn, normal(7, *shapes), device, second_order=name in ('conv2d', 'logsigmoid'))
