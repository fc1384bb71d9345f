"""Checkers for notebook 09's exercises (many processes).

Each prints one line ("not done yet — hint: …", "✓ …" or "✗ <the mistake>: <hint>") and returns
None (not done), True (right) or False (wrong).  None of them raises.
"""
import math

import numpy as np

from .checks import call, no_answer


# --- exercise 1: each rank's share of the samples ---------------------------------------------------
def expected_shard(n, rank, world):
    total = math.ceil(n / world) * world
    indices = list(range(n))
    padded = (indices * math.ceil(total / n))[:total] if n else []
    return padded[rank:total:world]


def check_shard_indices(shard_indices):
    cases = [(10, 3), (12, 4), (5, 4), (7, 1), (9, 2)]
    shares = {}
    for n, world in cases:
        for rank in range(world):
            label = f'shard_indices({n}, {rank}, {world})'
            got, status = call(label, shard_indices, n, rank, world)
            if status != 'ok':
                return no_answer(status, 'hint: rank r takes indices r, r + world, r + 2·world, … '
                                         'of the list 0 … n−1, padded by repeating its start '
                                         'until its length divides by world')
            try:
                shares[n, world, rank] = [int(i) for i in got]
            except Exception:
                print(f'✗ shard_indices({n}, {rank}, {world}) returned {got!r}: return a list of ints')
                return False
    return _judge_shards(shares, cases)


def _judge_shards(shares, cases):
    for n, world in cases:
        got = [shares[n, world, r] for r in range(world)]
        want = [expected_shard(n, r, world) for r in range(world)]
        if got == want:
            continue
        everything = sorted(i for share in got for i in share)
        lengths = [len(share) for share in got]
        if len(set(lengths)) > 1:
            print(f'✗ unequal shares: for n={n}, world={world} the ranks get {lengths} samples. Ranks '
                  f'train in lockstep (one all-reduce per step), so each must get the same number: pad '
                  f'the list by repeating its start until its length divides by world')
        elif set(everything) != set(range(n)):
            missing = sorted(set(range(n)) - set(everything))
            print(f'✗ samples {missing} are on no rank (n={n}, world={world}): pad the list by '
                  f'repeating its start instead of dropping the rest')
        elif world > 1 and len(got[1]) > 1 and got[1][1] == got[1][0] + 1:
            print(f'✗ contiguous blocks: rank 1 of {world} got {got[1]} for n={n}. DistributedSampler '
                  f'takes every world-th index — rank r gets r, r + world, r + 2·world, …')
        elif sorted(everything) != sorted(i for share in want for i in share):
            print(f'✗ the padding repeats the wrong samples (n={n}, world={world}: all shares together '
                  f'are {everything}): repeat the start of the list, 0, 1, …, as DistributedSampler '
                  f'does')
        else:
            print(f'✗ for n={n}, world={world} the shares are {got}, expected {want}: rank r takes '
                  f'indices r, r + world, … of the padded list')
        return False
    print('✓ shard_indices: equal shares, every sample on some rank, strided as DistributedSampler')
    return True


# --- exercise 2: the butterfly all-reduce ------------------------------------------------------------
class RecordingNetwork:
    """What the workers share: send(src, dst, array) delivers a copy of array and records the message."""

    def __init__(self):
        self.messages = []

    def send(self, src, dst, array):
        array = np.asarray(array)
        self.messages.append((int(src), int(dst), array.nbytes))
        return array.copy()


def check_butterfly_allreduce(butterfly_allreduce):
    n = 8
    vectors = [np.eye(n)[i] for i in range(n)]     # worker i holds e_i: a result counts contributions
    originals = [v.copy() for v in vectors]
    net = RecordingNetwork()
    results, status = call('butterfly_allreduce(vectors, net)', butterfly_allreduce, vectors, net)
    if status != 'ok':
        return no_answer(status, 'hint: in step k = 1, 2, 4, …, worker i and worker i ^ k send '
                                 'each other their vector through net.send and both add what they '
                                 'receive')
    try:
        counts = np.array([np.asarray(r, dtype=float) for r in results])
    except Exception:
        counts = None
    if counts is None or counts.shape != (n, n):
        print(f'✗ return one vector per worker: a list of {n} arrays shaped like the inputs')
        return False
    if any(not np.array_equal(v, o) for v, o in zip(vectors, originals)):
        print('✗ the input vectors were changed: a worker\'s own data must survive the all-reduce — '
              'start from copies (v.copy()) and build new arrays')
        return False
    return _judge_counts(counts, net, n) and _check_values(butterfly_allreduce)


