"""Random numbers: Generator, and rand/randn/randint/randperm/bernoulli as ops.

Each draw is an op (a primitive with no tensor inputs), so a traced static graph draws afresh on each
run, from the same generator and in the same order as eager code does: the same seed gives the same
numbers in both.  Without generator=, a draw uses the device's default generator, which
mt.manual_seed(seed) seeds.
"""
import numpy as np

from .. import dtypes
from ..autograd.function import Primitive
from ..autograd.thread_state import STATE
from ..backend import default_device, device as Device, rng_for


class Generator:
    """A source of random numbers on one device (torch.Generator):
    g = mt.Generator().manual_seed(0); mt.rand(3, generator=g)."""

    def __init__(self, device='cpu'):
        self.device = Device(device)
        self.seed()

    def manual_seed(self, seed):
        """Restart the sequence from `seed`; returns the generator."""
        self._seed = int(seed)
        self._rng = self.device.backend.make_rng(self.device.index or 0, self._seed)
        return self

    def seed(self):
        """Restart from a fresh seed drawn from the operating system; returns that seed."""
        self.manual_seed(int(np.random.SeedSequence().entropy) % (2 ** 63))
        return self._seed

    def initial_seed(self):
        """The seed the current sequence started from."""
        return self._seed

    def get_state(self):
        """The generator's state (a dict), for set_state."""
        return self._rng.bit_generator.state

    def set_state(self, state):
        """Go back to a state from get_state()."""
        self._rng.bit_generator.state = state
        return self

    def __repr__(self):
        return f'<minitorch.Generator on {self.device}, initial seed {self._seed}>'


def array_rng(generator, device):
    """The array-module generator to draw from: generator's own, or the device's default one."""
    if generator is None:
        return rng_for(device)
    if isinstance(generator, Generator):
        if generator.device != device:
            raise RuntimeError(f'a Generator on {generator.device} cannot draw numbers for a tensor '
                               f'on {device}; make one with mt.Generator(device={str(device)!r})')
        return generator._rng
    if hasattr(generator, 'random') and hasattr(generator, 'integers'):
        return generator                # a numpy (or cupy) Generator, used as is
    raise TypeError(f'generator must be an mt.Generator, got {type(generator).__name__}')


class RandomDraw(Primitive):
    """Numbers drawn from a distribution: forward(kind, shape, np_dtype, params, generator, device).
    kind is 'uniform' ([0, 1)), 'normal' (standard), 'integers' (params = (low, high)),
    'permutation' (params = (n,)) or 'bernoulli' (params = (probabilities array,))."""
    differentiable = False
    moves_device = True
    random = True           # static graphs never fold, merge or drop a draw

    @staticmethod
    def forward(ctx, kind, shape, np_dtype, params, generator, device):
        if STATE.tracing:       # building a static graph: draw nothing (each run draws)
            return _placeholder(kind, shape, np_dtype, params)
        rng = array_rng(generator, device)
        with device.backend.use(device.index or 0):
            if kind == 'uniform':
                return _float_draw(rng.random, shape, np_dtype)
            if kind == 'normal':
                return _float_draw(rng.standard_normal, shape, np_dtype)
            if kind == 'integers':
                low, high = params
                return rng.integers(low, high, size=shape).astype(np_dtype, copy=False)
            if kind == 'permutation':
                n, = params
                if hasattr(rng, 'permutation'):
                    return rng.permutation(n).astype(np_dtype, copy=False)
                # CuPy's Generator has no permutation: sorting uniform draws gives a uniform one
                return device.xp.argsort(rng.random(n)).astype(np_dtype, copy=False)
            if kind == 'bernoulli':
                probabilities, = params
                return (rng.random(probabilities.shape) < probabilities).astype(np_dtype)
        raise ValueError(f'RandomDraw: unknown kind {kind!r}')


def _placeholder(kind, shape, np_dtype, params):
    if kind == 'permutation':
        shape = (params[0],)
    elif kind == 'bernoulli':
        shape = params[0].shape
    return np.zeros(shape, dtype=np_dtype)


