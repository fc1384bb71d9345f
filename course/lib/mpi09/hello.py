"""Notebook 09: the smallest real all-reduce.  Run as `mpiexec -n 4 python hello.py`.

Every process runs this same file; MPI gives each a rank.  Each rank holds a different tensor, one
all_reduce sums them in place on every rank, and rank 0 prints what every rank saw.
"""
import minitorch as mt
import minitorch.distributed as dist

dist.init_process_group('mpi')
rank, world = dist.get_rank(), dist.get_world_size()

t = mt.tensor([1.0, 10.0, 100.0]) * (rank + 1)
before = t.tolist()
dist.all_reduce(t, op=dist.ReduceOp.SUM)

lines = [None] * world
dist.all_gather_object(lines, f'rank {rank} of {world}: before {before}  after {t.tolist()}')
if rank == 0:
    print('\n'.join(lines))
dist.destroy_process_group()
