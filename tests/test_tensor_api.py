"""The Tensor API: creation, metadata, conversions, repr, seeding, in-place ops and item setting."""
import numpy as np
import pytest

import minitorch as mt
from helpers import check_on_device, host

FACTORIES = [
    ('zeros', lambda **kw: mt.zeros(2, 3, **kw), np.zeros((2, 3))),
    ('ones', lambda **kw: mt.ones((2, 3), **kw), np.ones((2, 3))),
    ('full', lambda **kw: mt.full((2,), 1.5, **kw), np.full(2, 1.5)),
    ('arange', lambda **kw: mt.arange(1, 4, **kw), np.arange(1, 4)),
    ('linspace', lambda **kw: mt.linspace(0, 1, 5, **kw), np.linspace(0, 1, 5)),
    ('eye', lambda **kw: mt.eye(3, **kw), np.eye(3)),
    ('tensor', lambda **kw: mt.tensor([[1, 2], [3, 4]], **kw), np.array([[1, 2], [3, 4]])),
]


@pytest.mark.parametrize('name,make,expected', FACTORIES, ids=[f[0] for f in FACTORIES])
def test_creation_with_dtype_device_requires_grad(device, name, make, expected):
    t = make(device=device)
    check_on_device(t, device)
    np.testing.assert_allclose(host(t), expected)
    t64 = make(dtype=mt.float64, device=device, requires_grad=True)
    assert t64.dtype is mt.float64 and t64.requires_grad and t64.is_leaf
    check_on_device(t64, device)
    t16 = make(dtype=mt.float16, device=device)
    assert t16.dtype is mt.float16


def test_default_dtypes(device):
    assert mt.tensor([1.0, 2.0], device=device).dtype is mt.float32
    assert mt.tensor([1, 2], device=device).dtype is mt.int64
    assert mt.tensor([True], device=device).dtype is mt.bool
    assert mt.tensor(np.array([1.0]), device=device).dtype is mt.float64   # numpy keeps its dtype
    assert mt.arange(3, device=device).dtype is mt.int64
    assert mt.arange(0.0, 1.0, 0.5, device=device).dtype is mt.float32
    assert mt.full((1,), 2, device=device).dtype is mt.int64
    assert mt.full((1,), True, device=device).dtype is mt.bool
    assert mt.zeros(2, device=device).dtype is mt.float32
    assert mt.tensor(0.1, dtype=mt.float64, device=device).item() == 0.1    # no float32 round trip


def test_fill_values_convert_as_in_pytorch(device):
    # an int into uint8 wraps from -255 up; a float into an integer dtype is truncated; into bool,
    # any number is its truth
    assert mt.full((2,), -1, dtype=mt.uint8, device=device).tolist() == [255, 255]
    assert mt.full((2,), -255, dtype=mt.uint8, device=device).tolist() == [1, 1]
    assert mt.full_like(mt.zeros(2, device=device), -1, dtype=mt.uint8).tolist() == [255, 255]
    assert mt.full((2,), 2.7, dtype=mt.int64, device=device).tolist() == [2, 2]
    assert mt.full((2,), float('nan'), dtype=mt.bool, device=device).tolist() == [True, True]
    assert np.isinf(host(mt.full((1,), float('inf'), dtype=mt.float16, device=device))).all()
    refused = [(lambda: mt.full((2,), -256, dtype=mt.uint8), 'full', 'uint8'),
               (lambda: mt.full((2,), 300, dtype=mt.uint8), 'full', 'uint8'),
               (lambda: mt.full((2,), -0.5, dtype=mt.uint8), 'full', 'uint8'),
               (lambda: mt.full((2,), 2 ** 40, dtype=mt.int32), 'full', 'int32'),
               (lambda: mt.full((2,), 2 ** 63), 'full', 'int64'),
               (lambda: mt.full((2,), float('inf'), dtype=mt.int64), 'full', 'int64'),
               (lambda: mt.full((2,), float('nan'), dtype=mt.int32), 'full', 'int32'),
               (lambda: mt.full((2,), 1e6, dtype=mt.float16), 'full', 'float16'),
               (lambda: mt.full_like(mt.zeros(2, dtype=mt.uint8), float('inf')), 'full_like',
                'uint8')]
    for make, op, dtype in refused:
        with pytest.raises(RuntimeError, match=rf'{op}\(\).*{dtype}.*overflow'):
            make()
    with pytest.raises(OverflowError, match=r'full\(\).*64 bits'):
        mt.full((2,), 2 ** 64)
    with pytest.raises(ValueError, match=r'full\(\).*non-negative'):
        mt.full((-1,), 0)


