"""Notebook 06's checkers accept the solutions and name each plausible mistake (course/lib/check06.py)."""

import numpy as np
import pytest

import minitorch as mt
from lib import check06
from solutions import sol06


# --- named_parameters --------------------------------------------------------------------------------
def test_named_parameters_solution_is_accepted(verdict):
    result, out = verdict(check06.check_named_parameters, sol06.named_parameters)
    assert result is True and out.startswith('✓ named_parameters: scale, encoder.0.weight'), out


def test_named_parameters_stub_is_not_done(verdict):
    def stub(module):
        raise NotImplementedError('exercise: named_parameters')
    result, out = verdict(check06.check_named_parameters, stub)
    assert result is None and out.startswith('not done yet — hint:')
    assert verdict(check06.check_named_parameters, lambda module: ...)[0] is None


def own_only(module):
    return list(module._params.items())


def no_prefix(module):
    yield from module._params.items()
    for child in module._children.values():
        yield from no_prefix(child)


def one_level(module):
    yield from module._params.items()
    for name, child in module._children.items():
        for pname, p in child._params.items():
            yield f'{name}.{pname}', p


def tied_twice(module, prefix=''):
    for name, p in module._params.items():
        yield prefix + name, p
    for name, child in module._children.items():
        yield from tied_twice(child, prefix + name + '.')


def children_first(module, prefix=''):
    seen = set()
    for name, p in _children_first(module, prefix):
        if id(p) not in seen:
            seen.add(id(p))
            yield name, p


def _children_first(module, prefix):
    for name, child in module._children.items():
        yield from _children_first(child, prefix + name + '.')
    for name, p in module._params.items():
        yield prefix + name, p


def leading_dot(module, prefix='', seen=None):
    seen = set() if seen is None else seen
    for name, p in module._params.items():
        if id(p) not in seen:
            seen.add(id(p))
            yield prefix + '.' + name, p
    for name, child in module._children.items():
        yield from leading_dot(child, prefix + '.' + name if prefix else name, seen)


def underscores(module, prefix='', seen=None):
    seen = set() if seen is None else seen
    for name, p in module._params.items():
        if id(p) not in seen:
            seen.add(id(p))
            yield prefix + name, p
    for name, child in module._children.items():
        yield from underscores(child, prefix + name + '_', seen)


@pytest.mark.parametrize('wrong, words', [
    (own_only, "only the top module's own parameters"),
    (no_prefix, "two parameters are both called 'weight'"),
    (one_level, "encoder's own children are missing"),
    (tied_twice, "the tied weight is listed twice, as 'encoder.0.weight' and as 'head.weight'"),
    (children_first, 'the right names in another order'),
    (leading_dot, 'start with a dot'),
    (underscores, 'join a child\'s name and its parameter\'s name with a dot'),
    (lambda module: [1, 2], 'yield (name, parameter) pairs'),
    (lambda module: module.missing, "named_parameters(model) raised AttributeError"),
])
def test_named_parameters_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check06.check_named_parameters, wrong)
    assert result is False and out.startswith('✗') and words in out, out


# --- HandRMSprop -------------------------------------------------------------------------------------
def test_rmsprop_solution_is_accepted(verdict):
    result, out = verdict(check06.check_rmsprop, sol06.HandRMSprop)
    assert result is True and out.startswith('✓ HandRMSprop moves the parameters as optim.RMSprop'), out


