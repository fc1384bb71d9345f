"""In-place changes through views made by indexing are recorded on the tensor they index, as in
PyTorch (x[1:] += y, v = x[:2]; v.mul_(w), buf[0] += w); views made by reshape & co. refuse clearly."""
import pytest

import minitorch as mt
from minitorch.autograd import gradcheck


def _through_views(w):
    x = w * 2
    x[1:] += w[:2]
    v = x[0:2]
    v.mul_(w[1])
    buf = mt.zeros(2, 3, dtype=w.dtype)
    buf[0] += w
    return (x * x).sum() + buf.sum() + (v * 3).sum()


def test_gradients_through_indexing_views_pass_gradcheck():
    w = mt.tensor([0.3, -1.2, 0.7], dtype=mt.float64, requires_grad=True)
    assert gradcheck(_through_views, (w,))


def test_values_and_gradients_match_the_out_of_place_program():
    w = mt.tensor([0.3, -1.2, 0.7], dtype=mt.float64, requires_grad=True)
    _through_views(w).backward()
    in_place = w.grad.clone()
    w.grad = None
    x0 = w * 2
    x1 = mt.cat([x0[:1], x0[1:] + w[:2]])
    x2 = mt.cat([x1[:2] * w[1], x1[2:]])
    v = x2[0:2]
    out = (x2 * x2).sum() + w.sum() + (v * 3).sum()
    out.backward()
    assert mt.allclose(in_place, w.grad)


def test_the_view_and_its_source_stay_in_step():
    w = mt.ones(3, requires_grad=True)
    x = w * 1
    v = x[1:]
    v.add_(w[:2])
    assert x.tolist() == [1.0, 2.0, 2.0] and v.tolist() == [2.0, 2.0]
    assert x.grad_fn.name() == 'IndexPutBackward'


def test_in_place_through_a_reshape_view_is_refused_and_changes_nothing():
    w = mt.ones(3, requires_grad=True)
    y = (w * 2).reshape(3, 1)
    z = y.reshape(3)
    with pytest.raises(RuntimeError, match='reshape, transpose'):
        z.add_(w)
    assert y.tolist() == [[2.0], [2.0], [2.0]]


def test_a_leaf_behind_a_view_still_refuses_in_place():
    w = mt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match='leaf'):
        w[1:].add_(1.0)
