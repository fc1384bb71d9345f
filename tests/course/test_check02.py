"""Notebook 02's checkers accept the solutions and name each plausible mistake (course/lib/check02.py)."""
import itertools
import json
import os

import numpy as np
import pytest

from lib import check02
from solutions import sol02
from solutions.sol02 import StridedTensor

COURSE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'course')


def stub(*args):
    raise NotImplementedError('exercise')


# --- the hand-made StridedTensor (the notebook's, copied in sol02) agrees with numpy ------------------
def test_sol02_carries_the_notebooks_strided_tensor_unchanged():
    with open(os.path.join(COURSE, '02_tensors_and_devices.ipynb'), encoding='utf-8') as f:
        cells = [''.join(c['source']) for c in json.load(f)['cells'] if c['cell_type'] == 'code']
    in_notebook = next(c for c in cells if 'class StridedTensor' in c).strip()
    with open(sol02.__file__, encoding='utf-8') as f:
        solution = f.read()
    copied = solution[solution.index('def contiguous_strides'):solution.index('# --- exercise 1')].strip()
    assert copied == in_notebook


def test_strided_tensor_reads_as_numpy_does():
    t = StridedTensor(list(range(24)), (4, 6))
    a = np.arange(24).reshape(4, 6)
    assert t.strides == tuple(s // a.itemsize for s in a.strides)
    assert t.transpose(0, 1).tolist() == a.T.tolist()
    assert t.transpose(0, 1).strides == tuple(s // a.itemsize for s in a.T.strides)
    copy = t.transpose(0, 1).contiguous()
    assert copy.storage is not t.storage and copy.tolist() == a.T.tolist() and copy.is_contiguous()


@pytest.mark.parametrize('index', [1, (1, 2), (slice(1, 3), slice(None, None, 2)), (slice(None), 3),
                                   slice(2, 100), (slice(None, None, 3), slice(5, 0, -2))])
def test_getitem_solution_agrees_with_numpy(index):
    t = StridedTensor(list(range(24)), (4, 6))
    a = np.arange(24).reshape(4, 6)
    view = sol02.getitem(t, index)
    assert view.storage is t.storage
    assert np.array_equal(np.asarray(view.tolist()), a[index])
    assert view.strides == tuple(s // a.itemsize for s in a[index].strides)


@pytest.mark.parametrize('shape, target', [((4,), (3, 4)), ((3, 1), (3, 4)), ((2, 1, 3), (5, 2, 4, 3))])
def test_broadcast_solution_agrees_with_numpy(shape, target):
    a = np.arange(int(np.prod(shape))).reshape(shape)
    view = sol02.broadcast_to(StridedTensor(list(range(a.size)), shape), target)
    b = np.broadcast_to(a, target)
    assert np.array_equal(np.asarray(view.tolist()), b)
    assert view.strides == tuple(s // a.itemsize for s in b.strides)


# --- broadcast_shape ---------------------------------------------------------------------------------
def test_broadcast_shape_solution_is_accepted(verdict):
    result, out = verdict(check02.check_broadcast_shape, sol02.broadcast_shape)
    assert result is True and out.startswith('✓ broadcast_shape agrees with numpy'), out


def test_broadcast_shape_stub_is_not_done(verdict):
    for unfinished in (stub, lambda s1, s2: ...):
        result, out = verdict(check02.check_broadcast_shape, unfinished)
        assert result is None and out.startswith('not done yet — hint:'), out


def aligned_left(s1, s2):
    n = max(len(s1), len(s2))
    s1, s2 = tuple(s1) + (1,) * (n - len(s1)), tuple(s2) + (1,) * (n - len(s2))
    return sol02.broadcast_shape(s1, s2)


def never_raises(s1, s2):
    a, b = check02._padded(s1, s2)
    return tuple(max(x, y) for x, y in zip(a, b))


def unpadded(s1, s2):
    out = []
    for a, b in zip(reversed(s1), reversed(s2)):
        if a != b and 1 not in (a, b):
            raise ValueError('no')
        out.insert(0, b if a == 1 else a)
    return tuple(out)


def larger_size(s1, s2):
    a, b = check02._padded(s1, s2)
    if any(x != y and 1 not in (x, y) for x, y in zip(a, b)):
        raise ValueError('no')
    return tuple(max(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize('wrong, words', [
    (aligned_left, 'line the shapes up from the right'),
    (never_raises, 'do not broadcast: raise ValueError'),
    (unpadded, 'zip() stops at the shorter one'),
    (larger_size, 'a size-1 dim stretches to the other size, even to 0'),
    (lambda s1, s2: list(np.broadcast_shapes(s1, s2))[0], 'return the shape as a tuple of ints'),
    (lambda s1, s2: s1[5], 'raised IndexError'),
])
def test_broadcast_shape_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check02.check_broadcast_shape, wrong)
    assert result is False and out.startswith('✗') and words in out, out


# --- pairwise_sq_dists -------------------------------------------------------------------------------
def test_pairwise_solution_is_accepted(verdict):
    assert verdict(check02.check_pairwise_sq_dists, sol02.pairwise_sq_dists) == \
        (True, '✓ pairwise_sq_dists matches a loop over all pairs\n')


def test_pairwise_stub_is_not_done(verdict):
    result, out = verdict(check02.check_pairwise_sq_dists, stub)
    assert result is None and out.startswith('not done yet — hint:'), out


@pytest.mark.parametrize('wrong, words', [
    (lambda a, b: ((b.unsqueeze(1) - a.unsqueeze(0)) ** 2).sum(dim=2), 'the transpose'),
    (lambda a, b: ((a.unsqueeze(1) - b.unsqueeze(0)) ** 2).sum(dim=1), 'summed over the wrong dim'),
    (lambda a, b: ((a.unsqueeze(1) - b.unsqueeze(0)) ** 2), 'add them up over the coordinates'),
    (lambda a, b: (a.unsqueeze(1) - b.unsqueeze(0)).sum(dim=2), 'summed before squaring'),
    (lambda a, b: ((a.unsqueeze(1) - b.unsqueeze(0)) ** 2).sum(dim=2).sqrt(), 'no square root'),
    (lambda a, b: ((a - b) ** 2).sum(dim=1), 'each needs a new dim of size 1'),
])
def test_pairwise_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check02.check_pairwise_sq_dists, wrong)
    assert result is False and out.startswith('✗') and words in out, out


# --- broadcast_to ------------------------------------------------------------------------------------
def test_broadcast_to_solution_is_accepted(verdict):
    result, out = verdict(check02.check_broadcast_to, StridedTensor, sol02.broadcast_to)
    assert result is True and out.startswith('✓ broadcast_to: views with stride 0'), out


def test_broadcast_to_stub_is_not_done(verdict):
    result, out = verdict(check02.check_broadcast_to, StridedTensor, stub)
    assert result is None and out.startswith('not done yet — hint:'), out


def copying(t, shape):
    values = np.broadcast_to(check02._numpy_of(t), shape)
    return StridedTensor(values.ravel().tolist(), shape)


def row_major_strides(t, shape):
    view = sol02.broadcast_to(t, shape)
    return StridedTensor(t.storage, shape, sol02.contiguous_strides(shape), view.offset)


def kept_dims_row_major(t, shape):
    view = sol02.broadcast_to(t, shape)
    own = sol02.contiguous_strides(shape)
    return StridedTensor(t.storage, shape, [0 if s == 0 else o for s, o in zip(view.strides, own)],
                         view.offset)


def offset_dropped(t, shape):
    view = sol02.broadcast_to(t, shape)
    return StridedTensor(t.storage, shape, view.strides, 0)


def no_size_check(t, shape):
    extra = len(shape) - len(t.shape)
    strides = (0,) * extra + tuple(0 if old == 1 else s for old, s in zip(t.shape, t.strides))
    return StridedTensor(t.storage, shape, strides, t.offset)


def aligned_left_view(t, shape):
    extra = len(shape) - len(t.shape)
    padded_shape = t.shape + (1,) * extra
    if any(old not in (1, new) for old, new in zip(padded_shape, shape)):
        raise ValueError(f'cannot broadcast {t.shape} to {shape}')
    return sol02.broadcast_to(t, shape)


@pytest.mark.parametrize('wrong, words', [
    (copying, 'is not a view: it has a storage of its own (a copy)'),
    (row_major_strides, 'but has stride 4, so stepping along it walks to other slots'),
    (kept_dims_row_major, 'keeps its size but its stride became'),
    (offset_dropped, 'starts at slot 0, but t starts at slot 3: keep t.offset'),
    (no_size_check, 'cannot stretch to 4 (only size 1 can): raise ValueError'),
    (aligned_left_view, 'line the shapes up from the right'),
    (lambda t, shape: t, 'has shape (4,), expected (3, 4)'),
    (lambda t, shape: t.tolist(), 'return a StridedTensor'),
])
def test_broadcast_to_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check02.check_broadcast_to, StridedTensor, wrong)
    assert result is False and out.startswith('✗') and words in out, out


# --- getitem -----------------------------------------------------------------------------------------
def test_getitem_solution_is_accepted(verdict):
    result, out = verdict(check02.check_getitem, StridedTensor, sol02.getitem)
    assert result is True and out.startswith('✓ getitem: ints move the offset'), out


def test_getitem_stub_is_not_done(verdict):
    result, out = verdict(check02.check_getitem, StridedTensor, stub)
    assert result is None and out.startswith('not done yet — hint:'), out


def getitem_with(keep_int_dims=False, ignore_step_in_stride=False, ignore_step_in_size=False,
                 from_zero=False, no_clip=False, copy=False, row_major=False):
    """A getitem with one of the plausible mistakes switched on."""
    def getitem(t, index):
        index = index if isinstance(index, tuple) else (index,)
        offset, shape, strides = 0 if from_zero else t.offset, [], []
        for i, size, stride in itertools.zip_longest(index, t.shape, t.strides, fillvalue=slice(None)):
            if isinstance(i, slice):
                start, stop, step = i.indices(size)
                if no_clip and i.stop is not None:
                    stop = i.stop
                offset += start * stride
                count = (stop - start) if ignore_step_in_size else len(range(start, stop, step))
                shape.append(count)
                strides.append(stride if ignore_step_in_stride else stride * step)
            else:
                offset += i * stride
                if keep_int_dims:
                    shape.append(1)
                    strides.append(stride)
        if row_major:
            strides = sol02.contiguous_strides(shape)
        view = StridedTensor(t.storage, shape, strides, offset)
        return view.contiguous() if copy and not view.is_contiguous() else \
            (StridedTensor(list(view.storage), shape, strides, offset) if copy else view)
    return getitem


@pytest.mark.parametrize('wrong, words', [
    (getitem_with(keep_int_dims=True), 'an int index drops its dim'),
    (getitem_with(ignore_step_in_stride=True), 'a slice with step 2 jumps two positions'),
    (getitem_with(ignore_step_in_size=True), 'takes every step-th position'),
    (getitem_with(from_zero=True), 't itself starts at slot 6 — start from t.offset, not from 0'),
    (getitem_with(no_clip=True), 'a stop past the end is clipped to the size'),
    (getitem_with(copy=True), 'is not a view'),
    (getitem_with(row_major=True), 'row-major strides for the new shape describe a fresh copy'),
    (lambda t, index: check02._numpy_of(t)[index], 'return a StridedTensor'),
])
def test_getitem_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check02.check_getitem, StridedTensor, wrong)
    assert result is False and out.startswith('✗') and words in out, out