class Stub(sol06.HandOptimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        super().__init__(params, lr)

    def step(self):
        raise NotImplementedError('exercise: one RMSprop step')


def test_rmsprop_stub_is_not_done(verdict):
    result, out = verdict(check06.check_rmsprop, Stub)
    assert result is None and out.startswith('not done yet — hint:')


def rmsprop(update_s, delta, grad_mode=False, in_place=True):
    """An RMSprop class whose running average is update_s(s, g, alpha) and whose step is
    delta(s, g, lr, eps, t); optionally without no_grad, or rebinding p instead of updating it."""
    class Variant(sol06.HandOptimizer):
        def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
            super().__init__(params, lr)
            self.alpha, self.eps, self.t = alpha, eps, 0
            self.s = [mt.zeros_like(p) for p in self.params]

        def step(self):
            self.t += 1
            with mt.set_grad_enabled(grad_mode):
                for i, p in enumerate(self.params):
                    g = p.grad
                    self.s[i] = update_s(self.s[i], g, self.alpha)
                    if in_place:
                        p -= delta(self.s[i], g, self.lr, self.eps, self.t)
                    else:
                        p = p - delta(self.s[i], g, self.lr, self.eps, self.t)   # noqa: F841
    return Variant


average = lambda s, g, a: a * s + (1 - a) * g * g                                     # noqa: E731
right = lambda s, g, lr, eps, t: lr * g / (s.sqrt() + eps)                            # noqa: E731


@pytest.mark.parametrize('wrong, words', [
    (rmsprop(average, right, grad_mode=True), 'the step ran without mt.no_grad()'),
    (rmsprop(average, right, in_place=False), 'the parameters did not change'),
    (rmsprop(average, lambda s, g, lr, eps, t: lr * g / (s + eps).sqrt()), 'eps inside the square root'),
    (rmsprop(lambda s, g, a: a * s + g * g, right), 'the new g² is added at full weight'),
    (rmsprop(lambda s, g, a: (1 - a) * g * g, right), 'the average starts afresh every step'),
    (rmsprop(average, lambda s, g, lr, eps, t: lr * g / ((s / (1 - 0.9 ** t)).sqrt() + eps)),
     'a bias correction'),
    (rmsprop(average, lambda s, g, lr, eps, t: lr * g / (s + eps)), 'divided by s itself'),
    (rmsprop(average, lambda s, g, lr, eps, t: lr * g / (s.sqrt() + eps) * 2),
     'differ from optim.RMSprop'),
])
def test_rmsprop_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check06.check_rmsprop, wrong)
    assert result is False and out.startswith('✗') and words in out, out


# --- conv2d_by_hand ----------------------------------------------------------------------------------
def test_conv2d_solution_is_accepted(verdict):
    result, out = verdict(check06.check_conv2d, sol06.conv2d_by_hand)
    assert result is True and out.startswith('✓ conv2d_by_hand equals F.conv2d'), out


def test_conv2d_stub_is_not_done(verdict):
    def stub(x, weight, bias, stride=1, padding=0):
        raise NotImplementedError('exercise: conv2d by im2col')
    result, out = verdict(check06.check_conv2d, stub)
    assert result is None and out.startswith('not done yet — hint:')


def flipped(x, weight, bias, stride=1, padding=0):
    return sol06.conv2d_by_hand(x, np.ascontiguousarray(weight[:, :, ::-1, ::-1]), bias, stride, padding)


def no_bias(x, weight, bias, stride=1, padding=0):
    return sol06.conv2d_by_hand(x, weight, 0 * bias, stride, padding)


def no_padding(x, weight, bias, stride=1, padding=0):
    return sol06.conv2d_by_hand(x, weight, bias, stride, 0)


def no_stride(x, weight, bias, stride=1, padding=0):
    return sol06.conv2d_by_hand(x, weight, bias, 1, padding)


def channels_last_columns(x, weight, bias, stride=1, padding=0):
    n, c, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh, ow = (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1
    sn, sc, sy, sx = x.strides
    windows = np.lib.stride_tricks.as_strided(
        x, shape=(n, kh, kw, c, oh, ow), strides=(sn, sy, sx, sc, sy * stride, sx * stride))
    out = weight.reshape(c_out, -1) @ windows.reshape(n, -1, oh * ow) + bias.reshape(c_out, 1)
    return out.reshape(n, c_out, oh, ow)


def transposed(x, weight, bias, stride=1, padding=0):
    return sol06.conv2d_by_hand(x, weight, bias, stride, padding).transpose(0, 1, 3, 2)


def window_stride_wrong(x, weight, bias, stride=1, padding=0):
    """Windows one pixel apart in the view, then every stride-th kept: right for stride 1 only
    (kept) — here the offsets inside a window step by stride instead."""
    n, c, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh, ow = (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1
    sn, sc, sy, sx = x.strides
    windows = np.lib.stride_tricks.as_strided(
        x, shape=(n, c, kh, kw, oh, ow), strides=(sn, sc, sy * stride, sx * stride, sy, sx))
    out = weight.reshape(c_out, -1) @ windows.reshape(n, -1, oh * ow) + bias.reshape(c_out, 1)
    return out.reshape(n, c_out, oh, ow)


@pytest.mark.parametrize('wrong, words', [
    (flipped, 'you flipped the kernel'),
    (no_bias, 'the bias is missing'),
    (no_padding, 'the padding is missing'),
    (no_stride, 'stride is ignored'),
    (channels_last_columns, 'the rows of your columns are ordered (kernel row, kernel column, channel)'),
    (transposed, 'the output is transposed'),
    (window_stride_wrong, 'check the strides of the window view'),
    (lambda x, weight, bias, stride=1, padding=0: x.foo, 'raised AttributeError'),
])
def test_conv2d_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check06.check_conv2d, wrong)
    assert result is False and out.startswith('✗') and words in out, out