def test_fill_converts_its_value_as_in_pytorch(device):
    x = mt.zeros(2, dtype=mt.uint8, device=device)
    assert x.fill_(-1).tolist() == [255, 255]
    assert mt.zeros(2, dtype=mt.int32, device=device).fill_(2.7).tolist() == [2, 2]
    for value, dtype in ((300, mt.uint8), (-256, mt.uint8), (2 ** 40, mt.int32),
                         (float('inf'), mt.int64), (float('nan'), mt.int32), (1e6, mt.float16)):
        for requires_grad in (False, True):
            if requires_grad and not dtype.is_floating_point:
                continue
            x = mt.ones(2, dtype=dtype, device=device, requires_grad=requires_grad).clone()
            with pytest.raises(RuntimeError, match=rf'fill_\(\).*{dtype.name}.*overflow'):
                x.fill_(value)
            assert x.tolist() == [1, 1]             # left as it was
    with pytest.raises(OverflowError, match=r'fill_\(\).*64 bits'):
        mt.zeros(2, dtype=mt.bool).fill_(2 ** 64)


def test_arange_into_integer_dtypes_as_in_pytorch(device):
    # start and step are truncated to integers and the values wrap into the dtype
    assert mt.arange(-1, 2, dtype=mt.uint8, device=device).tolist() == [255, 0, 1]
    assert mt.arange(126, 130, dtype=mt.int8, device=device).tolist() == [126, 127, -128, -127]
    assert mt.arange(-2.5, 2.5, 1.5, dtype=mt.uint8, device=device).tolist() == [254, 255, 0, 1]
    assert mt.arange(0.5, 2.5, 0.5, dtype=mt.int32, device=device).tolist() == [0, 0, 0, 0]
    # int64 counts with the truncated numbers
    assert mt.arange(-1.5, 1, dtype=mt.int64, device=device).tolist() == [-1, 0]
    assert mt.arange(0, 5, 1.5, dtype=mt.int64, device=device).tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match='arange.*step must be nonzero'):
        mt.arange(0, 3, 0.5, dtype=mt.int64)
    with pytest.raises(RuntimeError, match='arange.*finite'):
        mt.arange(0, float('inf'))


@pytest.mark.parametrize('factory', ['zeros', 'ones', 'empty', 'rand', 'randn'])
def test_factories_refuse_a_missing_size(factory):
    with pytest.raises(TypeError, match=rf'{factory}\(\) needs a size'):
        getattr(mt, factory)()
    assert getattr(mt, factory)(()).shape == () and getattr(mt, factory)([]).shape == ()


def test_tensor_infers_numpy_scalars_in_lists_as_pytorch():
    assert mt.tensor([np.float64(1.5), 2]).dtype is mt.float64
    assert mt.tensor([np.float32(1.5), 2]).dtype is mt.float32
    assert mt.tensor([np.float16(1.5), 2]).dtype is mt.float16
    assert mt.tensor([np.float16(1.5), 2.5]).dtype is mt.float32
    assert mt.tensor([np.int32(1), 2]).dtype is mt.int64
    assert mt.tensor([np.int8(1), np.uint8(1)]).dtype is mt.int16
    assert mt.tensor([[np.int32(1), 2], [3, np.float64(4)]]).tolist() == [[1., 2.], [3., 4.]]
    assert mt.tensor([mt.tensor(1.5, dtype=mt.float64), 2]).dtype is mt.float64
    assert mt.tensor([np.float64(1.5), 2], dtype=mt.float32).dtype is mt.float32
    with pytest.raises(TypeError, match='uint16'):
        mt.tensor([np.uint16(1), 2])


@pytest.mark.parametrize('data, where', [
    ([[1, 2], [3]], 'expected sequence of length 2 at dim 1 \\(got 1\\)'),
    ([[[1, 2], [3, 4]], [[1, 2], [3]]], 'expected sequence of length 2 at dim 2 \\(got 1\\)'),
    ([[1, 2], 3], 'expected a sequence at dim 1'),
    ([1, [2, 3]], 'expected a number at dim 1')])
def test_tensor_of_ragged_lists_says_where(data, where):
    with pytest.raises(ValueError, match=f'tensor\\(\\): {where}'):
        mt.tensor(data)


