"""mt.load on files from an untrusted source: each broken, foreign or forged file is refused with
one ValueError that names the file and what is wrong, without allocating what the file claims, and
a failed load or load_state_dict changes nothing.

The crafted files are all loaded in one child process whose address space is capped a little
above what it already uses, so a regression that believes a forged size fails with MemoryError
instead of passing quietly (or swapping the machine)."""
import io
import json
import os
import pickle
import re
import struct
import subprocess
import sys
import zipfile
import zlib

import numpy as np
import pytest
from numpy.lib import format as npy

import minitorch as mt
from minitorch import nn, optim

GiB = 1 << 30
HEADROOM = 256 << 20            # what the child may allocate beyond its size after importing


# --- writing files by hand ---------------------------------------------------------------------
def _member(name, plain=b'', *, payload=None, method=zipfile.ZIP_STORED, size=None, crc=None,
            compressed=None, flags=0):
    """One zip member; every field defaults to the honest value and can be forged."""
    if payload is None:
        payload = plain if method == zipfile.ZIP_STORED else _deflate(plain)
    return dict(name=name, payload=payload, method=method, flags=flags,
                size=len(plain) if size is None else size,
                compressed=len(payload) if compressed is None else compressed,
                crc=zlib.crc32(plain) if crc is None else crc)


def _zip(*members):
    """A zip archive written field by field (zipfile would not write forged sizes)."""
    records, directory = [], []
    offset = 0
    for m in members:
        name = m['name'].encode()
        fields = (20, m['flags'], m['method'], 0, 0x21, m['crc'], m['compressed'], m['size'],
                  len(name), 0)
        records.append(struct.pack('<4s5H3L2H', b'PK\x03\x04', *fields) + name + m['payload'])
        directory.append(struct.pack('<4s6H3L5H2L', b'PK\x01\x02', 20, *fields, 0, 0, 0, 0,
                                     offset) + name)
        offset += len(records[-1])
    directory = b''.join(directory)
    end = struct.pack('<4s4H2LH', b'PK\x05\x06', 0, 0, len(members), len(members),
                      len(directory), offset, 0)
    return b''.join(records) + directory + end


