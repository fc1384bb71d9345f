"""@mt.static.function: tracing, state, retracing, guards, training like eager mode."""
import logging

import numpy as np
import pytest

import minitorch as mt
from minitorch.static import StaticError, StaticWarning
from helpers import training_step

F = mt.nn.functional


def _train(make_model, make_opt, x, y, loss_fn, static, steps=5):
    mt.manual_seed(0)
    model = make_model().double()
    step = training_step(model, make_opt(model.parameters()), loss_fn)
    f = mt.static.function(step) if static else step
    losses = [f(x, y).item() for _ in range(steps)]
    return losses, f, model


class LSTMRegressor(mt.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm, self.head = mt.nn.LSTM(3, 6), mt.nn.Linear(6, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[-1])


RNG = np.random.default_rng(0)
CASES = {
    'mlp, SGD with momentum and dampening': (
        lambda: mt.nn.Sequential(mt.nn.Linear(8, 16), mt.nn.Tanh(), mt.nn.Linear(16, 3)),
        lambda p: mt.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1),
        (32, 8), (32, 3), F.mse_loss),
    'mlp with dropout, Adam (amsgrad)': (
        lambda: mt.nn.Sequential(mt.nn.Linear(8, 16), mt.nn.ReLU(), mt.nn.Dropout(0.2),
                                 mt.nn.Linear(16, 3)),
        lambda p: mt.optim.Adam(p, lr=0.01, amsgrad=True), (32, 8), (32, 3), F.mse_loss),
    'cnn, AdamW': (
        lambda: mt.nn.Sequential(mt.nn.Conv2d(1, 4, 3), mt.nn.ReLU(), mt.nn.MaxPool2d(2),
                                 mt.nn.Flatten(), mt.nn.Linear(4 * 3 * 3, 10)),
        lambda p: mt.optim.AdamW(p, lr=0.01), (8, 1, 8, 8), (8, 10), F.mse_loss),
    'lstm, RMSprop': (LSTMRegressor, lambda p: mt.optim.RMSprop(p, lr=0.01, momentum=0.5,
                                                                centered=True),
                      (5, 4, 3), (4, 1), F.mse_loss),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_models_train_to_the_same_losses_statically_as_eagerly(case):
    make_model, make_opt, xs, ys, loss_fn = CASES[case]
    x = mt.tensor(RNG.standard_normal(xs), dtype=mt.float64)
    y = mt.tensor(RNG.standard_normal(ys), dtype=mt.float64)
    eager, _, eager_model = _train(make_model, make_opt, x, y, loss_fn, static=False)
    static, f, static_model = _train(make_model, make_opt, x, y, loss_fn, static=True)
    np.testing.assert_allclose(static, eager, rtol=1e-12)
    for a, b in zip(eager_model.parameters(), static_model.parameters()):
        np.testing.assert_allclose(b.detach().numpy(), a.detach().numpy(), rtol=1e-12, atol=1e-15)
    assert f.retraces == 0
    assert len(f.graph) > 0


def test_the_seed_net_matches_eager_and_writes_its_weights_in_place():
    rng = np.random.default_rng(1)
    x = mt.tensor(rng.standard_normal((64, 100)).astype(np.float32))
    y = mt.tensor(rng.standard_normal((64, 10)).astype(np.float32))
    w1n, w2n = (rng.standard_normal(s).astype(np.float32) for s in [(100, 20), (20, 10)])

    def run(static):
        w1, w2 = mt.tensor(w1n, requires_grad=True), mt.tensor(w2n, requires_grad=True)
        w1_array = w1._data

        def step(x, y):
            loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
            loss.backward()
            with mt.no_grad():
                w1.sub_(1e-6 * w1.grad)
                w2.sub_(1e-6 * w2.grad)
                w1.grad = w2.grad = None
            return loss
        f = mt.static.function(step) if static else step
        losses = [f(x, y).item() for _ in range(10)]
        assert w1._data is w1_array           # updated in place, as the eager loop does
        assert w1.grad is None
        return losses
    np.testing.assert_allclose(run(True), run(False), rtol=1e-5)


def test_retracing_only_on_a_new_signature_and_the_log_says_why(caplog):
    calls = []

    @mt.static.function
    def f(x, scale):
        calls.append(1)
        return (x * scale).sum()
    with caplog.at_level(logging.INFO, logger='minitorch.static'):
        f(mt.ones(4, 2), 2.0)
        f(mt.ones(4, 2), 2.0)
        f(mt.zeros(4, 2), 2.0)              # same signature, other values: no trace
        assert f.retraces == 0 and len(calls) == 1
        f(mt.ones(3, 2), 2.0)
        f(mt.ones(3, 2, dtype=mt.float64), 2.0)
        f(mt.ones(3, 2, dtype=mt.float64), 3.0)
    assert f.retraces == 3
    reasons = [reason for _, reason in f.trace_log]
    assert reasons == ['first call', 'x: shape (4, 2) → (3, 2)', 'x: dtype float32 → float64',
                       'scale: 2.0 → 3.0']
    assert f(mt.ones(5, 1, dtype=mt.float64), 3.0) is not None
    assert f.trace_log[-1][1] == 'x: shape (3, 2) → (5, 1)'
    assert 'x: shape (4, 2) → (3, 2)' in caplog.text
    f(mt.ones(4, 2), 2.0)                   # back to a signature seen before: cached
    assert f.retraces == 4


def test_python_values_baked_in_are_guarded():
    model = mt.nn.Sequential(mt.nn.Linear(3, 3), mt.nn.Dropout(0.5))
    opt = mt.optim.SGD(model.parameters(), lr=0.1)

    @mt.static.function
    def step(x):
        opt.zero_grad()
        model(x).sum().backward()
        opt.step()

    x = mt.ones(2, 3)
    step(x)
    step(x)
    assert step.retraces == 0
    opt.param_groups[0]['lr'] = 0.05
    step(x)
    assert step.retraces == 1 and "['lr']: 0.1 → 0.05" in step.trace_log[-1][1]
    model.eval()
    step(x)
    assert step.retraces == 2 and '.training: True → False' in step.trace_log[-1][1]


def test_state_changed_eagerly_between_calls_is_seen():
    w = mt.ones(3, requires_grad=True)

    @mt.static.function
    def f(x):
        return (w * x).sum()
    assert f(mt.ones(3)).item() == 3
    with mt.no_grad():
        w.mul_(2)
    assert f(mt.ones(3)).item() == 6


def test_tracing_leaves_the_model_and_its_grads_alone():
    lin = mt.nn.Linear(3, 2)
    before = [p.detach().clone() for p in lin.parameters()]
    lin(mt.ones(1, 3)).sum().backward()
    grads = [p.grad.clone() for p in lin.parameters()]
    versions = [p._version for p in lin.parameters()]
    f = mt.static.function(lambda x: lin(x).sum())
    f.__wrapped__ = None
    graph_only = mt.static.function(lambda x: lin(x).sum())
    graph_only(mt.ones(4, 3))
    for p, b, g, v in zip(lin.parameters(), before, grads, versions):
        assert mt.equal(p.detach(), b) and mt.equal(p.grad, g) and p._version == v


def test_gradients_of_arguments_reach_the_real_arguments():
    @mt.static.function
    def f(x):
        (x * x).sum().backward()
        return x * 1

    x = mt.tensor([1.0, 2.0], requires_grad=True)
    f(x)
    assert x.grad.tolist() == [2.0, 4.0]
    y = mt.tensor([3.0, 1.0], requires_grad=True)
    f(y)
    assert y.grad.tolist() == [6.0, 2.0]


def test_print_inside_a_traced_function_warns(capsys):
    @mt.static.function
    def f(x):
        print('tracing')
        return x + 1
    with pytest.warns(StaticWarning, match='printed while it was being traced'):
        f(mt.ones(2))
    f(mt.ones(2))
    assert capsys.readouterr().out == 'tracing\n'


@pytest.mark.parametrize('use', [lambda t: bool(t.sum() > 0), lambda t: t.sum().item(),
                                 lambda t: t.numpy(), lambda t: float(t.sum()),
                                 lambda t: t.tolist()])
def test_python_control_flow_on_a_symbolic_tensor_names_the_line(use):
    f = mt.static.function(lambda x: use(x))
    with pytest.raises(StaticError, match=r'test_function\.py:\d+.*(cond|while_loop|tensor|run)'):
        f(mt.ones(2))


def test_a_symbolic_tensor_leaking_into_eager_code_says_so():
    leaked = []

    @mt.static.function
    def f(x):
        y = x * 2
        leaked.append(y)
        return y
    f(mt.ones(2))
    with pytest.raises(StaticError, match='used in eager code'):
        leaked[0] + 1


def test_the_generated_code_is_readable_and_calls_the_array_module():
    f = mt.static.function(lambda x, w: (x @ w).tanh().sum())
    f(mt.ones(4, 3), mt.ones(3, 2))
    code = f.code
    assert code.startswith('def ') and 'matmul(x, w' in code and 'xp.tanh' in code
    assert 'apply' not in code
    text = str(f.graph)
    assert 'matmul x w' in text and 'f32[4,2]' in text


def test_losses_with_class_indices_trace_and_check_each_runs_targets():
    f = mt.static.function(lambda x, t: F.cross_entropy(x, t))
    x = mt.randn(4, 3)
    t = mt.tensor([0, 1, 2, 1])
    assert f(x, t).item() == pytest.approx(F.cross_entropy(x, t).item(), rel=1e-6)
    with pytest.raises(IndexError, match='target 5 is out of bounds for 3 classes'):
        f(x, mt.tensor([0, 1, 5, 1]))
    assert f.retraces == 0


def test_a_result_whose_shape_depends_on_values_is_refused_clearly():
    f = mt.static.function(lambda x: x[x > 0].sum())
    with pytest.raises(StaticError, match='depends on the values of its inputs.*masked_fill'):
        f(mt.randn(4))


def test_an_arguments_grad_is_added_to_as_eager_backward_does():
    @mt.static.function
    def step(x):
        (x * x).sum().backward()
    x = mt.ones(2, requires_grad=True)
    for _ in range(3):
        step(x)
    assert x.grad.tolist() == [6.0, 6.0] and step.retraces == 0


def test_a_grad_present_before_the_first_call_is_read_and_then_cleared():
    w = mt.randn(3, 2, requires_grad=True)
    x = mt.ones(4, 3)
    x.mm(w).sum().backward()
    expected = (w - 0.1 * (w.grad + x.t().mm(mt.ones(4, 2)))).detach()

    @mt.static.function
    def step():
        x.mm(w).sum().backward()
        with mt.no_grad():
            w.sub_(0.1 * w.grad)
        w.grad = None
    step()
    assert mt.allclose(w.detach(), expected) and w.grad is None


def test_reading_a_symbolic_tensor_names_the_method_the_user_called():
    f = mt.static.function(lambda x: x.numpy())
    with pytest.raises(StaticError, match=r'^\.numpy\(\) needs the value .*call \.numpy\(\) on the result'):
        f(mt.ones(2))


def test_the_user_line_has_no_dangling_colon_when_its_text_is_unknown():
    from minitorch.static.errors import user_line
    namespace = {'user_line': user_line}
    exec(compile('where = user_line()', '<no source>', 'exec'), namespace)
    assert namespace['where'] == '<no source>:1 (<module>)'