@pytest.mark.parametrize('value', [2 ** 63, 2 ** 64 - 1, 2 ** 64, -2 ** 63 - 1])
def test_tensor_of_ints_beyond_int64_is_refused(value):
    with pytest.raises(RuntimeError, match=f'tensor\\(\\).*does not fit in int64.*{value}'):
        mt.tensor([1, value])
    with pytest.raises(RuntimeError, match='does not fit in int64'):
        mt.tensor(value)
    assert mt.tensor([-2 ** 63, 2 ** 63 - 1]).tolist() == [-2 ** 63, 2 ** 63 - 1]
    # a floating point result holds it, as in PyTorch
    assert mt.tensor([1.5, value]).tolist() == [1.5, float(np.float32(value))]
    assert mt.tensor([value], dtype=mt.float64).tolist() == [float(value)]


def test_like_factories_and_new(device):
    x = mt.ones(2, 3, dtype=mt.float64, device=device)
    for t in [mt.zeros_like(x), mt.ones_like(x), mt.empty_like(x), mt.full_like(x, 7.0),
              mt.rand_like(x), mt.randn_like(x), x.new_zeros(2, 3), x.new_ones((2, 3)),
              x.new_full((2, 3), 1.0), x.new_tensor(np.ones((2, 3)))]:
        assert t.shape == (2, 3) and t.dtype is mt.float64
        check_on_device(t, device)


def test_random_factories(device):
    for t in [mt.rand(3, 4, device=device), mt.randn(3, 4, device=device)]:
        assert t.shape == (3, 4) and t.dtype is mt.float32
        check_on_device(t, device)
    assert 0 <= host(mt.rand(100, device=device)).min() and host(mt.rand(100, device=device)).max() < 1
    r = mt.randint(2, 5, (50,), device=device)
    check_on_device(r, device)
    assert r.dtype is mt.int64 and set(r.tolist()) <= {2, 3, 4}
    p = mt.randperm(6, device=device)
    check_on_device(p, device)
    assert sorted(p.tolist()) == list(range(6))
    assert mt.randn(2, dtype=mt.float16, device=device).dtype is mt.float16
    with pytest.raises(TypeError, match='floating'):
        mt.rand(2, dtype=mt.int32, device=device)


def test_manual_seed_reproducibility(device):
    def draw():
        return (mt.rand(4, device=device).tolist(), mt.randn(2, 2, device=device).tolist(),
                mt.randint(0, 100, (5,), device=device).tolist(), mt.randperm(5, device=device).tolist())
    mt.manual_seed(123)
    first = draw()
    mt.manual_seed(123)
    assert draw() == first
    mt.manual_seed(124)
    assert draw() != first


def test_metadata(device):
    x = mt.zeros(2, 3, 4, device=device)
    assert x.shape == (2, 3, 4) and x.size() == (2, 3, 4) and x.size(-1) == 4 and x.size(1) == 3
    assert repr(x.shape) == 'minitorch.Size([2, 3, 4])'
    assert x.ndim == 3 and x.dim() == 3 and x.numel() == 24 and mt.numel(x) == 24
    assert x.dtype is mt.float32 and x.device == device and x.device == mt.device(str(device))
    assert x.T.shape == (4, 3, 2) and x.mT.shape == (2, 4, 3)
    assert x.is_leaf and not x.requires_grad and x.grad is None and x.is_floating_point()
    assert len(x) == 2 and x.element_size() == 4
    y = (x.requires_grad_() * 2)
    assert not y.is_leaf and y.data.is_leaf and not y.data.requires_grad
    assert mt.is_tensor(x) and not mt.is_tensor(np.zeros(2))


def test_conversions(device):
    x = mt.tensor([[1.5, 2.5]], device=device)
    assert x.tolist() == [[1.5, 2.5]] and x[0, 1].item() == 2.5
    assert float(x[0, 0]) == 1.5 and int(mt.tensor(3, device=device)) == 3
    assert f'{x.sum():.2f}' == '4.00'
    assert [v.item() for v in x[0]] == [1.5, 2.5]
    cpu = x.cpu()
    check_on_device(cpu, mt.device('cpu'))
    np.testing.assert_array_equal(cpu.numpy(), [[1.5, 2.5]])
    np.testing.assert_array_equal(np.asarray(cpu), [[1.5, 2.5]])
    assert np.asarray(cpu, dtype=np.float64).dtype == np.float64
    back = cpu.to(device)
    check_on_device(back, device)
    assert back.tolist() == [[1.5, 2.5]]
    assert x.to(mt.float64).dtype is mt.float64 and x.to(device, mt.int32).dtype is mt.int32
    assert x.double().dtype is mt.float64 and x.long().dtype is mt.int64 and x.half().dtype is mt.float16
    assert x.to(device) is x and x.to(device, copy=True) is not x
    with pytest.raises(RuntimeError, match='detach'):
        mt.ones(2, requires_grad=True).numpy()


