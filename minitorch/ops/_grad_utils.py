"""Tensor-level helpers that backward rules share."""


def sum_to(grad, shape):
    """Sum a broadcast gradient back down to `shape` (the inverse of broadcasting)."""
    if grad._data.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and grad.shape[lead + i] != 1)
    if dims:
        grad = grad.sum(dims, keepdim=True)
    return grad.reshape(shape) if grad.shape != shape else grad


def expand_reduced(grad, input_shape, dims, keepdim):
    """Undo a reduction's shape: put back the reduced dims (size 1) and broadcast to the input."""
    if not keepdim and grad.ndim:
        kept = list(input_shape)
        for d in dims:
            kept[d] = 1
        grad = grad.reshape(tuple(kept))
    from .shape import Expand      # the shapes are known to fit: no need for expand()'s checks
    return Expand.apply(grad, tuple(input_shape)) if grad._data.shape != input_shape else grad


def reduced_count(input_shape, dims):
    n = 1
    for d in dims:
        n *= input_shape[d]
    return n
