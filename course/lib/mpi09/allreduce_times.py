"""Notebook 09: how long dist.all_reduce takes, from 1 KB to 16 MB of float32.
Run as `mpiexec -n 2 python allreduce_times.py OUT.json`: rank 0 writes {'ranks', 'bytes', 'seconds'},
each the best of 5 bursts of calls between barriers (the least disturbed by other load)."""
import json
import sys
import time

import minitorch as mt
import minitorch.distributed as dist

SIZES = [2**k for k in range(10, 25)]


def best_time(tensor, calls):
    best = float('inf')
    for _ in range(5):
        dist.barrier()
        start = time.perf_counter()
        for _ in range(calls):
            dist.all_reduce(tensor)
        best = min(best, (time.perf_counter() - start) / calls)
    return best


dist.init_process_group('mpi')
for n in SIZES:                         # warm up: first calls pay for setting up buffers
    dist.all_reduce(mt.zeros(n // 4))
seconds = [best_time(mt.zeros(n // 4), max(2, min(100, 2**21 // n))) for n in SIZES]
if dist.get_rank() == 0:
    with open(sys.argv[1], 'w') as f:
        json.dump({'ranks': dist.get_world_size(), 'bytes': SIZES, 'seconds': seconds}, f)
dist.destroy_process_group()
