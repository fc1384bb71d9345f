"""Running a spec's case on a library (minitorch or torch) and comparing what comes back."""
import operator
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, reject, settings

import minitorch as mt
from minitorch.ops.table import OPS

from . import reference as R
from .registry import RandomCheck
from .strategies import Draw

ROWS = {op.name: op for op in OPS}


def examples(n):
    """A derandomized hypothesis profile: the same inputs on every run, so `make test` is
    deterministic.  MINITORCH_EXAMPLES=k multiplies the count (a longer local run)."""
    import os
    factor = float(os.environ.get('MINITORCH_EXAMPLES', '1'))
    return settings(derandomize=True, database=None, deadline=None, max_examples=max(1, int(n * factor)),
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.filter_too_much])


class about:
    """A context that notes the case on any exception raised inside it (shown under the error)."""

    def __init__(self, what):
        self.what = what

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if error is not None and hasattr(error, 'add_note'):
            error.add_note(f'while checking {self.what}')
        return False


# --- building the arguments ----------------------------------------------------------------------
def is_torch(lib):
    return lib is not mt


def tensor_of(lib, array, device=None, requires_grad=False):
    if is_torch(lib):
        t = lib.from_numpy(np.array(array, copy=True))
        return t.requires_grad_() if requires_grad else t
    return mt.tensor(array, device=device, requires_grad=requires_grad)


def convert(lib, value, device=None, make=None):
    """value with every numpy array made a tensor of lib (by make(array) when given)."""
    if isinstance(value, np.ndarray):
        return make(value) if make is not None else tensor_of(lib, value, device)
    if isinstance(value, np.dtype):
        return getattr(lib, value.name)         # mt.float32, torch.float32, ...
    if isinstance(value, list):
        return [convert(lib, v, device, make) for v in value]
    if isinstance(value, tuple):
        return tuple(convert(lib, v, device, make) for v in value)
    if isinstance(value, dict):
        return {k: convert(lib, v, device, make) for k, v in value.items()}
    return value


def call(spec, lib, args, kwargs):
    """The op of spec on lib's tensors: spec.call, or lib.<name>, or the method when the op has no
    function."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)     # numpy's overflow/invalid-value notes
        if spec.call is not None:
            return spec.call(lib, *args, **kwargs)
        if ROWS[spec.name].function:
            return getattr(lib, spec.name)(*args, **kwargs)
        return getattr(args[0], spec.name)(*args[1:], **kwargs)


def expected(spec, case):
    """The reference's answer, or the Refused it raised."""
    with np.errstate(all='ignore'), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            return spec.reference(*case.args, **case.kwargs)
        except R.Refused as refused:
            return refused


def accepted_case(spec, data, grad=False):
    """A case the reference answers (hypothesis draws another for one PyTorch refuses or a random
    draw), for the tests that compare minitorch with itself."""
    case = spec.draw(Draw(data, grad=grad))
    if isinstance(expected(spec, case), (R.Refused, RandomCheck)):
        reject()
    return case


# --- reading results back ------------------------------------------------------------------------
def host(value):
    """A result as numpy arrays / tuples / Python scalars, whatever library made it."""
    if isinstance(value, mt.Tensor):
        return value.detach().cpu().numpy()
    if hasattr(value, 'detach') and hasattr(value, 'numpy'):       # a torch tensor
        return value.detach().cpu().resolve_conj().numpy()
    if isinstance(value, (tuple, list)):
        return tuple(host(v) for v in value)
    return value


def compare(got, want, what, scale=0.0, rtol=None):
    """got (host()) against want (a reference answer or another library's host())."""
    if isinstance(want, RandomCheck):
        got = np.asarray(got)
        assert got.shape == want.shape, f'{what}: shape {got.shape}, expected {want.shape}'
        assert got.dtype == want.dtype, f'{what}: dtype {got.dtype}, expected {want.dtype}'
        problem = want.check(got) if want.check is not None else None
        assert problem is None, f'{what}: {problem}'
    elif isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want), \
            f'{what}: got {type(got).__name__} of {len(got) if isinstance(got, tuple) else 1}, ' \
            f'expected a tuple of {len(want)}'
        for i, (g, w) in enumerate(zip(got, want)):
            compare(g, w, f'{what}[{i}]', scale, rtol)
    elif isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray), f'{what}: got {type(got).__name__}, expected a tensor'
        R.assert_close(got, want, what, scale, rtol)
    else:
        assert type(got) is type(want), f'{what}: got {got!r}, expected {want!r}'
        assert got == want or (got != got and want != want), f'{what}: got {got!r}, expected {want!r}'


def scale_of(spec, case):
    return spec.scale(*case.args, **case.kwargs) if spec.scale is not None else 0.0


