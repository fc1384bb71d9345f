"""The dispatch hook sees every primitive; grad mode and module scopes are per thread."""
import threading

import numpy as np

import minitorch as mt
from minitorch.autograd.dispatch import DispatchMode, INSTALLED


class Recorder(DispatchMode):
    def __init__(self):
        self.ops = []
        self.grads_set = []

    def dispatch(self, fn, args, kwargs, run):
        self.ops.append(fn.__name__)
        return run(fn, args, kwargs)

    def on_set_grad(self, tensor, grad):
        self.grads_set.append(tensor)


def test_a_mode_sees_forward_and_backward_ops():
    x = mt.randn(3, requires_grad=True)
    with Recorder() as rec:
        y = (x * 2).exp().sum()
        y.backward()
    assert rec.ops[:3] == ['Mul', 'Exp', 'Sum']
    assert len(rec.ops) > 3                 # backward's own tensor ops went through the hook too
    assert INSTALLED[0] == 0


def test_modes_nest_and_a_mode_does_not_see_its_own_ops():
    class Outer(Recorder):
        pass

    class Noisy(Recorder):
        def dispatch(self, fn, args, kwargs, run):
            mt.ones(1) + 1                  # the mode's own op goes to the enclosing mode only
            return super().dispatch(fn, args, kwargs, run)

    x = mt.ones(2)
    with Outer() as outer, Noisy() as inner:
        x.exp()
    assert inner.ops == ['Exp']
    assert outer.ops == ['Add', 'Exp']


def test_a_mode_in_one_thread_does_not_see_another_threads_ops():
    seen_elsewhere = []

    def other():
        mt.ones(2).exp()
        seen_elsewhere.append(True)
    with Recorder() as rec:
        t = threading.Thread(target=other)
        t.start()
        t.join()
        mt.ones(2).sin()
    assert seen_elsewhere == [True]
    assert rec.ops == ['Sin']


def test_no_grad_in_one_thread_leaves_another_recording():
    inside = threading.Event()
    done = threading.Event()
    results = {}

    def evaluate():
        with mt.no_grad():
            inside.set()
            done.wait(5)
            results['eval'] = (mt.ones(1, requires_grad=True) * 2).requires_grad

    t = threading.Thread(target=evaluate)
    t.start()
    inside.wait(5)
    x = mt.ones(2, requires_grad=True)
    results['train'] = (x * 3).requires_grad
    done.set()
    t.join()
    assert results == {'eval': False, 'train': True}


def test_two_threads_training_match_one_thread():
    def train(seed, out):
        rng = np.random.default_rng(seed)
        model = mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.Tanh(), mt.nn.Linear(8, 1)).double()
        with mt.no_grad():
            for p in model.parameters():
                p.copy_(mt.tensor(rng.standard_normal(p.shape), dtype=mt.float64))
        opt = mt.optim.SGD(model.parameters(), lr=0.05)
        x = mt.tensor(rng.standard_normal((16, 4)), dtype=mt.float64)
        y = mt.tensor(rng.standard_normal((16, 1)), dtype=mt.float64)
        losses = []
        for _ in range(30):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            with mt.no_grad():          # an evaluation inside the loop must not disturb the other
                losses.append(model(x).sum().item())
        out[seed] = losses

    alone = {}
    train(0, alone)
    train(1, alone)
    together = {}
    threads = [threading.Thread(target=train, args=(s, together)) for s in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert together == alone


def test_module_scope_is_per_thread():
    from minitorch.autograd.scope import current
    seen = {}
    lin = mt.nn.Linear(2, 2)
    barrier = threading.Barrier(2)

    class Probe(mt.nn.Module):
        def forward(self, x):
            barrier.wait(5)
            seen[threading.current_thread().name] = current()
            barrier.wait(5)
            return lin(x)

    probe = Probe()

    def other():
        barrier.wait(5)
        seen['other'] = current()
        barrier.wait(5)
    t = threading.Thread(target=other)
    t.start()
    probe(mt.ones(2))
    t.join()
    assert seen['other'] == ()
    assert list(seen[threading.main_thread().name]) == [probe]
