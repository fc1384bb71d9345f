"""Checkers for notebook 04's exercises (custom Functions and decorators).

Each prints "not done yet — hint: …" (an untouched stub), "✓ …" (right) or "✗ <the mistake>: <hint>"
(wrong), and returns None, True or False.  None of them raises.
"""
import numpy as np

import minitorch as mt

from .checks import Stub, Wrong, call


def _verdict(judge, hint):
    """Run judge(); print the outcome; return True, False or None."""
    try:
        message = judge()
    except Stub:
        print(f'not done yet — hint: {hint}')
        return None
    except Wrong as wrong:
        print(f'✗ {wrong}')
        return False
    print(f'✓ {message}')
    return True


def _run(label, fn, *args, **kwargs):
    """fn(*args, **kwargs); a stub raises Stub, any other exception Wrong naming the call."""
    result, status = call(label, fn, *args, none_is_stub=False, **kwargs)
    if status == 'stub':
        raise Stub()
    if status != 'ok':
        raise Wrong(status)
    return result


# --- exercise 1: a call-counting decorator ----------------------------------------------------------
def check_count_calls(count_calls):
    return _verdict(lambda: _judge_count_calls(count_calls),
                    'the wrapper is a closure that counts, then calls func; the counter is an attribute '
                    'of the wrapper — when must it be created so that it exists before the first call?')


def _judge_count_calls(count_calls):
    def cube(v, power=3):
        "Cube a number."
        return v ** power

    def square(v):
        "Square a number."
        return v * v

    counted = _run('count_calls(cube)', count_calls, cube)
    if not callable(counted):
        raise Wrong(f'count_calls(cube) returned {counted!r}: return the wrapper function')
    if not hasattr(counted, 'calls'):
        raise Wrong('the counter does not exist before the first call: reading counted.calls of a '
                    'function not called yet raises AttributeError. Create it when the wrapper is made '
                    '(wrapper.calls = 0 after the def), not inside the wrapper')
    if counted.calls != 0:
        raise Wrong(f'before any call, calls is {counted.calls!r}: start the count at 0')
    results = [_run('the wrapped cube(2)', counted, 2), _run('the wrapped cube(3, power=2)', counted, 3,
                                                              power=2)]
    if results != [8, 9]:
        raise Wrong(f'the wrapped cube returned {results}, expected [8, 9]: return what func returns, '
                    f'called with all the arguments (*args, **kwargs)')
    if counted.calls != 2:
        raise Wrong(f'after 2 calls, calls is {counted.calls!r}: add 1 on every call')
    other = _run('count_calls(square)', count_calls, square)
    _run('the wrapped square(3)', other, 3)
    if counted.calls != 2 or getattr(other, 'calls', None) != 1:
        raise Wrong(f'two decorated functions share one counter: after 2 calls of one and 1 of the '
                    f'other they say {counted.calls!r} and {getattr(other, "calls", None)!r}. Keep each '
                    f'count on its own wrapper (wrapper.calls), not in a global or on count_calls')
    if counted.__name__ != 'cube' or counted.__doc__ != 'Cube a number.':
        raise Wrong(f'the wrapper lost func\'s name and docstring (it is called {counted.__name__!r}): '
                    f'decorate it with @functools.wraps(func)')
    return 'count_calls counts each function\'s calls from 0, returns its results and keeps its name'


# --- exercise 2: enable_grad ----------------------------------------------------------------------------
def check_enable_grad(enable_grad, is_grad_enabled, set_grad_enabled):
    start = is_grad_enabled()
    try:
        return _verdict(lambda: _judge_enable_grad(enable_grad, is_grad_enabled, set_grad_enabled),
                        '__enter__ notes the mode it finds (is_grad_enabled()) and switches recording on; '
                        '__exit__ puts back the mode it found; __call__ wraps func in `with enable_grad():`')
    finally:
        set_grad_enabled(start)


