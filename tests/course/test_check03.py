"""Notebook 03's checkers accept the solutions and name each plausible mistake (course/lib/check03.py);
the notebook's Value engine is the one kept in course/lib/value.py."""
import ast
import json
import math
import os

import numpy as np
import pytest

import minitorch as mt
from lib import check03, value
from solutions import sol03

COURSE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'course')

NOTEBOOK = os.path.join(COURSE, '03_autograd_from_scratch.ipynb')


def code_cells():
    with open(NOTEBOOK, encoding='utf-8') as f:
        cells = json.load(f)['cells']
    return [''.join(c['source']) for c in cells if c['cell_type'] == 'code']


def cell_starting(prefix):
    found = [c for c in code_cells() if c.startswith(prefix)]
    assert len(found) == 1, f'one code cell of notebook 03 should start with {prefix!r}'
    return found[0]


def notebook_engine():
    """The notebook's Value, topological_order, TinyTensor and sum_to (with the corrected add)."""
    namespace = {'np': np, 'math': math}
    for prefix in ('class Value', 'def topological_order', 'class TinyTensor', 'def sum_to'):
        exec(cell_starting(prefix), namespace)
    return namespace


ENGINE = notebook_engine()
TinyTensor = ENGINE['TinyTensor']
sol03.TinyTensor, sol03.sum_to = TinyTensor, ENGINE['sum_to']     # the names the solutions use


# --- the engine in lib/value.py is the notebook's -------------------------------------------------
def functions(tree):
    """{name: ast dump} of the module's functions and its classes' methods (closures included)."""
    found = {}
    for node in tree.body:
        for item in (node.body if isinstance(node, ast.ClassDef) else [node]):
            if isinstance(item, ast.FunctionDef):
                found[item.name] = ast.dump(item)
    return found


def test_notebook_engine_is_lib_value():
    with open(value.__file__, encoding='utf-8') as f:
        lib = functions(ast.parse(f.read()))
    shown = {}
    for prefix in ('class Value', 'def topological_order'):
        shown.update(functions(ast.parse(cell_starting(prefix))))
    assert set(shown) <= set(lib), set(shown) - set(lib)
    for name, dump in shown.items():
        assert lib[name] == dump, f'{name} differs between notebook 03 and course/lib/value.py'


def test_value_backward_accumulates_like_minitorch():
    w = value.Value(2.0)
    loss = w * w
    loss.backward()
    loss.backward()
    t = mt.tensor(2.0, requires_grad=True)
    lt = t * t
    lt.backward(retain_graph=True)
    lt.backward()
    assert w.grad == t.grad.item() == 8.0


def test_value_backward_is_iterative_and_matches_minitorch():
    start = value.Value(0.5)
    v = start
    for _ in range(5000):                           # deeper than the recursion limit
        v = v * 0.999 + 0.001
    v.backward()
    assert math.isclose(start.grad, 0.999 ** 5000, rel_tol=1e-12)
    a, b = value.Value(0.8), value.Value(1.3)
    out = ((a - b) / (a * a + 1)).exp() + (b * 2).relu() ** 2 - a.tanh() + 1 / b - (2 - a)
    out.backward()
    ta, tb = (mt.tensor(x, dtype=mt.float64, requires_grad=True) for x in (0.8, 1.3))
    tout = ((ta - tb) / (ta * ta + 1)).exp() + (tb * 2).relu() ** 2 - ta.tanh() + 1 / tb - (2 - ta)
    tout.backward()
    assert math.isclose(out.data, tout.item(), rel_tol=1e-12)
    assert np.allclose([a.grad, b.grad], [ta.grad.item(), tb.grad.item()], rtol=1e-12)


# --- grad_in_chunks ---------------------------------------------------------------------------------
def test_chunks_solution_is_accepted(verdict):
    result, out = verdict(check03.check_grad_in_chunks, sol03.grad_in_chunks)
    assert result is True and out.startswith('✓'), out


def test_chunks_stub_is_not_done(verdict):
    def stub(w, x, y, chunks):
        raise NotImplementedError('exercise')
    result, out = verdict(check03.check_grad_in_chunks, stub)
    assert result is None and out.startswith('not done yet — hint:')


def stale_kept(w, x, y, chunks):
    for xc, yc in zip(x.chunk(chunks), y.chunk(chunks)):
        ((xc @ w - yc) ** 2).sum().backward()
    return w.grad


def cleared_each_chunk(w, x, y, chunks):
    for xc, yc in zip(x.chunk(chunks), y.chunk(chunks)):
        w.grad = None
        ((xc @ w - yc) ** 2).sum().backward()
    return w.grad


def chunk_means(w, x, y, chunks):
    w.grad = None
    for xc, yc in zip(x.chunk(chunks), y.chunk(chunks)):
        ((xc @ w - yc) ** 2).mean().backward()
    return w.grad


def averaged_chunks(w, x, y, chunks):
    w.grad = None
    for xc, yc in zip(x.chunk(chunks), y.chunk(chunks)):
        (((xc @ w - yc) ** 2).sum() / chunks).backward()
    return w.grad


def first_chunk_only(w, x, y, chunks):
    w.grad = None
    xc, yc = x.chunk(chunks)[0], y.chunk(chunks)[0]
    ((xc @ w - yc) ** 2).sum().backward()
    return w.grad


def no_return(w, x, y, chunks):
    sol03.grad_in_chunks(w, x, y, chunks)


@pytest.mark.parametrize('wrong, words', [
    (stale_kept, 'plus what w.grad held before the call'),
    (cleared_each_chunk, 'only the last chunk'),
    (chunk_means, '8 times too small'),
    (averaged_chunks, '3 times too small (the number of chunks)'),
    (first_chunk_only, 'only the first chunk'),
    (no_return, 'returned None'),
])
def test_chunks_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check03.check_grad_in_chunks, wrong)
    assert result is False and out.startswith('✗') and words in out, out


