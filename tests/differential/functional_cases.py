"""Generated cases and numpy references for the nn.functional ops that are not rows of the op table
(so have no spec): max_pool2d (with its indices), one_hot, embedding.  test_functional.py checks
minitorch against these references; tests/parity checks it against PyTorch on the same draws."""
import numpy as np
from hypothesis import strategies as st

from . import reference as R
from .strategies import QUARTERS, SIDES

INT64 = np.dtype(np.int64)


# --- max_pool2d ------------------------------------------------------------------------------------
def draw_max_pool(d):
    """(x, options): an (N, C, H, W) or unbatched (C, H, W) input, a window that fits it (kernel,
    stride, padding at most half the kernel, dilation), and return_indices=True."""
    k = (d.integer(1, 3), d.integer(1, 3))
    dilation = (d.integer(1, 2), d.integer(1, 2))
    padding = (d.integer(0, k[0] // 2), d.integer(0, k[1] // 2))
    # from the smallest side on which every window holds an input element (one wholly in the
    # padding has no index to give), and a few more
    hw = tuple(max(1, dl * (kk - 1) + 1 - p) + d.integer(0, 3)
               for kk, dl, p in zip(k, dilation, padding))
    lead = (d.integer(1, 2),) if d.boolean() else ()
    dtype = d.dtype(R.FLOATS if d.grad else R.FLOATS + (np.int32, np.int64))
    # quarters give ties (the first of them in the window wins, as in PyTorch), never nan
    x = d.array(lead + (d.integer(1, 2),) + hw, dtype=dtype,
                elements=None if d.grad or dtype.kind != 'f' else st.sampled_from(QUARTERS))
    options = dict(kernel_size=k, padding=padding, dilation=dilation, return_indices=True)
    if d.boolean():
        options['stride'] = (d.integer(1, 3), d.integer(1, 3))
    return x, options


def ref_max_pool(x, kernel_size, padding, dilation, return_indices, stride=None):
    """(values, indices into each flattened H*W plane), by a loop over the windows."""
    assert return_indices
    stride = kernel_size if stride is None else stride
    unbatched = x.ndim == 3
    x4 = x[None] if unbatched else x
    n, c, h, w = x4.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel_size, stride, padding, dilation
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    values = np.empty((n, c, oh, ow), dtype=x.dtype)
    indices = np.empty((n, c, oh, ow), dtype=INT64)
    for i in range(oh):
        for j in range(ow):
            rows = [i * sh + a * dh - ph for a in range(kh)]
            cols = [j * sw + b * dw - pw for b in range(kw)]
            inside = [(r, q) for r in rows for q in cols if 0 <= r < h and 0 <= q < w]
            window = np.stack([x4[:, :, r, q] for r, q in inside], axis=-1)
            best = window.argmax(-1)                # the first of equal values, in scan order
            values[:, :, i, j] = np.take_along_axis(window, best[..., None], -1)[..., 0]
            flat = np.array([r * w + q for r, q in inside])
            indices[:, :, i, j] = flat[best]
    if unbatched:
        values, indices = values[0], indices[0]
    return values, indices


def d_max_pool(upstream, x, indices):
    """The gradient of sum(out * upstream): each upstream value added at the input that won."""
    grad = np.zeros(x.shape, dtype=np.float64)
    planes = grad.reshape(-1, x.shape[-2] * x.shape[-1])
    for row, (where, up) in enumerate(zip(indices.reshape(len(planes), -1),
                                          upstream.reshape(len(planes), -1))):
        np.add.at(planes[row], where, up)
    return grad


# --- one_hot ---------------------------------------------------------------------------------------
def draw_one_hot(d):
    """(indices, num_classes): int64 class indices of any shape (0-d and 0-size included) and a
    number of classes (-1: inferred, on a non-empty tensor); now and then an index out of range."""
    n = d.integer(1, 5)
    x = d.index_array(d.shape(), n)
    if d.rarely() and x.size:
        x.reshape(-1)[0] = d.sampled((-1, n))
    num_classes = -1 if x.size and d.boolean() else n + d.integer(0, 2)
    return x, num_classes


def ref_one_hot(x, num_classes):
    """np.eye(num_classes)[x], or None where PyTorch refuses (an index out of range)."""
    n = int(x.max()) + 1 if num_classes < 0 else num_classes
    if x.size and (x.min() < 0 or x.max() >= n):
        return None
    return np.eye(n, dtype=INT64)[x]


# --- embedding -------------------------------------------------------------------------------------
def draw_embedding(d):
    """(indices, weight, padding_idx): int64 indices of any shape (0-d and 0-size included) into the
    rows of a (rows, dim) weight, padding_idx None or a row (maybe negative); now and then an index
    out of range."""
    rows, dim = d.integer(1, 5), d.sampled(SIDES[:-1])
    x = d.index_array(d.shape(), rows)
    if d.rarely() and x.size:
        x.reshape(-1)[0] = d.sampled((-1, rows))
    weight = d.array((rows, dim), dtype=d.dtype(R.FLOATS))
    padding_idx = d.integer(-rows, rows - 1) if d.boolean() else None
    return x, weight, padding_idx


def ref_embedding(x, weight, padding_idx):
    """weight[x], or None where PyTorch refuses (an index out of range)."""
    if x.size and (x.min() < 0 or x.max() >= len(weight)):
        return None
    return weight[x]


def d_embedding(upstream, x, weight, padding_idx):
    """The gradient of sum(out * upstream) for the weight: upstream rows added at their index, none
    for the padding row."""
    grad = np.zeros(weight.shape, dtype=np.float64)
    np.add.at(grad, x.reshape(-1), upstream.reshape(-1, weight.shape[1]))
    if padding_idx is not None:
        grad[padding_idx % len(weight)] = 0
    return grad
