"""The JSON description around the arrays of an mt.save file: how Python values are written, and
how an untrusted description is checked before anything is built from it.

    tensor  {"__tensor__": "t0"}        numpy array  {"__ndarray__": "t1"}
    tuple   {"__tuple__": [...]}        dict         {"__dict__": [[key, value], ...]}
    list    [...]                       None, bool, int, float, str as themselves

A description is checked without recursion (a hostile one may nest 100,000 lists) before anything
is read or built from it, so building it afterwards recurses at most MAX_DEPTH levels.
"""
import json

import numpy as np

from ..tensor import Tensor
from .archive import ARRAY_NAME, METADATA, Refused

FORMAT = 'minitorch-npz'
VERSION = 1
MAX_DEPTH = 100                 # lists, tuples and dicts inside one another
_SCALARS = (type(None), bool, int, float, str)
_ARRAYS = ('__tensor__', '__ndarray__')
_MARKERS = _ARRAYS + ('__tuple__', '__dict__')


# --- writing ---------------------------------------------------------------------------------
def describe(obj, arrays):
    """The whole JSON text for obj; its tensors and arrays go into `arrays` as t0, t1, ..."""
    structure = encode(obj, arrays, 'obj')
    return json.dumps({'format': FORMAT, 'version': VERSION, 'object': structure})


