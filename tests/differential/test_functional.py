"""nn.functional's max_pool2d (values and indices), one_hot and embedding against numpy on generated
inputs (on each device): values, result dtypes and shapes, gradients, refusals of indices out of
range.  They are not rows of the op table, so they have no spec (see functional_cases.py)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minitorch as mt
from minitorch.nn import functional as F

from .functional_cases import draw_max_pool, ref_max_pool, d_max_pool, draw_one_hot, ref_one_hot, \
    draw_embedding, ref_embedding, d_embedding
from .runner import about, examples, host
from .strategies import Draw


def _same(got, want, what):
    got = host(got)
    assert got.dtype == want.dtype and got.shape == want.shape, \
        f'{what}: {got.dtype}{list(got.shape)}, expected {want.dtype}{list(want.shape)}'
    np.testing.assert_array_equal(got, want, err_msg=what)


@examples(15)
@given(data=st.data())
def test_max_pool2d_values_and_indices(device, data):
    x, options = draw_max_pool(Draw(data, grad=False))
    values, indices = ref_max_pool(x, **options)
    with about(f'max_pool2d({x.dtype}{list(x.shape)}, {options})'):
        got_values, got_indices = F.max_pool2d(mt.tensor(x, device=device), **options)
        _same(got_values, values, 'values')
        _same(got_indices, indices, 'indices')


@examples(10)
@given(data=st.data())
def test_max_pool2d_gradient(device, data):
    d = Draw(data, grad=True)
    x, options = draw_max_pool(d)
    _, indices = ref_max_pool(x, **options)
    upstream = d.array(indices.shape, dtype=np.float64)
    with about(f'the gradient of max_pool2d({list(x.shape)}, {options})'):
        t = mt.tensor(x, device=device, requires_grad=True)
        out, _ = F.max_pool2d(t, **options)
        (out * mt.tensor(upstream, device=device)).sum().backward()
        np.testing.assert_allclose(host(t.grad), d_max_pool(upstream, x, indices), rtol=1e-12)


@examples(15)
@given(data=st.data())
def test_one_hot(device, data):
    x, num_classes = draw_one_hot(Draw(data, grad=False))
    want = ref_one_hot(x, num_classes)
    indices = mt.tensor(x, device=device)
    with about(f'one_hot({x.tolist()}, {num_classes})'):
        if want is None:
            with pytest.raises(RuntimeError, match='one_hot'):
                F.one_hot(indices, num_classes)
        else:
            _same(F.one_hot(indices, num_classes), want, 'one_hot')


@examples(15)
@given(data=st.data())
def test_embedding_values_and_gradient(device, data):
    d = Draw(data, grad=data.draw(st.booleans()))
    x, weight, padding_idx = draw_embedding(d)
    want = ref_embedding(x, weight, padding_idx)
    indices = mt.tensor(x, device=device)
    w = mt.tensor(weight, device=device, requires_grad=True)
    with about(f'embedding({x.tolist()}, {weight.dtype}{list(weight.shape)}, '
               f'padding_idx={padding_idx})'):
        if want is None:
            with pytest.raises(IndexError, match='embedding'):
                F.embedding(indices, w, padding_idx)
            return
        out = F.embedding(indices, w, padding_idx)
        _same(out.detach(), want, 'embedding')
        if d.grad:
            upstream = d.array(want.shape, dtype=np.float64)
            (out * mt.tensor(upstream, device=device)).sum().backward()
            np.testing.assert_allclose(host(w.grad), d_embedding(upstream, x, weight, padding_idx),
                                       rtol=1e-12)