def test_numpy_shares_memory_on_cpu():
    a = np.array([1.0, 2.0])
    t = mt.from_numpy(a)
    a[0] = 10.0
    assert t.tolist() == [10.0, 2.0] and t.numpy() is a
    c = mt.tensor(a)
    a[1] = 20.0
    assert c.tolist() == [10.0, 2.0]        # tensor() copies
    assert mt.as_tensor(a).numpy() is a


def test_dlpack_round_trip_with_numpy():
    a = np.arange(6.0).reshape(2, 3)
    t = mt.from_dlpack(a)
    a[0, 0] = 42.0
    assert t[0, 0].item() == 42.0 and t.shape == (2, 3) and t.dtype is mt.float64
    b = np.from_dlpack(t)
    t[1, 1] = -1.0
    assert b[1, 1] == -1.0
    np.testing.assert_array_equal(b, a)


@pytest.mark.parametrize('make,text', [
    (lambda: mt.tensor([1.0, 2.0]), 'tensor([1., 2.])'),
    (lambda: mt.tensor([0.5, 1.0]), 'tensor([0.5000, 1.0000])'),
    (lambda: mt.tensor([1, 2], dtype=mt.int32), 'tensor([1, 2], dtype=minitorch.int32)'),
    (lambda: mt.tensor([1, 2]), 'tensor([1, 2])'),
    (lambda: mt.tensor([True, False]), 'tensor([ True, False])'),
    (lambda: mt.tensor(3.0), 'tensor(3.)'),
    (lambda: mt.tensor([[1.5, -2.0], [3.0, 4.0]]), 'tensor([[ 1.5000, -2.0000],\n        [ 3.0000,  4.0000]])'),
    (lambda: mt.tensor([1.0, 2.0], dtype=mt.float64), 'tensor([1., 2.], dtype=minitorch.float64)'),
    (lambda: mt.tensor([1.0, 2.0], requires_grad=True), 'tensor([1., 2.], requires_grad=True)'),
    (lambda: mt.tensor([1.0, 2.0], requires_grad=True) * 2, 'tensor([2., 4.], grad_fn=<MulBackward>)'),
    (lambda: mt.tensor([1.0, 2.0], requires_grad=True).sum(), 'tensor(3., grad_fn=<SumBackward>)'),
    (lambda: mt.zeros(0), 'tensor([])'),
    (lambda: mt.tensor([1.0, 2.0], device='fakegpu'), "tensor([1., 2.], device='fakegpu:0')"),
])
def test_repr_as_pytorch_prints(make, text):
    assert repr(make()) == text


def test_device_objects():
    assert mt.device('cpu') == 'cpu' and str(mt.device('cpu')) == 'cpu'
    assert repr(mt.device('cpu')) == "device(type='cpu')"
    assert mt.device('fakegpu') == mt.device('fakegpu:0') == mt.device('fakegpu', 0)
    assert mt.device('fakegpu') is mt.device('fakegpu:0')
    assert mt.device(mt.device('cpu')) is mt.device('cpu')
    assert mt.device('cpu') != mt.device('fakegpu')
    with pytest.raises(RuntimeError, match='does not exist'):
        mt.ones(1, device='fakegpu:3')


# --- in place --------------------------------------------------------------------------------------
@pytest.mark.parametrize('op,arg,expected', [
    ('add_', 2.0, [3.0, 0.0, 5.0]), ('sub_', 1.0, [0.0, -3.0, 2.0]), ('mul_', 2.0, [2.0, -4.0, 6.0]),
    ('div_', 2.0, [0.5, -1.0, 1.5]), ('clamp_', (0.0, 2.0), [1.0, 0.0, 2.0]),
    ('relu_', None, [1.0, 0.0, 3.0]), ('neg_', None, [-1.0, 2.0, -3.0]), ('abs_', None, [1.0, 2.0, 3.0]),
    ('zero_', None, [0.0, 0.0, 0.0]), ('fill_', 7.0, [7.0, 7.0, 7.0]),
    ('copy_', 'tensor', [9.0, 8.0, 7.0]), ('add_', 'tensor', [10.0, 6.0, 10.0]),
    ('pow_', 2.0, [1.0, 4.0, 9.0])])
