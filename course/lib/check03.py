"""Checkers for notebook 03's exercises (autograd from scratch).

Each prints "not done yet — hint: …" (an untouched stub), "✓ …" (right) or "✗ <the mistake>: <hint>"
(wrong), and returns None, True or False.  None of them raises.
"""
import numpy as np

import minitorch as mt

from .checks import Wrong, as_numpy, call, no_answer, raised


def _close(a, b, rtol=1e-7, atol=1e-10):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _shape(shape):
    return str(tuple(int(n) for n in shape))


def _numbers(value):
    """value as a float array, or None when it cannot be read as numbers."""
    try:
        array = as_numpy(value).astype(np.float64)
    except Exception:
        return None
    return array


# --- exercise 1: a large batch in chunks -----------------------------------------------------------
def check_grad_in_chunks(grad_in_chunks):
    rng = np.random.default_rng(2)
    xs, ys, ws = rng.standard_normal((12, 4)), rng.standard_normal((12, 2)), rng.standard_normal((4, 2))
    chunks, rows = 3, 4
    parts = [2 * xc.T @ (xc @ ws - yc) for xc, yc in zip(np.split(xs, chunks), np.split(ys, chunks))]
    expected = sum(parts)
    stale = np.ones((4, 2))
    w = mt.from_numpy(ws.copy())
    w.requires_grad = True
    w.grad = mt.from_numpy(stale.copy())            # what an earlier step left in w.grad
    got, status = call('grad_in_chunks(w, x, y, 3)', grad_in_chunks, w, mt.from_numpy(xs),
                       mt.from_numpy(ys), chunks, none_is_stub=False)
    if status != 'ok':
        return no_answer(status, 'hint: call backward() once per chunk and let the gradients add '
                                 'up in w.grad; think about what w.grad holds when the function '
                                 'starts')
    if got is None:
        print('✗ grad_in_chunks returned None: return w.grad once every chunk has been through backward')
        return False
    got = _numbers(got)
    if got is None or got.shape != expected.shape:
        print(f'✗ grad_in_chunks should return w.grad, shaped like w {_shape(expected.shape)}, got '
              f'{"something that is not numbers" if got is None else _shape(got.shape)}')
        return False
    return _judge_chunks(got, expected, parts, stale, rows * ys.shape[1], chunks)


def _judge_chunks(got, expected, parts, stale, chunk_size, chunks):
    if _close(got, expected):
        print('✓ grad_in_chunks: the chunks\' gradients add up to the whole batch\'s')
        return True
    for base, what in ((0, ''), (stale, ' plus the old gradient')):
        if _close(got, expected + base) and what:
            print('✗ the result is the batch\'s gradient plus what w.grad held before the call (an '
                  'earlier step\'s gradient, all ones here): backward adds to w.grad, so clear it '
                  '(w.grad = None) before the first chunk')
            return False
        if _close(got, parts[-1] + base):
            print('✗ only the last chunk\'s gradient is left: w.grad was cleared between chunks. Clear '
                  'it once, before the loop, and let backward add the chunks up')
            return False
        if _close(got, parts[0] + base):
            print('✗ only the first chunk\'s gradient: every one of the chunks must go through '
                  'backward')
            return False
        if _close(got, expected / chunk_size + base):
            print(f'✗ the gradient is {chunk_size} times too small — the number of elements of '
                  f'(x_chunk @ w - y_chunk): a .mean() instead of .sum()? The batch\'s loss is a sum, '
                  f'so each chunk\'s loss must be a sum too')
            return False
        if _close(got, expected / chunks + base):
            print(f'✗ the gradient is {chunks} times too small (the number of chunks): the batch\'s '
                  f'loss is the sum of the chunks\' losses, not their mean')
            return False
    where = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape)
    print(f'✗ grad_in_chunks differs from the whole batch\'s gradient: at {tuple(map(int, where))} '
          f'expected {expected[where]:.6g}, got {got[where]:.6g}')
    return False


# --- exercise 2: a vector–Jacobian product by hand -------------------------------------------------
def _jacobian(f, x, eps=1e-6):
    columns = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = eps
        columns.append((f(x + step) - f(x - step)) / (2 * eps))
    return np.stack(columns, axis=1)