def _judge_counts(counts, net, n):
    if not net.messages:
        print('✗ no messages were sent: a worker can only see another worker\'s vector through '
              'net.send(src, dst, vector)')
        return False
    if np.allclose(counts, 1 / n):
        print(f'✗ every entry is 1/{n}: you averaged. All-reduce with SUM adds; whoever wants the mean '
              f'divides once at the end (DistributedDataParallel does)')
        return False
    if (counts > 1 + 1e-9).any():
        j, i = np.unravel_index(np.argmax(counts), counts.shape)
        whose = 'its own vector' if i == j else f'worker {i}\'s vector'
        print(f'✗ worker {j} counts {whose} {counts[j, i]:g} times: a partner added a '
              f'vector that already held its own values. In each step every worker must receive what '
              f'its partner had *before* the step — collect all received vectors first, then add')
        return False
    held = (counts > 0.5).sum(axis=1)
    if (held == n).all() and np.allclose(counts, 1):
        return _judge_messages(net, n)
    if len(set(held)) == 1:
        print(f'✗ every worker ends with the sum of only {held[0]} of the {n} vectors: the butterfly '
              f'needs log2({n}) = {int(math.log2(n))} steps, with partners i ^ 1, i ^ 2, i ^ 4')
    elif (held == n).any():
        done, short = int(np.argmax(held == n)), int(np.argmin(held))
        print(f'✗ worker {done} has the full sum but worker {short} has only {held[short]} of the {n} '
              f'vectors: '
              f'in each step *both* partners add what they receive from the other')
    else:
        print(f'✗ the workers hold {held.tolist()} of the {n} vectors each; every worker should end '
              f'with the sum of all {n}')
    return False


def _judge_messages(net, n):
    steps = int(math.log2(n))
    per_worker = [sum(1 for src, _, _ in net.messages if src == w) for w in range(n)]
    if any(count != steps for count in per_worker):
        print(f'✗ the sums are right, but the workers sent {per_worker} messages: a butterfly sends '
              f'one message per worker per step, log2({n}) = {steps} each')
        return False
    if any(not _power_of_two(src ^ dst) for src, dst, _ in net.messages):
        print('✗ the sums are right, but some messages go to a worker that is not a butterfly '
              'partner: in step k, worker i talks only to i ^ k')
        return False
    return True


def _power_of_two(x):
    return x > 0 and x & (x - 1) == 0


def _check_values(butterfly_allreduce):
    rng = np.random.default_rng(9)
    vectors = [rng.standard_normal(5) for _ in range(4)]
    results, status = call('butterfly_allreduce', butterfly_allreduce, vectors,
                            RecordingNetwork())
    if status != 'ok' or not all(np.allclose(np.asarray(r), np.sum(vectors, axis=0), rtol=1e-12,
                                             atol=1e-12) for r in results):
        print('✗ right on one-hot vectors but not on random ones of length 5: add whole vectors, not '
              'one element')
        return False
    print('✓ butterfly all-reduce: every worker holds the sum after log2(n) steps, one message per '
          'worker per step (log2(n) · n bytes sent per worker, against the ring\'s 2(n−1)/n · n)')
    return True


# --- exercise 3 (part two): the values that cross between ranks --------------------------------------
# Graphs as lists of (op, values read, values made), with a rank per op.  The first is section 7's
# seed net; in the second, three ranks, a value read on two other ranks and a parameter (w, tied) read
# on two ranks.
SEED_OPS = [('matmul1', ['x', 'w1'], ['h']), ('relu', ['h'], ['a']), ('matmul2', ['a', 'w2'], ['p']),
            ('loss', ['p', 'y'], ['l']), ('dloss', ['p', 'y'], ['dp']), ('dw2', ['a', 'dp'], ['gw2']),
            ('da', ['dp', 'w2'], ['ga']), ('drelu', ['h', 'ga'], ['gh']), ('dw1', ['x', 'gh'], ['gw1'])]
