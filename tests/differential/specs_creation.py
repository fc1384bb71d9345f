"""Specs of the public functions outside the op table that make or fill tensors
(minitorch/creation.py: zeros ... eye; minitorch/ops/inplace.py: fill_, zero_, copy_) and of
mt.linalg.vector_norm."""
import functools

import numpy as np

from . import reference as R
from .registry import Case, RandomCheck, spec
from .specs_linalg import draw_norm, ref_norm, d_norm, norm_scale
from .specs_random import _size_forms, _sized, _shape_of


def _dtype_option(d, options=None):
    options = {} if options is None else options
    if d.boolean():
        options['dtype'] = d.dtype()
    return options


# --- zeros, ones, empty, full and their _like forms ------------------------------------------------
def draw_size(d):
    """A size (separate ints or one tuple; now and then none at all, or a negative one: refused) and
    maybe dtype=."""
    shape, form = _size_forms(d)
    return Case(*_sized(shape, form), **_dtype_option(d))


def _filled(fill):
    def reference(*size, dtype=None):
        dtype = R.DEFAULT_FLOAT if dtype is None else np.dtype(dtype)
        shape = _shape_of(size)
        return RandomCheck(shape, dtype) if fill is None else np.full(shape, fill, dtype)
    return reference


def _value(d):
    """A fill value: a bool, an int (rarely one that small dtypes do not hold) or a float (inf and
    nan too); the dtype of full follows it."""
    kind = d.sampled((bool, int, float))
    return d.boolean() if kind is bool else \
        (d.integer(-5, 5) if not d.rarely() else d.sampled((-255, -256, 300, 2 ** 40))) \
        if kind is int else d.sampled((0.5, -2.25, 3.0, float('inf'), float('nan'), 1e6))


def _fill_dtype(value, dtype):
    if dtype is not None:
        return np.dtype(dtype)
    return R.result_type(value)


def _converted(value, dtype):
    """value as an element of dtype, as PyTorch converts a fill value: a float into an integer dtype
    truncated, an int into uint8 from -255 up wrapped (-1 is 255); a value the dtype does not hold
    (300 into uint8, inf or nan into an integer, 1e6 into float16) refused."""
    dtype = np.dtype(dtype)
    if dtype.kind == 'b' or isinstance(value, bool):
        return bool(value)
    if dtype.kind == 'f':
        fits = not np.isfinite(value) or abs(value) <= float(np.finfo(dtype).max)
    else:
        low, high = int(np.iinfo(dtype).min), int(np.iinfo(dtype).max)
        if isinstance(value, int) and low == 0:
            low = -high                                 # negative ints wrap into unsigned dtypes
        fits = bool(np.isfinite(value)) and low <= value <= high
    if not fits:
        raise R.Refused(f'{value!r} does not fit in {dtype}', (RuntimeError,))
    return int(value) % 2 ** (8 * dtype.itemsize) if dtype.kind == 'u' else \
        int(value) if dtype.kind == 'i' else value


def draw_full(d):
    """A size (rarely with a negative one, refused), a value and maybe dtype=."""
    shape = tuple(d.shape()) + ((-1,) if d.rarely() else ())
    return Case(shape, _value(d), **_dtype_option(d))


def ref_full(size, fill_value, dtype=None):
    if any(s < 0 for s in size):
        raise R.Refused(f'negative size {size}', (ValueError, RuntimeError))
    dtype = _fill_dtype(fill_value, dtype)
    return R.as_result(np.full(size, _converted(fill_value, dtype), dtype=object), dtype)


def draw_like(d):
    return Case(d.array(), **_dtype_option(d))


def _filled_like(fill):
    def reference(x, dtype=None):
        dtype = x.dtype if dtype is None else np.dtype(dtype)
        return RandomCheck(x.shape, dtype) if fill is None else np.full(x.shape, fill, dtype)
    return reference


def draw_full_like(d):
    return Case(d.array(), _value(d), **_dtype_option(d))


def ref_full_like(x, fill_value, dtype=None):
    dtype = x.dtype if dtype is None else np.dtype(dtype)
    return R.as_result(np.full(x.shape, _converted(fill_value, dtype), dtype=object), dtype)


# --- arange, linspace, eye -------------------------------------------------------------------------
def draw_arange(d):
    """end, start and end, or start, end and step (ints or floats, steps of either sign; now and then
    a step of 0 or of the wrong sign, refused), maybe dtype= (a numeric one)."""
    number = lambda: d.sampled((d.integer(-5, 5), d.sampled((0.5, -1.25, 2.75))))  # noqa: E731
    form = d.sampled(('end', 'start_end', 'step'))
    if form == 'end':
        args = (abs(number()),)
    elif form == 'start_end':
        start = number()
        args = (start, start + abs(number()))
    else:
        start, step = number(), d.sampled((1, 2, -1, 0.5, -0.75, 3))
        args = (start, start + step * d.integer(0, 6) + d.sampled((0, 0.25)) * (step > 0))
        if d.rarely():
            step = d.sampled((0, -step))
        args += (step,)
    options = {'dtype': d.dtype(R.NUMERIC)} if d.boolean() else {}
    return Case(*args, **options)