def check_normalize_vjp(normalize_vjp):
    x = np.random.default_rng(3).uniform(0.5, 2.0, 5)
    n, total = x.size, x.sum()
    numerical = _jacobian(lambda x: x / x.sum(), x)
    rows = []
    for i in range(n):                              # e_iᵀ J is row i of J
        v = np.eye(n)[i]
        got, status = call(f'normalize_vjp(x, v) with v = e_{i}', normalize_vjp, x.copy(), v,
                           none_is_stub=False)
        if status != 'ok':
            return no_answer(status, 'hint: ∂L/∂x_j = Σ_i v_i ∂y_i/∂x_j. Write ∂y_i/∂x_j for '
                                     'i = j and for i ≠ j (x_j is in every denominator), then do '
                                     'the sum over i with numpy')
        got = None if got is None else _numbers(got)
        if got is None or got.shape != (n,):
            what = 'None' if got is None else f'shape {_shape(got.shape)}'
            print(f'✗ normalize_vjp returned {what}: vᵀJ = ∂L/∂x has one number per input x_j, '
                  f'shape ({n},)')
            return False
        rows.append(got)
    return _judge_jacobian(np.stack(rows), numerical, x, total, normalize_vjp)


def _judge_jacobian(yours, numerical, x, total, normalize_vjp):
    n = x.size
    off = ~np.eye(n, dtype=bool)
    if _close(yours, numerical, rtol=1e-5, atol=1e-8):
        v = np.random.default_rng(4).standard_normal(n)
        got, status = call('normalize_vjp(x, v)', normalize_vjp, x.copy(), v)
        got = _numbers(got) if status == 'ok' else None
        if got is not None and _close(got, v @ numerical, rtol=1e-5, atol=1e-8):
            print('✓ normalize_vjp: your vᵀJ matches the Jacobian of x / x.sum() from finite differences')
            return True
        print('✗ normalize_vjp is right for each v = e_i but not for a random v: vᵀJ is linear in v — '
              'does your code use v only through its first nonzero entry, or change v or x in place?')
        return False
    if _close(yours, np.eye(n) / total, rtol=1e-5):
        print(f'✗ your J is diagonal, 1/x.sum() on the diagonal: you treated x / x.sum() as elementwise, '
              f'as if x.sum() were a constant. But x_j is in the denominator of every y_i, so the '
              f'off-diagonal entries ∂y_i/∂x_j (i ≠ j) are not 0: growing x_j shrinks every other '
              f'proportion')
        return False
    if _close(yours, numerical.T, rtol=1e-5):
        print('✗ your J is the transpose of the right one: you computed J·v (a Jacobian–vector '
              'product), not vᵀJ. ∂L/∂x_j sums over the outputs: Σ_i v_i J[i, j]')
        return False
    for factor, words in ((total, 'x.sum() times too large: a factor 1/x.sum() is missing'),
                          (1 / total, 'x.sum() times too small: one division by x.sum() too many')):
        if _close(yours, factor * numerical, rtol=1e-5):
            print(f'✗ every entry of your J is {words} (x.sum() = {total:.4g} here)')
            return False
    if np.all(np.sign(yours[off]) == -np.sign(numerical[off])):
        print('✗ the off-diagonal entries of your J have the wrong sign: growing x_j grows x.sum(), '
              'so every other y_i falls — ∂y_i/∂x_j < 0 for i ≠ j')
        return False
    i, j = np.unravel_index(np.argmax(np.abs(yours - numerical)), yours.shape)
    place = 'on the diagonal' if i == j else 'off the diagonal'
    print(f'✗ your J differs from finite differences: worst at input element {j}, output element {i} '
          f'({place}): numerical {numerical[i, j]:.6g}, yours {yours[i, j]:.6g}')
    return False


# --- exercise 3: build it: mul, sum_axis and mean for TinyTensor ------------------------------------
def check_tiny_ops(TinyTensor, mul, sum_axis, mean):
    rng = np.random.default_rng(5)
    verdicts = [_check_op('mul', _MUL_PROBES, TinyTensor, mul, rng,
                          'forward multiplies the data; in backward, how much does a·b move when a '
                          'moves by ε? Each input\'s share must come back in its own shape (sum_to)'),
                _check_op('sum_axis', _SUM_PROBES, TinyTensor, sum_axis, rng,
                          'forward is a.data.sum(axis=axis); backward hands every element of a the '
                          'gradient of the sum it went into'),
                _check_op('mean', _MEAN_PROBES, TinyTensor, mean, rng,
                          'forward is a.data.mean(); how much does the mean move when one element '
                          'moves by ε?')]
    if False in verdicts:
        return False
    if None in verdicts:
        return None
    return _check_together(TinyTensor, mul, sum_axis, mean, rng)


def _check_op(name, probes, TinyTensor, op, rng, hint):
    try:
        for probe in probes:
            probe(TinyTensor, op, rng)
    except NotImplementedError:
        print(f'not done yet ({name}) — hint: {hint}')
        return None
    except Wrong as wrong:
        print(f'✗ {wrong}')
        return False
    print(f'✓ {name}: forward and backward agree with minitorch on every shape tried')
    return True


