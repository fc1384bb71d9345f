"""scan, cond, while_loop: graph operators with sub-graphs, eagerly and in traced graphs."""
import numpy as np
import pytest

import minitorch as mt
from minitorch.static import StaticError

S = mt.static
RNG = np.random.default_rng(0)


def _f64(*shape, requires_grad=True):
    return mt.tensor(RNG.standard_normal(shape), dtype=mt.float64, requires_grad=requires_grad)


def _rnn_loop(h, xs, w):
    states = []
    for t in range(xs.shape[0]):
        h = (h @ w + xs[t]).tanh()
        states.append(h)
    return mt.stack(states)


def test_scan_equals_the_python_loop_and_its_gradients_check():
    w, h0, xs = _f64(3, 3), _f64(2, 3), _f64(5, 2, 3)
    ys = S.scan(lambda h, x: (h @ w + x).tanh(), h0, xs)
    np.testing.assert_allclose(ys.detach().numpy(), _rnn_loop(h0, xs, w).detach().numpy(),
                               rtol=1e-14)
    assert mt.autograd.gradcheck(lambda h0, xs, w: S.scan(lambda h, x: (h @ w + x).tanh(), h0, xs),
                                 [h0, xs, w])


def test_scan_with_a_tuple_carry():
    xs = _f64(4, 2)
    out = S.scan(lambda c, x: (c[0] + x, c[1] * x), (mt.zeros(2, dtype=mt.float64),
                                                     mt.ones(2, dtype=mt.float64)), xs)
    assert isinstance(out, tuple) and out[0].shape == (4, 2)
    np.testing.assert_allclose(out[0].detach().numpy(), np.cumsum(xs.detach().numpy(), 0))
    np.testing.assert_allclose(out[1].detach().numpy(), np.cumprod(xs.detach().numpy(), 0))


def test_a_scan_graph_does_not_grow_with_the_sequence_length():
    w, h0 = _f64(3, 3), _f64(2, 3)
    f = S.function(lambda h0, xs: S.scan(lambda h, x: (h @ w + x).tanh(), h0, xs).sum(),
                   optimize=False)
    sizes = []
    for length in (3, 30):
        xs = _f64(length, 2, 3, requires_grad=False)
        np.testing.assert_allclose(f(h0, xs).item(), _rnn_loop(h0, xs, w).sum().item(), rtol=1e-12)
        sizes.append(len(f.graph))
    assert sizes[0] == sizes[1] == 2                 # scan + sum, however long the sequence
    assert [n.name for n in f.graph.nodes] == ['scan', 'sum']


def test_a_traced_training_step_through_scan_matches_eager_gradients():
    w, h0, xs = _f64(3, 3), _f64(2, 3, requires_grad=False), _f64(6, 2, 3, requires_grad=False)

    def grads(rnn):
        w.grad = None
        rnn(h0, xs, w).pow(2).sum().backward()
        return w.grad.clone()
    eager = grads(_rnn_loop)
    traced = S.function(lambda: grads(lambda h, x, ww: S.scan(lambda c, t: (c @ ww + t).tanh(), h,
                                                               x)))()
    np.testing.assert_allclose(traced.numpy(), eager.numpy(), rtol=1e-12)


def test_scan_refuses_a_carry_that_changes_shape():
    with pytest.raises(StaticError, match='must return a carry like init'):
        S.scan(lambda c, x: mt.cat([c, x]), mt.zeros(2), mt.ones(3, 2))


def test_cond_picks_a_branch_and_differentiates_it():
    x = _f64(2)
    f = lambda x: S.cond(x.sum() > 0, lambda: (x * 2).sum(), lambda: (x ** 2).sum())  # noqa: E731
    for values in ([1.0, 2.0], [-3.0, 1.0]):
        t = mt.tensor(values, dtype=mt.float64, requires_grad=True)
        expected = (t * 2).sum() if sum(values) > 0 else (t ** 2).sum()
        assert f(t).item() == expected.item()
        assert mt.autograd.gradcheck(f, [t])
    traced = S.function(f)
    assert traced(mt.tensor([1.0, 2.0], dtype=mt.float64)).item() == 6
    assert traced(mt.tensor([-3.0, 1.0], dtype=mt.float64)).item() == 10      # one graph, both ways
    assert traced.retraces == 0 and x.grad is None


def test_cond_branches_must_agree():
    with pytest.raises(StaticError, match='different shapes or dtypes'):
        S.cond(mt.tensor(True), lambda: mt.zeros(2), lambda: mt.zeros(3))


def test_while_loop_runs_until_its_condition_fails():
    out = S.while_loop(lambda c: c[0] < 10, lambda c: (c[0] + 1, c[1] * 2),
                       (mt.tensor(0), mt.tensor(1.0)))
    assert out[0].item() == 10 and out[1].item() == 1024
    f = S.function(lambda n: S.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] * 2),
                                          (mt.tensor(0), mt.tensor(1.0)))[1])
    assert [f(mt.tensor(k)).item() for k in (3, 5, 0)] == [8.0, 32.0, 1.0]
    assert f.retraces == 0


def test_python_control_flow_in_a_graph_points_to_cond():
    f = S.function(lambda x: x * 2 if x.sum() > 0 else x)
    with pytest.raises(StaticError, match='mt.static.cond'):
        f(mt.ones(2))
