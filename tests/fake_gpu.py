"""A stand-in GPU for the tests: arrays that act like CuPy's where it bites.

CI has no GPU, yet most of minitorch's device bugs are of two kinds: calling `np.something` on a
device array that numpy cannot take, and mixing a host (numpy) array with a device array.  CuPy refuses
both with `TypeError: Unsupported type <class 'numpy.ndarray'>`.  The stand-in does the same:

* `FakeArray` is a numpy ndarray subclass (so indexing, views and methods come for free), but its
  `__array_ufunc__` / `__array_function__` raise TypeError when a plain numpy ndarray is mixed in, and
  setting items from a numpy array or a list is refused, as in CuPy;
* `xp` (the array module of the fake device) wraps numpy's functions: each refuses plain ndarrays
  (except the host-to-device copies `array`/`asarray`) and returns FakeArrays, never numpy scalars
  (CuPy's reductions return 0-d arrays);
* `FakeGpuBackend` is registered with `minitorch.backend.register_backend` as device type 'fakegpu'.
"""
import types

import numpy as np
from minitorch.backend import Backend

_NUMBERS = (bool, int, float, complex, np.generic)


def _refuse(value):
    raise TypeError(f'Unsupported type {type(value)}')


class FakeArray(np.ndarray):
    """A 'device' array: a numpy array that will not mix with plain numpy arrays."""

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        args = [_unwrap(x) for x in inputs]
        if out is not None:
            kwargs['out'] = tuple(_unwrap(o) for o in out)
        result = getattr(ufunc, method)(*args, **kwargs)
        if method == 'at':
            return None
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result)

    def __array_function__(self, func, types_, args, kwargs):
        return _wrap(func(*_unwrap_all(args), **_unwrap_all(kwargs)))

    def __getitem__(self, index):
        return _wrap(super().__getitem__(_unwrap_index(index)))

    def __setitem__(self, index, value):
        if not isinstance(value, (FakeArray,) + _NUMBERS):
            _refuse(value)      # CuPy: "Unsupported type <class 'list'>" / numpy.ndarray
        super().__setitem__(_unwrap_index(index), _unwrap(value))

    def get(self):
        """Copy to host, as cupy.ndarray.get()."""
        return np.array(self.view(np.ndarray))

    def __repr__(self):
        return 'fake' + repr(self.view(np.ndarray))


def _unwrap(x):
    """A FakeArray as a plain view; Python and numpy scalars pass; a plain ndarray is refused."""
    if type(x) is FakeArray:
        return x.view(np.ndarray)
    if isinstance(x, np.ndarray):
        _refuse(x)
    return x


def _unwrap_all(obj):
    if isinstance(obj, (list, tuple)):
        return type(obj)(_unwrap_all(o) for o in obj)
    if isinstance(obj, dict):
        return {k: _unwrap_all(v) for k, v in obj.items()}
    return _unwrap(obj)


def _unwrap_index(index):
    # CuPy accepts host index arrays (it copies them over), so only FakeArrays need unwrapping
    if isinstance(index, tuple):
        return tuple(i.view(np.ndarray) if type(i) is FakeArray else i for i in index)
    return index.view(np.ndarray) if type(index) is FakeArray else index


def _wrap(result):
    """numpy results as FakeArrays: a fresh array stays fresh (base None), a view stays a view."""
    if isinstance(result, tuple):
        return tuple(_wrap(r) for r in result)
    if isinstance(result, list):
        return [_wrap(r) for r in result]
    if type(result) is FakeArray:
        return result
    if isinstance(result, np.generic):
        result = np.asarray(result)
    if isinstance(result, np.ndarray):
        if result.base is not None:
            return result.view(FakeArray)
        fresh = np.ndarray.__new__(FakeArray, result.shape, result.dtype)
        fresh.view(np.ndarray)[...] = result
        return fresh
    return result


def from_host(array):
    """Host -> 'device' copy (always a fresh array, as a transfer is)."""
    if type(array) is FakeArray:
        array = array.view(np.ndarray)
    array = np.asarray(array)
    fresh = np.ndarray.__new__(FakeArray, array.shape, array.dtype)
    fresh.view(np.ndarray)[...] = array
    return fresh


