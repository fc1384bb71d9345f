"""Argument checks shared by the ops, with errors that name the op and the shapes involved."""


def wrap_dim(dim, ndim, op):
    """A dim in [-ndim, ndim) as a non-negative index (a 0-d tensor accepts dims -1 and 0)."""
    size = max(ndim, 1)
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f'{op}: dim must be an int, got {dim!r}')
    if not -size <= dim < size:
        raise IndexError(f'{op}: dimension out of range (expected to be in range of [{-size}, '
                         f'{size - 1}], but got {dim}) for a tensor with {ndim} dim(s)')
    return dim % size


def wrap_dims(dim, ndim, op):
    """dim=None -> all dims; an int or a tuple of ints -> a sorted tuple of non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    wrapped = tuple(sorted({wrap_dim(d, ndim, op) for d in dims}))
    if len(wrapped) != len(dims):
        raise RuntimeError(f'{op}: dim {dim} names a dimension more than once')
    return tuple(d for d in wrapped if d < ndim)


def broadcast_shape(op, *shapes):
    """The broadcast of the shapes, or an error naming both full shapes and the clashing dim."""
    ndim = max(len(s) for s in shapes)
    result = []
    for i in range(-ndim, 0):
        sizes = {s[i] for s in shapes if len(s) >= -i} - {1}
        if len(sizes) > 1:
            described = ' and '.join(str(list(s)) for s in shapes)
            raise RuntimeError(f'{op}: shapes {described} cannot be broadcast together: at dim {i} '
                               f'the sizes are {sorted(sizes)}. Sizes must be equal or 1 in every '
                               f'dim (counted from the right); reshape or unsqueeze one of them.')
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)
