"""The autograd API: Function, backward()/grad() arguments, hooks, grad modes, higher-order gradients."""
import numpy as np
import pytest

import minitorch as mt
from minitorch.autograd import Function
from helpers import check_grad, host, leaf


# --- user Functions, as in PyTorch's tutorial --------------------------------------------------
class MyReLU(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * (x > 0).to(grad.dtype)


class LegendrePolynomial3(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * (5 * x ** 3 - 3 * x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * 1.5 * (5 * x ** 2 - 1)


class ScaledAdd(Function):
    """Two tensor inputs and a number; records needs_input_grad."""
    seen = None

    @staticmethod
    def forward(ctx, a, b, alpha):
        ctx.alpha = alpha
        ScaledAdd.seen = ctx.needs_input_grad
        assert not a.requires_grad and a.grad_fn is None     # forward sees detached tensors
        return a + alpha * b

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (grad if need[0] else None), (grad * ctx.alpha if need[1] else None), None


def test_user_relu_and_legendre(device):
    x = np.array([-1.5, -0.3, 0.4, 2.0])
    check_grad(MyReLU.apply, [x], device)
    check_grad(LegendrePolynomial3.apply, [x], device)
    t = leaf(x, device)
    y = LegendrePolynomial3.apply(t)
    assert y.grad_fn.name() == 'LegendrePolynomial3Backward'
    np.testing.assert_allclose(host(y), 0.5 * (5 * x ** 3 - 3 * x))
    y.sum().backward()
    np.testing.assert_allclose(host(t.grad), 1.5 * (5 * x ** 2 - 1))


def test_needs_input_grad_and_mixed_inputs(device):
    a = mt.ones(3, dtype=mt.float64, device=device)
    b = mt.ones(3, dtype=mt.float64, device=device, requires_grad=True)
    out = ScaledAdd.apply(a, b, 3.0)
    assert ScaledAdd.seen == (False, True, False)
    out.sum().backward()
    assert a.grad is None and host(b.grad).tolist() == [3.0, 3.0, 3.0]
    check_grad(lambda p, q: ScaledAdd.apply(p, q, -2.0), [np.ones(2), np.arange(2.0)], device)
    with mt.no_grad():
        assert not ScaledAdd.apply(a, b, 1.0).requires_grad


def test_function_without_backward_explains():
    class NoBackward(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2
    x = mt.ones(2, requires_grad=True)
    with pytest.raises(NotImplementedError, match='backward'):
        NoBackward.apply(x).sum().backward()


def test_backward_returning_wrong_number_of_grads_explains():
    class Wrong(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, grad):
            return grad
    x = mt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match='Wrong.backward returned 1 gradient.*2 input'):
        Wrong.apply(x, x).sum().backward()


# --- backward() and grad() arguments -------------------------------------------------------------
def test_backward_arguments(device):
    x = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = x * x
    y.backward(gradient=mt.tensor([1.0, 10.0], device=device), retain_graph=True)
    assert host(x.grad).tolist() == [2.0, 40.0]
    y.backward(mt.tensor([1.0, 1.0], device=device))        # accumulates, graph still there
    assert host(x.grad).tolist() == [4.0, 44.0]


def test_backward_inputs_restricts_accumulation(device):
    x = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    w = mt.tensor([3.0, 4.0], device=device, requires_grad=True)
    (x * w).sum().backward(inputs=[w])
    assert x.grad is None and host(w.grad).tolist() == [1.0, 2.0]


def test_backward_create_graph_gives_second_derivatives(device):
    x = mt.tensor([1.0, -2.0, 3.0], dtype=mt.float64, device=device, requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad and g.grad_fn is not None
    np.testing.assert_allclose(host(g), 3 * host(x) ** 2)
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(host(x.grad), 6 * host(x))       # d2/dx2 x**3 = 6x


def test_grad_of_grad_closed_forms(device):
    x = mt.tensor([0.5, 1.5], dtype=mt.float64, device=device, requires_grad=True)
    y = (x ** 3).sum()
    g, = mt.autograd.grad(y, x, create_graph=True)
    gg, = mt.autograd.grad(g.sum(), x, create_graph=True)
    ggg, = mt.autograd.grad(gg.sum(), x)
    np.testing.assert_allclose(host(g), 3 * np.array([0.5, 1.5]) ** 2)
    np.testing.assert_allclose(host(gg), 6 * np.array([0.5, 1.5]))
    np.testing.assert_allclose(host(ggg), [6.0, 6.0])
    s = x.sin().sum()
    d1, = mt.autograd.grad(s, x, create_graph=True)
    d2, = mt.autograd.grad(d1.sum(), x)
    np.testing.assert_allclose(host(d2), -np.sin([0.5, 1.5]))


GRADGRAD = {
    'mul': (lambda a, b: a * b, 2), 'div': (lambda a, b: a / (b * b + 1), 2),
    'pow': (lambda a: (a * a + 1) ** 1.5, 1), 'exp_log': (lambda a: (a.exp() + 1).log(), 1),
    'tanh_sigmoid': (lambda a: a.tanh() * a.sigmoid(), 1), 'softmax': (lambda a: a.softmax(-1), 1),
    'log_softmax': (lambda a: a.log_softmax(0), 1), 'logsumexp': (lambda a: a.logsumexp(1), 1),
    'matmul': (lambda a, b: a @ b.T, 2), 'var': (lambda a: a.var(1), 1),
    'sum_mean': (lambda a: (a.sum(0) * a.mean(1, keepdim=True)), 1),
    'index_gather': (lambda a: a[:, [0, 0, 2]] * a.gather(1, mt.tensor([[1, 2, 0]] * 2,
                                                                       device=a.device)), 1),
    'max_dim': (lambda a: a.max(1).values ** 2, 1), 'where': (lambda a: mt.where(a > 0, a * a, -a), 1),
    'sqrt': (lambda a: (a * a + 0.5).sqrt(), 1), 'cat_stack': (lambda a: mt.stack([a, a * a]).sum(0), 1),
}


@pytest.mark.parametrize('name', sorted(GRADGRAD))
def test_gradgradcheck(device, name):
    fn, n = GRADGRAD[name]
    rng = np.random.default_rng(len(name))
    check_grad(fn, [rng.standard_normal((2, 3)) for _ in range(n)], device, second_order=True)


def test_grad_with_grad_outputs_and_allow_unused(device):
    x = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    unused = mt.tensor([5.0], device=device, requires_grad=True)
    y = x * 3
    gx, = mt.autograd.grad(y, x, grad_outputs=mt.tensor([1.0, 2.0], device=device), retain_graph=True)
    assert host(gx).tolist() == [3.0, 6.0] and x.grad is None
    with pytest.raises(RuntimeError, match='not used.*allow_unused=True'):
        mt.autograd.grad(y.sum(), [x, unused], retain_graph=True)
    gx, gu = mt.autograd.grad(y.sum(), [x, unused], allow_unused=True, retain_graph=True)
    assert gu is None and host(gx).tolist() == [3.0, 3.0]
    gx, gu = mt.autograd.grad(y.sum(), [x, unused], materialize_grads=True)
    assert host(gu).tolist() == [0.0]


def test_grad_of_intermediate(device):
    x = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    h = x * x
    y = (h * 3).sum()
    gh, = mt.autograd.grad(y, h)
    assert host(gh).tolist() == [3.0, 3.0] and x.grad is None


# --- hooks and retain_grad -------------------------------------------------------------------------
def test_hooks_on_leaf_and_non_leaf(device):
    x = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: seen.append(host(g).tolist()))
    h = x * 2
    h.register_hook(lambda g: g * 10)           # replaces the gradient flowing on
    h.sum().backward()
    assert seen == [[20.0, 20.0]] and host(x.grad).tolist() == [20.0, 20.0]
    handle.remove()
    (x * 1).sum().backward()
    assert seen == [[20.0, 20.0]] and host(x.grad).tolist() == [21.0, 21.0]
    x.register_hook(lambda g: g * 0)
    (x * 1).sum().backward()
    assert host(x.grad).tolist() == [21.0, 21.0]
    with pytest.raises(RuntimeError, match="doesn't require"):
        mt.ones(2, device=device).register_hook(lambda g: g)


def test_non_leaf_hook_handle_remove(device):
    x = mt.tensor([1.0], device=device, requires_grad=True)
    h = x * 2
    handle = h.register_hook(lambda g: g * 100)
    handle.remove()
    h.sum().backward()
    assert host(x.grad).tolist() == [2.0]


def test_retain_grad(device):
    x = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    h = x * 3
    h.retain_grad()
    assert h.retains_grad
    z = (h * h).sum()
    z.backward()
    assert host(h.grad).tolist() == [6.0, 12.0]
    assert host(x.grad).tolist() == [18.0, 36.0]
    h2 = x * 3
    with pytest.warns(UserWarning, match='not a leaf.*retain_grad'):     # as PyTorch warns
        assert h2.grad is None


# --- grad modes -------------------------------------------------------------------------------------
def test_grad_modes_as_context_managers(device):
    x = mt.ones(2, device=device, requires_grad=True)
    with mt.no_grad():
        assert not mt.is_grad_enabled()
        assert not (x * 2).requires_grad
        with mt.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    assert mt.is_grad_enabled() and (x * 2).requires_grad
    with mt.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    with mt.set_grad_enabled(True):
        assert (x * 2).requires_grad
    mt.set_grad_enabled(False)                  # called alone it switches the mode, as in PyTorch
    assert not mt.is_grad_enabled()
    mt.set_grad_enabled(True)
    assert mt.is_grad_enabled()


def test_grad_modes_as_decorators(device):
    x = mt.ones(2, device=device, requires_grad=True)

    @mt.no_grad
    def bare(t):
        return t * 2

    @mt.no_grad()
    def called(t):
        return t * 2

    @mt.enable_grad()
    def enabled(t):
        return t * 2

    @mt.set_grad_enabled(False)
    def disabled(t):
        return t * 2

    @mt.no_grad()
    def generator(t):
        yield t * 2
        yield t * 3

    assert mt.is_grad_enabled()             # decorating switches nothing
    assert not bare(x).requires_grad and not called(x).requires_grad
    assert not disabled(x).requires_grad
    assert all(not y.requires_grad for y in generator(x))
    with mt.no_grad():
        assert enabled(x).requires_grad
    assert mt.is_grad_enabled() and bare.__name__ == 'bare'


def test_grad_mode_restored_after_an_exception():
    with pytest.raises(ValueError):
        with mt.no_grad():
            raise ValueError
    assert mt.is_grad_enabled()


# --- detach and requires_grad -------------------------------------------------------------------
def test_detach_detach_and_requires_grad(device):
    x = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    h = x * 2
    d = h.detach()
    assert d.grad_fn is None and not d.requires_grad and d.is_leaf
    d2 = h * 1
    d2.detach_()
    assert d2.grad_fn is None and not d2.requires_grad
    with mt.no_grad():
        d += 1                                  # shares memory and version counter with h
    assert h.tolist() == [3.0, 5.0] and h._version == 1
    y = mt.ones(2, device=device).requires_grad_()
    assert y.requires_grad and y.is_leaf
    with pytest.raises(RuntimeError, match='leaf'):
        h.requires_grad = False
    assert x.data.requires_grad is False and x.data.grad_fn is None


# --- accumulation -----------------------------------------------------------------------------------
def test_accumulation_and_weight_sharing(device):
    w = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    (w * 3).sum().backward()
    (w * w).sum().backward()
    assert host(w.grad).tolist() == [5.0, 7.0]
    w.grad = None
    x = mt.tensor([2.0, 2.0], device=device)
    out = (w * x + w * w).sum()                 # w used twice
    out.backward()
    assert host(w.grad).tolist() == [4.0, 6.0]
    w.grad.zero_()
    assert host(w.grad).tolist() == [0.0, 0.0]


def test_grads_never_alias_between_leaves(device):
    x = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = mt.tensor([3.0, 4.0], device=device, requires_grad=True)
    (x + y).sum().backward()
    assert x.grad._data is not y.grad._data
    x.grad.zero_()
    assert host(y.grad).tolist() == [1.0, 1.0]
    a = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    b = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    seed = mt.tensor([5.0, 6.0], device=device)
    (a + b).backward(seed)
    a.grad.add_(1)
    assert host(b.grad).tolist() == [5.0, 6.0] and seed.tolist() == [5.0, 6.0]
    v = mt.tensor([[1.0, 2.0]], device=device, requires_grad=True)
    u = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    (v.reshape(2) + u).sum().backward()
    v.grad.mul_(0)
    assert host(u.grad).tolist() == [1.0, 1.0]


def test_grad_dtype_and_device_follow_the_leaf(device):
    x = mt.tensor([1.0, 2.0], dtype=mt.float16, device=device, requires_grad=True)
    (x.float() * 2).sum().backward()
    assert x.grad.dtype is mt.float16 and x.grad.device == device
    c = mt.ones(2, requires_grad=True)
    if device.type != 'cpu':
        (c.to(device) * 3).sum().backward()
        assert c.grad.device.type == 'cpu' and host(c.grad).tolist() == [3.0, 3.0]


def test_only_an_unfilled_non_leaf_grad_warns_when_read():
    import warnings
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    kept, dropped = x * 2, x * 3
    kept.retain_grad()
    (kept + dropped).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert x.grad.tolist() == [5.0, 5.0] and kept.grad.tolist() == [1.0, 1.0]
        assert mt.ones(2).grad is None                       # a leaf that needs no gradient
    with pytest.warns(UserWarning, match=r'\.retain_grad\(\)'):
        assert dropped.grad is None