def _enter_and_exit(enable_grad, is_grad_enabled, body=None):
    """Run body() inside `with enable_grad():`; return the mode inside the block."""
    manager = _run('enable_grad()', enable_grad)
    _run('__enter__', manager.__enter__)
    inside = is_grad_enabled()
    try:
        if body is not None:
            body()
    except BaseException as err:
        if not _run('__exit__', manager.__exit__, type(err), err, err.__traceback__):
            raise
        return inside
    _run('__exit__', manager.__exit__, None, None, None)
    return inside


def _judge_enable_grad(enable_grad, is_grad_enabled, set_grad_enabled):
    class_attributes = set(vars(enable_grad))
    for before in (False, True):
        set_grad_enabled(before)
        inside = _enter_and_exit(enable_grad, is_grad_enabled)
        if inside is not True:
            raise Wrong('inside `with enable_grad():` recording is off: __enter__ must switch it on '
                        '(set_grad_enabled(True))')
        after = is_grad_enabled()
        if after != before:
            raise Wrong(f'after the block recording is {"on" if after else "off"}, but it was '
                        f'{"on" if before else "off"} before: __exit__ sets {after!r} instead of the mode '
                        f'found on entry — note is_grad_enabled() in __enter__ and restore that')
    _judge_nesting(enable_grad, is_grad_enabled, set_grad_enabled, class_attributes)
    _judge_exceptions(enable_grad, is_grad_enabled, set_grad_enabled)
    _judge_decorator(enable_grad, is_grad_enabled, set_grad_enabled)
    return ('enable_grad switches recording on and restores the previous mode, in nested blocks, when the '
            'body raises, and as a decorator')


def _judge_nesting(enable_grad, is_grad_enabled, set_grad_enabled, class_attributes):
    """enable_grad, then no_grad (simulated), then enable_grad again: each exit restores its own mode."""
    set_grad_enabled(True)

    def inner_blocks():
        set_grad_enabled(False)                     # as `with no_grad():` would
        _enter_and_exit(enable_grad, is_grad_enabled)
        if is_grad_enabled() is not False:
            raise Wrong('after a `with enable_grad():` inside a no_grad region, recording is still on: '
                        'restore the mode found on entry')

    _enter_and_exit(enable_grad, is_grad_enabled, inner_blocks)
    if is_grad_enabled() is not True:
        added = sorted(set(vars(enable_grad)) - class_attributes)
        where = (f'on the class (enable_grad.{added[0]})' if added else
                 'somewhere all blocks share (a global, or a class attribute)')
        raise Wrong(f'nested blocks break: after the outer `with enable_grad():` the mode is off, though '
                    f'it was on before. The mode saved on entry lives {where}, so the inner block '
                    f'overwrote the outer one\'s. Keep it on the instance (self.previous)')


def _judge_exceptions(enable_grad, is_grad_enabled, set_grad_enabled):
    set_grad_enabled(False)

    def body():
        raise KeyError('raised in the body')

    try:
        _enter_and_exit(enable_grad, is_grad_enabled, body)
    except KeyError:
        pass
    else:
        raise Wrong('an exception raised inside `with enable_grad():` disappeared: __exit__ returned a '
                    'true value, which tells Python the exception was handled. Return False (or None) so '
                    'that it goes on')
    if is_grad_enabled() is not False:
        raise Wrong('after the body raised, recording stayed on: __exit__ runs on the way out in both '
                    'cases — restore the mode whatever exc_type is')


