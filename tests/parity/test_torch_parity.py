"""The differential specs run against PyTorch itself (`make parity`; not part of `make test`, as
PyTorch is not a dependency): on the same generated inputs, minitorch and torch must agree on the
values, result dtypes and shapes, gradients, and on which inputs are refused.

Deliberate differences are listed in parity_differences.py with their reasons; a case that falls
under one is not compared.
"""
import os

import numpy as np
import pytest
from hypothesis import given, reject, strategies as st

if not os.environ.get('MINITORCH_PARITY'):
    pytest.skip('the PyTorch parity suite runs with `make parity` (MINITORCH_PARITY=1)',
                allow_module_level=True)
torch = pytest.importorskip('torch', reason='PyTorch is not installed: `make parity` compares '
                                            'minitorch with it (pip install torch)')

import minitorch as mt  # noqa: E402

from differential.reference import RTOL  # noqa: E402
from differential.registry import RandomCheck  # noqa: E402
from differential.runner import examples, expected, call, convert, host, compare, \
    weighted_grads, about, gradient_case, ROWS  # noqa: E402
from differential.specs import REGISTRY, SPECS  # noqa: E402
from differential.strategies import Draw  # noqa: E402
from parity_differences import known_difference, GRADIENT_DIFFERENCES, \
    IN_PLACE_DIFFERENCES  # noqa: E402

pytestmark = [pytest.mark.filterwarnings('ignore::RuntimeWarning'),
              pytest.mark.filterwarnings('ignore::UserWarning')]

EXAMPLES = int(os.environ.get('MINITORCH_PARITY_EXAMPLES', '40'))


def _run(spec, lib, case):
    """(result as host values, None) or (None, the exception) for the case on lib."""
    args, kwargs = convert(lib, case.args), convert(lib, case.kwargs)
    try:
        return host(call(spec, lib, args, kwargs)), None
    except Exception as error:      # noqa: BLE001  (which inputs are refused is what we compare)
        return None, error


def _tolerance(value):
    dtype = getattr(value, 'dtype', None)
    return RTOL.get(dtype, 0) * 4 if dtype is not None and dtype.kind == 'f' else None


@pytest.mark.parametrize('name', sorted(SPECS))
@examples(EXAMPLES)
@given(data=st.data())
def test_same_answers_as_pytorch(name, data):
    spec = SPECS[name]
    case = spec.draw(Draw(data, grad=False))
    with about(f'{name}{case}'):
        ours, our_error = _run(spec, mt, case)
        theirs, their_error = _run(spec, torch, case)
        if known_difference(name, case) is not None:
            return
        if their_error is not None or our_error is not None:
            assert (their_error is None) == (our_error is None), \
                f'PyTorch {"refuses" if their_error else "accepts"} ({their_error!r}), minitorch ' \
                f'{"refuses" if our_error else "accepts"} ({our_error!r})'
            return
        want = expected(spec, case)
        if isinstance(want, RandomCheck):        # both must satisfy the draw's properties
            compare(theirs, want, f'torch {name}{case}')
            compare(ours, want, f'{name}{case}')
            return
        scale = spec.scale(*case.args, **case.kwargs) if spec.scale else 0.0
        compare(ours, theirs, f'{name}{case} against PyTorch', scale,
                spec.rtol if spec.rtol is not None else _tolerance(theirs if not isinstance(
                    theirs, tuple) else (theirs[0] if theirs else None)))


DIFFERENTIABLE = sorted(name for name, s in SPECS.items() if s.grad != ())


@pytest.mark.parametrize('name', DIFFERENTIABLE)
@examples(max(EXAMPLES // 2, 1))
@given(data=st.data())
def test_same_gradients_as_pytorch(name, data):
    spec = SPECS[name]
    case, _ = gradient_case(spec, data)
    if known_difference(name, case) or known_difference(name, case, GRADIENT_DIFFERENCES):
        reject()
    with about(f'the gradient of {name}{case}'):
        ours, _ = weighted_grads(spec, case, mt)
        theirs, _ = weighted_grads(spec, case, torch)
        assert len(ours) == len(theirs)
        for i, (g, w) in enumerate(zip(ours, theirs)):
            if w is None:
                continue
            g = np.zeros_like(w) if g is None else g
            np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12,
                                       err_msg=f'{name}: gradient of argument {i}')


IN_PLACE = sorted(name for name in REGISTRY if ROWS[name].inplace)


def _run_in_place(spec, lib, case):
    """x.<name>_(...) on a tensor of case.args[0]: (x's values after, None) or (None, the error)."""
    args, kwargs = convert(lib, case.args), convert(lib, case.kwargs)
    try:
        out = getattr(args[0], f'{spec.name}_')(*args[1:], **kwargs)
        assert out is args[0], 'the in-place method did not return its tensor'
        return host(out), None
    except AssertionError:
        raise
    except Exception as error:      # noqa: BLE001
        return None, error


@pytest.mark.parametrize('name', IN_PLACE)
@examples(max(EXAMPLES // 2, 1))
@given(data=st.data())
def test_same_in_place_answers_as_pytorch(name, data):
    spec = REGISTRY[name]
    case = spec.draw(Draw(data, grad=False))
    if not case.args or not isinstance(case.args[0], np.ndarray) or known_difference(name, case) \
            or known_difference(name, case, IN_PLACE_DIFFERENCES):
        return
    with about(f'{name}_{case}'):
        ours, our_error = _run_in_place(spec, mt, case)
        theirs, their_error = _run_in_place(spec, torch, case)
        assert (their_error is None) == (our_error is None), \
            f'PyTorch {"refuses" if their_error else "accepts"} ({their_error!r}), minitorch ' \
            f'{"refuses" if our_error else "accepts"} ({our_error!r})'
        if ours is not None:
            scale = spec.scale(*case.args, **case.kwargs) if spec.scale else 0.0
            compare(ours, theirs, f'{name}_{case} against PyTorch', scale, _tolerance(theirs))


def test_same_promote_types_as_pytorch():
    from differential.reference import ALL
    for a in ALL:
        for b in ALL:
            ours = mt.promote_types(getattr(mt, a.name), getattr(mt, b.name))
            theirs = torch.promote_types(getattr(torch, a.name), getattr(torch, b.name))
            assert str(ours).split('.')[-1] == str(theirs).split('.')[-1], \
                f'promote_types({a}, {b}): {ours}, PyTorch {theirs}'