def asnumpy(array):
    if type(array) is FakeArray:
        return array.get()
    return np.asarray(array)


class _Function:
    """A numpy function or ufunc seen from the fake device: no plain ndarrays in, FakeArrays out."""

    def __init__(self, fn):
        self._fn = fn
        self.__name__ = getattr(fn, '__name__', 'function')

    def __call__(self, *args, **kwargs):
        return _wrap(self._fn(*_unwrap_all(args), **_unwrap_all(kwargs)))

    def __getattr__(self, name):           # ufunc methods: add.at, maximum.reduce, ...
        attr = getattr(self._fn, name)
        return _Function(attr) if callable(attr) else attr


class _FakeGenerator:
    """np.random.Generator whose draws land on the fake device; only the methods that
    cupy.random.Generator has (it has no permutation, shuffle or choice)."""

    _CUPY_HAS = {'random', 'standard_normal', 'integers', 'uniform', 'normal', 'exponential',
                 'standard_exponential', 'standard_gamma', 'gamma', 'beta', 'binomial', 'poisson',
                 'geometric', 'chisquare', 'dirichlet', 'f', 'hypergeometric', 'logseries', 'power'}

    def __init__(self, seed):
        self._rng = np.random.default_rng(seed)

    def __getattr__(self, name):
        if name not in self._CUPY_HAS:
            raise AttributeError(f"'Generator' object has no attribute {name!r}")
        draw = getattr(self._rng, name)
        return lambda *args, **kwargs: from_host(draw(*_unwrap_all(args), **_unwrap_all(kwargs)))


def _host_copy(data, dtype=None, copy=True, **kwargs):
    if type(data) is FakeArray:
        out = _wrap(np.array(data.view(np.ndarray), dtype=dtype, copy=copy, **kwargs))
        return from_host(out) if out.base is not None and copy else out
    return from_host(np.array(data, dtype=dtype, **kwargs))


def _as_device(data, dtype=None, **kwargs):
    if type(data) is FakeArray and (dtype is None or np.dtype(dtype) == data.dtype):
        return data
    return _host_copy(data, dtype=dtype, **kwargs)


def _from_dlpack(ext):
    return from_host(np.from_dlpack(ext))


class _ArrayModule(types.SimpleNamespace):
    """`xp` of the fake device: numpy's names, wrapped; dtypes and constants as they are."""

    def __getattr__(self, name):
        attr = getattr(self.__dict__.get('_source', np), name)
        if isinstance(attr, types.ModuleType):      # xp.lib.stride_tricks.as_strided, ...
            wrapped = _ArrayModule(__name__=f'fake_gpu.xp.{name}', _source=attr)
        elif isinstance(attr, type) or not callable(attr):
            return attr             # dtypes (xp.int64), constants (xp.inf), iinfo/finfo classes
        else:
            wrapped = _Function(attr)
        setattr(self, name, wrapped)
        return wrapped


xp = _ArrayModule(
    __name__='fake_gpu.xp',
    ndarray=FakeArray,
    array=_host_copy,
    asarray=_as_device,
    ascontiguousarray=_as_device,
    asnumpy=asnumpy,
    from_dlpack=_from_dlpack,
    random=types.SimpleNamespace(default_rng=_FakeGenerator),
    iinfo=np.iinfo,
    finfo=np.finfo,
    dtype=np.dtype,
)


class FakeGpuBackend(Backend):
    """Device type 'fakegpu' (one device, index 0) backed by FakeArrays; the rest is the CPU's."""

    name = 'fakegpu'

    def __init__(self):
        super().__init__()
        self.xp = xp

    def owns(self, array):
        return type(array) is FakeArray

    def index_of(self, array):
        return 0

    def to_host(self, array):
        return asnumpy(array)

    def from_host(self, array, index):
        return from_host(array)

    def new_rng(self, index, seed):
        self._rngs[index] = xp.random.default_rng(seed)