def _deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _deflated_zeros(prefix, total, chunk=1 << 20):
    """A deflate stream of prefix + zeros, `total` bytes once inflated, made in milliseconds: after
    a full flush the compressor forgets its history, so each further MiB of zeros compresses to
    the same bytes."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(prefix + bytes(chunk - len(prefix))) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(bytes(chunk)) + c.flush(zlib.Z_FULL_FLUSH)
    return first + block * (total // chunk - 1) + c.flush()


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def _npy_header(shape, descr='|u1'):
    buffer = io.BytesIO()
    npy.write_array_header_1_0(buffer, {'descr': descr, 'fortran_order': False, 'shape': shape})
    return buffer.getvalue()


def _text(obj, **envelope):
    return json.dumps({'format': 'minitorch-npz', 'version': 1, 'object': obj, **envelope})


def _meta(text):
    raw = text if isinstance(text, bytes) else text.encode()
    return _member('__minitorch__.npy', _npy(np.frombuffer(raw, np.uint8)))


def _archive(obj, *members):
    """An archive whose metadata describes obj, holding the given array members."""
    return _zip(_meta(_text(obj)), *members)


def _saved(obj):
    buffer = io.BytesIO()
    mt.save(obj, buffer)
    return buffer.getvalue()


TENSOR = {'__tensor__': 't0'}
T0 = _member('t0.npy', _npy(np.arange(4.0)))
VALID = _saved({'w': mt.arange(12.0).reshape(3, 4), 'b': mt.zeros(3), 'step': 7})
BOMB_HEADER = _npy_header((3 * GiB - 128,))
assert len(BOMB_HEADER) == 128
BOMB = _deflated_zeros(BOMB_HEADER, 3 * GiB)
NOISE = _npy(np.random.default_rng(0).integers(0, 256, 1 << 16, dtype=np.uint8))


def _flip_last_data_byte(data):
    at = data.index(b'PK\x03\x04', 4) - 1          # the end of the first member's data
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]


def _nested(depth):
    return _zip(_meta('{"format": "minitorch-npz", "version": 1, "object": ' + '[' * depth +
                      ']' * depth + '}'))


# name: (file contents, mt.load keyword arguments, what the message must say)
CASES = {
    'zip bomb, 3 GiB declared': (
        _archive(TENSOR, _member('t0.npy', payload=BOMB, method=8, size=3 * GiB, crc=0)), {},
        r'declare 3221\d+ bytes \(3.00 GiB\) of data, more than the limit of 1073741824 bytes '
        r'\(1.00 GiB; the default.*max_bytes=\.\.\.\)'),
    'deflated member cut short': (
        _archive(TENSOR, _member('t0.npy', payload=_deflate(NOISE)[:len(NOISE) // 2], method=8,
                                 size=len(NOISE), crc=zlib.crc32(NOISE))), {},
        r"member 't0.npy' is truncated or damaged \(Bad CRC-32"),
    'zip bomb declaring a small size': (
        _archive(TENSOR, _member('t0.npy', payload=BOMB, method=8, size=len(BOMB_HEADER) + 1000,
                                 crc=zlib.crc32(BOMB_HEADER + bytes(1000)))), {},
        r"member 't0.npy' declares shape \(3221225344,\) of uint8 \(3221225344 bytes\) but holds "
        r"1000 bytes"),
    'zip bomb declaring a small size and shape': (
        _archive(TENSOR, _member('t0.npy', payload=_deflated_zeros(_npy_header((1 << 20,)),
                                                                  64 << 20), method=8,
                                 size=128 + (1 << 20), crc=0)), {},
        r"member 't0.npy' is truncated or damaged \(Bad CRC-32"),
    'deflated size beyond what deflate can produce': (
        _archive(TENSOR, _member('t0.npy', payload=BOMB[:4096], method=8, size=512 << 20)), {},
        r"declares 536870912 bytes from 4096 compressed bytes, more than deflate can produce"),
    'stored size unlike its stored bytes': (
        _archive(TENSOR, _member('t0.npy', _npy(np.ones(4)), size=900 << 20)), {},
        r'stored uncompressed, yet declares 943718400 bytes in 160'),
    'member running past the end of the file': (
        _archive(TENSOR, _member('t0.npy', payload=b'\x93NUMPY', size=900 << 20,
                                 compressed=900 << 20)), {},
        r"'t0.npy' is truncated: its 943718400 bytes would end past the end of the file"),
    'huge shape in a small .npy': (
        _archive(TENSOR, _member('t0.npy', _npy_header((10**6, 10**6), '<f8') + bytes(16))), {},
        r'declares shape \(1000000, 1000000\) of float64 \(8000000000000 bytes\) but holds 16 '
        r'bytes'),
    'shape whose size overflows int64': (
        _archive(TENSOR, _member('t0.npy', _npy_header((2**62, 2**62), '<f8') + bytes(8))), {},
        r'declares shape \(4611686018427387904, 4611686018427387904\) of float64'),
    'negative shape': (
        _archive(TENSOR, _member('t0.npy', _npy_header((-1,), '<f8'))), {},
        r'declares dtype float64 and shape \(-1,\), which no saved array has'),
    'array of Python objects': (
        _archive(TENSOR, _member('t0.npy', _npy(np.array([print, 'x'], dtype=object)))), {},
        r"'t0.npy' holds an array of Python objects \(dtype object\).*allow_pickle=False"),
    'structured array with an object field': (
        _archive(TENSOR, _member('t0.npy', _npy(np.zeros(2, dtype=[('a', 'O'), ('b', 'f4')])))),
        {}, r'holds an array of Python objects'),
    'garbage .npy header': (
        _archive(TENSOR, _member('t0.npy', b"\x93NUMPY\x01\x00\x10\x00{'descr': os.sys}  \n")),
        {}, r"'t0.npy' is not a valid .npy array"),
    'damaged data (CRC)': (_flip_last_data_byte(VALID), {}, r'damaged \(Bad CRC-32'),
    **{f'truncated to {at} bytes': (VALID[:at], {}, r'truncated or damaged: it begins like '
                                    r'a zip archive') for at in (8, 100, 700, -200, -22, -1)},
    'a chunk cut out of the middle': (VALID[:300] + VALID[400:], {}, r'truncated or damaged'),
    'zip directory of 9 MiB': (b'PK\x03\x04' + bytes(9 << 20) + struct.pack(
        '<4s4H2LH', b'PK\x05\x06', 0, 0, 1, 1, 9 << 20, 4, 0), {},
        r'its zip directory declares 9437184 bytes, more than the 8388608 bytes'),
    'empty file': (b'', {}, r'the file is empty'),
    'not a zip': (b'hello, world\n' * 10, {}, r"it is not a zip archive \(it begins b'hello, w'"),
    'plain .npy': (_npy(np.ones(3)), {}, r'it is a plain \.npy array; read it with np\.load'),
    'pickle': (pickle.dumps({'w': np.ones(2)}), {}, r'it is a pickle.*never unpickles'),
    'PyTorch zip checkpoint': (_zip(_member('archive/data.pkl', b'\x80\x02}q\x00.')), {},
                               r'it holds a pickle.*never unpickles'),
    'duplicate members': (_archive(TENSOR, T0, T0), {}, r"holds member 't0.npy' twice"),
    'duplicate metadata': (_zip(_meta(_text(TENSOR)), T0, _meta(_text(None))), {},
                           r"holds member '__minitorch__.npy' twice"),
    'path outside the archive': (_archive(TENSOR, T0, _member('../t1.npy', _npy(np.ones(1)))),
                                 {}, r"unexpected member '../t1.npy'"),
    'unexpected member': (_archive(TENSOR, T0, _member('t01.npy', _npy(np.ones(1)))), {},
                          r"unexpected member 't01.npy'"),
    'encrypted member': (_archive(TENSOR, dict(T0, flags=1)), {}, r"'t0.npy' is encrypted"),
    'bzip2 member': (_archive(TENSOR, dict(T0, method=12)), {}, r'compression method 12'),
    'metadata of floats': (_zip(_member('__minitorch__.npy', _npy(np.ones(3)))), {},
                           r'holds float64 of shape \(3,\), not the 1-D uint8 bytes'),
    'metadata of 5 MiB': (_zip(_member('__minitorch__.npy', _npy(np.full(5 << 20, 32, np.uint8)),
                                       method=8)), {},
                          r'declares 5242880 bytes, more than the 4194304 bytes allowed'),
    'metadata not UTF-8': (_zip(_meta(b'{"\xff": 1}')), {}, r'is not UTF-8 text'),
    'metadata not JSON': (_zip(_meta('{"format": ')), {}, r'is not valid JSON'),
    'metadata repeating a key': (_zip(_meta('{"format": "minitorch-npz", "format": 1}')), {},
                                 r'not valid JSON \(a JSON object repeats a key\)'),
    'metadata a list': (_zip(_meta('[1, 2]')), {},
                        r'its metadata is a list of 2 items, not a JSON object'),
    'format a number': (_zip(_meta(_text(None, format=3))), {}, r'names format 3, not'),
    'version a string': (_zip(_meta(_text(None, version='1'))), {},
                         r"format version '1' \(str\); this minitorch reads format versions up "
                         r'to 1'),
    'version a bool': (_zip(_meta(_text(None, version=True))), {}, r'format version True'),
    'version from the future': (_zip(_meta(_text(None, version=2))), {}, r'format version 2 '),
    'no object': (_zip(_meta('{"format": "minitorch-npz", "version": 1}')), {},
                  r"has keys \['format', 'version'\]; expected format, version, object"),
    'tensor named by a number': (_archive({'__tensor__': 0}, T0), {},
                                 r'at obj: __tensor__ must name an array member such as "t0", '
                                 r'got 0'),
    'tensor named by a path': (_archive({'__ndarray__': '../t0'}, T0), {},
                               r"__ndarray__ must name an array member .*got '../t0'"),
    'tensor without its member': (_archive([TENSOR, {'__tensor__': 't1'}], T0), {},
                                  r"at obj\[1\] refers to array 't1', but the file has no member"),
    'array referred to twice': (_archive([TENSOR, TENSOR], T0), {},
                                r"refers to array 't0' twice \(at obj\[\d\] and obj\[\d\]\)"),
    'array nobody refers to': (_archive(None, T0), {}, r"member 't0.npy' is not referred to"),
    'dict item not a pair': (_archive({'__dict__': [['a']]}), {},
                             r"at obj: dict item 0 is a list of 1 items, not a \[key, value\]"),
    'dict key a list': (_archive({'__dict__': [[['a'], 1]]}), {},
                        r'dict item 0 has a key that is a list of 1 items'),
    'dict key twice': (_archive({'__dict__': [['a', 1], ['a', 2]]}), {},
                       r"at obj: dict key 'a' appears twice"),
    'unknown marker': (_archive([{'__object__': 'os.system'}]), {},
                       r"at obj\[0\] is an object with keys \['__object__'\]; expected"),
    'two markers': (_archive({'__tuple__': [], '__dict__': []}), {},
                    r"at obj is an object with keys \['__dict__', '__tuple__'\]"),
    'tuple of a number': (_archive({'__dict__': [['x', {'__tuple__': 3}]]}), {},
                          r"at obj\['x'\]: __tuple__ holds 3 \(int\), not a list"),
    'tensor of complex numbers': (_archive(TENSOR, _member('t0.npy', _npy(np.ones(2, complex)))),
                                  {}, r"member 't0.npy' \(at obj\) cannot be a tensor: arrays "
                                      r'of dtype complex128 are not supported'),
    'metadata nested 100000 deep': (_nested(100_000), {}, r'nested too deeply'),
    'metadata nested 150 deep': (_nested(150), {}, r'nested too deeply'),
}

_CHILD = r'''
import json, sys
import numpy as np
import minitorch as mt

def address_space():
    with open('/proc/self/status') as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith('VmSize:'))

limited = sys.platform.startswith('linux')
if limited:
    import resource
    cap = address_space() + int(sys.argv[1])
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
results = {}
for name, path, kwargs in json.load(sys.stdin):
    try:
        mt.load(path, **kwargs)
        results[name] = ['loaded', '']
    except BaseException as error:
        results[name] = [type(error).__name__, str(error)]
try:                                  # the cap must bite, or the results above prove nothing
    np.ones(int(sys.argv[1]) // 8 * 2)
    results['canary'] = 'allocated'
except MemoryError:
    results['canary'] = 'MemoryError'
print(json.dumps({'limited': limited, 'results': results}))
'''


@pytest.fixture(scope='module')
def refusals(tmp_path_factory):
    """{case: [exception type, message]} from loading every crafted file in a capped child."""
    folder = tmp_path_factory.mktemp('untrusted')
    jobs = []
    for i, (name, (data, kwargs, _)) in enumerate(CASES.items()):
        path = folder / f'case{i}.pt'
        path.write_bytes(data)
        jobs.append([name, str(path), kwargs])
    env = dict(os.environ, OMP_NUM_THREADS='1', OPENBLAS_NUM_THREADS='1', MKL_NUM_THREADS='1')
    child = subprocess.run([sys.executable, '-c', _CHILD, str(HEADROOM)], input=json.dumps(jobs),
                           capture_output=True, text=True, env=env, timeout=120)
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout)
    if report['limited']:
        assert report['results'].pop('canary') == 'MemoryError', 'the memory cap did not apply'
    return report['results']


@pytest.mark.parametrize('case', list(CASES))
def test_crafted_file_is_refused_within_a_memory_cap(refusals, case):
    kind, message = refusals[case]
    assert kind == 'ValueError', f'{kind}: {message}'
    assert message.startswith("mt.load: '") and '.pt' in message.split(':')[1], message
    assert re.search(CASES[case][2], message), message


# --- in-process checks -------------------------------------------------------------------------
def test_valid_file_loads_and_the_cases_differ_from_it_only_where_they_say(tmp_path):
    path = tmp_path / 'valid.pt'
    path.write_bytes(VALID)
    loaded = mt.load(path)
    assert loaded['w'].tolist() == np.arange(12.0).reshape(3, 4).tolist() and loaded['step'] == 7
    assert mt.load(io.BytesIO(_archive(TENSOR, T0))).tolist() == [0, 1, 2, 3]


def test_max_bytes_sets_the_limit_and_is_checked():
    data = _saved({'w': mt.zeros(1000, dtype=mt.float64)})
    with pytest.raises(ValueError, match=r'more than the limit of 4000 bytes .*max_bytes\)'):
        mt.load(io.BytesIO(data), max_bytes=4000)
    assert mt.load(io.BytesIO(data), max_bytes=9000)['w'].shape == (1000,)
    for wrong in (0, -1, 1.5, '1e9', True):
        with pytest.raises(ValueError, match='max_bytes must be a positive int'):
            mt.load(io.BytesIO(data), max_bytes=wrong)


def test_file_objects_are_named_and_must_seek():
    class Stream(io.RawIOBase):
        def readable(self):
            return True

    with pytest.raises(ValueError, match=r'mt.load: <Stream>: the file object cannot seek'):
        mt.load(Stream())
    with pytest.raises(ValueError, match=r'mt.load: <BytesIO>: the file is empty'):
        mt.load(io.BytesIO())


def _model_and_optimizer():
    mt.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    opt = optim.Adam(model.parameters(), lr=0.01)
    model(mt.randn(5, 3)).sum().backward()
    opt.step()
    return model, opt


def _snapshot(model, opt):
    values = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    groups = [{k: v for k, v in g.items() if k != 'params'} for g in opt.param_groups]
    state = {id(p): {k: v.numpy().copy() if isinstance(v, mt.Tensor) else v for k, v in s.items()}
             for p, s in opt.state.items()}
    return values, groups, state


def _same(a, b):
    return all(np.array_equal(a[0][k], b[0][k]) for k in a[0]) and a[1] == b[1] and \
        a[2].keys() == b[2].keys() and all(
            all(np.array_equal(a[2][p][k], b[2][p][k]) for k in a[2][p]) for p in a[2])


def test_a_failed_load_or_load_state_dict_changes_nothing(tmp_path):
    model, opt = _model_and_optimizer()
    other, other_opt = _model_and_optimizer()
    with mt.no_grad():
        for p in other.parameters():
            p.add_(1.0)
    good = _saved({'model': other.state_dict(), 'optimizer': other_opt.state_dict()})
    before = _snapshot(model, opt)
    path = tmp_path / 'damaged.pt'
    path.write_bytes(_flip_last_data_byte(good))
    with pytest.raises(ValueError, match='damaged'):
        checkpoint = mt.load(path)
        model.load_state_dict(checkpoint['model'])
    checkpoint = mt.load(io.BytesIO(good))
    checkpoint['model']['1.running_var'] = mt.ones(5)
    with pytest.raises(RuntimeError, match='size mismatch for 1.running_var'):
        model.load_state_dict(checkpoint['model'])
    assert _same(before, _snapshot(model, opt))


def _broken(change):
    _, opt = _model_and_optimizer()
    state_dict = mt.load(io.BytesIO(_saved(opt.state_dict())))
    change(state_dict)
    return state_dict


@pytest.mark.parametrize('change, message', [
    (lambda sd: sd.pop('state'), r"expected a dict with 'state' \(a dict\) and 'param_groups'"),
    (lambda sd: sd.update(param_groups={}), r"'param_groups' \(a list\)"),
    (lambda sd: sd['param_groups'].append({'params': []}), 'parameter groups'),
    (lambda sd: sd['param_groups'][0].pop('params'), "group 0 is not a dict with a 'params' list"),
    (lambda sd: sd['param_groups'][0]['params'].pop(), 'has 3 parameters'),
    (lambda sd: sd['param_groups'][0]['params'].__setitem__(1, 0), 'distinct int positions'),
    (lambda sd: sd['param_groups'][0]['params'].__setitem__(1, '1'), 'distinct int positions'),
    (lambda sd: sd['param_groups'][0].update(lr='fast'), r"'lr' is 'fast'.*like 0.01"),
    (lambda sd: sd['param_groups'][0].update(betas=(0.9,)), r"'betas' is \(0.9,\)"),
    (lambda sd: sd['param_groups'][0].update({1: 2}), 'hyper-parameter names are str'),
    (lambda sd: sd['state'].update({9: {}}), r'state entry 9 does not name a parameter'),
    (lambda sd: sd['state'].update({'0': sd['state'][0]}), r"state entry '0' does not name"),
    (lambda sd: sd['state'].update({0: [1]}), r'state entry 0 does not name'),
    (lambda sd: sd['state'][0].update(exp_avg=mt.zeros(2)),
     r"state 'exp_avg' of parameter 0 has shape \[2\]; the parameter's shape is \[4, 3\]"),
])
def test_optimizer_load_state_dict_checks_everything_first(change, message):
    model, opt = _model_and_optimizer()
    before = _snapshot(model, opt)
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(_broken(change))
    assert _same(before, _snapshot(model, opt))
    opt.load_state_dict(_broken(lambda sd: None))      # an intact one still loads
