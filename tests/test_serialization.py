"""mt.save / mt.load: round trips in .npz without pickle, and refusing anything that could run code
(files crafted to break the loader: test_serialization_untrusted.py)."""
import io
import pickle
import zipfile

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn, optim
from helpers import check_on_device, host


def test_state_dict_round_trip_keeps_values_dtypes_and_order(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    model(mt.randn(5, 3))                           # running stats move, num_batches_tracked = 1
    path = tmp_path / 'model.pt'
    mt.save(model.state_dict(), path)
    assert path.exists() and not (tmp_path / 'model.pt.npz').exists()
    loaded = mt.load(path)
    assert list(loaded) == list(model.state_dict())
    for key, value in model.state_dict().items():
        assert loaded[key].dtype is value.dtype and mt.equal(loaded[key], value), key
    clone = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    clone.load_state_dict(loaded)
    x = mt.randn(2, 3)
    model.eval(), clone.eval()
    assert mt.equal(model(x), clone(x))


def test_nested_structures_and_optimizer_state():
    model = nn.Linear(2, 2)
    opt = optim.Adam(model.parameters(), lr=0.01)
    model(mt.ones(1, 2)).sum().backward()
    opt.step()
    checkpoint = {'model': model.state_dict(), 'optimizer': opt.state_dict(), 'epoch': 3,
                  'history': [0.5, 0.25], 'note': 'ok', 'shape': (2, 2), 'none': None,
                  'array': np.arange(3)}
    buffer = io.BytesIO()
    mt.save(checkpoint, buffer)
    buffer.seek(0)
    loaded = mt.load(buffer)
    assert loaded['epoch'] == 3 and loaded['history'] == [0.5, 0.25] and loaded['note'] == 'ok'
    assert loaded['shape'] == (2, 2) and loaded['none'] is None
    assert loaded['array'].tolist() == [0, 1, 2]
    assert loaded['optimizer']['param_groups'][0]['betas'] == (0.9, 0.999)
    assert loaded['optimizer']['state'][0]['step'] == 1          # int keys survive
    opt2 = optim.Adam(nn.Linear(2, 2).parameters())
    opt2.load_state_dict(loaded['optimizer'])
    assert opt2.param_groups[0]['lr'] == 0.01


def test_map_location(device):
    buffer = io.BytesIO()
    mt.save({'w': mt.ones(2)}, buffer)
    buffer.seek(0)
    w = mt.load(buffer, map_location=device)['w']
    check_on_device(w, device)
    assert host(w).tolist() == [1, 1]


def test_tensors_on_a_device_are_saved_through_the_host(device):
    buffer = io.BytesIO()
    mt.save({'w': mt.arange(3, device=device)}, buffer)
    buffer.seek(0)
    assert mt.load(buffer)['w'].tolist() == [0, 1, 2]


class _Boom:
    def __reduce__(self):
        return (eval, ("__import__('os').environ.__setitem__('MINITORCH_PWNED', '1')",))


def test_loading_never_unpickles(tmp_path, monkeypatch):
    monkeypatch.delenv('MINITORCH_PWNED', raising=False)
    evil = tmp_path / 'evil.pt'
    evil.write_bytes(pickle.dumps({'w': _Boom()}))
    with pytest.raises(ValueError, match='not a file written by mt.save'):
        mt.load(evil)
    array_of_objects = tmp_path / 'objects.npz'      # an .npz whose array needs pickle to read
    header = b'{"format": "minitorch-npz", "version": 1, "object": {"__tensor__": "t0"}}'
    np.savez(array_of_objects, __minitorch__=np.frombuffer(header, np.uint8),
             t0=np.array([_Boom()], dtype=object))
    with pytest.raises(ValueError, match='allow_pickle'):
        mt.load(array_of_objects)
    import os
    assert 'MINITORCH_PWNED' not in os.environ


def test_unsupported_values_and_foreign_archives(tmp_path):
    with pytest.raises(TypeError, match=r"obj\['f'\] of type function"):
        mt.save({'f': lambda: 0}, tmp_path / 'x.npz')
    with pytest.raises(TypeError, match='without pickle'):
        mt.save(np.array([object()]), tmp_path / 'x.npz')
    plain = tmp_path / 'plain.npz'
    np.savez(plain, a=np.ones(2))
    with pytest.raises(ValueError, match='no __minitorch__ entry'):
        mt.load(plain)
    assert zipfile.is_zipfile(plain)
    with pytest.raises(ValueError, match='weights_only'):
        mt.load(plain, weights_only=False)


def test_fortran_order_and_big_endian_arrays_load_as_numpy_saved_them():
    fortran = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    big_endian = np.arange(4, dtype='>i4')
    buffer = io.BytesIO()
    mt.save({'f': fortran, 'b': big_endian}, buffer)
    buffer.seek(0)
    loaded = mt.load(buffer)
    assert loaded['f'].flags.f_contiguous and np.array_equal(loaded['f'], fortran)
    assert loaded['b'].dtype == np.int32 and loaded['b'].dtype.isnative
    assert loaded['b'].tolist() == [0, 1, 2, 3]
    buffer = io.BytesIO()                           # a tensor stored big-endian (as on s390x)
    header = b'{"format": "minitorch-npz", "version": 1, "object": {"__tensor__": "t0"}}'
    np.savez(buffer, __minitorch__=np.frombuffer(header, np.uint8), t0=big_endian)
    buffer.seek(0)
    t = mt.load(buffer)
    assert t.dtype is mt.int32 and t.tolist() == [0, 1, 2, 3]


def test_empty_and_scalar_tensors_round_trip():
    buffer = io.BytesIO()
    mt.save({'empty': mt.zeros(0, 3), 'scalar': mt.tensor(2.5), 'flag': mt.tensor([True])}, buffer)
    buffer.seek(0)
    loaded = mt.load(buffer)
    assert loaded['empty'].shape == (0, 3) and loaded['scalar'].item() == 2.5
    assert loaded['flag'].dtype is mt.bool and loaded['flag'].tolist() == [True]
