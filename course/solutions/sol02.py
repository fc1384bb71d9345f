"""Solutions to notebook 02's exercises (tensors and devices), with the notebook's hand-made
StridedTensor they build on."""
import itertools

import numpy as np


# --- from the notebook (section 3), as it is there: a strided tensor, by hand --------------------------------------
def contiguous_strides(shape):
    """Row-major strides: one step along the last dim moves 1 slot, along the dim before it the size of
    the last dim, and so on."""
    strides, step = [], 1
    for size in reversed(shape):
        strides.insert(0, step)
        step *= size
    return tuple(strides)


class StridedTensor:
    """An n-dimensional view of a flat storage: element (i0, i1, ...) lives at
    storage[offset + i0 * strides[0] + i1 * strides[1] + ...]."""

    def __init__(self, storage, shape, strides=None, offset=0):
        self.storage = storage                  # a flat Python list, shared by every view of it
        self.shape = tuple(shape)
        self.strides = contiguous_strides(self.shape) if strides is None else tuple(strides)
        self.offset = offset

    def position(self, index):
        """Where element `index` (a tuple of ints, one per dim) lives in the storage."""
        return self.offset + sum(i * s for i, s in zip(index, self.strides))

    def element(self, *index):
        return self.storage[self.position(index)]

    def set_element(self, value, *index):
        self.storage[self.position(index)] = value

    def tolist(self):
        """The values as nested lists (a number for a 0-d tensor), read through the strides."""
        def build(prefix):
            if len(prefix) == len(self.shape):
                return self.element(*prefix)
            return [build(prefix + (i,)) for i in range(self.shape[len(prefix)])]
        return build(())

    def transpose(self, d0, d1):
        """The same storage with two dims swapped: swap their sizes and their strides; nothing is copied."""
        shape, strides = list(self.shape), list(self.strides)
        shape[d0], shape[d1] = shape[d1], shape[d0]
        strides[d0], strides[d1] = strides[d1], strides[d0]
        return StridedTensor(self.storage, shape, strides, self.offset)

    def is_contiguous(self):
        return self.strides == contiguous_strides(self.shape)

    def contiguous(self):
        """A copy in a new storage, laid out row-major (self when it already is)."""
        if self.is_contiguous() and self.offset == 0 and len(self.storage) == np.prod(self.shape):
            return self
        values = [self.element(*index) for index in np.ndindex(*self.shape)]
        return StridedTensor(values, self.shape)

    def __repr__(self):
        return (f"StridedTensor(shape={self.shape}, strides={self.strides}, offset={self.offset}, "
                f"values={self.tolist()})")


# --- exercise 1 -----------------------------------------------------------------------------------
def broadcast_shape(s1, s2):
    """The shape two shapes broadcast to; ValueError when they do not."""
    n = max(len(s1), len(s2))
    s1 = (1,) * (n - len(s1)) + tuple(s1)
    s2 = (1,) * (n - len(s2)) + tuple(s2)
    out = []
    for a, b in zip(s1, s2):
        if a != b and a != 1 and b != 1:
            raise ValueError(f'sizes {a} and {b} do not broadcast')
        out.append(b if a == 1 else a)
    return tuple(out)


# --- exercise 2 -----------------------------------------------------------------------------------
def pairwise_sq_dists(a, b):
    """(n, m) tensor of squared distances between the rows of a (n, d) and of b (m, d)."""
    diff = a.unsqueeze(1) - b.unsqueeze(0)      # (n, 1, d) - (1, m, d) -> (n, m, d)
    return (diff * diff).sum(dim=2)


# --- exercise 3: views of a StridedTensor ---------------------------------------------------------
def broadcast_to(t, shape):
    """A view of t with the given shape: new leading dims and stretched size-1 dims get stride 0."""
    shape = tuple(shape)
    extra = len(shape) - len(t.shape)
    if extra < 0:
        raise ValueError(f'cannot broadcast shape {t.shape} to fewer dims, {shape}')
    old_shape = (1,) * extra + t.shape
    old_strides = (0,) * extra + t.strides
    strides = []
    for old, new, stride in zip(old_shape, shape, old_strides):
        if old == new:
            strides.append(stride)
        elif old == 1:
            strides.append(0)                   # every step along this dim reads the same slot
        else:
            raise ValueError(f'cannot broadcast shape {t.shape} to {shape}: size {old} is neither '
                             f'{new} nor 1')
    return StridedTensor(t.storage, shape, strides, t.offset)


def getitem(t, index):
    """t[index] as a view: index is an int, a slice, or a tuple of them (one per leading dim)."""
    if not isinstance(index, tuple):
        index = (index,)
    offset, shape, strides = t.offset, [], []
    for i, size, stride in itertools.zip_longest(index, t.shape, t.strides, fillvalue=slice(None)):
        if isinstance(i, slice):
            start, stop, step = i.indices(size)
            offset += start * stride
            shape.append(len(range(start, stop, step)))
            strides.append(stride * step)
        else:                                   # an int picks one position: the dim disappears
            offset += i * stride
    return StridedTensor(t.storage, shape, strides, offset)
