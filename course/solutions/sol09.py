"""Solutions to notebook 09's exercises (many processes)."""
import math


def shard_indices(n, rank, world):
    """Rank `rank`'s share of samples 0 … n−1, as DistributedSampler(shuffle=False) gives it."""
    total = math.ceil(n / world) * world
    indices = list(range(n))
    while len(indices) < total:                 # pad by repeating the start
        indices += indices[:total - len(indices)]
    return indices[rank:total:world]


def butterfly_allreduce(vectors, net):
    """Recursive doubling: in step k = 1, 2, 4, … worker i swaps vectors with worker i ^ k and both add."""
    n = len(vectors)
    current = [v.copy() for v in vectors]
    k = 1
    while k < n:
        received = [net.send(i ^ k, i, current[i ^ k]) for i in range(n)]     # all sends of the step
        current = [current[i] + received[i] for i in range(n)]
        k *= 2
    return current