def _judge_decorator(enable_grad, is_grad_enabled, set_grad_enabled):
    def probe(a, b=0):
        "Probe."
        return is_grad_enabled(), a + b

    set_grad_enabled(False)
    decorated = _run('enable_grad()(probe)', _run('enable_grad()', enable_grad), probe)
    if not callable(decorated):
        raise Wrong(f'@enable_grad() turned the function into {decorated!r}: __call__ must return the '
                    f'wrapper')
    result = _run('the decorated function', decorated, 2, b=3)
    if not isinstance(result, tuple) or result[1] != 5:
        raise Wrong(f'the decorated function returned {result!r}: pass on all arguments '
                    f'(*args, **kwargs) and return func\'s result')
    if result[0] is not True:
        raise Wrong('inside a function decorated @enable_grad() recording is off')
    if is_grad_enabled() is not False:
        raise Wrong('after a decorated function returned, recording stayed on, though it was off before')
    if decorated.__name__ != 'probe':
        raise Wrong(f'the decorated function lost its name (it is called {decorated.__name__!r}): use '
                    f'@functools.wraps(func) on the wrapper')
    _judge_decorator_raising(enable_grad, is_grad_enabled, set_grad_enabled)
    _judge_reentry(enable_grad, is_grad_enabled, set_grad_enabled)


def _judge_decorator_raising(enable_grad, is_grad_enabled, set_grad_enabled):
    def fails():
        raise KeyError('raised in the decorated function')

    set_grad_enabled(False)
    decorated = _run('enable_grad()(fails)', _run('enable_grad()', enable_grad), fails)
    try:
        decorated()
    except KeyError:
        pass
    except NotImplementedError:
        raise Stub()
    except Exception as err:
        raise Wrong(f'the decorated function raised {type(err).__name__}: {err}, not its own KeyError')
    else:
        raise Wrong('the exception raised by a decorated function disappeared: let it go on')
    if is_grad_enabled() is not False:
        raise Wrong('after a decorated function raised, recording stayed on: run func inside '
                    '`with enable_grad():` in the wrapper, so the mode is restored on the way out')


def _judge_reentry(enable_grad, is_grad_enabled, set_grad_enabled):
    """A decorated function that calls itself with recording switched off in between."""
    set_grad_enabled(True)

    def recurse(depth):
        if depth:
            set_grad_enabled(False)
            decorated(depth - 1)

    decorated = _run('enable_grad()(recurse)', _run('enable_grad()', enable_grad), recurse)
    _run('the decorated recursive function', decorated, 1)
    if is_grad_enabled() is not True:
        raise Wrong('a decorated function that runs again before it returns (recursion, or another '
                    'thread) leaves the wrong mode behind: the wrapper reuses one enable_grad instance, and '
                    'the inner call overwrote the mode the outer call saved. Enter a fresh one on every '
                    'call (`with enable_grad():` inside the wrapper)')


# --- exercise 3: SiLU -------------------------------------------------------------------------------------
def check_silu(SiLU):
    return _verdict(lambda: _judge_silu(SiLU),
                    'silu(x) = x · σ(x) (x.sigmoid() works inside forward); backward returns grad_output '
                    'times the derivative of x · σ(x) — x is in both factors')


def _silu(v):
    return v / (1 + np.exp(-v))


def _judge_silu(SiLU):
    v = np.random.default_rng(6).standard_normal((3, 4))
    x = mt.from_numpy(v.copy())
    x.requires_grad = True
    out = _run('SiLU.apply(x)', SiLU.apply, x)
    if not isinstance(out, mt.Tensor):
        raise Wrong(f'SiLU.apply(x) returned {type(out).__name__}: forward must return a tensor')
    got = out.detach().numpy()
    if got.shape != v.shape or not np.allclose(got, _silu(v), rtol=1e-10):
        first = f'{got.flat[0]:.6g}' if got.size else repr(got)
        raise Wrong(f'forward: SiLU.apply(x) should be x · σ(x), shape {v.shape}; at x = {v.flat[0]:.4g} '
                    f'expected {_silu(v).flat[0]:.6g}, got {first}')
    try:
        mt.autograd.gradcheck(SiLU.apply, (x,))
    except NotImplementedError:
        raise Stub()
    except mt.autograd.GradcheckError as err:
        raise Wrong(_diagnose_silu(SiLU) + f'. gradcheck says: {err}')
    except Exception as err:
        hint = (' — did forward save what backward reads (ctx.save_for_backward)?'
                if 'unpack' in str(err) else '')
        raise Wrong(f'backward raised {type(err).__name__}: {err}{hint}')
    return 'SiLU: forward is x · σ(x), and backward passes gradcheck'


