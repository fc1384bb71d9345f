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


# --- part two --------------------------------------------------------------------------------------
def send_recv_pairs(ops, rank_of):
    """The (value, from rank, to rank) pairs a partition needs: one per value and per rank that reads
    it without holding it.  A value lives where the op that makes it runs; a value no op makes (an
    input, a parameter) lives where its first reader runs."""
    home = {}
    for name, inputs, outputs in ops:
        for v in outputs:
            home[v] = rank_of[name]
    for name, inputs, outputs in ops:
        for v in inputs:
            home.setdefault(v, rank_of[name])          # the first reader, in the graph's order
    pairs = []
    for name, inputs, outputs in ops:
        for v in inputs:
            pair = (v, home[v], rank_of[name])
            if pair[1] != pair[2] and pair not in pairs:
                pairs.append(pair)
    return pairs


def gpipe_grid(stages, microbatches):
    """GPipe's fill–drain schedule, one tick per task: rows[s][t] is what stage s does at tick t."""
    p, m = stages, microbatches
    ticks = 2 * (m + p - 1)
    rows = [[''] * ticks for _ in range(p)]
    for s in range(p):
        for i in range(1, m + 1):
            rows[s][s + i - 1] = f'F{i}'                       # the fill: one tick behind stage s−1
            # the drain starts on the last stage right after its F_m, then walks back one stage
            # per tick; B_i comes (m − i) ticks after B_m
            rows[s][(m + p - 1) + (p - 1 - s) + (m - i)] = f'B{i}'
    return rows