def _run(label, TinyTensor, op, arrays, mt_op, rng, extra=()):
    """Run op on TinyTensors and mt_op on minitorch tensors made from arrays, then backward from the
    same random v.  Returns (tiny inputs, minitorch inputs); raises Wrong on a forward or structural
    mistake, NotImplementedError on a stub."""
    tiny = [TinyTensor(a.copy()) for a in arrays]
    try:
        out = op(*tiny, *extra)
    except NotImplementedError:
        raise
    except Exception as err:
        raise Wrong(raised(label, err))
    if out is Ellipsis:
        raise NotImplementedError
    if out is None:
        raise Wrong(f'{label} returned None (a missing return?): return the new TinyTensor')
    tensors = [mt.from_numpy(a.copy()) for a in arrays]
    for t in tensors:
        t.requires_grad = True
    expected = mt_op(*tensors, *extra)
    if not isinstance(out, TinyTensor):
        raise Wrong(f'{label} returned {type(out).__name__}: return a TinyTensor, with the inputs as '
                    f'its _parents and a _backward closure, so that backward can reach the inputs')
    want = expected.detach().numpy()
    if out.data.shape != want.shape:
        raise Wrong(f'{label}: the result has shape {_shape(out.data.shape)}, minitorch\'s '
                    f'{_shape(want.shape)}' + _forward_shape_hint(label, out.data.shape, want.shape))
    if not _close(out.data, want):
        raise Wrong(f'{label}: the forward values differ from minitorch\'s (first: {out.data.flat[0]:.6g} '
                    f'vs {want.flat[0]:.6g})')
    v = rng.standard_normal(want.shape)
    try:
        out.backward(gradient=v)
    except Exception as err:
        raise Wrong(f'{label}: backward raised {type(err).__name__}: {err}'
                    + _backward_error_hint(label, err))
    expected.backward(gradient=mt.from_numpy(v.copy()))
    return tiny, tensors


def _forward_shape_hint(label, got, want):
    if label.startswith('sum_axis') and len(got) == len(want) + 1:
        return ': the summed axis is removed (no keepdims)'
    if label.startswith('mean'):
        return ': the mean of all elements is one number, a 0-d array (shape ())'
    return ''


def _backward_error_hint(label, err):
    if label.startswith('sum_axis') and 'broadcast' in str(err):
        return ('. The gradient of the sum lost the summed axis; put it back (np.expand_dims(g, axis)) '
                'before broadcasting it to a\'s shape, so that each element gets the gradient of its '
                'own row or column')
    return ''


def _grads(label, names, tiny, tensors):
    """Compare each input's gradient; return [(name, yours, minitorch's)] or raise Wrong for a
    missing or misshapen gradient."""
    pairs = []
    for name, mine, theirs in zip(names, tiny, tensors):
        want = theirs.grad.numpy()
        if mine.grad is None:
            raise Wrong(f'{label}: no gradient reached {name}: the result\'s _backward must add each '
                        f'input\'s share with _accumulate, and the result\'s _parents must hold the '
                        f'inputs')
        got = np.asarray(mine.grad, dtype=float)
        if got.shape != want.shape:
            raise Wrong(f'{label}: {name}\'s gradient has shape {_shape(got.shape)}, but {name} has '
                        f'shape {_shape(want.shape)}' + _grad_shape_hint(label, name, got, want))
        pairs.append((name, got, want))
    return pairs


def _grad_shape_hint(label, name, got, want):
    if label.startswith('mul'):
        return (f'. {name} was broadcast — used once per copy — so its gradient must be summed back to '
                f'its own shape (sum_to)')
    if label.startswith('sum_axis'):
        return ('. Every element of a went into one of the sums, so each needs a gradient: broadcast '
                'the gradient of the sum back to a\'s shape, along the summed axis')
    return ''


# mul: same shapes, then a used twice, then broadcasting both ways
def _mul_same(TinyTensor, mul, rng):
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    label = 'mul(a, b), a and b of shape (3, 4)'
    tiny, tensors = _run(label, TinyTensor, mul, [a, b], lambda p, q: p * q, rng)
    (_, ga, wa), (_, gb, wb) = _grads(label, 'ab', tiny, tensors)
    if _close(ga, a * (wa / b)) and not _close(ga, wa):
        raise Wrong(f'{label}: a.grad came out as a·v, the input\'s own value times the incoming '
                    f'gradient. In a·b, nudging a by ε moves the product by ε times the *other* factor')
    for name, got, want in (('a', ga, wa), ('b', gb, wb)):
        if not _close(got, want):
            raise Wrong(f'{label}: {name}\'s gradient differs from minitorch\'s '
                        f'(first: {got.flat[0]:.6g} vs {want.flat[0]:.6g})')


