"""Notebook 04's checkers accept the solutions and name each plausible mistake (course/lib/check04.py)."""
import functools

import pytest

import minitorch as mt
from lib import check04
from solutions import sol04

is_grad_enabled, set_grad_enabled = sol04.is_grad_enabled, sol04.set_grad_enabled


# --- count_calls ---------------------------------------------------------------------------------------
def test_count_calls_solution_is_accepted(verdict):
    result, out = verdict(check04.check_count_calls, sol04.count_calls)
    assert result is True and out.startswith('✓'), out


def test_count_calls_stub_is_not_done(verdict):
    def stub(func):
        raise NotImplementedError('exercise')
    result, out = verdict(check04.check_count_calls, stub)
    assert result is None and out.startswith('not done yet — hint:')


def counter_made_on_first_call(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        wrapper.calls = getattr(wrapper, 'calls', 0) + 1
        return func(*args, **kwargs)
    return wrapper


CALLS = {'n': 0}


def global_counter(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        CALLS['n'] += 1
        wrapper.calls = CALLS['n']
        return func(*args, **kwargs)
    wrapper.calls = 0
    return wrapper


def without_wraps(func):
    def wrapper(*args, **kwargs):
        wrapper.calls += 1
        return func(*args, **kwargs)
    wrapper.calls = 0
    return wrapper


def no_keywords(func):
    @functools.wraps(func)
    def wrapper(*args):
        wrapper.calls += 1
        return func(*args)
    wrapper.calls = 0
    return wrapper


def result_dropped(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        wrapper.calls += 1
        func(*args, **kwargs)
    wrapper.calls = 0
    return wrapper


def starts_at_one(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        wrapper.calls += 1
        return func(*args, **kwargs)
    wrapper.calls = 1
    return wrapper


@pytest.mark.parametrize('wrong, words', [
    (counter_made_on_first_call, 'the counter does not exist before the first call'),
    (global_counter, 'two decorated functions share one counter'),
    (without_wraps, 'lost func\'s name and docstring'),
    (no_keywords, 'raised TypeError'),
    (result_dropped, 'return what func returns'),
    (starts_at_one, 'start the count at 0'),
])
def test_count_calls_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check04.check_count_calls, wrong)
    assert result is False and out.startswith('✗') and words in out, out


# --- enable_grad ---------------------------------------------------------------------------------------
def check_enable_grad(answer, verdict):
    set_grad_enabled(True)
    result, out = verdict(check04.check_enable_grad, answer, is_grad_enabled, set_grad_enabled)
    assert is_grad_enabled() is True, 'the checker must leave the mode as it found it'
    return result, out


def test_enable_grad_solution_is_accepted(verdict):
    result, out = check_enable_grad(sol04.enable_grad, verdict)
    assert result is True and out.startswith('✓'), out


def test_enable_grad_stub_is_not_done(verdict):
    class enable_grad:
        def __enter__(self):
            raise NotImplementedError('exercise')

        def __exit__(self, exc_type, exc, tb):
            raise NotImplementedError('exercise')

        def __call__(self, func):
            raise NotImplementedError('exercise')

    result, out = check_enable_grad(enable_grad, verdict)
    assert result is None and out.startswith('not done yet — hint:'), out


def make_enable_grad(enter=None, exit=None, call=None):
    """sol04's enable_grad with one method replaced by a wrong one."""
    namespace = {}
    for name, method in (('__enter__', enter), ('__exit__', exit), ('__call__', call)):
        if method is not None:
            namespace[name] = method
    return type('enable_grad', (sol04.enable_grad,), namespace)


def exit_to_false(self, exc_type, exc, tb):
    set_grad_enabled(False)
    return False


def exit_to_true(self, exc_type, exc, tb):
    set_grad_enabled(True)
    return False


def enter_on_class(self):
    type(self).previous = is_grad_enabled()
    set_grad_enabled(True)
    return self


def exit_from_class(self, exc_type, exc, tb):
    set_grad_enabled(type(self).previous)
    return False


def exit_swallows(self, exc_type, exc, tb):
    set_grad_enabled(self.previous)
    return True


def exit_only_when_clean(self, exc_type, exc, tb):
    if exc_type is None:
        set_grad_enabled(self.previous)
    return False


def call_reusing_self(self, func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with self:
            return func(*args, **kwargs)
    return wrapper


def call_without_finally(self, func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        previous = is_grad_enabled()
        set_grad_enabled(True)
        result = func(*args, **kwargs)
        set_grad_enabled(previous)
        return result
    return wrapper


def call_without_wraps(self, func):
    def wrapper(*args, **kwargs):
        with sol04.enable_grad():
            return func(*args, **kwargs)
    return wrapper


def call_returning_nothing(self, func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with sol04.enable_grad():
            func(*args, **kwargs)
    return wrapper


def enter_without_switching(self):
    self.previous = is_grad_enabled()
    return self


@pytest.mark.parametrize('wrong, words', [
    (make_enable_grad(exit=exit_to_false), '__exit__ sets False instead of the mode found on entry'),
    (make_enable_grad(exit=exit_to_true), '__exit__ sets True instead of the mode found on entry'),
    (make_enable_grad(enter=enter_on_class, exit=exit_from_class), 'on the class (enable_grad.previous)'),
    (make_enable_grad(exit=exit_swallows), 'exception raised inside `with enable_grad():` disappeared'),
    (make_enable_grad(exit=exit_only_when_clean), 'after the body raised, recording stayed on'),
    (make_enable_grad(call=call_reusing_self), 'the wrapper reuses one enable_grad instance'),
    (make_enable_grad(call=call_without_finally), 'after a decorated function raised, recording stayed on'),
    (make_enable_grad(call=call_without_wraps), 'lost its name'),
    (make_enable_grad(call=call_returning_nothing), 'return func\'s result'),
    (make_enable_grad(enter=enter_without_switching), 'recording is off: __enter__ must switch it on'),
])
def test_enable_grad_mistakes_are_named(wrong, words, verdict):
    result, out = check_enable_grad(wrong, verdict)
    assert result is False and out.startswith('✗') and words in out, out


# --- SiLU --------------------------------------------------------------------------------------------
def test_silu_solution_is_accepted(verdict):
    result, out = verdict(check04.check_silu, sol04.SiLU)
    assert result is True and out.startswith('✓'), out


def test_silu_stub_is_not_done(verdict):
    class SiLU(mt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            raise NotImplementedError('exercise')

        @staticmethod
        def backward(ctx, grad_output):
            raise NotImplementedError('exercise')

    result, out = verdict(check04.check_silu, SiLU)
    assert result is None and out.startswith('not done yet — hint:')


def silu_with(backward):
    return type('SiLU', (sol04.SiLU,), {'backward': staticmethod(backward)})


def ignores_grad_output(ctx, grad_output):
    x, s = ctx.saved_tensors
    return s + x * s * (1 - s)


def no_product_rule(ctx, grad_output):
    x, s = ctx.saved_tensors
    return grad_output * s


def sigmoid_derivative_only(ctx, grad_output):
    x, s = ctx.saved_tensors
    return grad_output * s * (1 - s)


def sign_slip(ctx, grad_output):
    x, s = ctx.saved_tensors
    return grad_output * (s - x * s * (1 - s))


class SavesNothing(mt.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * x.sigmoid()

    @staticmethod
    def backward(ctx, grad_output):
        x, s = ctx.saved_tensors
        return grad_output * (s + x * s * (1 - s))


class WrongForward(sol04.SiLU):
    @staticmethod
    def forward(ctx, x):
        s = x.sigmoid()
        ctx.save_for_backward(x, s)
        return s


@pytest.mark.parametrize('wrong, words', [
    (silu_with(ignores_grad_output), 'backward ignores grad_output'),
    (silu_with(no_product_rule), 'treats σ(x) as a constant'),
    (silu_with(sigmoid_derivative_only), 'the derivative of σ alone'),
    (silu_with(sign_slip), 'finite differences give'),
])
def test_silu_wrong_backward_is_named_with_gradchecks_message(wrong, words, verdict):
    result, out = verdict(check04.check_silu, wrong)
    assert result is False and out.startswith('✗') and words in out, out
    assert 'gradcheck says: gradcheck: Jacobian mismatch' in out      # the message notebook 04 reads


@pytest.mark.parametrize('wrong, words', [
    (SavesNothing, 'did forward save what backward reads'),
    (WrongForward, 'forward: SiLU.apply(x) should be x · σ(x)'),
])
def test_silu_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check04.check_silu, wrong)
    assert result is False and out.startswith('✗') and words in out, out


# --- Checkpoint --------------------------------------------------------------------------------------
def test_checkpoint_solution_is_accepted(verdict):
    result, out = verdict(check04.check_checkpoint, sol04.Checkpoint)
    assert result is True and out.startswith('✓ Checkpoint'), out


def test_checkpoint_stub_is_not_done(verdict):
    class Checkpoint(mt.autograd.Function):
        @staticmethod
        def forward(ctx, run, x):
            raise NotImplementedError('exercise')

        @staticmethod
        def backward(ctx, grad_output):
            raise NotImplementedError('exercise')

    result, out = verdict(check04.check_checkpoint, Checkpoint)
    assert result is None and out.startswith('not done yet — hint:')
    forward_only = type('Checkpoint', (sol04.Checkpoint,), {'backward': Checkpoint.backward})
    result, out = verdict(check04.check_checkpoint, forward_only)
    assert result is None and out.startswith('not done yet — hint:')


def checkpoint_with(backward=None, forward=None):
    methods = {}
    if backward is not None:
        methods['backward'] = staticmethod(backward)
    if forward is not None:
        methods['forward'] = staticmethod(forward)
    return type('Checkpoint', (sol04.Checkpoint,), methods)


def recording_off(ctx, grad_output):
    x, = ctx.saved_tensors
    leaf = x.detach().requires_grad_()
    return None, mt.autograd.grad(ctx.run(leaf), leaf, grad_output)[0]


def no_grad_outputs(ctx, grad_output):
    x, = ctx.saved_tensors
    with mt.enable_grad():
        leaf = x.detach().requires_grad_()
        out = ctx.run(leaf)
    return None, mt.autograd.grad(out, leaf)[0]


def summed_output(ctx, grad_output):
    x, = ctx.saved_tensors
    with mt.enable_grad():
        leaf = x.detach().requires_grad_()
        out = ctx.run(leaf).sum()
    return None, mt.autograd.grad(out, leaf)[0]


def one_gradient(ctx, grad_output):
    x, = ctx.saved_tensors
    with mt.enable_grad():
        leaf = x.detach().requires_grad_()
        out = ctx.run(leaf)
    return mt.autograd.grad(out, leaf, grad_output)[0]


def backward_inside(ctx, grad_output):
    x, = ctx.saved_tensors
    with mt.enable_grad():
        out = ctx.run(x)
    out.backward(grad_output)                   # runs on into the graph that made x
    return None, x.grad


def saves_output(ctx, run, x):
    ctx.run = run
    out = run(x)
    ctx.save_for_backward(x, out)
    return out


@pytest.mark.parametrize('wrong, words', [
    (checkpoint_with(backward=recording_off), 'recording off'),
    (checkpoint_with(backward=no_grad_outputs), 'pass grad_output as grad_outputs'),
    (checkpoint_with(backward=summed_output), 'backward ignores grad_output'),
    (checkpoint_with(backward=one_gradient), 'backward returns two gradients'),
    (checkpoint_with(backward=backward_inside), 'a fresh leaf'),
    (checkpoint_with(forward=saves_output), 'save only x'),
])
def test_checkpoint_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check04.check_checkpoint, wrong)
    assert result is False and out.startswith('✗') and words in out, out
