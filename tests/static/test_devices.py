"""Static graphs on every device: compiled code calls the device's array module (the stand-in GPU
refuses numpy arrays, as CuPy does, so a host array slipping into the compiled code fails here)."""
import numpy as np
import pytest

import minitorch as mt
from minitorch.static import StaticError
from helpers import host, training_step


def test_a_traced_training_step_runs_on_the_device_like_eager(device):
    def train(static):
        mt.manual_seed(0)
        model = mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.Tanh(), mt.nn.Linear(8, 1)).double()
        model.to(device)
        opt = mt.optim.Adam(model.parameters(), lr=0.01)
        x = mt.arange(64.0, dtype=mt.float64, device=device).reshape(16, 4).sin()
        y = mt.arange(16.0, dtype=mt.float64, device=device).reshape(16, 1).cos()
        step = training_step(model, opt)
        f = mt.static.function(step) if static else step
        losses = [f(x, y) for _ in range(4)]
        assert all(loss.device == device for loss in losses)
        return [host(loss).item() for loss in losses]
    np.testing.assert_allclose(train(True), train(False), rtol=1e-12)


def test_scan_and_cond_run_on_the_device(device):
    xs = mt.ones(5, 3, dtype=mt.float64, device=device)
    ys = mt.static.scan(lambda h, x: (h + x).tanh(), mt.zeros(3, dtype=mt.float64, device=device),
                        xs)
    assert ys.device == device and ys.shape == (5, 3)
    h, expected = np.zeros(3), []
    for _ in range(5):
        h = np.tanh(h + 1)
        expected.append(h)
    np.testing.assert_allclose(host(ys), np.array(expected), rtol=1e-14)
    x = mt.tensor([1.0, -3.0], dtype=mt.float64, device=device)
    out = mt.static.cond(x.sum() > 0, lambda: x * 2, lambda: x * 3)
    assert out.device == device and host(out).tolist() == [3.0, -9.0]


def test_a_define_then_run_graph_runs_in_a_session_on_the_device(device):
    with mt.static.Graph() as g:
        x = mt.static.placeholder((None, 2), name='x')
        w = mt.static.Variable(mt.ones(2, 1, device=device), name='w')
        out = (x.to(device) @ w).sum()
    value = mt.static.Session(g, device=device).run(out, feed={x: np.ones((3, 2), np.float32)})
    assert value.device == device and host(value).item() == 6.0


def test_a_traced_function_refuses_arguments_on_two_devices():
    f = mt.static.function(lambda x, y: x * 2)
    with pytest.raises(StaticError, match='an argument is on fakegpu:0 but the graph was compiled '
                                          'for cpu'):
        f(mt.ones(2), mt.ones(2, device='fakegpu'))