SEED_RANKS = {'matmul1': 0, 'relu': 0, 'matmul2': 1, 'loss': 1, 'dloss': 1, 'dw2': 1, 'da': 1,
              'drelu': 0, 'dw1': 0}
TIED_OPS = [('embed', ['x', 'w'], ['e']), ('mix', ['e'], ['m']), ('head', ['m', 'w'], ['o']),
            ('skip', ['e', 'o'], ['s']), ('out', ['s', 'e'], ['z'])]
TIED_RANKS = {'embed': 0, 'mix': 1, 'head': 1, 'skip': 2, 'out': 2}


def expected_pairs(ops, rank_of):
    home = {v: rank_of[name] for name, _, outputs in ops for v in outputs}
    for name, inputs, _ in ops:
        for v in inputs:
            home.setdefault(v, rank_of[name])
    pairs = []
    for name, inputs, _ in ops:
        for v in inputs:
            if home[v] != rank_of[name] and (v, home[v], rank_of[name]) not in pairs:
                pairs.append((v, home[v], rank_of[name]))
    return pairs


def check_send_recv_pairs(send_recv_pairs):
    for ops, ranks in ((SEED_OPS, SEED_RANKS), (TIED_OPS, TIED_RANKS)):
        got, status = call('send_recv_pairs(ops, rank_of)', send_recv_pairs,
                            [(n, list(i), list(o)) for n, i, o in ops], dict(ranks))
        if status != 'ok':
            return no_answer(status, 'hint: a value lives where the op that makes it runs (a '
                                     'value no op makes: where its first reader runs); every '
                                     'other rank that reads it needs one (value, from, to) pair')
        try:
            got = [(str(v), int(a), int(b)) for v, a, b in got]
        except Exception:
            print(f'✗ send_recv_pairs returned {got!r}: return a list of (value, from rank, to rank)')
            return False
        if not _judge_pairs(got, expected_pairs(ops, ranks), ranks, ops):
            return False
    print('✓ send_recv_pairs: one pair per value and per rank that reads it without holding it — '
          'the seed net needs two, the activation and its gradient, as mt.static.partition found')
    return True


def _judge_pairs(got, want, ranks, ops):
    if sorted(got) == sorted(want):
        return True
    same = [p for p in got if p[1] == p[2]]
    repeated = sorted({p for p in got if got.count(p) > 1})
    reversed_ = [p for p in got if p not in want and (p[0], p[2], p[1]) in want]
    made = {v for _, _, outputs in ops for v in outputs}
    missing = [p for p in want if p not in got]
    if same:
        v, r, _ = same[0]
        print(f'✗ {same[0]} goes from rank {r} to rank {r}: a value read where it lives needs no '
              f'message — pair only the reads on other ranks')
    elif repeated:
        print(f'✗ {repeated[0]} appears {got.count(repeated[0])} times: several ops of rank '
              f'{repeated[0][2]} read {repeated[0][0]!r}, but it crosses once — the receiving rank '
              f'keeps what it received for all its readers')
    elif reversed_:
        v, a, b = reversed_[0]
        print(f'✗ {reversed_[0]} runs backwards: {v!r} lives on rank {b} and is read on rank {a}; a '
              f'pair goes (value, rank that holds it, rank that reads it)')
    elif missing and all(p[0] not in made for p in missing):
        v, a, b = missing[0]
        print(f'✗ {missing[0]} is missing: {v!r} is made by no op (an input or a parameter); it '
              f'lives on the rank of its first reader, rank {a}, and rank {b} needs it too')
    elif missing and any(p[0] == q[0] for p in missing for q in got):
        v, a, b = next(p for p in missing if any(p[0] == q[0] for q in got))
        print(f'✗ {(v, a, b)} is missing: {v!r} is read on more than one other rank — one pair per '
              f'rank that reads it')
    else:
        print(f'✗ for ranks {ranks} the pairs are {sorted(want)}, you gave {sorted(got)}: a value '
              f'lives where the op that makes it runs')
    return False


