"""Specs of the reductions (minitorch/ops/reduction.py, softmax.py): dims given as None, (), an int
or a tuple (negative, repeated, out of range), keepdim, dtype=, empty dims, PyTorch's result dtypes."""
import numpy as np

from . import reference as R
from .registry import Case, spec

INT64 = np.dtype(np.int64)


def _kept(values, x, dims, keepdim):
    """A numpy reduction's result shaped as PyTorch's (keepdim or not) and as an array."""
    values = np.asarray(values)
    if keepdim:
        return values.reshape(tuple(1 if i in dims else s for i, s in enumerate(x.shape)))
    return values.reshape(tuple(s for i, s in enumerate(x.shape) if i not in dims))


def _options(d, keepdim=True, dtype=None):
    options = {}
    if keepdim and d.boolean():
        options['keepdim'] = d.boolean()
    if dtype is not None and d.sampled((False, False, True)):
        options['dtype'] = d.dtype(dtype)
    return options


def draw_dims(dtypes=R.ALL, forms=('absent', 'none', 'empty', 'int', 'tuple'), refused=(),
              dtype_option=None, keepdim=True, keepdim_alone=False):
    """A tensor and dims in one of the forms: 'absent' (no dim argument), 'none' (dim=None), 'empty'
    (dim=()), 'int', 'tuple'; now and then (value mode) in a form PyTorch refuses."""
    def draw(d):
        x = d.array(dtype=d.dtype(dtypes))
        form = d.sampled(refused) if refused and d.rarely() else d.sampled(forms)
        options = _options(d, keepdim, dtype_option)
        if x.dtype.kind == 'f' and R.category(options.get('dtype', x.dtype)) < 2:
            # float to integer casts of nan, inf and out-of-range values are undefined
            x = R.as_result(np.clip(np.nan_to_num(x, posinf=0, neginf=0), 0, 100), x.dtype)
        if form == 'absent':
            if not keepdim_alone:
                options.pop('keepdim', None)
            return Case(x, **options)
        dim = {'none': None, 'empty': ()}.get(form)
        if form == 'int':
            dim = d.dim(x.ndim)
        elif form == 'tuple':
            dim = d.dim_tuple(x.ndim)
        return Case(x, dim, **options)
    return draw


def _cast_option(x, dtype):
    return x if dtype is None else R.as_result(x, dtype)


def _as_float64(x):
    return x.astype(np.float64)


# --- sum, mean, prod -------------------------------------------------------------------------------
def _integer_sum_dtype(x, dtype):
    if dtype is not None:
        return np.dtype(dtype)
    return INT64 if R.category(x.dtype) < 2 else x.dtype


def _ref_accumulation(method):
    """sum or prod (the array method named): integers accumulate as int64, floats in float64."""
    def ref(x, dim=None, keepdim=False, dtype=None):
        dims = R.wrap_dims(dim, x.ndim)
        out = _integer_sum_dtype(x, dtype)
        x = x.astype(out)
        work = x.astype(np.float64) if out.kind == 'f' else x
        return R.as_result(_kept(getattr(work, method)(axis=dims), x, dims, keepdim), out)
    return ref


ref_sum, ref_prod = _ref_accumulation('sum'), _ref_accumulation('prod')


def ref_mean(x, dim=None, keepdim=False, dtype=None):
    if dtype is not None:
        x = x.astype(dtype)
    if x.dtype.kind != 'f':
        raise R.Refused('mean of integers', (RuntimeError,))
    dims = R.wrap_dims(dim, x.ndim)
    with np.errstate(all='ignore'):
        values = _as_float64(x).mean(axis=dims) if x.size else np.full(
            [s for i, s in enumerate(x.shape) if i not in dims], np.nan)
    return R.as_result(_kept(values, x, dims, keepdim), x.dtype)


# --- max, min, amax, amin, argmax, argmin ----------------------------------------------------------
def _extreme(x, dims, largest):
    return (np.max if largest else np.min)(x, axis=dims) if x.ndim else x.copy()


def _refuse_empty(x, dims, op):
    if x.ndim and any(x.shape[d] == 0 for d in dims):
        raise R.Refused(f'{op}: an empty reduced dim', (IndexError, RuntimeError))


