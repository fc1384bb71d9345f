"""Specs of the matrix products and norms (minitorch/ops/linalg.py): matmul's vector, matrix and
batched cases with broadcast batch dims; mm, bmm, mv, dot and outer with their fixed ranks; norm."""
import numpy as np

from . import reference as R
from .registry import Case, spec
from .specs_arithmetic import sum_to

MATMUL_DTYPES = R.NUMERIC + (R.BOOL,)


def _refuse(why, kinds=(RuntimeError,)):
    raise R.Refused(why, kinds)


def _pair_dtypes(d):
    a = d.dtype(MATMUL_DTYPES)
    return a, (a if not d.rarely() else d.dtype(MATMUL_DTYPES))


def draw_matmul(d):
    """Operands of 1 to 4 dims whose inner sizes agree (now and then not), batch dims broadcast."""
    n, k, m = (d.sampled((1, 2, 3, 0)) for _ in range(3))
    batch_a, batch_b = d.shapes(2, max_dims=2)
    ra, rb = d.sampled((1, 2, 2, 3)), d.sampled((1, 2, 2, 3))
    a_shape = (k,) if ra == 1 else tuple(batch_a)[:ra - 2] + (n, k)
    b_shape = (k,) if rb == 1 else tuple(batch_b)[:rb - 2] + (k, m)
    if d.rarely():
        b_shape = b_shape[:-2] + (k + 1,) + b_shape[-1:] if rb > 1 else (k + 1,)
    if d.rarely():
        a_shape = ()
    ta, tb = _pair_dtypes(d)
    return Case(d.array(a_shape, ta), d.array(b_shape, tb))


def ref_matmul(a, b, op='matmul'):
    if a.ndim == 0 or b.ndim == 0:
        _refuse(f'{op}: a 0-d operand')
    if a.dtype != b.dtype:
        _refuse(f'{op}: dtypes differ')
    if a.dtype == R.BOOL:
        _refuse(f'{op} of bools', (RuntimeError, NotImplementedError))
    inner_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if a.shape[-1] != inner_b:
        _refuse(f'{op}: inner sizes differ')
    R.broadcast(a.shape[:-2], b.shape[:-2], op=op)
    if a.dtype.kind == 'f':
        return R.as_result(np.matmul(a.astype(np.float64), b.astype(np.float64)), a.dtype)
    with np.errstate(all='ignore'):
        return R.as_result(np.matmul(a, b), a.dtype)


def matmul_scale(a, b):
    with np.errstate(all='ignore'):
        fa = np.nan_to_num(np.abs(a.astype(np.float64)), posinf=0, neginf=0)
        fb = np.nan_to_num(np.abs(b.astype(np.float64)), posinf=0, neginf=0)
        try:
            product = np.matmul(fa, fb)
        except ValueError:
            return 0.0
    return float(product.max()) if product.size else 0.0


def d_matmul(upstream, a, b):
    """A vector is a one-row (a) or one-column (b) matrix; the gradients then drop that dim."""
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g = np.asarray(upstream)
    if a.ndim == 1:
        g = g[..., None, :] if b.ndim > 1 else g.reshape(1)
    if b.ndim == 1:
        g = g[..., :, None]
    grad_a = sum_to(np.matmul(g, np.swapaxes(b2, -1, -2)), a2.shape).reshape(a.shape)
    grad_b = sum_to(np.matmul(np.swapaxes(a2, -1, -2), g), b2.shape).reshape(b.shape)
    return grad_a, grad_b


FIXED_SHAPES = {        # op: (ranks, shapes of the operands from sizes n, k, m and batch b)
    'mm': ((2, 2), lambda n, k, m, b: ((n, k), (k, m))),
    'bmm': ((3, 3), lambda n, k, m, b: ((b, n, k), (b, k, m))),
    'mv': ((2, 1), lambda n, k, m, b: ((n, k), (k,))),
    'dot': ((1, 1), lambda n, k, m, b: ((k,), (k,))),
}


def _fixed(op):
    ranks, shapes = FIXED_SHAPES[op]

    def draw(d):
        n, k, m, b = (d.sampled((1, 2, 3, 0)) for _ in range(4))
        a_shape, b_shape = shapes(n, k, m, b)
        if d.rarely():
            a_shape = a_shape + (1,)            # a rank the op does not take
        elif d.rarely():
            b_shape = (b_shape[0] + 1,) + b_shape[1:]       # a batch or inner size that differs
        ta, tb = _pair_dtypes(d)
        return Case(d.array(a_shape, ta), d.array(b_shape, tb))

    def reference(a, b):
        if (a.ndim, b.ndim) != ranks:
            _refuse(f'{op}: ranks {a.ndim}, {b.ndim}')
        if op == 'bmm' and a.shape[0] != b.shape[0]:
            _refuse('bmm: batch sizes differ')
        return ref_matmul(a, b, op)
    return draw, reference


