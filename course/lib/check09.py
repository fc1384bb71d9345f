"""Checkers for notebook 09's exercises (many processes).

Each prints one line ("not done yet — hint: …", "✓ …" or "✗ <the mistake>: <hint>") and returns
None (not done), True (right) or False (wrong).  None of them raises.
"""
import math

import numpy as np


def _stub(value):
    return value is None or value is Ellipsis


def _call(label, fn, *args):
    """(result, status): status 'stub' when fn is an untouched stub, 'error: ...' when it raised;
    `label` names the call in the message."""
    try:
        result = fn(*args)
    except NotImplementedError:
        return None, 'stub'
    except Exception as err:                    # the learner's code may raise anything
        return None, f'error: {label} raised {type(err).__name__}: {err}'
    return result, 'stub' if _stub(result) else 'ok'


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
            got, status = _call(label, shard_indices, n, rank, world)
            if status == 'stub':
                print('not done yet — hint: rank r takes indices r, r + world, r + 2·world, … of the '
                      'list 0 … n−1, padded by repeating its start until its length divides by world')
                return None
            if status != 'ok':
                print(f'✗ {status[7:]}')
                return False
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
    results, status = _call('butterfly_allreduce(vectors, net)', butterfly_allreduce, vectors, net)
    if status == 'stub':
        print('not done yet — hint: in step k = 1, 2, 4, …, worker i and worker i ^ k send each other '
              'their vector through net.send and both add what they receive')
        return None
    if status != 'ok':
        print(f'✗ {status[7:]}')
        return False
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
    results, status = _call('butterfly_allreduce', butterfly_allreduce, vectors,
                            RecordingNetwork())
    if status != 'ok' or not all(np.allclose(np.asarray(r), np.sum(vectors, axis=0), rtol=1e-12,
                                             atol=1e-12) for r in results):
        print('✗ right on one-hot vectors but not on random ones of length 5: add whole vectors, not '
              'one element')
        return False
    print('✓ butterfly all-reduce: every worker holds the sum after log2(n) steps, one message per '
          'worker per step (log2(n) · n bytes sent per worker, against the ring\'s 2(n−1)/n · n)')
    return True