def ref_arange(start, end=None, step=1, dtype=None):
    if end is None:
        start, end = 0, start
    if step == 0 or (end - start) * step < 0:
        raise R.Refused('arange: a step of 0 or of the wrong sign')
    if dtype is None:
        dtype = R.DEFAULT_FLOAT if any(isinstance(v, float) for v in (start, end, step)) else \
            np.dtype(np.int64)
    count = int(np.ceil((end - start) / step))
    if np.dtype(dtype).kind in 'iu':
        # PyTorch truncates start and step to int64 and wraps start + step * i into the dtype
        # (-1 into uint8 is 255); int64 counts with the truncated numbers too
        start, step = int(start), int(step)
        if np.dtype(dtype) == np.int64:
            if step == 0:
                raise R.Refused('arange into int64: a step that truncates to 0')
            count = max(0, -(-(int(end) - start) // step))
        return (start + step * np.arange(count, dtype=np.int64)).astype(dtype)
    return R.as_result(start + step * np.arange(count, dtype=np.float64), dtype)


def draw_linspace(d):
    start = d.sampled((0, -1.5, 2, 10.25))
    options = {'dtype': d.dtype(R.FLOATS)} if d.boolean() else {}
    return Case(start, start + d.sampled((-3, 0, 1, 4.5)), d.integer(0, 6), **options)


def ref_linspace(start, end, steps, dtype=None):
    return R.as_result(np.linspace(start, end, steps), R.DEFAULT_FLOAT if dtype is None else dtype)


def draw_eye(d):
    args = (d.integer(0, 4),) + ((d.integer(0, 4),) if d.boolean() else ())
    return Case(*args, **_dtype_option(d))


def ref_eye(n, m=None, dtype=None):
    return np.eye(n, m, dtype=R.DEFAULT_FLOAT if dtype is None else dtype)


# --- tensor, as_tensor ------------------------------------------------------------------------------
ELEMENTS = {bool: (False, True), int: (0, 1, 3, 5), float: (0.5, 2.25, 3.0, 0.0)}


def draw_data(d):
    """Data of Python numbers: a number, a list, or a list of equal lists (rarely ragged ones,
    refused) of bools, ints and floats mixed, rarely with an int beyond int64 (refused unless the
    result is floating point), now and then with numpy scalars among them (each keeps its dtype);
    or a numpy scalar; maybe dtype=."""
    kinds = d(st_subsets())
    numpy = d.rarely()

    def number():
        value = d.sampled(ELEMENTS[d.sampled(kinds)])
        return np.dtype(d.dtype(R.NUMERIC)).type(value) if numpy and d.boolean() else value
    form = d.sampled(('number', 'list', 'nested', 'numpy'))
    if form == 'number':
        data = number()
    elif form == 'numpy':
        data = np.dtype(d.dtype()).type(number())
    else:
        width = d.integer(0, 3)
        row = lambda n: [number() for _ in range(n)]  # noqa: E731
        data = row(width) if form == 'list' else [row(width) for _ in range(d.integer(1, 3))]
        if form == 'list' and d.rarely():
            data.append(d.sampled((2 ** 63, 2 ** 64)))
        if form == 'nested' and d.rarely():
            data.append(row(width + 1))
    return Case(data, **_dtype_option(d))


def st_subsets():
    from hypothesis import strategies as st
    return st.lists(st.sampled_from((bool, int, float)), min_size=1, max_size=3, unique=True)


def _flat(data):
    return [x for item in data for x in _flat(item)] if isinstance(data, list) else [data]


def _element_dtype(x):
    """The dtype PyTorch infers for one element: a numpy scalar's own, float32 for a Python float,
    int64 for an int, bool for a bool."""
    return x.dtype if isinstance(x, np.generic) else R.DEFAULT_FLOAT if type(x) is float else \
        np.dtype(np.int64) if type(x) is int else R.BOOL


def ref_tensor(data, dtype=None):
    flat = _flat(data)
    if isinstance(data, list) and len({len(row) if isinstance(row, list) else -1
                                       for row in data}) > 1:
        raise R.Refused('ragged lists', (ValueError,))
    if dtype is None:
        dtype = data.dtype if isinstance(data, np.generic) else R.DEFAULT_FLOAT if not flat else \
            functools.reduce(R.promote_types, map(_element_dtype, flat))
    if np.dtype(dtype).kind != 'f' and any(type(x) is int and not -2 ** 63 <= x < 2 ** 63
                                           for x in flat):
        raise R.Refused('an int beyond int64 in an integer result')
    return R.as_result(np.array(data, dtype=np.float64), dtype)


# --- fill_, zero_, copy_ ---------------------------------------------------------------------------
def _in_place(method):
    """x.clone().<method>(...): the method must change the copy in place and return it (a copy, so
    that a leaf that requires grad may be filled and the gradient flows through)."""
    def call(lib, x, *args):
        target = x.clone()
        out = getattr(target, method)(*args)
        assert out is target, f'{method} did not return its tensor'
        return out
    return call


def draw_fill(d):
    """A tensor and a value: a number (rarely one its dtype does not hold, refused) or a 0-d tensor
    (rarely one of more dims, refused)."""
    x = d.array()
    if d.boolean():
        value = d.array(() if not d.rarely() else (2,), dtype=d.dtype(R.FLOATS if x.dtype.kind == 'f'
                                                                     else (x.dtype,)))
    else:
        value = _value(d)
    if d.grad:
        value = 1.5
    return Case(x, value)


def ref_fill(x, value):
    if isinstance(value, np.ndarray) and value.ndim:
        raise R.Refused('fill_ with a tensor of more than 0 dims')
    if isinstance(value, np.ndarray):
        return R.as_result(np.full(x.shape, value), x.dtype)
    return R.as_result(np.full(x.shape, _converted(value, x.dtype), dtype=object), x.dtype)


def d_fill(upstream, x, value):
    return (0 * upstream,) + ((np.zeros(()),) if isinstance(value, np.ndarray) and
                              value.dtype.kind == 'f' else ())


def draw_copy(d):
    """A destination and a source of any dtype that broadcasts to it (now and then one that does
    not, refused)."""
    x = d.array()
    shape = x.shape[d.integer(0, x.ndim):]
    if d.rarely():
        shape = (5,) + shape
    source = d.array(tuple(1 if d.boolean() else s for s in shape),
                     d.dtype(R.FLOATS if x.dtype.kind == 'f' else (x.dtype, R.BOOL)))
    return Case(x, source)


def ref_copy(x, source):
    try:
        values = np.broadcast_to(source, x.shape)
    except ValueError:
        raise R.Refused('copy_: a source that does not broadcast') from None
    return R.as_result(values, x.dtype)


def d_copy(upstream, x, source):
    lead = upstream.ndim - source.ndim
    summed = upstream.sum(axis=tuple(range(lead))) if lead else upstream
    summed = summed.sum(axis=tuple(i for i, s in enumerate(source.shape) if s == 1),
                        keepdims=True) if source.ndim else summed
    return 0 * upstream, summed.reshape(source.shape)


def _vector_norm(lib, x, p=2, dim=None, keepdim=False, dtype=None):
    return lib.linalg.vector_norm(x, 2 if p == 'fro' else p, dim, keepdim, dtype=dtype)


def _spec(name, draw, reference, **options):
    spec(name, draw, reference, table=False, **options)


def _factory(name):
    return lambda lib, *args, **kwargs: getattr(lib, name)(*args, **kwargs)


for _name, _fill in (('zeros', 0), ('ones', 1), ('empty', None)):
    _spec(_name, draw_size, _filled(_fill), call=_factory(_name), grad=(), factory=True)
    _spec(f'{_name}_like', draw_like, _filled_like(_fill), call=_factory(f'{_name}_like'), grad=())
_spec('full', draw_full, ref_full, call=_factory('full'), grad=(), factory=True)
_spec('full_like', draw_full_like, ref_full_like, call=_factory('full_like'), grad=())
_spec('arange', draw_arange, ref_arange, call=_factory('arange'), grad=(), factory=True,
      scale=lambda *a, **k: sum(abs(v) for v in a))
_spec('linspace', draw_linspace, ref_linspace, call=_factory('linspace'), grad=(), factory=True,
      scale=lambda *a, **k: abs(a[0]) + abs(a[1]))
_spec('eye', draw_eye, ref_eye, call=_factory('eye'), grad=(), factory=True)
_spec('tensor', draw_data, ref_tensor, call=_factory('tensor'), grad=(), factory=True)
_spec('as_tensor', draw_data, ref_tensor, call=_factory('as_tensor'), grad=(), factory=True,
      names=('tensor',))
_spec('fill_', draw_fill, ref_fill, call=_in_place('fill_'), derivative=d_fill)
_spec('zero_', lambda d: Case(d.array()), lambda x: np.zeros_like(x), call=_in_place('zero_'),
      derivative=lambda upstream, x: (0 * upstream,))
_spec('copy_', draw_copy, ref_copy, call=_in_place('copy_'), derivative=d_copy)
_spec('vector_norm', draw_norm, ref_norm, call=_vector_norm, derivative=d_norm, scale=norm_scale,
      names=('norm',), second_order=True)