# --- normalize_vjp ----------------------------------------------------------------------------------
def test_vjp_solution_is_accepted(verdict):
    result, out = verdict(check03.check_normalize_vjp, sol03.normalize_vjp)
    assert result is True and out.startswith('✓'), out


def test_vjp_stub_is_not_done(verdict):
    def stub(x, v):
        raise NotImplementedError('exercise')
    result, out = verdict(check03.check_normalize_vjp, stub)
    assert result is None and out.startswith('not done yet — hint:')


@pytest.mark.parametrize('wrong, words', [
    (lambda x, v: v / x.sum(), 'treated x / x.sum() as elementwise'),
    (lambda x, v: v / x.sum() - x * v.sum() / x.sum() ** 2, 'you computed J·v'),
    (lambda x, v: v - v @ x / x.sum(), 'x.sum() times too large'),
    (lambda x, v: (v + v @ x / x.sum()) / x.sum(), 'the wrong sign'),
    (lambda x, v: (v - v @ x / x.sum()) / x.sum() ** 2, 'x.sum() times too small'),
    (lambda x, v: (v - v @ x) / x.sum(), 'worst at input element'),
    (lambda x, v: (v - v @ x / x.sum()).sum(), 'shape (5,)'),
])
def test_vjp_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check03.check_normalize_vjp, wrong)
    assert result is False and out.startswith('✗') and words in out, out


# --- mul, sum_axis, mean ------------------------------------------------------------------------------
def test_tiny_ops_solution_is_accepted(verdict):
    result, out = verdict(check03.check_tiny_ops, TinyTensor, sol03.mul, sol03.sum_axis, sol03.mean)
    assert result is True, out
    assert out.count('✓') == 4 and '✗' not in out, out


def test_tiny_ops_stubs_are_not_done(verdict):
    def stub(*args):
        raise NotImplementedError('exercise')
    result, out = verdict(check03.check_tiny_ops, TinyTensor, stub, stub, stub)
    assert result is None and out.count('not done yet') == 3 and '✗' not in out, out
    result, out = verdict(check03.check_tiny_ops, TinyTensor, sol03.mul, stub, sol03.mean)
    assert result is None and '✓ mul' in out and 'not done yet (sum_axis)' in out, out


def make_mul(grad_a, grad_b, accumulate=True):
    def mul(a, b):
        out = TinyTensor(a.data * b.data, (a, b), 'mul')
        def _backward():
            for t, g in ((a, grad_a(a, b, out.grad)), (b, grad_b(a, b, out.grad))):
                if accumulate:
                    t._accumulate(g)
                else:
                    t.grad = g
        out._backward = _backward
        return out
    return mul


sum_to = ENGINE['sum_to']
no_sum_to = make_mul(lambda a, b, g: g * b.data, lambda a, b, g: g * a.data)
own_factor = make_mul(lambda a, b, g: sum_to(g * a.data, a.data.shape),
                      lambda a, b, g: sum_to(g * b.data, b.data.shape))
assigned = make_mul(lambda a, b, g: sum_to(g * b.data, a.data.shape),
                    lambda a, b, g: sum_to(g * a.data, b.data.shape), accumulate=False)


def numpy_array_mul(a, b):
    return a.data * b.data


def make_sum_axis(forward, grad):
    def sum_axis(a, axis):
        out = TinyTensor(forward(a.data, axis), (a,), 'sum_axis')
        def _backward():
            a._accumulate(grad(out.grad, a.data.shape, axis))
        out._backward = _backward
        return out
    return sum_axis


right_sum = lambda data, axis: data.sum(axis=axis)  # noqa: E731
no_expand = make_sum_axis(right_sum, lambda g, shape, axis: np.broadcast_to(g, shape).copy())
not_broadcast = make_sum_axis(right_sum, lambda g, shape, axis: g)
kept_dims = make_sum_axis(lambda data, axis: data.sum(axis=axis, keepdims=True),
                          lambda g, shape, axis: np.broadcast_to(g, shape).copy())


def make_mean(forward, grad):
    def mean(a):
        out = TinyTensor(forward(a.data), (a,), 'mean')
        def _backward():
            a._accumulate(grad(out.grad, a.data))
        out._backward = _backward
        return out
    return mean


no_division = make_mean(lambda d: d.mean(), lambda g, d: np.full(d.shape, g))
one_element = make_mean(lambda d: d.mean(keepdims=True).reshape(1),
                        lambda g, d: np.full(d.shape, g.item() / d.size))


@pytest.mark.parametrize('ops, words', [
    ((no_sum_to, sol03.sum_axis, sol03.mean), 'its gradient must be summed back to its own shape (sum_to)'),
    ((own_factor, sol03.sum_axis, sol03.mean), 'the *other* factor'),
    ((assigned, sol03.sum_axis, sol03.mean), 'two shares'),
    ((numpy_array_mul, sol03.sum_axis, sol03.mean), 'return a TinyTensor'),
    ((sol03.mul, no_expand, sol03.mean), 'np.expand_dims(g, axis)'),
    ((sol03.mul, not_broadcast, sol03.mean), 'broadcast the gradient of the sum back'),
    ((sol03.mul, kept_dims, sol03.mean), 'the summed axis is removed'),
    ((sol03.mul, sol03.sum_axis, no_division), '12 times minitorch\'s'),
    ((sol03.mul, sol03.sum_axis, one_element), 'a 0-d array'),
])
def test_tiny_ops_mistakes_are_named(ops, words, verdict):
    result, out = verdict(check03.check_tiny_ops, TinyTensor, *ops)
    assert result is False and '✗' in out and words in out, out
