"""Notebook 09, part two: its checkers accept the solutions and name each plausible mistake
(course/lib/check09.py: check_send_recv_pairs, check_gpipe_grid)."""

import pytest

from lib import check09
from solutions import sol09


def stub(*args):
    raise NotImplementedError('exercise')


# --- send_recv_pairs -----------------------------------------------------------------------------------
def test_pairs_solution_is_accepted_and_stub_is_not_done(verdict):
    result, out = verdict(check09.check_send_recv_pairs, sol09.send_recv_pairs)
    assert result is True and out.startswith('✓ send_recv_pairs: one pair per value')
    result, out = verdict(check09.check_send_recv_pairs, stub)
    assert result is None and out.startswith('not done yet — hint: a value lives where')


def homes(ops, rank_of, sources=True):
    home = {v: rank_of[name] for name, _, outputs in ops for v in outputs}
    if sources:
        for name, inputs, _ in ops:
            for v in inputs:
                home.setdefault(v, rank_of[name])
    return home


def one_per_reader(ops, rank_of):
    home = homes(ops, rank_of)
    return [(v, home[v], rank_of[n]) for n, inputs, _ in ops for v in inputs if home[v] != rank_of[n]]


def same_rank_too(ops, rank_of):
    home = homes(ops, rank_of)
    return list(dict.fromkeys((v, home[v], rank_of[n]) for n, inputs, _ in ops for v in inputs))


def backwards(ops, rank_of):
    return [(v, b, a) for v, a, b in sol09.send_recv_pairs(ops, rank_of)]


def only_what_ops_make(ops, rank_of):
    home = homes(ops, rank_of, sources=False)
    return list(dict.fromkeys((v, home[v], rank_of[n]) for n, inputs, _ in ops for v in inputs
                              if v in home and home[v] != rank_of[n]))


def first_other_rank_only(ops, rank_of):
    seen, pairs = set(), []
    for pair in sol09.send_recv_pairs(ops, rank_of):
        if pair[0] not in seen:
            seen.add(pair[0])
            pairs.append(pair)
    return pairs


@pytest.mark.parametrize('wrong, words', [
    (one_per_reader, "several ops of rank 1 read 'a', but it crosses once"),
    (same_rank_too, "goes from rank 0 to rank 0: a value read where it lives needs no message"),
    (backwards, "runs backwards: 'a' lives on rank 0 and is read on rank 1"),
    (only_what_ops_make, ("'w' is made by no op (an input or a parameter); it lives on the rank "
                          "of its first reader, rank 0")),
    (first_other_rank_only, "'e' is read on more than one other rank — one pair per rank"),
    (lambda ops, rank_of: [1, 2], 'return a list of (value, from rank, to rank)'),
    (lambda ops, rank_of: rank_of['nope'], "raised KeyError"),
])
def test_pairs_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check09.check_send_recv_pairs, wrong)
    assert result is False and out.startswith('✗') and words in out, out


# --- gpipe_grid ------------------------------------------------------------------------------------------
def test_grid_solution_is_accepted_and_stub_is_not_done(verdict):
    result, out = verdict(check09.check_gpipe_grid, sol09.gpipe_grid)
    assert result is True and '(p−1)/(m+p−1)' in out
    result, out = verdict(check09.check_gpipe_grid, stub)
    assert result is None and out.startswith('not done yet — hint: stage s runs F1')


def no_fill_offset(p, m):
    rows = sol09.gpipe_grid(p, m)
    return [[label for label in row if label] + [''] * (len(row) - 2 * m) for row in rows]


def drain_in_order(p, m):
    rows = sol09.gpipe_grid(p, m)
    return [[f'B{m + 1 - int(x[1:])}' if x.startswith('B') else x for x in row] for row in rows]


def one_forward_one_backward(p, m):
    rows = sol09.gpipe_grid(p, m)
    out = []
    for row in rows:
        labels = [x for x in row if x]
        mixed = [labels[0]] + [labels[-1]] + labels[1:-1] if m > 1 else labels
        out.append([mixed.pop(0) if x else '' for x in row])
    return out


def backward_without_waiting(p, m):
    rows = [[''] * (2 * (m + p - 1)) for _ in range(p)]
    for s in range(p):
        for i in range(1, m + 1):
            rows[s][s + i - 1] = f'F{i}'
            rows[s][s + m + (m - i)] = f'B{i}'
    return rows


def one_tick_late(p, m):
    rows = sol09.gpipe_grid(p, m)
    return [[''] + row for row in rows]


def idle_tick_at_the_end(p, m):
    return [row + [''] for row in sol09.gpipe_grid(p, m)]


@pytest.mark.parametrize('wrong, words', [
    (no_fill_offset, 'stage 1 runs F1 at tick 0, but it needs F1 of stage 0, which runs at tick 0'),
    (drain_in_order, ("drains in the order ['B1', 'B2', 'B3', 'B4']: GPipe runs the backward "
                      "passes from the last micro-batch to the first")),
    (one_forward_one_backward, 'forward and backward interleave (that is the 1F1B schedule)'),
    (backward_without_waiting, 'stage 0 runs B4 at tick 4, but it needs B4 of stage 1'),
    (one_tick_late, 'stage 0 runs F1 at tick 1, but its input is ready at tick 0'),
    (idle_tick_at_the_end, 'the step takes 2(m + p − 1) = 10'),
    (lambda p, m: [['F1']] * p, 'every stage runs each of F1 … F4 and B1 … B4 once'),
    (lambda p, m: [[]], 'has 1 rows: one row per stage, 2 of them'),
])
def test_grid_mistakes_are_named(wrong, words, verdict):
    result, out = verdict(check09.check_gpipe_grid, wrong)
    assert result is False and out.startswith('✗') and words in out, out
