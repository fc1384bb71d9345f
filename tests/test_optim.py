"""Optimizers against their update equations, step by step (numpy, float64); parameter groups,
zero_grad, state_dict round trips and learning-rate schedules.  Against PyTorch where installed."""
import math

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn, optim
from helpers import host

STEPS = 4


def grads(seed=1):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(5) for _ in range(STEPS)]


def run_ours(make, p0, gs):
    p = nn.Parameter(mt.tensor(p0, dtype=mt.float64))
    opt = make([p])
    trajectory = []
    for g in gs:
        p.grad = mt.tensor(g, dtype=mt.float64)
        opt.step()
        trajectory.append(host(p).copy())
    return trajectory


# --- the update equations, in numpy ---------------------------------------------------------------
def sgd_ref(p, gs, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    buf, out = None, []
    for g in gs:
        g = g + weight_decay * p
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
        out.append(p)
    return out


def adam_ref(p, gs, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False,
             amsgrad=False):
    m, v, vmax, out = 0 * p, 0 * p, 0 * p, []
    for t, g in enumerate(gs, 1):
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g * g
        vmax = np.maximum(vmax, v)
        v_hat = (vmax if amsgrad else v) / (1 - betas[1] ** t)
        p = p - lr * (m / (1 - betas[0] ** t)) / (np.sqrt(v_hat) + eps)
        out.append(p)
    return out


def rmsprop_ref(p, gs, lr, alpha=0.99, eps=1e-8, momentum=0.0, centered=False):
    s, avg_g, buf, out = 0 * p, 0 * p, 0 * p, []
    for g in gs:
        s = alpha * s + (1 - alpha) * g * g
        avg = s
        if centered:
            avg_g = alpha * avg_g + (1 - alpha) * g
            avg = s - avg_g ** 2
        step = g / (np.sqrt(avg) + eps)
        if momentum:
            buf = momentum * buf + step
            step = buf
        p = p - lr * step
        out.append(p)
    return out


def adagrad_ref(p, gs, lr, lr_decay=0.0, eps=1e-10, initial=0.0):
    s, out = 0 * p + initial, []
    for t, g in enumerate(gs, 1):
        s = s + g * g
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s) + eps)
        out.append(p)
    return out


CASES = [
    ('sgd', lambda ps: optim.SGD(ps, lr=0.1), lambda p, g: sgd_ref(p, g, 0.1)),
    ('sgd momentum', lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
     lambda p, g: sgd_ref(p, g, 0.1, 0.9, 0.1, 0.01)),
    ('sgd nesterov', lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
     lambda p, g: sgd_ref(p, g, 0.1, 0.9, nesterov=True)),
    ('adam', lambda ps: optim.Adam(ps, lr=0.01, weight_decay=0.1),
     lambda p, g: adam_ref(p, g, 0.01, weight_decay=0.1)),
    ('adam amsgrad', lambda ps: optim.Adam(ps, lr=0.01, betas=(0.8, 0.9), amsgrad=True),
     lambda p, g: adam_ref(p, g, 0.01, betas=(0.8, 0.9), amsgrad=True)),
    ('adamw', lambda ps: optim.AdamW(ps, lr=0.01, weight_decay=0.1),
     lambda p, g: adam_ref(p, g, 0.01, weight_decay=0.1, decoupled=True)),
    ('rmsprop', lambda ps: optim.RMSprop(ps, lr=0.01), lambda p, g: rmsprop_ref(p, g, 0.01)),
    ('rmsprop centered momentum', lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
     lambda p, g: rmsprop_ref(p, g, 0.01, momentum=0.5, centered=True)),
    ('adagrad', lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1),
     lambda p, g: adagrad_ref(p, g, 0.1, 0.01, initial=0.1)),
]


@pytest.mark.parametrize('name, make, ref', CASES, ids=[c[0] for c in CASES])
def test_updates_follow_the_equations(name, make, ref):
    p0 = np.random.default_rng(0).standard_normal(5)
    ours = run_ours(make, p0, grads())
    for step, (a, b) in enumerate(zip(ours, ref(p0, grads()))):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f'{name}, step {step + 1}')


