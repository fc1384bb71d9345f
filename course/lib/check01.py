"""Checkers for notebook 01's exercises (numpy backprop).

Each prints "not done yet — hint: …", "✓ …" or "✗ <the mistake>: <hint>" and returns None (not done),
True (right) or False (wrong).  None of them raises.  Gradients are judged as the notebook judges them:
against finite differences, by the largest relative error.
"""
import numpy as np

from .checks import call, no_answer


def _array(value):
    try:
        return np.asarray(value, dtype=np.float64)
    except Exception:
        return None


def numerical_grad(f, p, eps=1e-6):
    """Central differences of the number f() with respect to the array p (changed, then restored)."""
    grad = np.zeros_like(p)
    for i in np.ndindex(p.shape):
        old = p[i]
        p[i] = old + eps
        f_plus = f()
        p[i] = old - eps
        f_minus = f()
        p[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def max_relative_error(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))


def _same(a, b):
    return a is not None and a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-9)


def _named_mistake(got, mistakes):
    """The first (wrong answer, message) whose wrong answer equals got, or None."""
    return next((message for wrong, message in mistakes if _same(got, wrong)), None)


# --- exercise 1: the gradient of the mean squared error -------------------------------------------
def mse_data():
    r = np.random.default_rng(11)
    return r.standard_normal((4, 3)), r.standard_normal((4, 3))


def check_mse_grad(mse_grad):
    y_pred, y = mse_data()
    got, status = call('mse_grad(y_pred, y)', mse_grad, y_pred.copy(), y.copy())
    if status != 'ok':
        return no_answer(status, 'hint: the loss is a mean over all N·D_out entries of '
                                 '(y_pred − y)²; differentiate one entry, then remember how many '
                                 'entries share the mean')
    got = _array(got)
    if got is None or got.shape != y_pred.shape:
        shape = None if got is None else got.shape
        print(f'✗ g_y_pred has shape {shape}, y_pred has {y_pred.shape}: a gradient has the shape of '
              f'its value (one number per entry of y_pred), even for a loss that is one number')
        return False
    loss = lambda: np.mean((y_pred - y) ** 2)                       # noqa: E731
    numeric = numerical_grad(loss, y_pred)
    if max_relative_error(got, numeric) < 1e-6:
        print('✓ mse_grad matches finite differences')
        return True
    n, d = y_pred.shape
    exact = 2 * (y_pred - y) / (n * d)
    before = loss()
    after = np.mean((y_pred - 1e-2 * got - y) ** 2)
    message = _named_mistake(got, [
        (-exact, f'the wrong sign: a small step against your gradient, y_pred − 0.01·g, raises '
                   f'the loss from {before:.4f} to {after:.4f}. Gradient descent would climb: check '
                   f'which of y_pred and y comes first'),
        (exact * n * d, f'the gradient of the sum, {n * d} times too large: the mean divides every '
                          f'squared error by the number of entries, and so its gradient must'),
        (exact * d, f'divided by N = {n} (the rows) only: the mean is over all N·D_out = {n * d} '
                      f'entries'),
        (exact * n, f'divided by D_out = {d} (the columns) only: the mean is over all N·D_out = '
                      f'{n * d} entries'),
        (exact / 2, 'half the finite difference everywhere: differentiate the square again'),
    ])
    if message is None:
        message = (f'the largest relative error against finite differences is '
                   f'{max_relative_error(got, numeric):.0e}: compare got[0, 0] = {got[0, 0]:.4f} with '
                   f'the finite difference {numeric[0, 0]:.4f}')
    print(f'✗ {message}')
    return False


# --- exercise 2: tanh's backward --------------------------------------------------------------------
def check_tanh_backward(tanh_backward):
    r = np.random.default_rng(12)
    h, g_out = r.standard_normal((3, 4)), r.standard_normal((3, 4))
    out = np.tanh(h)
    got, status = call('tanh_backward(g_out, out)', tanh_backward, g_out.copy(), out.copy())
    if status != 'ok':
        return no_answer(status, 'hint: write tanh\'s derivative with out = tanh(h) (no new tanh '
                                 'needed), then apply the chain rule with g_out')
    got = _array(got)
    if got is None or got.shape != h.shape:
        print(f'✗ g_h has shape {None if got is None else got.shape}, h has {h.shape}: a gradient has '
              f'the shape of its value')
        return False
    numeric = numerical_grad(lambda: np.sum(g_out * np.tanh(h)), h)
    if max_relative_error(got, numeric) < 1e-6:
        print('✓ tanh_backward matches finite differences')
        return True
    local = 1 - out ** 2
    message = _named_mistake(got, [
        (local, 'this is the local derivative alone: the chain rule multiplies it by g_out, '
                          'the gradient arriving from the layer above'),
        (g_out * (1 - np.tanh(out) ** 2), 'tanh applied twice: `out` is already tanh(h), so use it as '
                                          'it is'),
        (g_out * out * (1 - out), 'out·(1 − out) is the sigmoid\'s derivative, written with its '
                                  'output: tanh\'s is a different one'),
        (g_out * (1 - out), 'right only where out is 0 or 1: check the power of out in the '
                            'derivative'),
        (-g_out * local, 'every sign is flipped: check the sign of the derivative at h = 0 (tanh rises)'),
    ])
    if message is None:
        message = (f'the largest relative error against finite differences is '
                   f'{max_relative_error(got, numeric):.0e}; differentiate tanh(h) on paper and write '
                   f'the result with out')
    print(f'✗ {message}')
    return False


