"""Notebook 01's checkers accept the solutions and name each plausible mistake (course/lib/check01.py)."""

import numpy as np
import pytest

from lib import check01
from solutions import sol01


def stub(*args):
    raise NotImplementedError('exercise')


# --- mse_grad ------------------------------------------------------------------------------------------
def test_mse_solution_is_accepted(verdict):
    assert verdict(check01.check_mse_grad, sol01.mse_grad) == \
        (True, '✓ mse_grad matches finite differences\n')


def test_mse_stub_is_not_done(verdict):
    for unfinished in (stub, lambda y_pred, y: ..., lambda y_pred, y: None):
        result, out = verdict(check01.check_mse_grad, unfinished)
        assert result is None and out.startswith('not done yet — hint:'), out


@pytest.mark.parametrize('wrong, words', [
    (lambda p, y: 2 * (y - p) / p.size, 'the wrong sign: a small step against your gradient'),
    (lambda p, y: 2 * (p - y), 'the gradient of the sum, 12 times too large'),
    (lambda p, y: 2 * (p - y) / len(p), 'divided by N = 4 (the rows) only'),
    (lambda p, y: 2 * (p - y) / p.shape[1], 'divided by D_out = 3 (the columns) only'),
    (lambda p, y: (p - y) / p.size, 'half the finite difference everywhere'),
    (lambda p, y: np.mean(2 * (p - y)), 'a gradient has the shape of its value'),
    (lambda p, y: 2 * (p - y) / p.size + 0.1, 'the largest relative error against finite differences'),
    (lambda p, y: p @ y, 'mse_grad(y_pred, y) raised ValueError'),
])
def test_mse_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check01.check_mse_grad, wrong)
    assert result is False and out.startswith('✗') and words in out, out


# --- tanh_backward ---------------------------------------------------------------------------------
def test_tanh_solution_is_accepted(verdict):
    assert verdict(check01.check_tanh_backward, sol01.tanh_backward) == \
        (True, '✓ tanh_backward matches finite differences\n')


def test_tanh_stub_is_not_done(verdict):
    result, out = verdict(check01.check_tanh_backward, stub)
    assert result is None and out.startswith('not done yet — hint:'), out


@pytest.mark.parametrize('wrong, words', [
    (lambda g, out: 1 - out ** 2, 'the local derivative alone'),
    (lambda g, out: g * (1 - np.tanh(out) ** 2), 'tanh applied twice'),
    (lambda g, out: g * out * (1 - out), 'the sigmoid\'s derivative'),
    (lambda g, out: g * (1 - out), 'check the power of out'),
    (lambda g, out: g * (out ** 2 - 1), 'every sign is flipped'),
    (lambda g, out: (g * (1 - out ** 2)).sum(axis=0), 'a gradient has the shape of its value'),
])
def test_tanh_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check01.check_tanh_backward, wrong)
    assert result is False and out.startswith('✗') and words in out, out


# --- linear_relu_forward / linear_relu_backward -------------------------------------------------------
def test_layer_solution_is_accepted(verdict):
    result, out = verdict(check01.check_linear_relu, sol01.linear_relu_forward,
                          sol01.linear_relu_backward)
    assert result is True and out.startswith('✓ linear_relu_forward and linear_relu_backward'), out


def test_layer_stubs_are_not_done(verdict):
    result, out = verdict(check01.check_linear_relu, stub, stub)
    assert result is None and out.startswith('not done yet — hint:'), out
    result, out = verdict(check01.check_linear_relu, sol01.linear_relu_forward, stub)
    assert result is None and out.startswith('not done yet — the forward is ✓'), out


def test_the_solution_matches_finite_differences():
    x, w, b, g_out = check01.layer_data()
    out, cache = sol01.linear_relu_forward(x, w, b)
    grads = sol01.linear_relu_backward(g_out, cache)
    for value, grad in zip((x, w, b), grads):
        numeric = check01.numerical_grad(lambda: np.sum(g_out * sol01.linear_relu_forward(x, w, b)[0]),
                                         value)
        assert check01.max_relative_error(grad, numeric) < 1e-6


def backward_with(g_x=None, g_w=None, g_b=None, mask=lambda h: h > 0, result=None):
    """The solution's backward with one part replaced by a wrong one."""
    def backward(g_out, cache):
        x, w, h = cache
        g_h = g_out * mask(h)
        right = g_h @ w.T, x.T @ g_h, g_h.sum(axis=0)
        parts = [f(g_h, x, w) if f else r for f, r in zip((g_x, g_w, g_b), right)]
        return tuple(parts) if result is None else result(parts)
    return backward


def masking_in_place(g_out, cache):
    x, w, h = cache
    g_out[h <= 0] = 0
    return g_out @ w.T, x.T @ g_out, g_out.sum(axis=0)


@pytest.mark.parametrize('backward, words', [
    (backward_with(g_w=lambda g_h, x, w: g_h.T @ x), 'g_w has shape (3, 4), its value has (4, 3): it is '
                                                     'transposed'),
    (backward_with(g_x=lambda g_h, x, w: g_h @ w), 'raised ValueError: matmul'),
    (backward_with(g_x=lambda g_h, x, w: g_h @ w), 'a transpose is missing'),
    (backward_with(mask=lambda h: np.ones_like(h)), 'the ReLU mask is missing'),
    (backward_with(mask=lambda h: h < 0), 'the ReLU mask is inverted'),
    (backward_with(g_b=lambda g_h, x, w: g_h.sum(axis=1)), 'g_b has shape (5,), b has (3,): summed over '
                                                           'the wrong axis'),
    (backward_with(g_b=lambda g_h, x, w: g_h), 'g_b has shape (5, 3): not summed'),
    (backward_with(g_b=lambda g_h, x, w: g_h.sum()), 'g_b is one number: summed over every axis'),
    (backward_with(g_b=lambda g_h, x, w: g_h.mean(axis=0)), 'g_b is N = 5 times too small'),
    (backward_with(g_w=lambda g_h, x, w: -(x.T @ g_h)), 'g_w has the wrong sign'),
    (backward_with(result=lambda parts: parts[1:]), 'must return three gradients'),
    (masking_in_place, 'g_out was changed in place'),
])
def test_layer_backward_mistakes_are_named(backward, words, verdict):
    result, out = verdict(check01.check_linear_relu, sol01.linear_relu_forward, backward)
    assert result is False and out.startswith('✗') and words in out, out


def test_a_wrong_backward_reports_each_gradient_against_finite_differences(verdict):
    _, out = verdict(check01.check_linear_relu, sol01.linear_relu_forward,
                     backward_with(mask=lambda h: np.ones_like(h)))
    assert 'max relative error against finite differences: g_x ✗' in out, out


@pytest.mark.parametrize('forward, words', [
    (lambda x, w, b: (x @ w + b, (x, w, x @ w + b)), 'out has negative entries: the ReLU is missing'),
    (lambda x, w, b: (np.maximum(x @ w, 0), None), 'forward: out does not change with b'),
    (lambda x, w, b: (np.maximum(x @ w, 0) + b, None), 'the bias is added after the ReLU'),
    (lambda x, w, b: np.maximum(x @ w + b, 0), 'must return two things: out and the cache'),
])
def test_layer_forward_mistakes_are_named(forward, words, verdict):
    result, out = verdict(check01.check_linear_relu, forward, sol01.linear_relu_backward)
    assert result is False and out.startswith('✗') and words in out, out