# --- exercise 4 (part two): GPipe's schedule by hand ---------------------------------------------------
def check_gpipe_grid(gpipe_grid):
    import minitorch as mt
    for p, m in ((2, 4), (3, 2), (4, 5), (2, 1)):
        got, status = call(f'gpipe_grid({p}, {m})', gpipe_grid, p, m)
        if status != 'ok':
            return no_answer(status, 'hint: stage s runs F1 … Fm starting at tick s, then Bm … '
                                     'B1; the last stage starts Bm right after its Fm, and each '
                                     'stage one tick after the next')
        want = mt.static.gpipe(p, m).grid()
        try:
            got = [[str(label or '') for label in row] for row in got]
        except Exception:
            print(f'✗ gpipe_grid({p}, {m}) returned {got!r}: return one list of labels per stage')
            return False
        if got != want and not _judge_grid(got, want, p, m):
            return False
    print('✓ gpipe_grid: fill, then drain — and the idle cells are (p−1)/(m+p−1) of the grid, the '
          'bubble mt.static.bubble_model gives')
    return True


def _judge_grid(got, want, p, m):
    if len(got) != p:
        print(f'✗ gpipe_grid({p}, {m}) has {len(got)} rows: one row per stage, {p} of them')
        return False
    where = {}
    for s, row in enumerate(got):
        labels = [label for label in row if label]
        needed = [f'F{i}' for i in range(1, m + 1)] + [f'B{i}' for i in range(1, m + 1)]
        if sorted(labels) != sorted(needed):
            wrong = sorted(set(needed) - set(labels)) or sorted(set(labels) - set(needed)) or labels
            print(f'✗ stage {s} runs {labels} (p={p}, m={m}): every stage runs each of F1 … F{m} and '
                  f'B1 … B{m} once — check {wrong[0]}')
            return False
        where.update({(s, label): tick for tick, label in enumerate(row) if label})
    return _judge_order(got, where, p, m) and _judge_timing(got, want, where, p, m)


def _judge_order(got, where, p, m):
    for s in range(p):
        sequence = [label for label in got[s] if label]
        last_forward = max(i for i, label in enumerate(sequence) if label[0] == 'F')
        first_backward = min(i for i, label in enumerate(sequence) if label[0] == 'B')
        if first_backward < last_forward:
            print(f'✗ stage {s} runs {sequence[first_backward]} before {sequence[last_forward]}: '
                  f'forward and backward interleave (that is the 1F1B schedule) — fill–drain runs '
                  f'all forward passes first')
            return False
        backward = [int(label[1:]) for label in sequence if label[0] == 'B']
        if backward != sorted(backward, reverse=True):
            order = [f'B{i}' for i in backward]
            print(f'✗ stage {s} drains in the order {order}: GPipe runs the '
                  f'backward passes from the last micro-batch to the first (B{m} first: its forward '
                  f'has just ended on the last stage)')
            return False
    for (s, label), tick in sorted(where.items(), key=lambda item: item[1]):
        i = int(label[1:])
        before = (s - 1, label) if label[0] == 'F' else \
            ((s + 1, label) if s + 1 < p else (s, f'F{i}'))
        if before in where and where[before] >= tick:
            print(f'✗ stage {s} runs {label} at tick {tick}, but it needs {before[1]} of stage '
                  f'{before[0]}, which runs at tick {where[before]}: a task waits for its input')
            return False
    return True


def _judge_timing(got, want, where, p, m):
    for s in range(p):
        for t, label in enumerate(want[s]):
            if label and where[(s, label)] > t:
                print(f'✗ stage {s} runs {label} at tick {where[(s, label)]}, but its input is ready '
                      f'at tick {t}: each task starts as soon as its stage is free and its input '
                      f'ready')
                return False
    if any(len(row) != len(want[0]) for row in got):
        print(f'✗ the rows have {sorted({len(row) for row in got})} ticks; the step takes '
              f'2(m + p − 1) = {len(want[0])} (one list entry per tick, \'\' when idle)')
        return False
    print(f'✗ gpipe_grid({p}, {m}) differs from GPipe\'s schedule: {got} vs {want}')
    return False