def ref_max_or_min(largest):
    op = 'max' if largest else 'min'

    def reference(x, dim=None, keepdim=False):
        if dim is None:
            if x.size == 0:
                raise R.Refused(f'{op} of nothing', (RuntimeError,))
            return R.as_result(_extreme(x, None, largest), x.dtype)
        if isinstance(dim, tuple):
            raise R.Refused(f'{op} takes one dim', (TypeError,))
        d = R.wrap_dim(dim, x.ndim)
        _refuse_empty(x, (d,), op)
        if x.ndim == 0:
            return x.copy(), np.asarray(0, dtype=INT64)
        index = (np.argmax if largest else np.argmin)(x, axis=d, keepdims=True)
        values = np.take_along_axis(x, index, axis=d)
        if not keepdim:
            values, index = values.squeeze(d), index.squeeze(d)
        return R.as_result(values, x.dtype), R.as_result(index, INT64)
    return reference


def ref_amax_or_amin(largest):
    op = 'amax' if largest else 'amin'

    def reference(x, dim=(), keepdim=False):
        dims = R.wrap_dims(dim, x.ndim)
        _refuse_empty(x, dims, op)
        if x.ndim and x.size == 0 and not dims:
            raise R.Refused(f'{op} of nothing', (RuntimeError,))
        return R.as_result(_kept(_extreme(x, dims, largest), x, dims, keepdim), x.dtype)
    return reference


def ref_arg(largest):
    op = 'argmax' if largest else 'argmin'

    def reference(x, dim=None, keepdim=False):
        if x.dtype == R.BOOL:
            raise R.Refused(f'{op} of bools', (RuntimeError,))
        if isinstance(dim, tuple):
            raise R.Refused(f'{op} takes one dim', (TypeError,))
        find = np.argmax if largest else np.argmin
        if dim is None:
            if x.size == 0:
                raise R.Refused(f'{op} of nothing', (RuntimeError, IndexError))
            found = np.asarray(find(x.reshape(-1)))
            return R.as_result(found.reshape((1,) * x.ndim) if keepdim else found, INT64)
        d = R.wrap_dim(dim, x.ndim)
        _refuse_empty(x, (d,), op)
        if x.ndim == 0:
            return np.asarray(0, dtype=INT64)
        return R.as_result(find(x, axis=d, keepdims=keepdim), INT64)
    return reference


# --- var, std ----------------------------------------------------------------------------------------
def ref_var_or_std(root):
    op = 'std' if root else 'var'

    def reference(x, dim=None, unbiased=None, keepdim=False, correction=None):
        if x.dtype.kind != 'f':
            raise R.Refused(f'{op} of integers', (RuntimeError,))
        dims = R.wrap_dims(dim, x.ndim)
        c = correction if correction is not None else (0 if unbiased is False else 1)
        n = int(np.prod([x.shape[d] for d in dims])) if dims else 1
        with np.errstate(all='ignore'):
            if n - c <= 0:      # PyTorch: M2 / max(0, n - c), inf (or nan where M2 is 0)
                spread = _as_float64(x).var(axis=dims) if n else np.full(
                    [s for i, s in enumerate(x.shape) if i not in dims], np.nan)
                values = np.where(spread > 0, np.inf, np.nan)
            else:
                values = _as_float64(x).var(axis=dims, ddof=c)
            values = np.sqrt(values) if root else values
        return R.as_result(_kept(values, x, dims, keepdim), x.dtype)
    return reference


def draw_var(d):
    x = d.array(dtype=d.dtype(R.FLOATS if not d.rarely() else R.ALL))
    dims = d.dims(x.ndim)
    options = _options(d)
    form = d.sampled(('default', 'unbiased', 'correction'))
    if form == 'unbiased':
        options['unbiased'] = d.boolean()
    elif form == 'correction':
        options['correction'] = d.sampled((0, 1, 2))
    if d.grad:      # degrees of freedom left, so the gradient is finite
        options.pop('unbiased', None)
        options['correction'] = 0
    return Case(x, dims, **options)


# --- all, any, cumsum --------------------------------------------------------------------------------
def ref_all_or_any(every):
    def reference(x, dim=None, keepdim=False):
        dims = R.wrap_dims(dim, x.ndim)
        values = (np.all if every else np.any)(x.astype(bool), axis=dims)
        out = x.dtype if x.dtype == np.uint8 else R.BOOL       # uint8 stays uint8, as in PyTorch
        return R.as_result(_kept(values, x, dims, keepdim), out)
    return reference