def draw_outer(d):
    a = d.array((d.sampled((0, 1, 2, 3)),) if not d.rarely() else (2, 2))
    return Case(a, d.array((d.sampled((0, 1, 2, 3)),)))


def ref_outer(a, b):
    if a.ndim != 1 or b.ndim != 1:
        _refuse('outer: 1-D arguments')
    dtype = R.result_type(a, b)
    if dtype.kind == 'f':       # cast to the result dtype first, as PyTorch does
        a64, b64 = (R.as_result(x, dtype).astype(np.float64) for x in (a, b))
        return R.as_result(np.outer(a64, b64), dtype)
    return R.as_result(np.multiply.outer(a.astype(dtype), b.astype(dtype)), dtype)


def d_outer(upstream, a, b):
    return upstream @ b, a @ upstream


# --- norm ------------------------------------------------------------------------------------------
def draw_norm(d):
    x = d.array(dtype=d.dtype(R.FLOATS if not d.rarely() else R.ALL))
    options = {}
    form = d.sampled(('default', 'p', 'p_dim', 'p_dim_keep'))
    if form != 'default':
        options['p'] = d.sampled((2, 1, 3, 0.5, float('inf'), float('-inf'), 0, -1, 'fro'))
        if d.grad and options['p'] in (0, 0.5, -1):
            options['p'] = 2
    if form in ('p_dim', 'p_dim_keep'):
        options['dim'] = d.dims(x.ndim, none=False)
    if form == 'p_dim_keep':
        options['keepdim'] = d.boolean()
    if d.sampled((False, False, True)):
        options['dtype'] = d.dtype(R.FLOATS)
    return Case(x, **options)


def ref_norm(x, p='fro', dim=None, keepdim=False, dtype=None):
    if x.dtype.kind != 'f':
        _refuse('norm of integers')
    if dtype is not None:
        if np.dtype(dtype).itemsize < x.dtype.itemsize:
            _refuse('norm: dtype= narrower than the input')
        x = x.astype(dtype)
    p = 2 if p == 'fro' else p
    dims = R.wrap_dims(dim, x.ndim)
    if (p < 0 or p == np.inf) and x.ndim and any(x.shape[k] == 0 for k in dims):
        _refuse(f'norm: the {p} norm of an empty dim')
    if (p < 0 or p == np.inf) and x.ndim == 0 and x.size == 0:
        _refuse('norm of nothing')
    a = np.abs(x.astype(np.float64))
    with np.errstate(all='ignore'):
        if p == np.inf:
            values = a.max(axis=dims) if a.size else np.zeros(())
        elif p == -np.inf:
            values = a.min(axis=dims)
        elif p == 0:
            values = (a != 0).sum(axis=dims).astype(np.float64)
        else:
            values = (a ** p).sum(axis=dims) ** (1 / p)
    shape = [1 if i in dims else s for i, s in enumerate(x.shape)] if keepdim else \
        [s for i, s in enumerate(x.shape) if i not in dims]
    return R.as_result(np.asarray(values).reshape(shape), x.dtype)


def d_norm(upstream, x, p='fro', dim=None, keepdim=False, dtype=None):
    p = 2 if p == 'fro' else p
    dims = R.wrap_dims(dim, x.ndim)
    a = np.abs(x)
    if p == np.inf or p == -np.inf:
        top = (a.max if p > 0 else a.min)(axis=dims, keepdims=True)
        winners = (a == top).astype(np.float64)
        local = np.sign(x) * winners / winners.sum(axis=dims, keepdims=True)
    else:
        norm = (a ** p).sum(axis=dims, keepdims=True) ** (1 / p)
        local = np.sign(x) * a ** (p - 1) / norm ** (p - 1)
    if not keepdim:
        upstream = upstream.reshape([1 if i in dims else s for i, s in enumerate(x.shape)])
    return (upstream * local,)


def norm_scale(x, *args, **kwargs):
    return R.magnitude(x) if x.dtype.kind == 'f' else 0.0


spec('matmul', draw_matmul, ref_matmul, derivative=d_matmul, scale=matmul_scale, second_order=True)
for _op in FIXED_SHAPES:
    _draw, _reference = _fixed(_op)
    spec(_op, _draw, _reference, derivative=d_matmul, scale=matmul_scale, names=('matmul',))
spec('outer', draw_outer, ref_outer, derivative=d_outer)
spec('norm', draw_norm, ref_norm, derivative=d_norm, scale=norm_scale, names=('vector_norm',),
     second_order=True)
