"""Checkers for notebook 02's exercises (tensors and devices).

Each prints "not done yet — hint: …", "✓ …" or "✗ <the mistake>: <hint>" and returns None (not done),
True (right) or False (wrong).  None of them raises.
"""
import itertools

import numpy as np

from .checks import call, no_answer


def _numpy(value):
    try:
        if hasattr(value, 'numpy'):
            value = value.numpy()
        return np.asarray(value, dtype=np.float64)
    except Exception:
        return None


# --- exercise 1: the broadcast shape -------------------------------------------------------------
BROADCAST_CASES = [((3, 1), (4,)), ((64, 10), (10,)), ((2, 1, 5), (3, 1)), ((), (2, 3)), ((5,), ()),
                   ((64, 10), (64,)), ((2, 3), (3, 2)), ((4, 1, 2), (5, 3)), ((8, 1, 6, 1), (7, 1, 5)),
                   ((1,), (0,))]


def _numpy_broadcast(s1, s2):
    try:
        return np.broadcast_shapes(s1, s2)
    except ValueError:
        return ValueError


def _shape_or_value_error(broadcast_shape, s1, s2):
    """broadcast_shape(s1, s2), or ValueError when it raised one: the right answer where they do not
    broadcast."""
    try:
        return broadcast_shape(s1, s2)
    except ValueError:
        return ValueError


def check_broadcast_shape(broadcast_shape):
    for s1, s2 in BROADCAST_CASES:
        expected = _numpy_broadcast(s1, s2)
        label = f'broadcast_shape({s1}, {s2})'
        got, status = call(label, _shape_or_value_error, broadcast_shape, s1, s2)
        if status != 'ok':
            return no_answer(status, 'hint: pad the shorter shape with 1s on the left, then go '
                                     'dim by dim with the three rules of section 4')
        if got is not ValueError and isinstance(got, (tuple, list)) and tuple(got) == expected:
            continue
        if got == expected:
            continue
        print(f'✗ {_broadcast_mistake(s1, s2, got, expected)}')
        return False
    print(f'✓ broadcast_shape agrees with numpy on all {len(BROADCAST_CASES)} cases')
    return True


def _broadcast_mistake(s1, s2, got, expected):
    label = f'broadcast_shape({s1}, {s2})'
    if expected is ValueError:
        return (f'{label} returned {got}, but sizes that differ with neither of them 1 do not '
                f'broadcast: raise ValueError')
    if got is ValueError:
        left = (tuple(s1) + (1,) * (len(s2) - len(s1)), tuple(s2) + (1,) * (len(s1) - len(s2)))
        if _numpy_broadcast(*left) is not ValueError or len(s1) != len(s2):
            return (f'{label} raised ValueError, yet they broadcast to {expected}: line the shapes up '
                    f'from the right (the last dims meet)')
        return f'{label} raised ValueError, yet they broadcast to {expected}'
    if not isinstance(got, (tuple, list)):
        return f'{label} returned {got!r}: return the shape as a tuple of ints'
    got = tuple(got)
    if len(got) < len(expected):
        return (f'{label} returned {got}, with fewer dims than the longer shape: zip() stops at the '
                f'shorter one — pad it with 1s on the left first')
    if 0 in expected and got == tuple(max(a, b) for a, b in zip(*_padded(s1, s2))):
        return (f'{label} returned {got}, expected {expected}: a size-1 dim stretches to the other '
                f'size, even to 0 — take the other size, not the larger one')
    return f'{label} returned {got}, expected {expected}'


def _padded(s1, s2):
    n = max(len(s1), len(s2))
    return (1,) * (n - len(s1)) + tuple(s1), (1,) * (n - len(s2)) + tuple(s2)


