"""In-place methods (x.add_(y)) and operators (x + y, 2 - x, x += y, ~x) of every op that has them:
the same answers as the function, written into x (and refused when the result does not fit x's shape
or dtype, as in PyTorch)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minitorch as mt

from . import reference as R
from .runner import about, examples, expected, convert, host, compare, scale_of, check_refused, ROWS, \
    OPERATORS, IN_PLACE_OPERATORS
from .specs import REGISTRY

# numpy's notes on overflow and invalid values, and var()'s on degrees of freedom, are expected here
pytestmark = [pytest.mark.filterwarnings('ignore::RuntimeWarning'),
              pytest.mark.filterwarnings('ignore:var.*degrees of freedom:UserWarning')]
from .strategies import Draw

IN_PLACE = sorted(name for name in REGISTRY if ROWS[name].inplace)
WITH_OPERATORS = sorted(name for name in REGISTRY
                        if set(ROWS[name].operators) & (set(OPERATORS) | set(IN_PLACE_OPERATORS)))


def _check_in_place(spec, case, want, device, run_on, label):
    """run_on(t, rest, kwargs) changes t = tensor(case.args[0]) in place and returns the result."""
    target = case.args[0]
    t = mt.tensor(target, device=device)
    rest, kwargs = convert(mt, case.args[1:], device), convert(mt, case.kwargs, device)
    run = lambda: run_on(t, rest, kwargs)  # noqa: E731
    what = f'{label}{case}'
    if isinstance(want, R.Refused):
        check_refused(spec, want, run, what)
    elif isinstance(want, np.ndarray) and want.shape == target.shape and \
            R.can_cast(want.dtype, target.dtype):
        out = run()
        assert out is t, f'{what}: the in-place op did not return its tensor'
        compare(host(t), R.as_result(want, target.dtype), what, scale_of(spec, case), spec.rtol)
    else:
        check_refused(spec, R.Refused('the result does not fit in place', (RuntimeError,)), run, what)


@pytest.mark.parametrize('name', IN_PLACE)
@examples(20)
@given(data=st.data())
def test_in_place_method(name, device, data):
    spec = REGISTRY[name]
    case = spec.draw(Draw(data, grad=False))
    if not case.args or not isinstance(case.args[0], np.ndarray):
        return          # a number first: there is no tensor to change
    with about(f'{name}_{case}'):
        _check_in_place(spec, case, expected(spec, case), device,
                        lambda t, rest, kwargs: getattr(t, f'{name}_')(*rest, **kwargs), f'{name}_')


@pytest.mark.parametrize('name', WITH_OPERATORS)
@examples(20)
@given(data=st.data())
def test_operators(name, device, data):
    spec = REGISTRY[name]
    case = spec.draw(Draw(data, grad=False))
    if case.kwargs:
        return          # operators take no options
    with about(f'the operators of {name} on {case}'):
        _check_operators(spec, case, device)


def _check_operators(spec, case, device):
    name = spec.name
    want = expected(spec, case)
    args = convert(mt, case.args, device)
    for dunder in ROWS[name].operators:
        what = f'{dunder}{case}'
        if dunder in IN_PLACE_OPERATORS:
            if isinstance(case.args[0], np.ndarray):
                _check_in_place(spec, case, want, device,
                                lambda t, rest, kw: IN_PLACE_OPERATORS[dunder](t, *rest), dunder)
            continue
        if dunder not in OPERATORS:
            continue
        reflected = dunder.startswith('__r') and dunder not in ('__rshift__',)
        owner = args[1] if reflected and len(args) > 1 else args[0]
        if not isinstance(owner, mt.Tensor):
            continue        # Python calls this dunder only on a tensor
        others = [args[0]] if reflected else list(args[1:])
        run = lambda: getattr(owner, dunder)(*others)  # noqa: E731
        if isinstance(want, R.Refused):
            check_refused(spec, want, run, what)
        else:
            compare(host(run()), want, what, scale_of(spec, case), spec.rtol)
        if reflected or isinstance(args[0], mt.Tensor):
            python_op = OPERATORS[dunder]
            run = lambda: python_op(*args)  # noqa: E731
            if isinstance(want, R.Refused):
                check_refused(spec, want, run, f'{python_op.__name__}{case}')
            else:
                compare(host(run()), want, f'{python_op.__name__}{case}', scale_of(spec, case),
                        spec.rtol)