def ref_cumsum(x, dim, dtype=None):
    if isinstance(dim, tuple) or dim is None:
        raise R.Refused('cumsum takes one dim', (TypeError,))
    d = R.wrap_dim(dim, x.ndim)
    out = _integer_sum_dtype(x, dtype)
    x = x.astype(out)
    if x.ndim == 0:
        return x.copy()
    work = x.astype(np.float64) if out.kind == 'f' else x
    return R.as_result(np.cumsum(work, axis=d), out)


# --- logsumexp, softmax, log_softmax ----------------------------------------------------------------
def ref_logsumexp(x, dim, keepdim=False):
    dims = R.wrap_dims(dim, x.ndim)
    out = R.float_of(x.dtype)
    x64 = _as_float64(x.astype(out))
    with np.errstate(all='ignore'):
        if x.size == 0 or not dims and x.ndim and 0 in x.shape:
            values = np.full([s for i, s in enumerate(x.shape) if i not in dims], -np.inf)
        elif any(x.shape[d] == 0 for d in dims):
            values = np.full([s for i, s in enumerate(x.shape) if i not in dims], -np.inf)
        else:
            top = np.max(x64, axis=dims, keepdims=True) if x.ndim else x64
            top = np.where(np.isinf(top), 0, top)
            values = np.log(np.sum(np.exp(x64 - top), axis=dims, keepdims=True)) + top
            values = values.reshape([s for i, s in enumerate(x.shape) if i not in dims])
    return R.as_result(_kept(values, x, dims, keepdim), out)


def ref_softmax(log):
    op = 'log_softmax' if log else 'softmax'

    def reference(x, dim, dtype=None):
        if dtype is not None:
            x = x.astype(dtype)
        if x.dtype.kind != 'f':
            raise R.Refused(f'{op} of integers', (RuntimeError, NotImplementedError))
        d = R.wrap_dim(dim, x.ndim)
        x64 = _as_float64(x)
        if x.size == 0:
            return x.copy()
        with np.errstate(all='ignore'):
            shifted = x64 - (np.max(x64, axis=d, keepdims=True) if x.ndim else x64)
            total = np.sum(np.exp(shifted), axis=d if x.ndim else None, keepdims=True)
            values = shifted - np.log(total) if log else np.exp(shifted) / total
        return R.as_result(values, x.dtype)
    return reference


def draw_softmax(d):
    x = d.array(dtype=d.dtype(R.FLOATS if not d.rarely() else R.ALL))
    options = {}
    if d.sampled((False, False, True)):
        options['dtype'] = d.dtype(R.FLOATS)
    return Case(x, d.dim(x.ndim), **options)


# --- closed-form gradients --------------------------------------------------------------------------
def _expand(upstream, x, dims, keepdim):
    if not keepdim:
        upstream = upstream.reshape(tuple(1 if i in dims else s for i, s in enumerate(x.shape)))
    return np.broadcast_to(upstream, x.shape)


def d_sum(upstream, x, dim=None, keepdim=False, dtype=None):
    return (_expand(upstream, x, R.wrap_dims(dim, x.ndim), keepdim),)


def d_mean(upstream, x, dim=None, keepdim=False, dtype=None):
    dims = R.wrap_dims(dim, x.ndim)
    n = int(np.prod([x.shape[d] for d in dims])) if dims else 1
    return (_expand(upstream, x, dims, keepdim) / n,)


def d_prod(upstream, x, dim=None, keepdim=False, dtype=None):
    dims = R.wrap_dims(dim, x.ndim)
    total = x.prod(axis=dims, keepdims=True)
    return (_expand(upstream, x, dims, keepdim) * total / x,)


def d_var_or_std(root):
    def derivative(upstream, x, dim=None, unbiased=None, keepdim=False, correction=None):
        dims = R.wrap_dims(dim, x.ndim)
        c = correction if correction is not None else (0 if unbiased is False else 1)
        n = int(np.prod([x.shape[d] for d in dims])) if dims else 1
        slope = 2 * (x - x.mean(axis=dims, keepdims=True)) / (n - c)
        if root:
            std = np.sqrt(x.var(axis=dims, ddof=c, keepdims=True))
            slope = np.where(std == 0, 0, slope / (2 * np.where(std == 0, 1, std)))
        return (_expand(upstream, x, dims, keepdim) * slope,)
    return derivative


