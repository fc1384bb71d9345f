"""mt.save(obj, path) / mt.load(path): state dicts (and nested dicts, lists, numbers, strings of
tensors) in a NumPy .npz archive, without pickle.

Pickle files can run arbitrary code when loaded, so loading an untrusted checkpoint is dangerous.
Here each tensor is one .npy array in the archive (`t0`, `t1`, ...) and the structure around them
is JSON (`__minitorch__`); loading uses np.load(allow_pickle=False), which reads only plain arrays.

    mt.save(model.state_dict(), 'model.npz')
    model.load_state_dict(mt.load('model.npz'))
"""
import json

import numpy as np

from .tensor import Tensor

_HEADER = '__minitorch__'
_FORMAT = 'minitorch-npz'
_VERSION = 1


def save(obj, f):
    """Write obj (a tensor, or dicts / lists / tuples of tensors, numbers, strings, None) to f
    (a path or a binary file object).  Tensors are copied to host memory; their device is not kept."""
    arrays = {}
    structure = _encode(obj, arrays, 'obj')
    header = json.dumps({'format': _FORMAT, 'version': _VERSION, 'object': structure})
    arrays[_HEADER] = np.frombuffer(header.encode('utf-8'), dtype=np.uint8)
    if hasattr(f, 'write'):
        np.savez(f, **arrays)
    else:
        with open(f, 'wb') as handle:       # open it ourselves: np.savez would append '.npz'
            np.savez(handle, **arrays)


def load(f, map_location=None, weights_only=True):
    """Read what save() wrote.  Tensors land on the CPU, or on map_location ('cuda', a device)."""
    if not weights_only:
        raise ValueError('mt.load only reads data (weights_only=True); it never unpickles objects')
    try:
        archive = np.load(f, allow_pickle=False)
    except ValueError as error:
        raise ValueError(f'mt.load: {f!r} is not a file written by mt.save ({error})') from None
    with archive:
        if not hasattr(archive, 'files') or _HEADER not in archive.files:
            raise ValueError(f'mt.load: {f!r} is not a file written by mt.save (no {_HEADER} entry)')
        header = json.loads(archive[_HEADER].tobytes().decode('utf-8'))
        if header.get('format') != _FORMAT or header.get('version', 0) > _VERSION:
            raise ValueError(f'mt.load: unknown format {header.get("format")!r} version '
                             f'{header.get("version")!r}')
        return _decode(header['object'], archive, map_location)


def _encode(obj, arrays, where):
    if isinstance(obj, Tensor):
        key = f't{len(arrays)}'
        arrays[key] = obj.detach()._host()
        return {'__tensor__': key}
    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            raise TypeError(f'mt.save: {where} is a numpy array of Python objects, which cannot be '
                            f'saved without pickle')
        key = f't{len(arrays)}'
        arrays[key] = obj
        return {'__ndarray__': key}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not (k is None or isinstance(k, (bool, int, float, str))):
                raise TypeError(f'mt.save: dict keys must be str, int, float, bool or None; {where} '
                                f'has a key of type {type(k).__name__}')
            items.append([k, _encode(v, arrays, f'{where}[{k!r}]')])
        return {'__dict__': items}
    if isinstance(obj, tuple):
        return {'__tuple__': [_encode(v, arrays, f'{where}[{i}]') for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [_encode(v, arrays, f'{where}[{i}]') for i, v in enumerate(obj)]
    raise TypeError(f'mt.save: cannot save {where} of type {type(obj).__name__}: only tensors, '
                    f'numpy arrays, numbers, strings, None and dicts / lists / tuples of them (save '
                    f'a model as model.state_dict())')


def _decode(obj, archive, map_location):
    if isinstance(obj, list):
        return [_decode(v, archive, map_location) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if '__tensor__' in obj:
        from .creation import from_numpy
        t = from_numpy(archive[obj['__tensor__']])
        return t.to(map_location) if map_location is not None else t
    if '__ndarray__' in obj:
        return archive[obj['__ndarray__']]
    if '__tuple__' in obj:
        return tuple(_decode(v, archive, map_location) for v in obj['__tuple__'])
    if '__dict__' in obj:
        return {k: _decode(v, archive, map_location) for k, v in obj['__dict__']}
    raise ValueError(f'mt.load: malformed structure entry {sorted(obj)}')
