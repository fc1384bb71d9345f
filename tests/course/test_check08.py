"""Notebook 08's checkers accept the solutions and name each plausible mistake (course/lib/check08.py)."""

import pytest

import minitorch as mt
from minitorch.autograd.dispatch import DispatchMode

from lib import check08
from solutions import sol08


# --- OpStats -----------------------------------------------------------------------------------------
def test_op_stats_solution_is_accepted(verdict):
    result, out = verdict(check08.check_op_stats, sol08.OpStats)
    assert result is True and out.startswith('✓ OpStats: 18 ops, 11 kinds'), out


def test_op_stats_stub_is_not_done(verdict):
    class Stub(DispatchMode):
        def __init__(self):
            self.calls, self.bytes = {}, {}

        def dispatch(self, fn, args, kwargs, run):
            raise NotImplementedError('exercise: count calls and output bytes')
    result, out = verdict(check08.check_op_stats, Stub)
    assert result is None and out.startswith('not done yet — hint:'), out


def stats(record, runs=1, returns=True):
    """An OpStats variant: record(self, fn, args, out) fills self.calls / self.bytes."""
    class Variant(DispatchMode):
        def __init__(self):
            self.calls, self.bytes = {}, {}

        def dispatch(self, fn, args, kwargs, run):
            for _ in range(runs):
                out = run(fn, args, kwargs)
            record(self, fn, args, out)
            return out if returns else None
    return Variant


def nbytes(t):
    return t.numel() * t.element_size()


def outputs(out):
    return out if isinstance(out, tuple) else (out,)


def right(self, fn, args, out):
    sol08_add(self, fn.__name__, sum(nbytes(t) for t in outputs(out)))


def sol08_add(self, key, size, calls=None):
    self.calls[key] = self.calls.get(key, 0) + 1 if calls is None else calls
    self.bytes[key] = self.bytes.get(key, 0) + size


def input_bytes(self, fn, args, out):
    sol08_add(self, fn.__name__, sum(nbytes(a) for a in args if isinstance(a, mt.Tensor)))


def first_output(self, fn, args, out):
    sol08_add(self, fn.__name__, nbytes(outputs(out)[0]))


def replaced_count(self, fn, args, out):
    sol08_add(self, fn.__name__, sum(nbytes(t) for t in outputs(out)), calls=1)


def class_keys(self, fn, args, out):
    sol08_add(self, fn, sum(nbytes(t) for t in outputs(out)))


def elements(self, fn, args, out):
    sol08_add(self, fn.__name__, sum(t.numel() for t in outputs(out)))


class DirectApply(DispatchMode):
    def __init__(self):
        self.calls, self.bytes = {}, {}

    def dispatch(self, fn, args, kwargs, run):
        from minitorch.autograd.dispatch import suspended
        with suspended():
            out = fn.apply(*args, **kwargs)
        right(self, fn, args, out)
        return out


@pytest.mark.parametrize('answer, words', [
    (stats(right, returns=False), '✗ your dispatch returned None'),
    (stats(right, runs=2), '✗ every op ran 2 times'),
    (stats(input_bytes), "you added the bytes of the op's inputs"),
    (stats(first_output), 'counted only the first'),
    (stats(replaced_count), 'a second call of the same op replaced the first'),
    (stats(class_keys), 'use fn.__name__'),
    (stats(elements), 'numbers of elements'),
    (DirectApply, 'the ops ran without run(fn, args, kwargs)'),
])
def test_op_stats_mistakes_are_named(answer, words, verdict):
    result, out = verdict(check08.check_op_stats, answer)
    assert result is False and out.startswith('✗') and words in out, out


# --- saved_bytes -------------------------------------------------------------------------------------
def test_saved_bytes_solution_is_accepted(verdict):
    result, out = verdict(check08.check_saved_bytes, sol08.saved_bytes)
    assert result is True and out.startswith('✓ saved_bytes: 18920 bytes'), out