def _mul_twice(TinyTensor, mul, rng):
    a = rng.standard_normal((2, 3))
    label = 'mul(a, a)'
    tiny, tensors = _run(label, TinyTensor, lambda t: mul(t, t), [a], lambda p: p * p, rng)
    (_, ga, wa), = _grads(label, 'a', tiny, tensors)
    if _close(2 * ga, wa):
        raise Wrong(f'{label}: a.grad is half of minitorch\'s. a is both factors, so it gets two '
                    f'shares: add each with _accumulate (+=); setting .grad (=) keeps only the last')
    if not _close(ga, wa):
        raise Wrong(f'{label}: a.grad differs from minitorch\'s (first: {ga.flat[0]:.6g} vs '
                    f'{wa.flat[0]:.6g})')


def _mul_broadcast(TinyTensor, mul, rng):
    for shape_a, shape_b in (((4, 3), (3,)), ((4, 3), (4, 1)), ((3,), (2, 3)), ((2, 1), (1, 3))):
        a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
        label = f'mul(a, b) with a of shape {_shape(shape_a)}, b of shape {_shape(shape_b)}'
        tiny, tensors = _run(label, TinyTensor, mul, [a, b], lambda p, q: p * q, rng)
        for name, got, want in _grads(label, 'ab', tiny, tensors):
            if not _close(got, want):
                raise Wrong(f'{label}: {name}\'s gradient differs from minitorch\'s (first: '
                            f'{got.flat[0]:.6g} vs {want.flat[0]:.6g})')


_MUL_PROBES = (_mul_same, _mul_twice, _mul_broadcast)


def _sum_probe(shape, axis):
    def probe(TinyTensor, sum_axis, rng):
        a = rng.standard_normal(shape)
        label = f'sum_axis(a, {axis}) with a of shape {_shape(shape)}'
        tiny, tensors = _run(label, TinyTensor, sum_axis, [a], lambda p, ax: p.sum(ax), rng, (axis,))
        (_, got, want), = _grads(label, 'a', tiny, tensors)
        if not _close(got, want):
            if got.ndim == 2 and got.shape[0] == got.shape[1] and _close(got, want.T):
                raise Wrong(f'{label}: a\'s gradient is transposed: the gradient of the sums was '
                            f'broadcast along the wrong axis. Put the summed axis back '
                            f'(np.expand_dims(g, axis)) before broadcasting it to a\'s shape')
            raise Wrong(f'{label}: a\'s gradient differs from minitorch\'s (first: {got.flat[0]:.6g} vs '
                        f'{want.flat[0]:.6g}): each element of a should get the gradient of the sum it '
                        f'went into')
    return probe


_SUM_PROBES = (_sum_probe((3, 4), 0), _sum_probe((3, 4), 1), _sum_probe((3, 3), 1), _sum_probe((2, 3, 4), 1))


def _mean_probe(shape):
    def probe(TinyTensor, mean, rng):
        a = rng.standard_normal(shape)
        label = f'mean(a) with a of shape {_shape(shape)}'
        tiny, tensors = _run(label, TinyTensor, mean, [a], lambda p: p.mean(), rng)
        (_, got, want), = _grads(label, 'a', tiny, tensors)
        if not _close(got, want):
            n = a.size
            if _close(got, n * want):
                raise Wrong(f'{label}: a.grad is {n} times minitorch\'s ({n} = a.size): the mean '
                            f'divides by the number of elements, so each element moves it by 1/{n} of '
                            f'its own change')
            raise Wrong(f'{label}: a.grad differs from minitorch\'s (first: {got.flat[0]:.6g} vs '
                        f'{want.flat[0]:.6g})')
    return probe


_MEAN_PROBES = (_mean_probe((4, 3)), _mean_probe((5,)))


def _check_together(TinyTensor, mul, sum_axis, mean, rng):
    x, w, b = rng.standard_normal((6, 4)), rng.standard_normal((4,)), rng.standard_normal((6, 1))
    label = 'mean(sum_axis(mul(mul(x, w), b), 1)) with x (6, 4), w (4,), b (6, 1)'
    try:
        tiny, tensors = _run(label, TinyTensor, lambda x, w, b: mean(sum_axis(mul(mul(x, w), b), 1)),
                             [x, w, b], lambda x, w, b: (x * w * b).sum(1).mean(), rng)
        for name, got, want in _grads(label, ['x', 'w', 'b'], tiny, tensors):
            if not _close(got, want):
                raise Wrong(f'{label}: {name}\'s gradient differs from minitorch\'s')
    except (Wrong, NotImplementedError) as wrong:
        print(f'✗ {wrong}')
        return False
    print('✓ together: mean(sum_axis(mul(mul(x, w), b), 1)) matches minitorch, forward and backward')
    return True