# --- exercise 2: pairwise squared distances ----------------------------------------------------------
def check_pairwise_sq_dists(pairwise_sq_dists):
    import minitorch as mt
    r = np.random.default_rng(21)
    a, b = r.standard_normal((5, 3)), r.standard_normal((4, 3))
    got, status = call('pairwise_sq_dists(a, b)', pairwise_sq_dists, mt.from_numpy(a.copy()),
                        mt.from_numpy(b.copy()))
    if status != 'ok':
        hint = (' — a (5, 3) and b (4, 3) do not broadcast as they are: each needs a new dim of '
                'size 1, in different places') if 'broadcast' in status else ''
        return no_answer(status, 'hint: give a and b one new dim each, so that their difference '
                                 'broadcasts to (n, m, d); then square and sum one dim away', hint)
    got = _numpy(got)
    diff = a[:, None, :] - b[None, :, :]
    right = (diff ** 2).sum(axis=2)
    if got is not None and got.shape == right.shape and np.allclose(got, right, rtol=1e-10):
        print('✓ pairwise_sq_dists matches a loop over all pairs')
        return True
    shape = None if got is None else got.shape
    if got is not None and got.shape == right.T.shape and np.allclose(got, right.T, rtol=1e-10):
        message = ('the result is (m, n) = (4, 5), the transpose: entry [i, j] must compare row i of a '
                   'with row j of b, so a\'s rows belong on dim 0')
    elif shape in {(5, 3), (4, 3)}:
        message = (f'the result has shape {shape}, expected (n, m) = (5, 4): summed over the wrong dim '
                   f'— which dim of the (n, m, d) difference runs over the coordinates?')
    elif shape == (5, 4, 3):
        message = ('the result has shape (5, 4, 3), one squared difference per coordinate: add them up '
                   'over the coordinates')
    elif shape == right.shape and np.allclose(got, diff.sum(axis=2), rtol=1e-10):
        message = 'the differences are summed before squaring: positive and negative ones cancel'
    elif shape == right.shape and np.allclose(got, np.sqrt(right), rtol=1e-10):
        message = 'these are the distances: the exercise asks for their squares (no square root)'
    elif shape != right.shape:
        message = f'the result has shape {shape}, expected (n, m) = (5, 4)'
    else:
        i, j = np.unravel_index(np.argmax(np.abs(got - right)), right.shape)
        message = (f'entry [{i}, {j}] is {got[i, j]:.4f}, expected {right[i, j]:.4f} '
                   f'(Σ_k (a[{i}, k] − b[{j}, k])²)')
    print(f'✗ {message}')
    return False


# --- exercise 3: views of a StridedTensor --------------------------------------------------------------
def _view_error(got, t, label):
    """A message when got is not a view of t's storage, else None."""
    if not all(hasattr(got, name) for name in ('storage', 'shape', 'strides', 'offset')):
        return f'{label} returned {got!r}: return a StridedTensor (storage, shape, strides, offset)'
    if got.storage is not t.storage:
        return (f'{label} is not a view: it has a storage of its own (a copy). A view shares '
                f't.storage and only chooses shape, strides and offset')
    return None


def _layout(got):
    return tuple(got.shape), tuple(got.strides), got.offset


def _values_match(got, expected_array):
    try:
        return np.array_equal(np.asarray(got.tolist()), expected_array)
    except Exception:
        return False


def _numpy_of(t):
    """t's values as numpy reads them through t's own strides, a read-only view."""
    storage = np.asarray(t.storage)
    return np.lib.stride_tricks.as_strided(storage[t.offset:], t.shape,
                                           [s * storage.itemsize for s in t.strides], writeable=False)


def broadcast_cases(StridedTensor):
    """(t, shape) pairs, each t a small tensor made with the notebook's class."""
    row = StridedTensor(list(range(4)), (4,))
    column = StridedTensor(list(range(3)), (3, 1))
    transposed = StridedTensor(list(range(6)), (3, 2)).transpose(0, 1)       # (2, 3), strides (1, 2)
    shifted = StridedTensor(list(range(10)), (3, 1), (2, 1), offset=3)        # starts at slot 3
    return [(row, (3, 4)), (column, (3, 4)), (transposed, (4, 2, 3)), (shifted, (2, 3, 5)),
            (row, (4,))]


BROADCAST_ERRORS = [((3,), (4,)), ((2, 3), (3,)), ((2, 3), (2, 2))]