def d_amax_or_amin(largest):
    def derivative(upstream, x, dim=(), keepdim=False):
        dims = R.wrap_dims(dim, x.ndim)
        top = (np.max if largest else np.min)(x, axis=dims, keepdims=True) if x.ndim else x
        winners = (x == top).astype(np.float64)
        share = winners / winners.sum(axis=dims, keepdims=True)
        return (_expand(upstream, x, dims, keepdim) * share,)
    return derivative


def d_cumsum(upstream, x, dim, dtype=None):
    if x.ndim == 0:
        return (upstream,)
    d = R.wrap_dim(dim, x.ndim)
    return (np.flip(np.cumsum(np.flip(upstream, d), axis=d), d),)


def d_logsumexp(upstream, x, dim, keepdim=False):
    dims = R.wrap_dims(dim, x.ndim)
    y = np.log(np.exp(x).sum(axis=dims, keepdims=True))
    return (_expand(upstream, x, dims, keepdim) * np.exp(x - y),)


def d_softmax(log):
    def derivative(upstream, x, dim, dtype=None):
        d = R.wrap_dim(dim, x.ndim) if x.ndim else None
        s = np.exp(x - x.max(axis=d, keepdims=True))
        s = s / s.sum(axis=d, keepdims=True)
        if log:
            return (upstream - s * upstream.sum(axis=d, keepdims=True),)
        return (s * (upstream - (upstream * s).sum(axis=d, keepdims=True)),)
    return derivative


def _sum_scale(x, *args, **kwargs):
    return R.magnitude(x)


def _square_scale(x, *args, **kwargs):
    finite = x[np.isfinite(x)].astype(np.float64) if x.dtype.kind == 'f' else x.astype(np.float64)
    return float((finite ** 2).mean()) if finite.size else 0.0


ANY_DIMS = ('absent', 'none', 'empty', 'int', 'tuple')
spec('sum', draw_dims(dtype_option=R.NUMERIC), ref_sum, derivative=d_sum, scale=_sum_scale)
spec('mean', draw_dims(R.FLOATS + (np.int64,), dtype_option=R.FLOATS), ref_mean,
     derivative=d_mean, scale=_sum_scale)
# prod over a tuple of dims: minitorch's own (PyTorch's prod takes one dim)
spec('prod', draw_dims(forms=('absent', 'int', 'tuple'), dtype_option=R.NUMERIC), ref_prod,
     derivative=d_prod, second_order=True)
spec('max', draw_dims(forms=('absent', 'int'), refused=('tuple',)), ref_max_or_min(True))
spec('min', draw_dims(forms=('absent', 'int'), refused=('tuple',)), ref_max_or_min(False))
spec('amax', draw_dims(forms=('absent', 'empty', 'int', 'tuple')), ref_amax_or_amin(True),
     derivative=d_amax_or_amin(True), second_order=True)
spec('amin', draw_dims(forms=('absent', 'empty', 'int', 'tuple')), ref_amax_or_amin(False),
     derivative=d_amax_or_amin(False))
spec('argmax', draw_dims(forms=('absent', 'none', 'int'), refused=('tuple',), keepdim_alone=True),
     ref_arg(True), grad=())
spec('argmin', draw_dims(forms=('absent', 'none', 'int'), refused=('tuple',), keepdim_alone=True),
     ref_arg(False), grad=())
spec('var', draw_var, ref_var_or_std(False), derivative=d_var_or_std(False), scale=_square_scale,
     second_order=True)
spec('std', draw_var, ref_var_or_std(True), derivative=d_var_or_std(True), scale=_square_scale,
     second_order=True)
spec('all', draw_dims(), ref_all_or_any(True), grad=())
spec('any', draw_dims(), ref_all_or_any(False), grad=())
spec('cumsum', draw_dims(forms=('int',), refused=('tuple',), keepdim=False, dtype_option=R.NUMERIC),
     ref_cumsum, derivative=d_cumsum, scale=_sum_scale, second_order=True)
spec('logsumexp', draw_dims(forms=('empty', 'int', 'tuple')), ref_logsumexp,
     derivative=d_logsumexp, second_order=True)
spec('softmax', draw_softmax, ref_softmax(False), derivative=d_softmax(False), second_order=True)
spec('log_softmax', draw_softmax, ref_softmax(True), derivative=d_softmax(True), second_order=True)
