"""Devices, array modules and random generators.

A Device names where a tensor's array lives ('cpu', 'cuda:0').  Each device type has a Backend that
knows its array module (numpy or cupy), how to move arrays to and from the host, and a random generator.
CuPy is imported only when a CUDA device is first asked for, and the probe's answer is cached.
"""
import contextlib

import numpy as np


class Backend:
    """What a device type needs: an array module, host transfers and an RNG."""

    name = 'cpu'

    def __init__(self):
        self.xp = np
        self._rngs = {}

    def available(self):
        """Whether this device type can be used here."""
        return True

    def why_unavailable(self):
        """One line saying why this device type cannot be used ('' when it can)."""
        return ''

    def count(self):
        """How many devices of this type there are."""
        return 1

    def owns(self, array):
        """Whether array is one of this backend's arrays."""
        return type(array) is np.ndarray

    def index_of(self, array):
        """The index of the device array lives on (None for the CPU)."""
        return None

    def to_host(self, array):
        """array as a numpy array in host memory (a copy for device arrays)."""
        return array

    def from_host(self, array, index):
        """A numpy array as an array of this backend on device index."""
        return array

    def make_rng(self, index, seed):
        """A new random generator of this backend's array module for device `index`."""
        with self.use(index):
            return self.xp.random.default_rng(seed)

    def new_rng(self, index, seed):
        """(Re)start device `index`'s default generator from seed (None: from the OS)."""
        self._rngs[index] = self.make_rng(index, seed)

    def use(self, index):
        """Context in which arrays are created on device `index`."""
        return contextlib.nullcontext()


class CudaBackend(Backend):
    """CuPy on NVIDIA GPUs; probed once, lazily."""

    name = 'cuda'

    def __init__(self):
        self._xp = None
        self._probed = False
        self._reason = ''
        self._count = 0
        self._rngs = {}

    def _probe(self):
        if self._probed:
            return
        self._probed = True
        try:
            import cupy
        except ImportError:
            self._reason = ("CuPy is not installed: pip install -e '.[cuda12]' (or '.[cuda13]') "
                            "for your CUDA version")
            return
        try:
            self._count = cupy.cuda.runtime.getDeviceCount()
        except Exception as err:  # CUDARuntimeError without a GPU or driver
            self._reason = f'CuPy is installed but no CUDA GPU can be used ({err})'
            return
        if self._count == 0:
            self._reason = 'CuPy is installed but it finds no CUDA GPU'
            return
        self._xp = cupy

    @property
    def xp(self):
        self._probe()
        if self._xp is None:
            raise RuntimeError(f"device 'cuda' is not available: {self._reason}. "
                               "Use device='cpu', or check mt.cuda.is_available() first.")
        return self._xp

    def available(self):
        self._probe()
        return self._xp is not None

    def why_unavailable(self):
        self._probe()
        return self._reason

    def count(self):
        self._probe()
        return self._count

    def owns(self, array):
        # judged by type name so that asking never imports or probes CuPy
        return type(array).__module__.startswith('cupy')

    def index_of(self, array):
        return array.device.id

    def to_host(self, array):
        return self.xp.asnumpy(array)

    def from_host(self, array, index):
        with self.xp.cuda.Device(index):
            return self.xp.asarray(array)

    def use(self, index):
        return self.xp.cuda.Device(index)


_BACKENDS = {'cpu': Backend(), 'cuda': CudaBackend()}


def register_backend(backend):
    """Add a device type (tests use this for a stand-in GPU). Returns the backend."""
    _BACKENDS[backend.name] = backend
    # forget only devices of this type: tensors compare devices by identity, so the cached
    # device('cpu') must stay the very object CPU that the factories use
    for key in [k for k, d in _DEVICES.items() if d.type == backend.name]:
        del _DEVICES[key]
    return backend


def get_backend(type_name):
    """The Backend of a device type ('cpu', 'cuda', ...)."""
    return _BACKENDS[type_name]


class device:
    """Where a tensor lives: device('cpu'), device('cuda'), device('cuda:1'), device('cuda', 1)."""

    __slots__ = ('type', 'index', 'backend', 'xp_cached')

    def __new__(cls, spec, index=None):
        if isinstance(spec, device):
            return spec
        key = (spec, index)
        found = _DEVICES.get(key)
        if found is not None:
            return found
        type_name, parsed_index = _parse_device(spec, index)
        canonical = (type_name, parsed_index)
        found = _DEVICES.get(canonical)
        if found is None:
            found = object.__new__(cls)
            found.type = type_name
            found.index = parsed_index
            found.backend = _BACKENDS[type_name]
            found.xp_cached = None
            _DEVICES[canonical] = found
        _DEVICES[key] = found
        return found

    @property
    def xp(self):
        """The array module (numpy, cupy, ...) of this device; raises if it cannot be used."""
        xp = self.xp_cached
        if xp is None:
            xp = self.backend.xp
            count = self.backend.count()
            if self.index is not None and self.index >= count:
                raise RuntimeError(f"device '{self}' does not exist: {count} {self.type} device(s) found")
            self.xp_cached = xp
        return xp

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f'{self.type}:{self.index}'

    def __eq__(self, other):
        """Same type and index; a string is parsed first, and a missing index means 0
        (device('cuda') == 'cuda:0')."""
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and \
            (self.index or 0) == (other.index or 0)

    def __hash__(self):
        return hash((self.type, self.index or 0))

    def __reduce__(self):
        return (device, (str(self),))


_DEVICES = {}


def _parse_device(spec, index):
    if not isinstance(spec, str):
        raise TypeError(f"device must be a string like 'cpu' or 'cuda:0', or an mt.device, not {spec!r}")
    type_name, _, suffix = spec.partition(':')
    if type_name not in _BACKENDS:
        raise RuntimeError(f"unknown device type '{type_name}' in {spec!r}: expected one of "
                           f"{', '.join(repr(k) for k in _BACKENDS)} (for example 'cpu' or 'cuda:0')")
    if suffix:
        if index is not None or not suffix.isdigit():
            raise RuntimeError(f"invalid device string {spec!r}: expected e.g. 'cuda' or 'cuda:0'")
        index = int(suffix)
    if type_name == 'cpu':
        index = None
    elif index is None:
        index = 0
    return type_name, index


CPU = device('cpu')


def default_device(spec):
    """device(spec), or the CPU when spec is None."""
    return CPU if spec is None else device(spec)


def device_of_array(array):
    """The device an array lives on, or None when no backend owns it."""
    for backend in _BACKENDS.values():
        if backend.owns(array):
            return device(backend.name, backend.index_of(array))
    return None


def manual_seed(seed):
    """Seed every backend's generator (as torch.manual_seed does)."""
    seed = int(seed)
    for backend in _BACKENDS.values():
        backend._rngs = {}
        backend._seed = seed
    return seed


def rng_for(dev):
    """The random generator of device dev, started on first use from the manual_seed seed (plus the
    device index), or from the OS when no seed was set."""
    backend = dev.backend
    index = dev.index or 0
    rngs = backend._rngs
    if index not in rngs:
        seed = getattr(backend, '_seed', None)
        backend.new_rng(index, None if seed is None else seed + index)
    return rngs[index]


def array_module(array):
    """numpy, cupy (or a registered stand-in): the module whose functions work on `array`."""
    if type(array) is np.ndarray:
        return np
    for backend in _BACKENDS.values():
        if backend.owns(array):
            return backend.xp
    return np