def encode(obj, arrays, where):
    if isinstance(obj, Tensor):
        key = f't{len(arrays)}'
        arrays[key] = obj.detach().cpu().numpy()
        return {'__tensor__': key}
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            raise TypeError(f'mt.save: {where} is a numpy array of Python objects, which cannot be '
                            f'saved without pickle')
        key = f't{len(arrays)}'
        arrays[key] = obj
        return {'__ndarray__': key}
    if isinstance(obj, _SCALARS):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not isinstance(k, _SCALARS):
                raise TypeError(f'mt.save: dict keys must be str, int, float, bool or None; '
                                f'{where} has a key of type {type(k).__name__}')
            items.append([k, encode(v, arrays, f'{where}[{k!r}]')])
        return {'__dict__': items}
    if isinstance(obj, tuple):
        return {'__tuple__': [encode(v, arrays, f'{where}[{i}]') for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [encode(v, arrays, f'{where}[{i}]') for i, v in enumerate(obj)]
    raise TypeError(f'mt.save: cannot save {where} of type {type(obj).__name__}: only tensors, '
                    f'numpy arrays, numbers, strings, None and dicts / lists / tuples of them '
                    f'(save a model as model.state_dict())')


# --- reading ---------------------------------------------------------------------------------
def parse(raw):
    """The 'object' of a description given as UTF-8 JSON bytes, after checking its envelope."""
    try:
        header = json.loads(raw.decode('utf-8'), object_pairs_hook=_unique_keys)
    except UnicodeDecodeError as error:
        raise Refused(f'its metadata ({METADATA}) is not UTF-8 text ({error})') from None
    except RecursionError:
        raise Refused(f'its metadata is nested too deeply (more than {MAX_DEPTH} levels)') \
            from None
    except ValueError as error:
        raise Refused(f'its metadata ({METADATA}) is not valid JSON ({error})') from None
    if not isinstance(header, dict):
        raise Refused(f'its metadata is {_kind(header)}, not a JSON object with format, version '
                      f'and object')
    if header.get('format') != FORMAT:
        raise Refused(f'not a file written by mt.save: its metadata names format '
                      f'{_short(header.get("format"))}, not {FORMAT!r}')
    version = header.get('version')
    if type(version) is not int or not 1 <= version <= VERSION:
        raise Refused(f'its metadata has format version {_kind(version)}; this minitorch reads '
                      f'format versions up to {VERSION} (an integer)')
    if set(header) != {'format', 'version', 'object'}:
        raise Refused(f'its metadata has keys {sorted(header)}; expected format, version, object')
    return header['object']


def check(node, headers):
    """Walk a description depth first, without recursion and holding only the current path, and
    return {array key: where} for the arrays it refers to: each exactly once, each a member
    (headers: key -> its .npy header), tensors of a dtype tensors support.  Raises Refused naming
    the place of the first thing that is wrong."""
    refs, path = {}, []                     # path: the index or key at each level on the way down
    stack = [iter([('obj', node)])]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            continue
        del path[len(stack) - 1:]
        path.append(step[0])
        children = _children(step[1], path, refs, headers)
        if children is not None:
            if len(stack) > MAX_DEPTH:
                raise Refused(f'its metadata is nested too deeply (more than {MAX_DEPTH} levels)')
            stack.append(children)
    unused = sorted(set(headers) - set(refs) - {METADATA})
    if unused:
        raise Refused(f"member '{unused[0]}.npy' is not referred to by the metadata; mt.save "
                      f'stores only arrays it describes')
    return refs


def _children(value, path, refs, headers):
    """The (index or key, value) pairs inside a container, None for a scalar or an array."""
    if isinstance(value, _SCALARS):
        return None
    if isinstance(value, list):
        return enumerate(value)
    if not (isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _MARKERS):
        raise Refused(f'metadata at {_where(path)} is {_kind(value)}; expected a number, string, '
                      f'null, list or an object with one key of {", ".join(_MARKERS)}')
    (marker, content), = value.items()
    if marker in _ARRAYS:
        _add_reference(refs, marker, content, _where(path), headers)
        return None
    if not isinstance(content, list):
        raise Refused(f'metadata at {_where(path)}: {marker} holds {_kind(content)}, not a list')
    return enumerate(content) if marker == '__tuple__' else _dict_items(content, _where(path))


def build(node, arrays, map_location):
    """The Python value a checked description stands for."""
    if isinstance(node, list):
        return [build(v, arrays, map_location) for v in node]
    if not isinstance(node, dict):
        return node
    (marker, content), = node.items()
    if marker == '__tensor__':
        from .. import from_numpy
        t = from_numpy(arrays[content])
        return t.to(map_location) if map_location is not None else t
    if marker == '__ndarray__':
        return arrays[content]
    if marker == '__tuple__':
        return tuple(build(v, arrays, map_location) for v in content)
    return {k: build(v, arrays, map_location) for k, v in content}


def _add_reference(refs, marker, key, where, headers):
    if not (isinstance(key, str) and ARRAY_NAME.fullmatch(key)):
        raise Refused(f'metadata at {where}: {marker} must name an array member such as "t0", got '
                      f'{_short(key)}')
    if key in refs:
        raise Refused(f'metadata refers to array {key!r} twice (at {refs[key]} and {where}); '
                      f'mt.save stores each array once')
    if key not in headers:
        raise Refused(f'metadata at {where} refers to array {key!r}, but the file has no member '
                      f"'{key}.npy'")
    if marker == '__tensor__':
        from .. import from_numpy        # at call time: minitorch imports this package
        try:
            from_numpy(np.empty(0, headers[key].dtype.newbyteorder('=')))
        except TypeError as error:
            raise Refused(f"member '{key}.npy' (at {where}) cannot be a tensor: {error}") from None
    refs[key] = where


def _dict_items(items, where):
    keys = set()
    for i, item in enumerate(items):
        if not (isinstance(item, list) and len(item) == 2):
            raise Refused(f'metadata at {where}: dict item {i} is {_kind(item)}, not a '
                          f'[key, value] pair')
        key, value = item
        if not isinstance(key, _SCALARS):
            raise Refused(f'metadata at {where}: dict item {i} has a key that is {_kind(key)}; '
                          f'keys are str, int, float, bool or null')
        if key in keys:
            raise Refused(f'metadata at {where}: dict key {_short(key)} appears twice')
        keys.add(key)
        yield key, value


def _where(path):
    return path[0] + ''.join(f'[{label!r}]' for label in path[1:])


def _unique_keys(pairs):
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError('a JSON object repeats a key')
    return found


def _kind(value):
    if isinstance(value, dict):
        return f'an object with keys {_short(sorted(value)[:4])}'
    if isinstance(value, list):
        return f'a list of {len(value)} items'
    return f'{_short(value)} ({type(value).__name__})'


def _short(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + '...'
