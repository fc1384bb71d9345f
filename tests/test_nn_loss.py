"""Losses: values against numpy references (PyTorch's formulas), every reduction, gradients by
gradcheck, and clear errors for wrong targets.  Where PyTorch is installed, also against it."""
import numpy as np
import pytest

import minitorch as mt
from minitorch import nn
from minitorch.nn import functional as F
from helpers import host


def arr(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def t64(a, requires_grad=False):
    return mt.tensor(np.asarray(a, dtype=np.float64), dtype=mt.float64, requires_grad=requires_grad)


def reduce(loss, reduction):
    return {'mean': loss.mean(), 'sum': loss.sum(), 'none': loss}[reduction]


def ce_ref(x, t, weight=None, ignore_index=-100, reduction='mean', smoothing=0.0):
    """PyTorch's cross entropy for class indices (LossNLL.cpp), in numpy."""
    n_classes = x.shape[1]
    logp = x - np.log(np.exp(x).sum(1, keepdims=True))
    w = np.ones(n_classes) if weight is None else weight
    keep = t != ignore_index
    safe = np.where(keep, t, 0)
    nll = -logp[np.arange(len(t)), safe] * w[safe] * keep
    smooth = -(logp * w).sum(1) * keep / n_classes
    loss = (1 - smoothing) * nll + smoothing * smooth
    if reduction == 'mean':
        return loss.sum() / (w[safe] * keep).sum()
    return reduce(loss, reduction)


REDUCTIONS = ['mean', 'sum', 'none']


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_mse_and_l1(reduction):
    x, y = arr(3, 4), arr(3, 4, seed=1)
    np.testing.assert_allclose(host(nn.MSELoss(reduction)(t64(x), t64(y))),
                               reduce((x - y) ** 2, reduction), rtol=1e-12)
    np.testing.assert_allclose(host(nn.L1Loss(reduction)(t64(x), t64(y))),
                               reduce(np.abs(x - y), reduction), rtol=1e-12)
    assert mt.autograd.gradcheck(lambda a, b: F.mse_loss(a, b, reduction=reduction),
                                 [t64(x, True), t64(y, True)])


def test_mse_warns_when_shapes_would_broadcast():
    with pytest.warns(UserWarning, match=r'target of shape \[3\] and input of shape \[3, 1\]'):
        F.mse_loss(mt.zeros(3, 1), mt.zeros(3))


@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('use_weight, ignore, smoothing', [
    (False, False, 0.0), (True, False, 0.0), (False, True, 0.0), (True, True, 0.2), (False, False, 0.1)])
def test_cross_entropy_matches_reference(reduction, use_weight, ignore, smoothing):
    x = arr(6, 4)
    t = np.array([0, 3, 1, 1, 2, 3])
    if ignore:
        t[[1, 4]] = -1
    weight = np.array([1.0, 2.0, 0.5, 1.5]) if use_weight else None
    kwargs = dict(weight=t64(weight) if use_weight else None, ignore_index=-1 if ignore else -100,
                  reduction=reduction, label_smoothing=smoothing)
    got = nn.CrossEntropyLoss(**kwargs)(t64(x), mt.tensor(t))
    expected = ce_ref(x, t, weight, -1 if ignore else -100, reduction, smoothing)
    np.testing.assert_allclose(host(got), expected, rtol=1e-10)
    assert mt.autograd.gradcheck(lambda a: F.cross_entropy(a, mt.tensor(t), **kwargs),
                                 [t64(x, True)])


def test_cross_entropy_extra_dims_and_unbatched():
    x = arr(2, 3, 4)                                   # (N, C, d)
    t = np.array([[0, 2, 1, 1], [2, 2, 0, 1]])
    got = F.cross_entropy(t64(x), mt.tensor(t), reduction='none')
    flat = ce_ref(x.transpose(0, 2, 1).reshape(-1, 3), t.reshape(-1), reduction='none')
    np.testing.assert_allclose(host(got), flat.reshape(2, 4), rtol=1e-12)
    single = F.cross_entropy(t64(x[0, :, 0]), mt.tensor(0))
    assert single.item() == pytest.approx(flat[0])


def test_cross_entropy_with_probabilities():
    x, p = arr(3, 4), np.abs(arr(3, 4, seed=1))
    p /= p.sum(1, keepdims=True)
    logp = x - np.log(np.exp(x).sum(1, keepdims=True))
    got = F.cross_entropy(t64(x), t64(p))
    assert got.item() == pytest.approx(-(p * logp).sum(1).mean())
    smoothed = F.cross_entropy(t64(x), t64(p), label_smoothing=0.3)
    assert smoothed.item() == pytest.approx(-((0.7 * p + 0.3 / 4) * logp).sum(1).mean())


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_nll_loss(reduction):
    logp = np.log(np.full((4, 3), 1 / 3) + arr(4, 3) * 0.01)
    t = np.array([2, 0, 1, 2])
    w = np.array([0.5, 1.0, 2.0])
    got = nn.NLLLoss(weight=t64(w), reduction=reduction)(t64(logp), mt.tensor(t))
    per = -logp[np.arange(4), t] * w[t]
    expected = per.sum() / w[t].sum() if reduction == 'mean' else reduce(per, reduction)
    np.testing.assert_allclose(host(got), expected, rtol=1e-12)


def test_classification_targets_are_checked():
    x = mt.zeros(3, 4)
    with pytest.raises(IndexError, match='target 4 is out of bounds for 4 classes'):
        F.cross_entropy(x, mt.tensor([0, 4, 1]))
    with pytest.raises(TypeError, match=r'class indices.*target.long\(\)'):
        F.nll_loss(x, mt.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r'input of shape \[3, 4\] needs a target of shape \[3\]'):
        F.cross_entropy(x, mt.tensor([[0], [1], [2]]))
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none'"):
        nn.CrossEntropyLoss(reduction='avg')


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_binary_cross_entropy_and_with_logits(reduction):
    z, t = arr(3, 2) * 3, (arr(3, 2, seed=1) > 0).astype(float)
    p = 1 / (1 + np.exp(-z))
    w = np.array([1.0, 3.0])
    ref = -(t * np.log(p) + (1 - t) * np.log(1 - p)) * w
    np.testing.assert_allclose(host(nn.BCELoss(t64(w), reduction)(t64(p), t64(t))),
                               reduce(ref, reduction), rtol=1e-10)
    np.testing.assert_allclose(host(nn.BCEWithLogitsLoss(t64(w), reduction)(t64(z), t64(t))),
                               reduce(ref, reduction), rtol=1e-10)
    pw = np.array([2.0, 0.5])
    ref_pw = -(pw * t * np.log(p) + (1 - t) * np.log(1 - p))
    got = F.binary_cross_entropy_with_logits(t64(z), t64(t), pos_weight=t64(pw), reduction=reduction)
    np.testing.assert_allclose(host(got), reduce(ref_pw, reduction), rtol=1e-10)
    assert mt.autograd.gradcheck(lambda a: F.binary_cross_entropy_with_logits(a, t64(t)),
                                 [t64(z, True)])
    assert mt.autograd.gradcheck(lambda a: F.binary_cross_entropy(a, t64(t)), [t64(p, True)])


@pytest.mark.filterwarnings('ignore:divide by zero:RuntimeWarning')   # numpy's log(0) = -inf
def test_binary_losses_stay_finite_at_the_extremes():
    assert F.binary_cross_entropy(t64([0.0, 1.0]), t64([1.0, 0.0])).item() == pytest.approx(100)
    logits = t64([-1000.0, 1000.0], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(logits, t64([1.0, 0.0]))
    loss.backward()
    assert loss.item() == pytest.approx(1000) and np.isfinite(host(logits.grad)).all()
    with pytest.raises(RuntimeError, match='between 0 and 1'):
        F.binary_cross_entropy(t64([1.5]), t64([1.0]))
    with pytest.raises(ValueError, match='differ'):
        F.binary_cross_entropy(t64([0.5, 0.5]), t64([1.0]))


@pytest.mark.parametrize('loss', [F.nll_loss, F.cross_entropy])
def test_ignored_rows_give_no_loss_and_no_gradient(loss):
    """As in PyTorch: every row ignored gives a nan mean but zero gradients (a batch of padding
    does not poison the weights); an ignored row's loss is 0 even when its scores are not finite."""
    x = t64([[0.5, 0.25], [1.0, 2.0]], requires_grad=True)
    value = loss(x, mt.tensor([-100, -100]))
    value.backward()
    assert np.isnan(value.item()) and host(x.grad).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    rows = loss(t64([[-np.inf, 0.0], [0.0, 1.0]]), mt.tensor([-100, 1]), reduction='none')
    assert host(rows)[0] == 0.0


def test_binary_cross_entropy_checks_its_input_in_a_static_graph_on_each_run():
    loss = mt.static.function(F.binary_cross_entropy)
    assert loss(t64([0.5]), t64([1.0])).item() == pytest.approx(np.log(2))
    with pytest.raises(RuntimeError, match='between 0 and 1.*got 1.5'):
        loss(t64([1.5]), t64([1.0]))
    with pytest.raises(RuntimeError, match='got nan'):      # nan is refused too, as in PyTorch
        F.binary_cross_entropy(t64([0.5, np.nan]), t64([1.0, 0.0]))


def test_against_pytorch_when_installed():
    torch = pytest.importorskip('torch')
    tf = torch.nn.functional
    x, z = arr(5, 4), arr(5, 4, seed=2)
    t = np.array([0, 3, -100, 1, 2])
    w = np.array([1.0, 2.0, 0.5, 1.5])
    for kwargs in [dict(), dict(label_smoothing=0.2), dict(reduction='sum')]:
        ours = F.cross_entropy(t64(x), mt.tensor(t), weight=t64(w), **kwargs)
        theirs = tf.cross_entropy(torch.tensor(x), torch.tensor(t), weight=torch.tensor(w), **kwargs)
        assert ours.item() == pytest.approx(theirs.item(), rel=1e-10)
    y = (z > 0).astype(float)
    ours = F.binary_cross_entropy_with_logits(t64(x), t64(y), pos_weight=t64(w))
    theirs = tf.binary_cross_entropy_with_logits(torch.tensor(x), torch.tensor(y),
                                                 pos_weight=torch.tensor(w))
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-10)
    assert F.gelu(t64(x)).sum().item() == pytest.approx(tf.gelu(torch.tensor(x)).sum().item(),
                                                        rel=1e-6)
