"""Solutions to notebook 03's exercises (autograd from scratch).

mul, sum_axis and mean use the notebook's TinyTensor and sum_to (section 3): they are written to be
pasted into the notebook, where those names exist.
"""
import numpy as np


def grad_in_chunks(w, x, y, chunks):
    """The whole batch's gradient of sum((x @ w - y)²), one chunk's backward at a time."""
    w.grad = None                       # whatever an earlier step left there
    for x_chunk, y_chunk in zip(x.chunk(chunks), y.chunk(chunks)):
        ((x_chunk @ w - y_chunk) ** 2).sum().backward()     # adds this chunk's share into w.grad
    return w.grad


def normalize_vjp(x, v):
    """vᵀJ for y = x / s, s = x.sum(): J[i, j] = δ_ij / s − x_i / s², so
    Σ_i v_i J[i, j] = v_j / s − (v · x) / s²."""
    s = x.sum()
    return (v - v @ x / s) / s


def mul(a, b):
    out = TinyTensor(a.data * b.data, (a, b), "mul")
    def _backward():
        a._accumulate(sum_to(out.grad * b.data, a.data.shape))
        b._accumulate(sum_to(out.grad * a.data, b.data.shape))
    out._backward = _backward
    return out


def sum_axis(a, axis):
    out = TinyTensor(a.data.sum(axis=axis), (a,), "sum_axis")
    def _backward():
        g = np.expand_dims(out.grad, axis)                   # put the summed axis back, size 1
        a._accumulate(np.broadcast_to(g, a.data.shape).copy())
    out._backward = _backward
    return out


def mean(a):
    out = TinyTensor(a.data.mean(), (a,), "mean")
    def _backward():
        a._accumulate(np.full(a.data.shape, out.grad / a.data.size))
    out._backward = _backward
    return out
