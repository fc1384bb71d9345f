"""Notebook 09's checkers accept the solutions and name each plausible mistake (course/lib/check09.py)."""
import math

import pytest

from lib import check09
from solutions import sol09


# --- shard_indices -----------------------------------------------------------------------------------
def test_shard_solution_is_accepted(verdict):
    assert verdict(check09.check_shard_indices, sol09.shard_indices) == \
        (True, '✓ shard_indices: equal shares, every sample on some rank, strided as '
               'DistributedSampler\n')


def test_shard_stub_is_not_done(verdict):
    def stub(n, rank, world):
        raise NotImplementedError('exercise: shard_indices')
    result, out = verdict(check09.check_shard_indices, stub)
    assert result is None and out.startswith('not done yet — hint:')
    assert verdict(check09.check_shard_indices, lambda n, rank, world: ...)[0] is None


def contiguous(n, rank, world):
    size = math.ceil(n / world)
    padded = (list(range(n)) * 2)[:size * world]
    return padded[rank * size:(rank + 1) * size]


def unpadded(n, rank, world):
    return list(range(n))[rank::world]


def dropped(n, rank, world):
    return list(range(n))[:n // world * world][rank::world]


def padded_with_last(n, rank, world):
    total = math.ceil(n / world) * world
    return (list(range(n)) + [n - 1] * (total - n))[rank::world]


@pytest.mark.parametrize('wrong, words', [
    (contiguous, '✗ contiguous blocks'),
    (unpadded, '✗ unequal shares'),
    (dropped, 'are on no rank'),
    (padded_with_last, '✗ the padding repeats the wrong samples'),
    (lambda n, rank, world: rank // 0, '✗ shard_indices(10, 0, 3) raised ZeroDivisionError'),
])
def test_shard_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check09.check_shard_indices, wrong)
    assert result is False and out.startswith('✗') and words in out, out


# --- butterfly_allreduce -----------------------------------------------------------------------------
def test_butterfly_solution_is_accepted(verdict):
    result, out = verdict(check09.check_butterfly_allreduce, sol09.butterfly_allreduce)
    assert result is True and out.startswith('✓ butterfly all-reduce'), out


def test_butterfly_stub_is_not_done(verdict):
    def stub(vectors, net):
        raise NotImplementedError('exercise: butterfly_allreduce')
    result, out = verdict(check09.check_butterfly_allreduce, stub)
    assert result is None and out.startswith('not done yet — hint:')


def updated_mid_step(vectors, net):
    current = [v.copy() for v in vectors]
    k = 1
    while k < len(vectors):
        for i in range(len(vectors)):          # a partner may already have added: counted twice
            current[i] = current[i] + net.send(i ^ k, i, current[i ^ k])
        k *= 2
    return current


def one_step_short(vectors, net):
    current = [v.copy() for v in vectors]
    k = 1
    while k < len(vectors) // 2:
        current = [c + net.send(i ^ k, i, current[i ^ k]) for i, c in enumerate(current)]
        k *= 2
    return current


def only_lower_partner_adds(vectors, net):
    current = [v.copy() for v in vectors]
    k = 1
    while k < len(vectors):
        received = {i: net.send(i ^ k, i, current[i ^ k]) for i in range(len(vectors)) if i < i ^ k}
        current = [c + received[i] if i in received else c for i, c in enumerate(current)]
        k *= 2
    return current


def averaged(vectors, net):
    current = [v.copy() for v in vectors]
    k = 1
    while k < len(vectors):
        current = [(c + net.send(i ^ k, i, current[i ^ k])) / 2 for i, c in enumerate(current)]
        k *= 2
    return current


def no_messages(vectors, net):
    return [sum(vectors) for _ in vectors]


def in_place(vectors, net):
    received = [None] * len(vectors)
    k = 1
    while k < len(vectors):
        received = [net.send(i ^ k, i, vectors[i ^ k]) for i in range(len(vectors))]
        for v, r in zip(vectors, received):
            v += r
        k *= 2
    return vectors


def everyone_to_everyone(vectors, net):
    n = len(vectors)
    return [sum(net.send(j, i, vectors[j]) for j in range(n)) for i in range(n)]


@pytest.mark.parametrize('wrong, words', [
    (updated_mid_step, 'a partner added a vector that already held its own values'),
    (one_step_short, 'the sum of only 4 of the 8 vectors'),
    (only_lower_partner_adds, '*both* partners add'),
    (averaged, 'you averaged'),
    (no_messages, 'no messages were sent'),
    (in_place, 'the input vectors were changed'),
    (everyone_to_everyone, 'a butterfly sends one message per worker per step'),
])
def test_butterfly_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check09.check_butterfly_allreduce, wrong)
    assert result is False and out.startswith('✗') and words in out, out
