"""Devices: moving tensors, the stand-in GPU itself, and the same training run on every device."""
import numpy as np
import pytest

import minitorch as mt
import fake_gpu
from helpers import check_on_device, host


# --- the stand-in behaves like CuPy where it matters ----------------------------------------------
def test_fake_arrays_stay_fake():
    xp = fake_gpu.xp
    a = xp.arange(6).reshape(2, 3).astype(np.float64)
    assert type(a) is fake_gpu.FakeArray
    for result in [a + 1, a * a, xp.exp(a), a.sum(), xp.sum(a, axis=0), a[0], a[0, 0], a.T, a.max(),
                   xp.where(a > 2, a, 0.0), xp.concatenate([a, a]), xp.maximum(a, 1.0), a.mean(),
                   a.var(), xp.take_along_axis(a, xp.zeros((2, 1), dtype=np.int64), axis=1),
                   xp.random.default_rng(0).random((2,)), xp.lib.stride_tricks.as_strided(a, (3,), (8,))]:
        assert type(result) is fake_gpu.FakeArray, result
    assert a.sum().ndim == 0                    # reductions give 0-d arrays, not numpy scalars
    assert a.T.base is not None and (a + 1).base is None     # views stay views, new arrays are new
    out = xp.zeros(3)
    xp.add.at(out, xp.asarray(np.array([0, 0, 2])), 1.0)
    assert out.tolist() == [2.0, 0.0, 1.0]
    assert type(xp.asnumpy(a)) is np.ndarray and xp.asnumpy(a).tolist() == a.tolist()


@pytest.mark.parametrize('mix', [
    lambda a, h: a + h, lambda a, h: h * a, lambda a, h: fake_gpu.xp.maximum(a, h),
    lambda a, h: np.maximum(h, a), lambda a, h: np.stack([a, h]), lambda a, h: a.__setitem__(0, h)])
def test_fake_arrays_refuse_numpy_arrays(mix):
    with pytest.raises(TypeError, match='Unsupported type'):
        mix(fake_gpu.xp.ones(3), np.ones(3))


# --- moving between devices ------------------------------------------------------------------------
def test_to_and_back_keeps_values_dtype_and_gradients(device):
    x = mt.tensor([[1.5, -2.0]], dtype=mt.float64, requires_grad=True)
    y = x.to(device)
    check_on_device(y, device)
    assert y.dtype is mt.float64 and y.requires_grad and host(y).tolist() == [[1.5, -2.0]]
    z = (y * y).sum()
    check_on_device(z, device)
    z.backward()
    assert x.grad.device == mt.device('cpu') and x.grad.tolist() == [[3.0, -4.0]]
    assert y.to('cpu').device == mt.device('cpu') and y.cpu().tolist() == [[1.5, -2.0]]


def test_tensors_from_device_arrays_stay_on_the_device(device):
    x = mt.arange(4, device=device)
    t = mt.tensor(x._data)
    check_on_device(t, device)
    assert t.tolist() == [0, 1, 2, 3] and t._data is not x._data
    shared = mt.as_tensor(x._data)
    assert shared._data is x._data
    copied = mt.tensor(x)
    check_on_device(copied, device)


def test_numpy_operands_are_moved_to_the_tensor_device(device):
    x = mt.ones(3, device=device)
    for out in [x + np.array([1.0, 2.0, 3.0]), x * np.float32(2), x + [1.0, 2.0, 3.0],
                x * np.array(2.0)]:
        check_on_device(out, device)
    assert (x + np.array([1.0, 2.0, 3.0])).tolist() == [2.0, 3.0, 4.0]


def test_numpy_of_a_device_tensor_asks_for_cpu_first():
    x = mt.ones(2, device='fakegpu')
    with pytest.raises(TypeError, match=r'\.cpu\(\)'):
        x.numpy()
    assert type(x.numpy(force=True)) is np.ndarray
    assert x.cpu().numpy().tolist() == [1.0, 1.0]


def test_device_printing_and_equality(device):
    x = mt.ones(1, device=device)
    assert x.device == device and (x.device.type == 'cpu') == (device.type == 'cpu')
    if device.type != 'cpu':
        assert f"device='{device}'" in repr(x) and x.is_cuda == (device.type == 'cuda')


# --- the same computation everywhere ---------------------------------------------------------------
def _train(device, steps=15):
    """A two-layer network fitted by plain gradient descent; returns the loss curve and weights."""
    rng = np.random.default_rng(0)
    X = mt.tensor(rng.standard_normal((32, 4)), dtype=mt.float64, device=device)
    Y = mt.tensor(rng.standard_normal((32, 1)), dtype=mt.float64, device=device)
    w1 = mt.tensor(rng.standard_normal((4, 8)) * 0.5, device=device, requires_grad=True)
    b1 = mt.zeros(8, dtype=mt.float64, device=device, requires_grad=True)
    w2 = mt.tensor(rng.standard_normal((8, 1)) * 0.5, device=device, requires_grad=True)
    losses = []
    for _ in range(steps):
        h = (X @ w1 + b1).relu()
        pred = h @ w2
        loss = ((pred - Y) ** 2).mean() + 0.01 * (w1 * w1).sum()
        for p in (w1, b1, w2):
            p.grad = None
        loss.backward()
        with mt.no_grad():
            for p in (w1, b1, w2):
                p -= 0.1 * p.grad
        losses.append(loss.item())
    return losses, [host(p) for p in (w1, b1, w2)]


def test_training_gives_the_same_numbers_on_every_device(device):
    cpu_losses, cpu_params = _train(mt.device('cpu'))
    losses, params = _train(device)
    assert losses[-1] < losses[0]
    np.testing.assert_allclose(losses, cpu_losses, rtol=1e-10)
    for got, expected in zip(params, cpu_params):
        np.testing.assert_allclose(got, expected, rtol=1e-10)
