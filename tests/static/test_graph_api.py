"""Define-then-run: Graph, placeholder, Variable, Operations, gradients, minimize, Session."""
import numpy as np
import pytest

import minitorch as mt
from minitorch.static import StaticError

S = mt.static


def _regression_data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 4)).astype(np.float32)
    return x, (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32) + 0.25).astype(np.float32)


def _linear_graph(lr=0.1, optimizer=None):
    with S.Graph('regression') as g:
        x = S.placeholder((None, 4), name='x')
        y = S.placeholder((None, 1), name='y')
        w = S.Variable(mt.zeros(4, 1), name='w')
        b = S.Variable(mt.zeros(1), name='b')
        loss = ((x @ w + b - y) ** 2).mean()
        train = (optimizer or S.optim.SGD(lr)).minimize(loss)
    return g, x, y, w, b, loss, train


def test_training_a_hand_built_graph_matches_eager_training():
    xs, ys = _regression_data()
    g, x, y, w, b, loss, train = _linear_graph()
    sess = S.Session(g)
    static = [sess.run([loss, train], feed={x: xs, y: ys})[0].item() for _ in range(20)]
    we, be = mt.zeros(4, 1, requires_grad=True), mt.zeros(1, requires_grad=True)
    opt = mt.optim.SGD([we, be], lr=0.1)
    eager = []
    for _ in range(20):
        opt.zero_grad()
        l_ = ((mt.from_numpy(xs) @ we + be - mt.from_numpy(ys)) ** 2).mean()
        l_.backward()
        opt.step()
        eager.append(l_.item())
    np.testing.assert_allclose(static, eager, rtol=1e-5)
    np.testing.assert_allclose(w.detach().numpy(), we.detach().numpy(), rtol=1e-5)


def test_fetching_without_the_update_changes_nothing():
    xs, ys = _regression_data()
    g, x, y, w, b, loss, train = _linear_graph()
    sess = S.Session(g)
    first = sess.run(loss, feed={x: xs, y: ys}).item()
    assert sess.run(loss, feed={x: xs, y: ys}).item() == first
    assert w.abs().sum().item() == 0
    sess.run(train, feed={x: xs, y: ys})
    assert sess.run(loss, feed={x: xs, y: ys}).item() < first


def test_adam_minimize_keeps_its_moments_as_state():
    xs, ys = _regression_data()
    g, x, y, w, b, loss, train = _linear_graph(optimizer=S.optim.Adam(0.05))
    sess = S.Session(g)
    losses = [sess.run([loss, train], feed={x: xs, y: ys})[0].item() for _ in range(60)]
    assert losses[-1] < 0.1 * losses[0]


def test_none_dims_specialise_per_feed_shape_and_say_why():
    xs, ys = _regression_data(32)
    g, x, y, w, b, loss, train = _linear_graph()
    sess = S.Session(g)
    sess.run(train, feed={x: xs, y: ys})
    small = sess.run(loss, feed={x: xs[:5], y: ys[:5]}).item()
    expected = (((xs[:5] @ w.detach().numpy() + b.item()) - ys[:5]) ** 2).mean()
    assert small == pytest.approx(float(expected), rel=1e-5)
    assert sess.log == ['x: shape (2, 4) → (32, 4); y: shape (2, 1) → (32, 1)',
                        'x: shape (2, 4) → (5, 4); y: shape (2, 1) → (5, 1)']
    sess.run(loss, feed={x: xs[:5], y: ys[:5]})
    assert len(sess.log) == 2                   # cached


def test_assign_operations_and_group():
    with S.Graph() as g:
        v = S.Variable(mt.tensor([1.0, 2.0]), name='v')
        c = S.Variable(mt.tensor(0.0), name='count')
        double = v.assign(v * 2)
        tick = c.assign_add(1.0)
        both = S.group(double, tick)
        total = v.sum()
    sess = S.Session(g)
    assert sess.run(total).item() == 3
    assert sess.run(double).tolist() == [2.0, 4.0]      # an assignment fetches its new value
    assert sess.run(both) is None
    assert v.tolist() == [4.0, 8.0] and c.item() == 1.0
    assert sess.run(total).item() == 12


