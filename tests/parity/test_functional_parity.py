"""nn.functional's max_pool2d (values and indices), one_hot and embedding against PyTorch itself, on
the draws of tests/differential/functional_cases.py (`make parity`; MINITORCH_PARITY=1): the same
values, dtypes and shapes, gradients, and the same inputs refused."""
import os

import numpy as np
import pytest
from hypothesis import given, strategies as st

if not os.environ.get('MINITORCH_PARITY'):
    pytest.skip('the PyTorch parity suite runs with `make parity` (MINITORCH_PARITY=1)',
                allow_module_level=True)
torch = pytest.importorskip('torch', reason='PyTorch is not installed: `make parity` compares '
                                            'minitorch with it (pip install torch)')

import minitorch as mt  # noqa: E402

from differential.functional_cases import draw_max_pool, ref_max_pool, draw_one_hot, \
    draw_embedding  # noqa: E402
from differential.runner import about, examples, host, tensor_of  # noqa: E402
from differential.strategies import Draw  # noqa: E402

EXAMPLES = int(os.environ.get('MINITORCH_PARITY_EXAMPLES', '40'))


def _functional(lib):
    return mt.nn.functional if lib is mt else torch.nn.functional


def _both(run):
    """run(lib) on minitorch and torch: (ours, theirs), each a tuple of host arrays or the error."""
    results = []
    for lib in (mt, torch):
        try:
            out = run(lib)
            results.append(tuple(host(o) for o in (out if isinstance(out, tuple) else (out,))))
        except (RuntimeError, IndexError) as error:
            results.append(error)
    return results


def _agree(ours, theirs, what):
    if isinstance(ours, Exception) or isinstance(theirs, Exception):
        assert type(ours) is type(theirs), f'{what}: minitorch gave {ours!r}, torch {theirs!r}'
        return
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert o.dtype == t.dtype and o.shape == t.shape, \
            f'{what}: {o.dtype}{list(o.shape)}, torch {t.dtype}{list(t.shape)}'
        if o.dtype.kind == 'f':         # gradients may add repeated indices in another order
            np.testing.assert_allclose(o, t, rtol=1e-12, atol=0, err_msg=what)
        else:
            np.testing.assert_array_equal(o, t, err_msg=what)


def _with_grad(lib, forward, array, upstream):
    """(forward's results..., the gradient of sum(first result * upstream) for array)."""
    leaf = tensor_of(lib, array, requires_grad=True)
    out = forward(leaf)
    first = out[0] if isinstance(out, tuple) else out
    (first * tensor_of(lib, upstream)).sum().backward()
    return (out if isinstance(out, tuple) else (out,)) + (leaf.grad,)


@examples(max(EXAMPLES // 2, 1))
@given(data=st.data())
def test_max_pool2d_as_pytorch(data):
    d = Draw(data, grad=data.draw(st.booleans()))
    x, options = draw_max_pool(d)
    with about(f'max_pool2d({x.dtype}{list(x.shape)}, {options})'):
        if d.grad:
            upstream = d.array(ref_max_pool(x, **options)[0].shape, dtype=np.float64)
            ours, theirs = _both(lambda lib: _with_grad(
                lib, lambda t: _functional(lib).max_pool2d(t, **options), x, upstream))
        else:
            ours, theirs = _both(lambda lib: _functional(lib).max_pool2d(tensor_of(lib, x), **options))
        _agree(ours, theirs, 'max_pool2d')


@examples(EXAMPLES)
@given(data=st.data())
def test_one_hot_as_pytorch(data):
    x, num_classes = draw_one_hot(Draw(data, grad=False))
    with about(f'one_hot({x.tolist()}, {num_classes})'):
        ours, theirs = _both(lambda lib: _functional(lib).one_hot(tensor_of(lib, x), num_classes))
        _agree(ours, theirs, 'one_hot')


@examples(EXAMPLES)
@given(data=st.data())
def test_embedding_as_pytorch(data):
    d = Draw(data, grad=data.draw(st.booleans()))
    x, weight, padding_idx = draw_embedding(d)
    with about(f'embedding({x.tolist()}, {weight.dtype}{list(weight.shape)}, '
               f'padding_idx={padding_idx})'):
        if d.grad:
            upstream = d.array(x.shape + weight.shape[1:], dtype=np.float64)
            ours, theirs = _both(lambda lib: _with_grad(
                lib, lambda w: _functional(lib).embedding(tensor_of(lib, x), w, padding_idx), weight,
                upstream))
        else:
            ours, theirs = _both(lambda lib: _functional(lib).embedding(
                tensor_of(lib, x), tensor_of(lib, weight), padding_idx))
        _agree(ours, theirs, 'embedding')