def _derivative(SiLU, points, grad_output):
    x = mt.from_numpy(np.array(points, dtype=np.float64))
    x.requires_grad = True
    SiLU.apply(x).backward(gradient=mt.from_numpy(np.array(grad_output, dtype=np.float64)))
    return x.grad.numpy()


def _diagnose_silu(SiLU):
    """Name the mistake from what the learner's backward returns."""
    points = np.array([-2.0, 0.0, 1.5])
    try:
        ones = _derivative(SiLU, points, np.ones(3))
        scaled = _derivative(SiLU, points, np.array([2.0, 0.5, -1.0]))
    except Exception as err:
        return f'backward raised {type(err).__name__}: {err} on a vector of three'
    s = 1 / (1 + np.exp(-points))
    if np.allclose(ones, scaled) and not np.allclose(ones * np.array([2.0, 0.5, -1.0]), scaled):
        return ('backward ignores grad_output: with grad_output = [2, 0.5, −1] it returns what it returns '
                'for [1, 1, 1] (gradcheck finds input element k ≠ output element j, numerical 0)')
    if np.allclose(ones, s):
        return ('the derivative your backward gives is σ(x): that treats σ(x) as a constant, but x is in '
                'both factors of x · σ(x)')
    if np.allclose(ones, s * (1 - s)):
        return ('the derivative your backward gives is σ\'(x), the derivative of σ alone: x is in both '
                'factors of x · σ(x)')
    numeric = (_silu(points + 1e-6) - _silu(points - 1e-6)) / 2e-6
    return (f'the derivative your backward gives at x = −2, 0, 1.5 is {np.round(ones, 4).tolist()}, '
            f'finite differences give {np.round(numeric, 4).tolist()}')


# --- exercise 4: build it: Checkpoint -----------------------------------------------------------------------
def _segment(t):
    """A few layers' worth of elementwise ops: each one saves a tensor for backward."""
    return ((t * 1.5).tanh() * t).exp().sin()


def _saved_bytes(node):
    return sum(t.numel() * t.element_size() for t in node.saved_tensors if isinstance(t, mt.Tensor))