# --- exercise 3: build a layer, forward and backward ---------------------------------------------
def layer_data():
    """x (N=5, D=4), w (D=4, H=3), b (H,), g_out (N, H): no dimension equals another, so a missing
    transpose shows as a shape error or a wrong shape rather than passing by chance."""
    r = np.random.default_rng(13)
    return (r.standard_normal((5, 4)), r.standard_normal((4, 3)), r.standard_normal(3),
            r.standard_normal((5, 3)))


def check_linear_relu(linear_relu_forward, linear_relu_backward):
    x, w, b, g_out = layer_data()
    inputs = [a.copy() for a in (x, w, b)]
    result, status = call('linear_relu_forward(x, w, b)', linear_relu_forward, *inputs)
    if status != 'ok':
        return no_answer(status, 'hint: forward is one matrix product, a bias and a ReLU; keep in '
                                 'the cache whatever backward will need')
    if not (isinstance(result, tuple) and len(result) == 2):
        print('✗ linear_relu_forward must return two things: out and the cache (e.g. a tuple of the '
              'arrays backward needs)')
        return False
    if not _forward_is_right(_array(result[0]), x, w, b):
        return False
    if any(not np.array_equal(a, c) for a, c in zip((x, w, b), inputs)):
        print('✗ forward changed its inputs in place: build new arrays')
        return False
    given = g_out.copy()
    grads, status = call('linear_relu_backward(g_out, cache)', linear_relu_backward, given, result[1])
    if status != 'ok':
        hint = (' — the shapes of a matrix product do not fit: a transpose is missing (print the '
                'shapes of both factors)') if 'matmul' in status or 'shapes' in status else ''
        return no_answer(status, 'the forward is ✓; hint for backward: walk the forward in '
                                 'reverse, one line each, and check every gradient\'s shape '
                                 'against its value\'s', hint)
    if not (isinstance(grads, tuple) and len(grads) == 3):
        print('✗ linear_relu_backward must return three gradients: g_x, g_w, g_b')
        return False
    if not np.array_equal(given, g_out):
        print('✗ g_out was changed in place: the caller still needs it (another layer may read it). '
              'Mask a copy, or multiply by the mask')
        return False
    return _backward_is_right([_array(g) for g in grads], x, w, b, g_out)


def _forward_is_right(out, x, w, b):
    right = np.maximum(x @ w + b, 0)
    if _same(out, right):
        return True
    message = _named_mistake(out, [
        (x @ w + b, 'out has negative entries: the ReLU is missing'),
        (np.maximum(x @ w, 0), 'out does not change with b: the bias is missing'),
        (np.maximum(x @ w, 0) + b, 'the bias is added after the ReLU, so out can be negative: it '
                                   'belongs inside'),
    ])
    if message is None and out is not None and out.shape != right.shape:
        message = f'out has shape {out.shape}, expected {right.shape} (N, H)'
    print(f'✗ forward: {message or "out differs from max(x @ w + b, 0)"}')
    return False


def _backward_is_right(grads, x, w, b, g_out):
    names = ('g_x', 'g_w', 'g_b')
    values = (x, w, b)
    for name, g, value in zip(names, grads, values):
        shape = None if g is None else g.shape
        if shape != value.shape:
            print(f'✗ {_shape_mistake(name, shape, value.shape)}')
            return False
    loss = lambda: np.sum(g_out * np.maximum(x @ w + b, 0))           # noqa: E731
    numeric = [numerical_grad(loss, v) for v in values]
    errors = [max_relative_error(g, n) for g, n in zip(grads, numeric)]
    if max(errors) < 1e-6:
        print('✓ linear_relu_forward and linear_relu_backward: g_x, g_w and g_b match finite '
              'differences')
        return True
    report = ', '.join(f'{n} {"✓" if e < 1e-6 else f"✗ {e:.0e}"}' for n, e in zip(names, errors))
    mask = (x @ w + b) > 0
    exact = _grads_through(g_out * mask, x, w)
    unmasked = _grads_through(g_out, x, w)
    inverted = _grads_through(g_out * ~mask, x, w)
    for name, g, plain, flipped, right, err in zip(names, grads, unmasked, inverted, exact, errors):
        if err < 1e-6:
            continue
        if _same(g, plain):
            why = ('the ReLU mask is missing: the gradient also flows back where h = x @ w + b was '
                   'negative, where the ReLU output did not depend on it')
        elif _same(g, flipped):
            why = 'the ReLU mask is inverted: the gradient must pass where h > 0 and stop elsewhere'
        elif name == 'g_b' and _same(g, right / len(x)):
            why = (f'g_b is N = {len(x)} times too small, a mean over the rows: b acts on every row, '
                   f'and the effects of a value used several times add up')
        elif _same(g, -right):
            why = f'{name} has the wrong sign'
        else:
            why = f'{name} differs from the finite differences; print both and compare'
        print(f'✗ {why}  (max relative error against finite differences: {report})')
        return False
    return False


def _grads_through(g_h, x, w):
    return g_h @ w.T, x.T @ g_h, g_h.sum(axis=0)


def _shape_mistake(name, shape, want):
    if shape is None:
        return f'{name} is not an array: return g_x, g_w, g_b'
    if name == 'g_b':
        if shape == ():
            return ('g_b is one number: summed over every axis. b has one entry per hidden unit, so '
                    'its gradient keeps that axis')
        if len(shape) == 2:
            return (f'g_b has shape {shape}: not summed. b is added to every row (example), and a value '
                    f'used several times gets the sum of its gradients')
        return (f'g_b has shape {shape}, b has {want}: summed over the wrong axis — which axis of g_h '
                f'runs over the examples?')
    if shape == want[::-1]:
        return (f'{name} has shape {shape}, its value has {want}: it is transposed. Swap the order of '
                f'the product and transpose both factors')
    return f'{name} has shape {shape}, its value has {want}: a gradient has the shape of its value'