def test_inplace_values_and_version_bumps(device, op, arg, expected):
    x = mt.tensor([1.0, -2.0, 3.0], device=device)
    data = x._data
    if arg == 'tensor':
        args = (mt.tensor([9.0, 8.0, 7.0], device=device),)
    elif arg is None:
        args = ()
    else:
        args = arg if isinstance(arg, tuple) else (arg,)
    result = getattr(x, op)(*args)
    assert result is x and x._data is data and x._version == 1
    check_on_device(x, device)
    np.testing.assert_allclose(host(x), expected)


def test_inplace_operators_and_broadcast(device):
    x = mt.ones(2, 3, device=device)
    x += mt.tensor([1.0, 2.0, 3.0], device=device)
    x *= 2
    x -= 1
    x /= mt.tensor([[1.0], [2.0]], device=device)
    np.testing.assert_allclose(host(x), [[3.0, 5.0, 7.0], [1.5, 2.5, 3.5]])
    assert x._version == 4
    i = mt.tensor([1, 2], device=device)
    i += 1
    i *= 3
    assert i.tolist() == [6, 9] and i.dtype is mt.int64
    x.copy_(mt.tensor([1, 2, 3], device=device))
    assert x.tolist() == [[1.0, 2.0, 3.0]] * 2
    if device.type != 'cpu':
        x.copy_(mt.tensor([4.0, 5.0, 6.0]))       # copy_ from another device moves the values
        assert x.tolist() == [[4.0, 5.0, 6.0]] * 2


def test_inplace_on_non_leaf_is_recorded(device):
    w = mt.tensor([1.0, 2.0, 3.0], dtype=mt.float64, device=device, requires_grad=True)
    h = w * 2
    h.mul_(w)               # h = 2w^2
    h.add_(w)
    assert h.grad_fn.name() == 'AddBackward' and h._version == 2
    h.sum().backward()
    np.testing.assert_allclose(host(w.grad), 4 * np.array([1.0, 2.0, 3.0]) + 1)
    np.testing.assert_allclose(host(h), [3.0, 10.0, 21.0])


# --- setting items ------------------------------------------------------------------------------
def test_setitem_with_scalars_tensors_and_masks(device):
    x = mt.zeros(3, 4, device=device)
    x[0] = 1.0
    x[1, 2] = 5
    x[2] = mt.arange(4, device=device).float()
    x[:, 0] = mt.tensor([7.0, 8.0, 9.0], device=device)
    x[x > 4] = -1.0
    x[mt.tensor([0, 0], device=device), mt.tensor([1, 3], device=device)] = mt.tensor(
        [2.0, 3.0], device=device)
    x[[1], [1]] = 4.0
    x[..., -1:] += 10       # two changes: += on the view, then writing it back into x
    expected = np.array([[-1, 2, 1, 13], [-1, 4, -1, 10], [-1, 1, 2, 13.0]])
    np.testing.assert_allclose(host(x), expected)
    check_on_device(x, device)
    assert x._version == 9
    b = mt.zeros(2, 2, dtype=mt.int32, device=device)
    b[0] = mt.tensor([1, 2], device=device)         # int64 value into an int32 tensor
    assert b.tolist() == [[1, 2], [0, 0]] and b.dtype is mt.int32
    mask = mt.tensor([[True, False], [False, True]], device=device)
    b[mask] = mt.tensor([7, 8], dtype=mt.int32, device=device)
    assert b.tolist() == [[7, 2], [0, 8]]


def test_setitem_bad_value_shape(device):
    x = mt.zeros(3, device=device)
    with pytest.raises(ValueError, match=r'x\[index\] = value.*\[3\]'):
        x[:] = mt.ones(2, device=device)
    assert x.tolist() == [0.0, 0.0, 0.0] and x._version == 0


def test_views_share_memory(device):
    x = mt.arange(6, device=device).float()
    v = x.view(2, 3)
    v[0, 0] = 100.0
    assert x[0].item() == 100.0
    t = v.t()
    t[2, 1] = -5.0
    assert x[5].item() == -5.0 and x._version == 2
    s = x[1:3]
    s.zero_()
    assert x.tolist()[:4] == [100.0, 0.0, 0.0, 3.0]


@pytest.mark.parametrize('kind', ['zeros', 'ones', 'empty'])
def test_new_tensors_need_a_size_and_say_so_by_their_own_name(kind):
    make = getattr(mt.ones(2), f'new_{kind}')
    with pytest.raises(TypeError, match=rf'^new_{kind}\(\) needs a size'):
        make()
    assert make(()).shape == () and make(2, 3).shape == (2, 3) and make((4,)).shape == (4,)