def test_saved_bytes_stub_is_not_done(verdict):
    def stub(tensor):
        raise NotImplementedError('exercise: bytes saved for backward')
    result, out = verdict(check08.check_saved_bytes, stub)
    assert result is None and out.startswith('not done yet — hint:')
    assert verdict(check08.check_saved_bytes, lambda tensor: ...)[0] is None


def walk(visit_once=True, tensor_once=True, skip_none=True, tensors_only=True, root_only=False,
         size=nbytes):
    """A saved_bytes variant with one rule of the solution switched off."""
    def saved_bytes(tensor):
        seen, kept, total, stack = set(), set(), 0, [tensor.grad_fn]
        while stack:
            node = stack.pop()
            if visit_once and node in seen:
                continue
            seen.add(node)
            for t in getattr(node, 'saved_tensors', ()):
                if t is None or (tensors_only and not isinstance(t, mt.Tensor)):
                    continue
                if tensor_once and id(t) in kept:
                    continue
                kept.add(id(t))
                total += size(t)
            if not root_only:
                stack += [child for child, _ in node.next_functions if child is not None or
                          not skip_none]
        return total
    return saved_bytes


@pytest.mark.parametrize('answer, words', [
    (walk(root_only=True), 'the root node (the sum) saves nothing'),
    (walk(visit_once=False, tensor_once=False), 'was counted twice: keep a set of the nodes'),
    (walk(tensor_once=False), 'count each saved tensor once'),
    (walk(skip_none=False), '(None, 0) for an input that needs no gradient'),
    (walk(tensors_only=False), 'a saved entry can be a Python number'),
    (walk(size=lambda t: t.numel()), 'numbers of elements'),
])
def test_saved_bytes_mistakes_are_named(answer, words, verdict):
    result, out = verdict(check08.check_saved_bytes, answer)
    assert result is False and out.startswith('✗') and words in out, out


def test_saved_bytes_agrees_with_the_profiler():
    from minitorch.profiler import profile
    mt.manual_seed(0)
    a = mt.randn(20, 10, requires_grad=True)
    w = mt.randn(10, 5, requires_grad=True)
    with profile() as prof:
        out = a.mm(w).tanh().sum()
    assert sol08.saved_bytes(out) == sum(e.saved for e in prof.events())


# --- crossover ---------------------------------------------------------------------------------------
def test_crossover_solution_is_accepted(verdict):
    result, out = verdict(check08.check_crossover, sol08.crossover)
    assert result is True and out.startswith('✓ crossover'), out


def test_crossover_stub_is_not_done(verdict):
    def stub(sizes, fast, slow):
        raise NotImplementedError('exercise: crossover')
    result, out = verdict(check08.check_crossover, stub)
    assert result is None and out.startswith('not done yet — hint:')


def first_faster(sizes, fast, slow):
    return next((n for n in sizes if fast[n] < slow[n]), None)


def as_index(sizes, fast, slow):
    found = sol08.crossover(sizes, fast, slow)
    return None if found is None else sizes.index(found)


def with_ties(sizes, fast, slow):
    found = None
    for n in reversed(sizes):
        if fast[n] > slow[n]:
            break
        found = n
    return found


def last_slower(sizes, fast, slow):
    slower = [n for n in sizes if fast[n] >= slow[n]]
    return slower[-1] if slower else sizes[0]


def largest_always(sizes, fast, slow):
    found = sol08.crossover(sizes, fast, slow)
    return sizes[-1] if found is None else found


@pytest.mark.parametrize('answer, words', [
    (first_faster, 'from which it *stays* faster'),
    (as_index, 'a position in the list'),
    (with_ties, 'a tie is not faster'),
    (last_slower, 'the last size where fast still loses'),
    (largest_always, 'there is no crossover: return None'),
])
def test_crossover_mistakes_are_named(answer, words, verdict):
    result, out = verdict(check08.check_crossover, answer)
    assert result is False and out.startswith('✗') and words in out, out