def _expected_broadcast(t, shape):
    extra = len(shape) - len(t.shape)
    strides = (0,) * extra + tuple(0 if old != new else s for old, new, s in
                                   zip(t.shape, shape[extra:], t.strides))
    return tuple(shape), strides, t.offset


def check_broadcast_to(StridedTensor, broadcast_to):
    for t, shape in broadcast_cases(StridedTensor):
        label = f'broadcast_to(t of shape {t.shape}, {shape})'
        got, status = call(label, broadcast_to, t, shape)
        if status != 'ok':
            extra = (' — line the shapes up from the right: t\'s last dim meets the last size'
                     if 'ValueError' in status else '')
            return no_answer(status, 'hint: broadcasting stores nothing new: the result shares '
                                     't.storage; choose its strides so that stepping along a '
                                     'stretched dim stays on the same slot', extra)
        message = _view_error(got, t, label) or _broadcast_mistake_in_view(got, t, shape)
        if message:
            print(f'✗ {message}')
            return False
    for shape, target in BROADCAST_ERRORS:
        t = StridedTensor(list(range(int(np.prod(shape)))), shape)
        got, status = call('', broadcast_to, t, target)
        if status == 'ok':
            print(f'✗ broadcast_to(t of shape {shape}, {target}) returned a view, but size {shape[-1]} '
                  f'cannot stretch to {target[-1]} (only size 1 can): raise ValueError'
                  if shape[-1] != target[-1] and len(shape) <= len(target) else
                  f'✗ broadcast_to(t of shape {shape}, {target}) returned a view, but a tensor cannot '
                  f'broadcast to fewer dims: raise ValueError')
            return False
    print('✓ broadcast_to: views with stride 0 along every stretched or new dim, t\'s own strides and '
          'offset elsewhere; ValueError when sizes do not fit')
    return True


def _broadcast_mistake_in_view(got, t, shape):
    want_shape, want_strides, want_offset = _expected_broadcast(t, shape)
    got_shape, got_strides, got_offset = _layout(got)
    label = f'broadcast_to(t of shape {t.shape}, {shape})'
    if got_shape != want_shape:
        return f'{label} has shape {got_shape}, expected {want_shape}'
    if got_offset != want_offset:
        return (f'{label} starts at slot {got_offset}, but t starts at slot {t.offset}: keep t.offset '
                f'(t may be a view that starts further into the storage)')
    if len(got_strides) != len(want_strides):
        return f'{label} has {len(got_strides)} strides for {len(want_shape)} dims'
    extra = len(shape) - len(t.shape)
    for d, (g, w) in enumerate(zip(got_strides, want_strides)):
        if g == w:
            continue
        if w == 0:
            kind = 'new' if d < extra else f'stretched (size {t.shape[d - extra]} in t)'
            return (f'{label}: dim {d} is {kind} but has stride {g}, so stepping along it walks to other '
                    f'slots of the storage — a broadcast dim repeats the same values')
        return (f'{label}: dim {d} keeps its size but its stride became {g}, t\'s is {w}: a kept dim '
                f'keeps t\'s stride (t may be a transpose, whose strides are not row-major)')
    if not _values_match(got, np.broadcast_to(_numpy_of(t), shape)):
        return f'{label} reads other values than numpy\'s broadcast_to'
    return None


def getitem_cases(StridedTensor):
    """(t, index) pairs: a (4, 6) tensor, its transpose, and a view that starts further in."""
    t = StridedTensor(list(range(24)), (4, 6))
    rows = StridedTensor(t.storage, (3, 6), (6, 1), offset=6)          # t[1:], made by hand
    return [(t, 1), (t, (1, 2)), (t, (slice(1, 3), slice(None, None, 2))), (t, (slice(None), 3)),
            (t, slice(2, 100)), (t.transpose(0, 1), (slice(1, 5, 2), 2)), (rows, (1,)),
            (rows, (slice(None, None, 2), slice(1, 6, 3)))]


def _describe(index):
    parts = index if isinstance(index, tuple) else (index,)

    def one(i):
        if not isinstance(i, slice):
            return str(i)
        text = f'{"" if i.start is None else i.start}:{"" if i.stop is None else i.stop}'
        return text + (f':{i.step}' if i.step not in (None, 1) else '')
    return 't[' + ', '.join(one(i) for i in parts) + ']'


