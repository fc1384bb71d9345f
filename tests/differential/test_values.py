"""Values, result dtypes and shapes of every op against the numpy references, and refusals where
PyTorch refuses, on generated inputs (on each device)."""
import pytest
from hypothesis import given, strategies as st

import minitorch as mt

from .runner import about, examples, expected, call, convert, host, compare, scale_of, check_refused, \
    devices_of
from .reference import Refused
from .specs import SPECS

# numpy's notes on overflow and invalid values, and var()'s on degrees of freedom, are expected here
pytestmark = [pytest.mark.filterwarnings('ignore::RuntimeWarning'),
              pytest.mark.filterwarnings('ignore:var.*degrees of freedom:UserWarning')]
from .strategies import Draw


@pytest.mark.parametrize('name', sorted(SPECS))
@examples(25)
@given(data=st.data())
def test_values(name, device, data):
    spec = SPECS[name]
    case = spec.draw(Draw(data, grad=False))
    with about(f'{name}{case}'):
        _check(spec, case, device)


def _check(spec, case, device):
    name = spec.name
    want = expected(spec, case)
    args, kwargs = convert(mt, case.args, device), convert(mt, case.kwargs, device)
    if spec.factory:
        kwargs['device'] = device
    if isinstance(want, Refused):
        check_refused(spec, want, lambda: call(spec, mt, args, kwargs), f'{name}{case}')
        return
    got = call(spec, mt, args, kwargs)
    assert all(d == device for d in devices_of(got)), f'{name}: results on {devices_of(got)}'
    compare(host(got), want, f'{name}{case}', scale_of(spec, case), spec.rtol)


def test_promote_types():
    """mt.promote_types on every pair of dtypes, against the reference's restatement of PyTorch's."""
    from . import reference as R
    for a in R.ALL:
        for b in R.ALL:
            got = mt.promote_types(getattr(mt, a.name), getattr(mt, b.name))
            assert got is getattr(mt, R.promote_types(a, b).name), f'promote_types({a}, {b}): {got}'