def check_refused(spec, refused, run, what):
    """run() must raise a sensible exception that names the op."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)
        try:
            result = run()
        except refused.kinds as error:
            message = str(error)
            assert any(name in message for name in spec.names), \
                f'{what}: the error does not name the op ({spec.names}): {type(error).__name__}: ' \
                f'{message}'
            return
        except Exception as error:
            pytest.fail(f'{what}: PyTorch refuses ({refused}) with one of '
                        f'{[k.__name__ for k in refused.kinds]}, minitorch raised '
                        f'{type(error).__name__}: {error}')
    pytest.fail(f'{what}: PyTorch refuses ({refused}), minitorch returned {host(result)!r}')


def devices_of(value):
    if isinstance(value, mt.Tensor):
        return [value.device]
    if isinstance(value, (tuple, list)):
        return [d for v in value for d in devices_of(v)]
    return []


# --- gradients -----------------------------------------------------------------------------------
def gradient_case(spec, data):
    """(case, positions): an accepted gradient-mode case with something to differentiate."""
    case = accepted_case(spec, data, grad=True)
    positions = grad_positions(spec, case)
    if not positions:
        reject()
    return case, positions


def grad_positions(spec, case):
    """(position, index-in-list or None) of every argument the gradient is taken for: positions
    are indices of case.args or names of case.kwargs."""
    positions = spec.grad if spec.grad is not None else \
        list(range(len(case.args))) + list(case.kwargs)
    found = []
    for p in positions:
        arg = _argument(case, p)
        if isinstance(arg, np.ndarray) and arg.dtype.kind == 'f':
            found.append((p, None))
        elif isinstance(arg, list):
            found += [(p, i) for i, a in enumerate(arg) if isinstance(a, np.ndarray) and
                      a.dtype.kind == 'f']
    return found


def _argument(case, p):
    return case.kwargs.get(p) if isinstance(p, str) else case.args[p]


def with_leaves(case, positions, leaves, lib, device=None):
    """The case's arguments as lib tensors, the differentiated ones replaced by leaves."""
    args = [convert(lib, a, device) for a in case.args]
    kwargs = convert(lib, case.kwargs, device)
    for (p, i), leaf in zip(positions, leaves):
        where = kwargs if isinstance(p, str) else args
        if i is None:
            where[p] = leaf
        else:
            where[p] = list(where[p])
            where[p][i] = leaf
    return args, kwargs


def leaf_arrays(case, positions):
    return [_argument(case, p) if i is None else _argument(case, p)[i] for p, i in positions]


def first_output(result):
    """The differentiable output of an op that returns several (max(dim): the values)."""
    if isinstance(result, (tuple, list)):
        return result[0]
    return result


def upstream_for(shape):
    """A fixed, generic upstream gradient (no symmetry that could hide a wrong rule)."""
    rng = np.random.default_rng(len(shape) * 7 + int(np.prod(shape)))
    return np.asarray(rng.uniform(0.5, 1.5, size=shape) * rng.choice((-1.0, 1.0), size=shape))


def weighted_grads(spec, case, lib, device=None):
    """The gradients of sum(op(...) * upstream) for the differentiated arguments (host arrays),
    with the upstream used."""
    positions = grad_positions(spec, case)
    leaves = [tensor_of(lib, a, device, requires_grad=True) for a in leaf_arrays(case, positions)]
    args, kwargs = with_leaves(case, positions, leaves, lib, device)
    out = first_output(call(spec, lib, args, kwargs))
    upstream = upstream_for(tuple(out.shape))
    (out * tensor_of(lib, upstream.astype(host(out).dtype), device)).sum().backward()
    return [host(leaf.grad) if leaf.grad is not None else None for leaf in leaves], upstream


# --- operators ------------------------------------------------------------------------------------
OPERATORS = {
    '__add__': operator.add, '__radd__': operator.add, '__sub__': operator.sub,
    '__rsub__': operator.sub, '__mul__': operator.mul, '__rmul__': operator.mul,
    '__truediv__': operator.truediv, '__rtruediv__': operator.truediv, '__pow__': operator.pow,
    '__rpow__': operator.pow, '__floordiv__': operator.floordiv, '__rfloordiv__': operator.floordiv,
    '__mod__': operator.mod, '__rmod__': operator.mod, '__and__': operator.and_,
    '__rand__': operator.and_, '__or__': operator.or_, '__ror__': operator.or_,
    '__xor__': operator.xor, '__rxor__': operator.xor, '__eq__': operator.eq, '__ne__': operator.ne,
    '__lt__': operator.lt, '__le__': operator.le, '__gt__': operator.gt, '__ge__': operator.ge,
    '__neg__': operator.neg, '__invert__': operator.invert, '__abs__': operator.abs,
    '__matmul__': operator.matmul, '__rmatmul__': operator.matmul,
}
IN_PLACE_OPERATORS = {
    '__iadd__': operator.iadd, '__isub__': operator.isub, '__imul__': operator.imul,
    '__itruediv__': operator.itruediv, '__ipow__': operator.ipow, '__ifloordiv__': operator.ifloordiv,
    '__imod__': operator.imod, '__iand__': operator.iand, '__ior__': operator.ior,
    '__ixor__': operator.ixor,
}
