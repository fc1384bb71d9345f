"""mt.save(obj, f) / mt.load(f): state dicts (and nested dicts, lists, tuples, numbers, strings of
tensors) in a NumPy .npz archive, without pickle, safe to load from an untrusted source.

Pickle files can run arbitrary code when loaded, so loading an untrusted checkpoint is dangerous.
Here each tensor is one .npy array in a zip archive (`t0.npy`, `t1.npy`, ...) and the structure
around them is JSON (`__minitorch__.npy`).  Loading reads only plain arrays and JSON, and checks
every size the file declares before allocating anything (see archive.py): a file can cost at most
`max_bytes` of memory, and a damaged or hostile one is refused with one ValueError that says what
is wrong, before anything is returned.

    mt.save(model.state_dict(), 'model.npz')
    model.load_state_dict(mt.load('model.npz'))
"""
import contextlib

import numpy as np

from . import structure
from .archive import DEFAULT_MAX_BYTES, METADATA, Archive, Refused

__all__ = ['save', 'load', 'DEFAULT_MAX_BYTES']


def save(obj, f):
    """Write obj (a tensor, or dicts / lists / tuples of tensors, numbers, strings, None) to f
    (a path or a binary file object).  Tensors are copied to host memory; their device is not
    kept."""
    arrays = {}
    text = structure.describe(obj, arrays)
    arrays[METADATA] = np.frombuffer(text.encode('utf-8'), dtype=np.uint8)
    if hasattr(f, 'write'):
        np.savez(f, **arrays)
    else:
        with open(f, 'wb') as handle:       # open it ourselves: np.savez would append '.npz'
            np.savez(handle, **arrays)


def load(f, map_location=None, weights_only=True, max_bytes=None):
    """Read what save() wrote from f (a path or a seekable binary file object).  Tensors land on
    the CPU, or on map_location ('cuda', a device).

    The file may come from anyone: it is never unpickled, and the arrays it declares may add up to
    at most max_bytes (default: 1 GiB, or the file's own size if larger, since uncompressed data
    cannot claim more than the file holds); pass a larger max_bytes for a bigger checkpoint you
    trust.  A truncated, damaged, foreign or forged file raises ValueError naming the file and what
    is wrong."""
    if not weights_only:
        raise ValueError('mt.load only reads data (weights_only=True); it never unpickles objects')
    if max_bytes is not None and (type(max_bytes) is not int or max_bytes <= 0):
        raise ValueError(f'mt.load: max_bytes must be a positive int (a number of bytes), got '
                         f'{max_bytes!r}')
    name = _name(f)
    try:
        with _binary(f) as handle, Archive(handle, max_bytes) as archive:
            node = structure.parse(archive.read(METADATA).tobytes())
            refs = structure.check(node, archive.headers)
            arrays = {key: archive.read(key) for key in refs}
    except Refused as refusal:
        raise ValueError(f'mt.load: {name}: {refusal}') from None
    return structure.build(node, arrays, map_location)


@contextlib.contextmanager
def _binary(f):
    if not hasattr(f, 'read'):
        with open(f, 'rb') as handle:
            yield handle
        return
    if not getattr(f, 'seekable', lambda: False)():
        raise Refused('the file object cannot seek, and a zip archive is read from its end: pass '
                      'a path, or io.BytesIO(f.read()) for a file you trust')
    yield f


def _name(f):
    if hasattr(f, 'read'):
        name = getattr(f, 'name', None)
        return repr(name) if isinstance(name, str) else f'<{type(f).__name__}>'
    return repr(str(f))
