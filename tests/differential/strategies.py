"""Inputs the specs draw: shapes (0-d and 0-size included), broadcastable shape sets, arrays of every
dtype (with nan, inf and extreme integers now and then), dims (negative, repeated, out of range).

A spec's `draw(d)` gets a Draw: in value mode it may draw any dtype and, now and then, an input that
PyTorch refuses; in gradient mode (d.grad) every floating input is float64 with values away from the
kinks of piecewise functions (no ties, no integers, no zero), and nothing is refused.
"""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from . import reference as R

SIDES = (2, 3, 1, 4, 2, 3, 0)           # 0 now and then: 0-size tensors
QUARTERS = [k / 4 for k in range(-32, 33)]
SPECIALS = [float('nan'), float('inf'), float('-inf'), -0.0, 1e-10, -1e-7, 3e4, 0.5, 1.0]


def float_elements(dtype, specials):
    width = np.dtype(dtype).itemsize * 8
    plain = st.one_of(st.sampled_from(QUARTERS), st.floats(-100, 100, width=width))
    return st.one_of(plain, st.sampled_from(SPECIALS)) if specials else plain


def int_elements(dtype):
    info = np.iinfo(dtype)
    small = [v for v in range(-10, 21) if info.min <= v <= info.max]
    return st.sampled_from(small + [int(info.min), int(info.max)])


def grad_elements(band):
    """float64 values with a fractional part in a band of their own (four bands: each argument
    takes its own, so two arguments never tie), away from 0, the integers and the halves."""
    low = (0.05, 0.3, 0.55, 0.8)[band % 4]
    return st.builds(lambda whole, frac, sign: sign * (whole + frac), st.integers(0, 2),
                     st.floats(low, low + 0.07), st.sampled_from((1, -1)))


class Draw:
    """What a spec draws its case from (wraps hypothesis's data object)."""

    def __init__(self, data, grad):
        self.data, self.grad = data, grad
        self._args = 0

    def __call__(self, strategy):
        return self.data.draw(strategy)

    # --- choices ---------------------------------------------------------------------------------
    def sampled(self, options):
        return self(st.sampled_from(list(options)))

    def integer(self, low, high):
        return self(st.integers(low, high))

    def boolean(self):
        return self(st.booleans())

    def rarely(self):
        """True about one time in eight, never in gradient mode: for inputs PyTorch refuses."""
        return not self.grad and self(st.sampled_from((False,) * 7 + (True,)))

    # --- dtypes, shapes, arrays ------------------------------------------------------------------
    def dtype(self, choices=R.ALL):
        """A dtype among choices; float64 in gradient mode (when choices hold one)."""
        choices = [np.dtype(c) for c in choices]
        if self.grad and np.dtype(np.float64) in choices:
            return np.dtype(np.float64)
        return self.sampled(choices)

    def shape(self, min_dims=0, max_dims=3, sides=SIDES):
        if self.grad:       # no 0-size tensors: nothing to check there
            sides = tuple(s for s in sides if s) or (1,)
        return tuple(self(st.lists(st.sampled_from(sides), min_size=min_dims, max_size=max_dims)))

    def shapes(self, n, min_dims=0, max_dims=3, allow_mismatch=True):
        """n shapes that broadcast together (now and then, in value mode, ones that do not)."""
        if allow_mismatch and self.rarely():
            return tuple(self.shape(1, max_dims, sides=(2, 3)) for _ in range(n))
        found = self(hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=min_dims,
                                                       max_dims=max_dims, min_side=0 if not
                                                       self.grad else 1, max_side=4))
        return found.input_shapes

    def array(self, shape=None, dtype=None, elements=None, unique=False):
        """An array of shape and dtype (drawn when not given)."""
        shape = self.shape() if shape is None else tuple(shape)
        dtype = self.dtype() if dtype is None else np.dtype(dtype)
        arg, self._args = self._args, self._args + 1
        if elements is None:
            if self.grad and dtype.kind == 'f':
                elements, unique = grad_elements(arg % 3), True
            elif dtype.kind == 'f':
                elements = float_elements(dtype, specials=self(st.sampled_from((False,) * 3 +
                                                                              (True,))))
            elif dtype.kind == 'b':
                elements = st.booleans()
            else:
                elements = int_elements(dtype)
        return self(hnp.arrays(dtype, shape, elements=elements, unique=unique))

    def index_array(self, shape, size, dtype=np.int64):
        """Integer indices in [0, size) (or [0, 1) for size 0, which then cannot be indexed)."""
        return self(hnp.arrays(np.dtype(dtype), tuple(shape),
                               elements=st.integers(0, max(size - 1, 0))))

    def scalar(self, kinds=(bool, int, float)):
        """A Python number of one of the kinds (rarely an int too large for the small dtypes)."""
        kind = self.sampled(kinds)
        if kind is bool:
            return self.boolean()
        if kind is int:
            return self.sampled((300, -1000)) if self.rarely() else self.integer(-5, 5)
        if self.grad:
            return self(grad_elements(3))
        return self(st.sampled_from(QUARTERS + [0.3, -1.7, 2.5]))

    # --- dims -------------------------------------------------------------------------------------
    def dim(self, ndim, out_of_range=True):
        """A dim of an ndim-dim tensor, negative now and then; out of range now and then."""
        size = max(ndim, 1)
        if out_of_range and self.rarely():
            return self.sampled((size, -size - 1))
        return self.integer(-size, size - 1)

    def dims(self, ndim, none=True, empty=True):
        """None, (), an int, or a tuple of dims (maybe negative; repeated or out of range rarely)."""
        forms = ['int', 'tuple'] + (['none'] if none else []) + (['empty'] if empty else [])
        form = self.sampled(forms)
        if form == 'none':
            return None
        if form == 'empty':
            return ()
        if form == 'int':
            return self.dim(ndim)
        return self.dim_tuple(ndim)

    def dim_tuple(self, ndim):
        """A tuple of distinct dims (maybe negative); now and then one repeated or out of range."""
        size = max(ndim, 1)
        picked = self(st.lists(st.integers(0, size - 1), max_size=min(ndim, 3), unique=True))
        picked = [p - size if self.boolean() else p for p in picked]
        if self.rarely():
            if picked and self.boolean():
                picked.append(picked[0] - size if picked[0] >= 0 else picked[0] + size)
            else:
                picked.append(size)
        return tuple(picked)
