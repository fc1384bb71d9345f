"""Notebook 05's checkers accept the solutions and name each plausible mistake (course/lib/check05.py)."""

import pytest

from lib import check05
from lib.value import Value
from solutions import sol05


# --- value_max ---------------------------------------------------------------------------------------
def test_value_max_op_solution_is_accepted(verdict):
    result, out = verdict(check05.check_value_max, sol05.value_max)
    assert result is True and out.startswith('✓ value_max: a new op'), out


def test_value_max_branch_solution_is_accepted(verdict):
    result, out = verdict(check05.check_value_max, sol05.value_max_by_branch)
    assert result is True and out.startswith('✓ value_max: you returned the winner itself'), out


def test_value_max_stub_is_not_done(verdict):
    def stub(a, b):
        raise NotImplementedError('exercise: max of two Values')
    result, out = verdict(check05.check_value_max, stub)
    assert result is None and out.startswith('not done yet — hint:')
    assert verdict(check05.check_value_max, lambda a, b: ...)[0] is None


def max_op(route):
    """A max op whose _backward is route(a, b, out)."""
    def value_max(a, b):
        out = Value(max(a.data, b.data), (a, b), 'max')
        out._backward = lambda: route(a, b, out)
        return out
    return value_max


def assigned(a, b, out):
    winner = a if a.data >= b.data else b
    winner.grad = out.grad


def to_both(a, b, out):
    a.grad += out.grad
    b.grad += out.grad


def to_loser(a, b, out):
    loser = b if a.data >= b.data else a
    loser.grad += out.grad


def without_out_grad(a, b, out):
    winner = a if a.data >= b.data else b
    winner.grad += 1.0


def to_first(a, b, out):
    a.grad += out.grad


def minimum(a, b):
    return a if a.data <= b.data else b


@pytest.mark.parametrize('wrong, words', [
    (max_op(assigned), 'your _backward sets the gradient with `=` (a.grad = …)'),
    (max_op(to_both), 'the input that lost got a gradient'),
    (max_op(to_loser), 'the gradient went to the smaller input'),
    (max_op(without_out_grad), 'add out.grad, not 1'),
    (max_op(to_first), 'a = -1.0, b = 2.0'),
    (max_op(lambda a, b, out: None), 'no gradient reached a or b'),
    (lambda a, b: Value(max(a.data, b.data)), 'no gradient reached a or b'),
    (lambda a, b: max(a.data, b.data), 'return a Value'),
    (minimum, 'the smaller one'),
    (lambda a, b: a.missing, 'raised AttributeError'),
])
def test_value_max_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check05.check_value_max, wrong)
    assert result is False and out.startswith('✗') and words in out, out


def test_assignment_is_named_even_when_one_backward_looks_right(verdict):
    """`=` gives the right gradient for one backward through one use; the checker still names it."""
    a, b = Value(2.0), Value(-1.0)
    (max_op(assigned)(a, b) * 3.0).backward()
    assert (a.grad, b.grad) == (3.0, 0.0)
    result, out = verdict(check05.check_value_max, max_op(assigned))
    assert result is False and 'a.grad +=' in out


# --- graph_key ---------------------------------------------------------------------------------------
def test_graph_key_solution_is_accepted(verdict):
    result, out = verdict(check05.check_graph_key, sol05.graph_key)
    assert result is True and out.startswith('✓ graph_key: equal for two passes'), out


def test_graph_key_stub_is_not_done(verdict):
    def stub(out):
        raise NotImplementedError('exercise: graph_key')
    result, out = verdict(check05.check_graph_key, stub)
    assert result is None and out.startswith('not done yet — hint:')


def walk(out):
    order, stack, seen = [], [out.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        order.append(node)
        stack.extend(fn for fn, _ in reversed(node.next_functions))
    return order


def names_only(out):
    return tuple(node.name() for node in walk(out))


def names_and_shapes(out):
    return tuple((node.name(), tuple(tuple(s) for s, _, _ in node.out_meta)) for node in walk(out))


def with_ids(out):
    return tuple((node.name(), id(node)) for node in walk(out))


def with_nodes(out):
    return tuple(walk(out))


def with_values(out):
    return (sol05.graph_key(out), round(out.item(), 6))


def as_list(out):
    return [list(entry) for entry in sol05.graph_key(out)]


def last_op_only(out):
    return (out.grad_fn.name(), tuple(tuple(s) for s, _, _ in out.grad_fn.out_meta))


@pytest.mark.parametrize('wrong, words', [
    (names_only, 'a batch of 5 rows and a batch of 3 got the same key'),
    (names_and_shapes, 'the last Mul reads y in one and x in the other'),
    (with_ids, 'your key holds id()s'),
    (with_nodes, 'your key holds the node objects themselves'),
    (with_values, 'your key holds values'),
    (as_list, 'cannot be a dict key'),
    (last_op_only, 'depth 2 and depth 3 got the same key'),
    (lambda out: out.missing, 'graph_key(loss) raised AttributeError'),
])
def test_graph_key_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check05.check_graph_key, wrong)
    assert result is False and out.startswith('✗') and words in out, out