def _graph_bytes(t):
    nodes, total, stack = set(), 0, [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in nodes or node.name() == 'AccumulateGrad':
            continue
        nodes.add(node)
        total += _saved_bytes(node)
        stack.extend(edge[0] for edge in node.next_functions)
    return total


def check_checkpoint(Checkpoint):
    return _verdict(lambda: _judge_checkpoint(Checkpoint),
                    'forward keeps run on ctx, saves x and returns run(x); backward recomputes run with '
                    'recording on, from a fresh leaf copy of x, and returns one gradient per input of '
                    'forward')


_BACKWARD_ERRORS = (
    ('does not require grad', 'backward recomputed run(x) with recording off: minitorch runs backward '
                              'with recording off (unless create_graph=True), so the recomputation must '
                              'switch it on — `with mt.enable_grad():`'),
    ('implicitly created only for scalar', 'the recomputed output is not a scalar, so mt.autograd.grad '
                                           'needs the vector of the vector–Jacobian product: pass '
                                           'grad_output as grad_outputs'),
    ('but forward had 2 input', 'forward had two inputs, run and x: backward returns two gradients — None '
                                'for run, then x\'s'),
    ('a second time', 'the recomputation went on into the graph that made x (and freed it): recompute on '
                      'x.detach().requires_grad_(), a fresh leaf, so that it ends at x'),
)


def _through(run, start, v):
    """p.grad for loss = run(x) + 3x, x = 2p, backward from v: x is used on a second path, as in a
    network, so a recomputation that runs into x's own graph is caught."""
    p = mt.from_numpy(start.copy())
    p.requires_grad = True
    x = p * 2
    (run(x) + x * 3).backward(gradient=mt.from_numpy(v.copy()))
    return p.grad.numpy()


def _judge_checkpoint(Checkpoint):
    rng = np.random.default_rng(7)
    start, v = rng.standard_normal(200), rng.standard_normal(200)
    p = mt.from_numpy(start.copy())
    p.requires_grad = True
    x = p * 2                                   # x has a history, as inside a network
    out = _run('Checkpoint.apply(run, x)', Checkpoint.apply, _segment, x)
    want = _segment(mt.from_numpy(start * 2)).numpy()
    if not isinstance(out, mt.Tensor) or tuple(out.shape) != want.shape:
        raise Wrong(f'Checkpoint.apply(run, x) returned {type(out).__name__}'
                    + (f' of shape {tuple(out.shape)}' if isinstance(out, mt.Tensor) else '')
                    + f': it must return run(x), shape {want.shape}')
    if not np.allclose(out.detach().numpy(), want, rtol=1e-12):
        raise Wrong('Checkpoint.apply(run, x) differs from run(x): forward returns run(x) itself')
    if out.grad_fn is None:
        raise Wrong('the result is not in the graph (no grad_fn): forward must return run(x)')
    kept, x_bytes = _saved_bytes(out.grad_fn), x.numel() * x.element_size()
    if kept > x_bytes:
        raise Wrong(f'the checkpoint node saves {kept:,} bytes, x alone is {x_bytes:,}: save only x '
                    f'(run is kept as a plain attribute) — whatever else is saved stays in memory until '
                    f'backward, which checkpointing is meant to avoid')
    try:
        (out + x * 3).backward(gradient=mt.from_numpy(v.copy()))
    except NotImplementedError:
        raise Stub()
    except Exception as err:
        text = str(err)
        for words, hint in _BACKWARD_ERRORS:
            if words in text:
                raise Wrong(hint)
        raise Wrong(f'backward raised {type(err).__name__}: {err}')
    return _judge_checkpoint_grads(Checkpoint, p, start, v, kept)


def _judge_checkpoint_grads(Checkpoint, p, start, v, kept):
    expected = _through(_segment, start, v)
    if p.grad is None:
        raise Wrong('no gradient reached the tensors x was made from: backward must return x\'s gradient '
                    '(second, after None for run)')
    got = p.grad.numpy()
    if np.allclose(got, expected, rtol=1e-10):
        leaf = mt.from_numpy(start * 2)
        leaf.requires_grad = True
        full = _graph_bytes(_segment(leaf))
        return (f'Checkpoint: the values and gradients of run(x); its node saves {kept:,} bytes, where '
                f'run(x)\'s own graph saves {full:,}')
    def x_path(w):                                  # what the + 3x path alone sends back
        return _through(lambda x: x * 0, start, w)

    if np.allclose(got - x_path(v), 2 * (expected - x_path(v)), rtol=1e-10):
        raise Wrong('the gradient through run reached x\'s leaves twice: once from a backward() run inside '
                    'your backward, once from what it returned. Recompute on a fresh leaf '
                    '(x.detach().requires_grad_()) and return its gradient from mt.autograd.grad')
    ones = np.ones_like(v)
    if np.allclose(got, _through(_segment, start, ones) - x_path(ones) + x_path(v), rtol=1e-10):
        raise Wrong('backward ignores grad_output: it returns the gradient of run(x).sum(), whatever '
                    'gradient comes from above. Pass grad_output to mt.autograd.grad (grad_outputs)')
    try:
        leaf = mt.from_numpy(np.linspace(-1, 1, 6))
        leaf.requires_grad = True
        mt.autograd.gradcheck(lambda t: Checkpoint.apply(_segment, t), (leaf,))
        message = ''
    except Exception as err:
        message = f'. gradcheck says: {err}'
    raise Wrong(f'the gradient differs from run(x)\'s own (first: {got[0]:.6g} vs {expected[0]:.6g})'
                + message)