TORCH_CASES = [
    ('SGD', dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ('SGD', dict(lr=0.1, momentum=0.9, nesterov=True)),
    ('Adam', dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ('AdamW', dict(lr=0.01)),
    ('RMSprop', dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1)),
    ('Adagrad', dict(lr=0.1, lr_decay=0.01, weight_decay=0.1)),
]


@pytest.mark.parametrize('name, kwargs', TORCH_CASES)
def test_updates_match_pytorch_when_installed(name, kwargs):
    torch = pytest.importorskip('torch')
    p0 = np.random.default_rng(0).standard_normal(5)
    ours = run_ours(lambda ps: getattr(optim, name)(ps, **kwargs), p0, grads())
    tp = torch.nn.Parameter(torch.tensor(p0))
    topt = getattr(torch.optim, name)([tp], **kwargs)
    for step, g in enumerate(grads()):
        tp.grad = torch.tensor(g)
        topt.step()
        np.testing.assert_allclose(ours[step], tp.detach().numpy(), rtol=1e-10, atol=1e-13)


def test_param_groups_have_their_own_learning_rates():
    a, b = nn.Parameter(mt.ones(2)), nn.Parameter(mt.ones(2))
    opt = optim.SGD([{'params': [a]}, {'params': b, 'lr': 0.5}], lr=0.1)
    assert [g['lr'] for g in opt.param_groups] == [0.1, 0.5]
    (a.sum() + b.sum()).backward()
    opt.step()
    assert host(a).tolist() == pytest.approx([0.9, 0.9]) and host(b).tolist() == [0.5, 0.5]
    with pytest.raises(ValueError, match='more than one parameter group'):
        opt.add_param_group({'params': [a]})


def test_zero_grad_and_bad_params():
    p = nn.Parameter(mt.ones(3))
    opt = optim.Adam([p])
    (p * 2).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert host(p.grad).tolist() == [0, 0, 0]
    opt.zero_grad()
    assert p.grad is None
    opt.step()                                   # parameters without a gradient are skipped
    assert host(p).tolist() == [1, 1, 1]
    with pytest.raises(TypeError, match='got a Tensor'):
        optim.SGD(p, lr=0.1)
    with pytest.raises(ValueError, match='non-leaf'):
        optim.SGD([p * 2], lr=0.1)
    with pytest.raises(ValueError, match='empty parameter list'):
        optim.SGD([], lr=0.1)


def test_step_runs_without_recording_and_keeps_the_parameter_objects():
    model = nn.Linear(3, 2)
    before = [id(p) for p in model.parameters()]
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(mt.ones(4, 3)).sum().backward()
    opt.step()
    assert [id(p) for p in model.parameters()] == before
    assert all(p.is_leaf and p.grad_fn is None for p in model.parameters())


def test_closure_is_called_with_grad_enabled():
    p = nn.Parameter(mt.tensor([2.0]))
    opt = optim.SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss
    with mt.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4 and p.item() == pytest.approx(1.0)


def test_state_dict_round_trip_continues_identically():
    def make():
        mt.manual_seed(0)
        model = nn.Linear(3, 2)
        return model, optim.Adam(model.parameters(), lr=0.1)

    x = mt.randn(5, 3)
    model, opt = make()
    for _ in range(2):
        opt.zero_grad()
        model(x).pow(2).sum().backward()
        opt.step()
    saved_model = {k: v.clone() for k, v in model.state_dict().items()}
    saved_opt = opt.state_dict()
    assert saved_opt['param_groups'][0]['params'] == [0, 1]
    assert saved_opt['state'][0]['step'] == 2
    model2, opt2 = make()
    model2.load_state_dict(saved_model)
    opt2.load_state_dict(saved_opt)
    for m, o in [(model, opt), (model2, opt2)]:
        o.zero_grad()
        m(x).pow(2).sum().backward()
        o.step()
    assert all(mt.equal(a, b) for a, b in zip(model.parameters(), model2.parameters()))
    with pytest.raises(ValueError, match='parameter groups'):
        optim.Adam([{'params': [nn.Parameter(mt.ones(1))]}, {'params': [nn.Parameter(mt.ones(1))]}]
                   ).load_state_dict(saved_opt)


def test_learning_rate_schedules():
    def lrs(make, epochs=7):
        opt = optim.SGD([nn.Parameter(mt.ones(1))], lr=1.0)
        sched = make(opt)
        out = []
        for _ in range(epochs):
            out.append(sched.get_last_lr()[0])
            opt.step()
            sched.step()
        return out

    sl = optim.lr_scheduler
    assert lrs(lambda o: sl.StepLR(o, step_size=3, gamma=0.5)) == pytest.approx(
        [1, 1, 1, 0.5, 0.5, 0.5, 0.25])
    assert lrs(lambda o: sl.ExponentialLR(o, gamma=0.9)) == pytest.approx(
        [0.9 ** e for e in range(7)])
    assert lrs(lambda o: sl.CosineAnnealingLR(o, T_max=6, eta_min=0.1)) == pytest.approx(
        [0.1 + 0.9 * (1 + math.cos(math.pi * e / 6)) / 2 for e in range(7)])
    assert lrs(lambda o: sl.LambdaLR(o, lambda e: 1 / (e + 1))) == pytest.approx(
        [1 / (e + 1) for e in range(7)])


def test_schedules_match_pytorch_when_installed():
    torch = pytest.importorskip('torch')
    for name, kwargs in [('StepLR', dict(step_size=2, gamma=0.3)),
                         ('CosineAnnealingLR', dict(T_max=5, eta_min=0.01))]:
        ours_opt = optim.SGD([nn.Parameter(mt.ones(1))], lr=0.5)
        theirs_opt = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.5)
        ours = getattr(optim.lr_scheduler, name)(ours_opt, **kwargs)
        theirs = getattr(torch.optim.lr_scheduler, name)(theirs_opt, **kwargs)
        for _ in range(8):
            assert ours.get_last_lr()[0] == pytest.approx(theirs.get_last_lr()[0], rel=1e-9)
            ours_opt.step(), theirs_opt.step()
            ours.step(), theirs.step()
