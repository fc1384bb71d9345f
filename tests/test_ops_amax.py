"""amax / amin reduce over one dim, several, or all (dim=()), with keepdim, as numpy's max/min."""
import numpy as np
import pytest

import minitorch as mt
from minitorch.autograd import gradcheck


@pytest.mark.parametrize('dim', [(), 1, -1, (0, 2), (0, 1, 2)])
@pytest.mark.parametrize('keepdim', [False, True])
def test_amax_amin_match_numpy(dim, keepdim):
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    axis = None if dim == () else dim
    assert np.allclose(mt.tensor(x).amax(dim, keepdim).numpy(), x.max(axis=axis, keepdims=keepdim))
    assert np.allclose(mt.amin(mt.tensor(x), dim, keepdim).numpy(), x.min(axis=axis, keepdims=keepdim))


def test_amax_gradient():
    x = mt.tensor(np.random.default_rng(1).standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(lambda x: x.amax((0, 1)) + x.amin(1).sum(), (x,))