def _expected_getitem(t, index):
    index = index if isinstance(index, tuple) else (index,)
    offset, shape, strides = t.offset, [], []
    for i, size, stride in itertools.zip_longest(index, t.shape, t.strides, fillvalue=slice(None)):
        if isinstance(i, slice):
            start, stop, step = i.indices(size)
            offset += start * stride
            shape.append(len(range(start, stop, step)))
            strides.append(stride * step)
        else:
            offset += i * stride
    return tuple(shape), tuple(strides), offset


def check_getitem(StridedTensor, getitem):
    for t, index in getitem_cases(StridedTensor):
        label = f'{_describe(index)} for t of shape {t.shape}, strides {t.strides}, offset {t.offset}'
        got, status = call(label, getitem, t, index)
        if status != 'ok':
            return no_answer(status, 'hint: an index changes where the view starts (offset) and, '
                                     'for a slice, how far one step goes (stride) and how many '
                                     'steps there are (size); the storage stays the same')
        message = _view_error(got, t, label) or _getitem_mistake(got, t, index, label)
        if message:
            print(f'✗ {message}')
            return False
    print('✓ getitem: ints move the offset and drop their dim, slices move the offset and scale the '
          'stride by their step — all views of the same storage')
    return True


def _row_major(shape):
    strides, step = [], 1
    for size in reversed(shape):
        strides.insert(0, step)
        step *= size
    return tuple(strides)


def _getitem_mistake(got, t, index, label):
    want_shape, want_strides, want_offset = _expected_getitem(t, index)
    got_shape, got_strides, got_offset = _layout(got)
    parts = index if isinstance(index, tuple) else (index,)
    ints = [d for d, i in enumerate(parts) if not isinstance(i, slice)]
    slices = [i for i in parts if isinstance(i, slice)]
    if got_shape != want_shape:
        if ints and len(got_shape) == len(t.shape):
            return (f'{label} has shape {got_shape}, expected {want_shape}: an int index drops its dim '
                    f'(t[1] of a (4, 6) tensor has shape (6,), as in numpy; a slice 1:2 keeps it)')
        stepped = [i for i in slices if i.step not in (None, 1)]
        if stepped:
            return (f'{label} has shape {got_shape}, expected {want_shape}: a slice start:stop:step '
                    f'takes every step-th position, len(range(start, stop, step)) of them')
        if any(i.stop is not None and i.stop > 10 for i in slices):
            return (f'{label} has shape {got_shape}, expected {want_shape}: a stop past the end is '
                    f'clipped to the size, as in numpy — slice.indices(size) does it')
        return f'{label} has shape {got_shape}, expected {want_shape}'
    if got_offset != want_offset:
        if got_offset == want_offset - t.offset:
            return (f'{label} starts at slot {got_offset}, expected {want_offset}: t itself starts at '
                    f'slot {t.offset} — start from t.offset, not from 0')
        return (f'{label} starts at slot {got_offset}, expected {want_offset}: each int index i and '
                f'each slice start moves the start by that many steps of its dim\'s stride')
    if got_strides != want_strides:
        if got_strides == _row_major(want_shape):
            return (f'{label} has strides {got_strides}, expected {want_strides}: row-major strides for '
                    f'the new shape describe a fresh copy, not a view — a view keeps the strides of the '
                    f'dims it keeps (scaled by a slice\'s step)')
        if any(i.step not in (None, 1) for i in slices):
            return (f'{label} has strides {got_strides}, expected {want_strides}: a slice with step 2 '
                    f'jumps two positions of its dim per step — scale that dim\'s stride')
        return (f'{label} has strides {got_strides}, expected {want_strides}: a view keeps the strides '
                f'of the dims it keeps (t may be a transpose, whose strides are not row-major)')
    expected = _numpy_of(t)[index]
    if not _values_match(got, np.asarray(expected)):
        return f'{label} reads other values than numpy\'s t[index]'
    return None
