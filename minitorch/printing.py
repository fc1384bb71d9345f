"""repr of a tensor, in PyTorch's style: tensor([[1., 2.]], grad_fn=<MulBackward>)."""
import numpy as np

from . import dtypes

_DEFAULT_DTYPES = (dtypes.float32, dtypes.int64, dtypes.bool_)


def tensor_repr(t):
    """repr(t) as PyTorch prints it: the values (summarized past 1000 elements), then the device,
    dtype, grad_fn or requires_grad and name when they are not the defaults."""
    tag = getattr(t._data, 'graph_tag', None)
    if tag is not None:             # a symbolic tensor of a static graph: no values to show
        from .static.ir import Value
        kind = Value(t._data.shape, t._data.dtype, t._device, 'node').type_text()
        grad = f', grad_fn={t.grad_fn!r}' if t.grad_fn is not None else ''
        return f'<symbolic tensor {kind} of graph {tag.split("#")[0]!r}{grad}>'
    host = t._device.backend.to_host(t._data)
    prefix = 'tensor('
    if host.size == 0:
        body = f'[], size={tuple(host.shape)}' if host.ndim > 1 else '[]'
    else:
        formatter = ({'float_kind': _padded(_float_format(host), host)} if host.dtype.kind == 'f'
                     else None)
        body = np.array2string(host, separator=', ', prefix=prefix, threshold=1000, edgeitems=3,
                               formatter=formatter)
    extras = []
    if t._device.type != 'cpu':
        extras.append(f"device='{t._device}'")
    if t.dtype not in _DEFAULT_DTYPES:
        extras.append(f'dtype={t.dtype!r}')
    if t.grad_fn is not None:
        extras.append(f'grad_fn={t.grad_fn!r}')
    elif t._requires_grad:
        extras.append('requires_grad=True')
    if t.name is not None:
        extras.append(f'name={t.name!r}')
    return prefix + body + ''.join(', ' + e for e in extras) + ')'


def _float_format(host):
    """PyTorch's choice: '1.' when every value is whole, else 4 decimals, scientific for wide ranges."""
    finite = np.abs(host[np.isfinite(host)]).astype(np.float64)
    if finite.size == 0 or np.all(finite == np.round(finite)) and finite.max() < 1e8:
        return lambda v: f'{v:.0f}.' if np.isfinite(v) else str(v)
    nonzero = finite[finite > 0]
    wide = nonzero.size and (nonzero.max() / nonzero.min() > 1000 or nonzero.max() > 1e8 or
                             nonzero.min() < 1e-4)
    return (lambda v: f'{v:.4e}') if wide else (lambda v: f'{v:.4f}')


def _padded(fmt, host):
    """Right-align every element to the widest one shown, as PyTorch does: tensor([ 1.5, -2.0])."""
    if host.size > 1000:        # summarized: only the first and last 3 along each dim are shown
        for axis in range(host.ndim):
            if host.shape[axis] > 6:
                host = np.take(host, [0, 1, 2, -3, -2, -1], axis=axis)
    width = max(len(fmt(v)) for v in host.reshape(-1))
    return lambda v: fmt(v).rjust(width)
