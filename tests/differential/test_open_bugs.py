"""Open bugs of the tensor factories (tensor, full, zeros, arange, fill_) the generated-input specs found, each as its smallest reproduction; strict xfail, so a
fix shows as a failure here (then drop the mark, and the draw's workaround named in the reason)."""
import numpy as np
import pytest

import minitorch as mt


def _bug(reason):
    return pytest.mark.xfail(strict=True, reason=reason)


@pytest.mark.parametrize('make, want', [
    (lambda: mt.full((2,), -1, dtype=mt.uint8), [255, 255]),
    (lambda: mt.full_like(mt.zeros(2, dtype=mt.uint8), -1), [255, 255]),
    (lambda: mt.zeros(2, dtype=mt.uint8).fill_(-1), [255, 255]),
    (lambda: mt.arange(-1, 1, dtype=mt.uint8), [255, 0])],
    ids=['full', 'full_like', 'fill_', 'arange'])
def test_negative_ints_into_uint8_wrap(make, want):
    assert make().tolist() == want


@pytest.mark.parametrize('make', [lambda: mt.full((2,), float('inf'), dtype=mt.int64),
                                  lambda: mt.full_like(mt.zeros(2, dtype=mt.uint8), float('inf'))],
                         ids=['full', 'full_like'])
def test_inf_into_integers_is_refused(make):
    with pytest.raises(RuntimeError):
        make()


def test_full_of_a_negative_size_names_full():
    with pytest.raises(ValueError, match='full'):
        mt.full((-1,), 0)


@pytest.mark.parametrize('factory', ['zeros', 'ones', 'empty', 'rand', 'randn'])
def test_factories_need_a_size(factory):
    with pytest.raises(TypeError, match=f'{factory}.*size'):
        getattr(mt, factory)()
    assert getattr(mt, factory)(()).shape == ()


def test_tensor_of_an_int_just_beyond_int64():
    with pytest.raises(RuntimeError, match='does not fit in int64'):
        mt.tensor([2 ** 63])


def test_tensor_of_ragged_lists_names_itself():
    with pytest.raises(ValueError, match='tensor'):
        mt.tensor([[1, 2], [3]])


def test_tensor_of_numpy_scalars_in_a_list():
    assert mt.tensor([np.float64(1.5), 2]).dtype == mt.float64
