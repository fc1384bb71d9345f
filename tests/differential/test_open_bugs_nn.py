"""Open bugs of nn.functional the generated-input specs found, each as its smallest reproduction; strict xfail, so a
fix shows as a failure here (then drop the mark, and the draw's workaround named in the reason)."""
import numpy as np
import pytest

import minitorch as mt


def _bug(reason):
    return pytest.mark.xfail(strict=True, reason=reason)


def test_binary_cross_entropy_in_a_static_graph():
    loss = mt.static.function(mt.nn.functional.binary_cross_entropy)
    assert loss(mt.tensor([0.5]), mt.tensor([1.0])).item() == pytest.approx(np.log(2))


def test_conv2d_of_an_empty_batch():
    out = mt.nn.functional.conv2d(mt.ones(0, 2, 4, 4), mt.ones(3, 2, 2, 2))
    assert tuple(out.shape) == (0, 3, 3, 3)


def test_linear_with_a_1d_weight():
    out = mt.nn.functional.linear(mt.ones(2, 3), mt.ones(3))
    assert out.tolist() == [3.0, 3.0]


def test_logsigmoid_of_integers_is_refused():
    with pytest.raises((RuntimeError, TypeError)):
        mt.nn.functional.logsigmoid(mt.tensor([0, 1]))


def test_gradient_when_every_target_is_ignored():
    x = mt.tensor([[0.5, 0.25]], dtype=mt.float64, requires_grad=True)
    mt.nn.functional.cross_entropy(x, mt.tensor([-100])).backward()
    assert x.grad.tolist() == [[0.0, 0.0]]


def test_dropout_of_a_0d_tensor():
    out = mt.nn.functional.dropout(mt.tensor(2.0), 0.5)
    assert out.item() in (0.0, 4.0)