def test_gradients_against_placeholders_and_variables():
    with S.Graph() as g:
        x = S.placeholder((3,), name='x')
        w = S.Variable(mt.tensor([1.0, 2.0, 3.0]), name='w')
        y = (x * w).sum() * 2
        gx, gw = S.gradients(y, [x, w])
    sess = S.Session(g)
    out = sess.run([gx, gw], feed={x: [1.0, 1.0, 2.0]})
    assert out[0].tolist() == [2.0, 4.0, 6.0] and out[1].tolist() == [2.0, 2.0, 4.0]


def test_a_model_built_inside_the_graph_gets_real_parameters():
    mt.manual_seed(0)
    with S.Graph() as g:
        x = S.placeholder((None, 3), name='x')
        model = mt.nn.Sequential(mt.nn.Linear(3, 4), mt.nn.Tanh(), mt.nn.Linear(4, 1))
        out = model(x)
    weight = model[0].weight.detach().clone()
    assert weight.abs().sum().item() > 0
    data = np.ones((5, 3), np.float32)
    np.testing.assert_allclose(S.Session(g).run(out, feed={x: data}).numpy(),
                               model(mt.from_numpy(data)).detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize('feed, message', [
    (lambda x, y: {x: np.ones((8, 5), np.float32), y: np.ones((8, 1), np.float32)},
     r"placeholder 'x': expected shape \(None, 4\), got \(8, 5\)"),
    (lambda x, y: {x: np.ones((8, 4), np.complex64), y: np.ones((8, 1), np.float32)},
     "placeholder 'x': expected dtype minitorch.float32, got complex64"),
    (lambda x, y: {x: np.ones((8, 4), np.float32)}, "missing feed for placeholder 'y'"),
])
def test_bad_feeds_name_the_placeholder(feed, message):
    g, x, y, w, b, loss, train = _linear_graph()
    with pytest.raises(StaticError, match=message):
        S.Session(g).run(loss, feed=feed(x, y))


def test_fetching_a_value_of_another_graph_is_an_error():
    g1, x1, *_, loss1, _ = _linear_graph()
    g2, *_ = _linear_graph()
    with pytest.raises(StaticError, match="not a tensor of graph 'regression'.*belongs to graph"):
        S.Session(g2).run(loss1)


def test_a_finalized_graph_takes_no_more_ops():
    g, x, *_ = _linear_graph()
    S.Session(g)
    with pytest.raises(StaticError, match='finalized'):
        with g:
            x * 2


def test_placeholders_need_a_graph():
    with pytest.raises(StaticError, match='inside `with mt.static.Graph'):
        S.placeholder((2,))


def test_a_size_baked_in_from_a_none_dim_is_explained():
    with S.Graph() as g:
        x = S.placeholder((None, 4), name='x')
        y = x.view(x.shape[0] * 4)              # bakes the stand-in size
    with pytest.raises(StaticError, match='baked in a size that came from a None dim'):
        S.Session(g).run(y, feed={x: np.ones((3, 4), np.float32)})


def test_float64_data_feeds_a_float32_placeholder():
    xs, ys = _regression_data()
    g, x, y, w, b, loss, train = _linear_graph()
    value = S.Session(g).run(loss, feed={x: xs.astype(np.float64), y: ys.astype(np.float64)})
    assert value.dtype == mt.float32


def test_a_cnn_with_flatten_specialises_to_new_batch_sizes():
    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Conv2d(1, 2, 3), mt.nn.ReLU(), mt.nn.Flatten(),
                             mt.nn.Linear(2 * 4 * 4, 3))
    with S.Graph() as g:
        x = S.placeholder((None, 1, 6, 6), name='x')
        out = model(x).unsqueeze(0).squeeze(0).sum()
    data = np.random.default_rng(0).standard_normal((5, 1, 6, 6)).astype(np.float32)
    got = S.Session(g).run(out, feed={x: data}).item()
    assert got == pytest.approx(model(mt.from_numpy(data)).sum().item(), rel=1e-5)