def _float_draw(draw, shape, np_dtype):
    drawn = np_dtype if np_dtype.itemsize >= 4 else np.float32     # numpy draws float32/64 only
    return draw(shape, dtype=drawn).astype(np_dtype, copy=False)


def _size(size, op):
    if not size:
        raise TypeError(f'{op}() needs a size: {op}(2, 3) or {op}((2, 3)); {op}(()) for a 0-d '
                        f'tensor')
    if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
        size = tuple(size[0])
    for s in size:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0:
            raise TypeError(f'{op}: sizes must be non-negative integers, got {list(size)}')
    return tuple(int(s) for s in size)


def _draw(kind, size, dtype, device, requires_grad, generator, op, params=()):
    dev = default_device(device)
    dt = dtypes.to_dtype(dtype) if dtype is not None else dtypes.default_float()
    if kind in ('uniform', 'normal') and not dt.is_floating_point:
        raise TypeError(f'{op}: expected a floating point dtype, got {dt}')
    out = RandomDraw.apply(kind, _size(size, op), dt.np, params, generator, dev)
    if requires_grad:
        out.requires_grad = True
    return out


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None):
    """Numbers drawn uniformly from [0, 1), in a tensor of the given size."""
    return _draw('uniform', size, dtype, device, requires_grad, generator, 'rand')


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None):
    """Numbers drawn from the standard normal distribution, in a tensor of the given size."""
    return _draw('normal', size, dtype, device, requires_grad, generator, 'randn')


def randint(low, high=None, size=None, dtype=None, device=None, requires_grad=False,
            generator=None):
    """Integers drawn uniformly from [low, high) (randint(high, size) starts at 0)."""
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high         # randint(high, size)
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError('randint: size is required, e.g. mt.randint(0, 10, (3,))')
    if high <= low:
        raise RuntimeError(f'randint: expected low < high, got low={low}, high={high}')
    size = (size,) if isinstance(size, int) else (tuple(size),)
    dt = dtypes.to_dtype(dtype or dtypes.int64)
    if not dt.is_floating_point:
        bottom, top = (0, 1) if dt.is_bool else (int(np.iinfo(dt.np).min), int(np.iinfo(dt.np).max))
        if low < bottom or high - 1 > top:
            raise RuntimeError(f'randint: [{low}, {high}) is out of the range of {dt} ({bottom} to '
                               f'{top}); use a wider dtype')
    return _draw('integers', size, dt, device, requires_grad, generator, 'randint',
                 (int(low), int(high)))


def randperm(n, dtype=None, device=None, generator=None, requires_grad=False):
    """A random ordering of 0..n-1."""
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise RuntimeError(f'randperm: n must be a non-negative integer, got {n!r}')
    return _draw('permutation', ((int(n),),), dtype or dtypes.int64, device, requires_grad, generator,
                 'randperm', (int(n),))


def bernoulli(input, p=None, *, generator=None):
    """1 with probability input (or p) and 0 otherwise, elementwise, in input's dtype."""
    if p is None and not input.is_floating_point():
        raise NotImplementedError(f'bernoulli: not implemented for {input.dtype} tensors (as in '
                                  f'PyTorch); give probabilities in a floating point tensor')
    if p is not None and not 0 <= p <= 1:
        raise RuntimeError(f'bernoulli: p must be in [0, 1], got {p}')
    probabilities = input if p is None else input.new_full(input.shape, p)
    data = probabilities.detach()._data
    if input.numel() and (bool((data < 0).any()) or bool((data > 1).any())):
        raise RuntimeError('bernoulli: probabilities must be in [0, 1]')
    return RandomDraw.apply('bernoulli', tuple(input.shape), input._data.dtype, (data,), generator,
                            input.device)


def _like(factory, name):
    def like(input, dtype=None, device=None, requires_grad=False, generator=None):
        return factory(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                       requires_grad=requires_grad, generator=generator)
    like.__name__ = like.__qualname__ = name
    like.__doc__ = f'{factory.__name__}() with the shape (and by default dtype and device) of input.'
    return like


rand_like = _like(rand, 'rand_like')
randn_like = _like(randn, 'randn_like')
