"""Gradients of every differentiable op: against float64 central finite differences
(mt.autograd.gradcheck) and, where the spec has one, against the closed-form derivative; ops without
a gradient give results that do not require grad."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minitorch as mt

from .reference import Refused
from .runner import about, examples, expected, call, gradient_case, with_leaves, leaf_arrays, \
    tensor_of, weighted_grads, convert
from .specs import SPECS

# numpy's notes on overflow and invalid values, and var()'s on degrees of freedom, are expected here
pytestmark = [pytest.mark.filterwarnings('ignore::RuntimeWarning'),
              pytest.mark.filterwarnings('ignore:var.*degrees of freedom:UserWarning')]
from .strategies import Draw

DIFFERENTIABLE = sorted(name for name, s in SPECS.items() if s.grad != ())
NOT_DIFFERENTIABLE = sorted(name for name, s in SPECS.items() if s.grad == ())


@pytest.mark.parametrize('name', DIFFERENTIABLE)
@examples(6)
@given(data=st.data())
def test_gradcheck(name, device, data):
    spec = SPECS[name]
    case, positions = gradient_case(spec, data)
    leaves = [tensor_of(mt, a, device, requires_grad=True) for a in leaf_arrays(case, positions)]

    def op(*xs):
        args, kwargs = with_leaves(case, positions, xs, mt, device)
        return call(spec, mt, args, kwargs)

    assert mt.autograd.gradcheck(op, leaves)
    if spec.second_order:
        assert mt.autograd.gradgradcheck(op, leaves)


WITH_DERIVATIVE = sorted(name for name, s in SPECS.items() if s.derivative is not None)


@pytest.mark.parametrize('name', WITH_DERIVATIVE)
@examples(10)
@given(data=st.data())
def test_closed_form_derivative(name, data):
    spec = SPECS[name]
    case, positions = gradient_case(spec, data)
    grads, upstream = weighted_grads(spec, case, mt)
    want = spec.derivative(upstream, *case.args, **case.kwargs)
    assert len(want) == len(grads)
    for i, (got, w) in enumerate(zip(grads, want)):
        w = np.asarray(w, dtype=np.float64)
        got = np.zeros_like(w) if got is None else got
        assert got.shape == w.shape, f'{name}{case}: grad {i} shape {got.shape}, expected {w.shape}'
        np.testing.assert_allclose(got, w, rtol=spec.grad_rtol, atol=spec.grad_rtol,
                                   err_msg=f'{name}{case}: gradient of argument {i}')


@pytest.mark.parametrize('name', NOT_DIFFERENTIABLE)
@examples(5)
@given(data=st.data())
def test_results_do_not_require_grad(name, data):
    spec = SPECS[name]
    case = spec.draw(Draw(data, grad=False))
    if isinstance(expected(spec, case), Refused):
        return
    made = lambda a: tensor_of(mt, a, requires_grad=a.dtype.kind == 'f')  # noqa: E731
    args, kwargs = convert(mt, case.args, make=made), convert(mt, case.kwargs, make=made)
    with about(f'{name}{case}'):
        out = call(spec, mt, args, kwargs)
    for o in (out if isinstance(out, (tuple, list)) else (out,)):
        assert not getattr(o, 'requires_grad', False), f'{name}{case}: result requires grad'
