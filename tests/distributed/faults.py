"""Faults and bad input on N ranks (run by tests/test_distributed_mpi.py):

    mpiexec -n 2 python faults.py raise      rank 1 raises; every rank must end within seconds
    mpiexec -n 2 python faults.py timeout    rank 1 never joins; rank 0's all_reduce times out
    mpiexec -n 2 python faults.py mismatch   different shapes / dtypes / ops: errors naming both sides
"""
import datetime
import sys
import time

import minitorch as mt
import minitorch.distributed as dist


def fail_on_rank_one(rank):
    if rank == 1:
        time.sleep(0.2)
        raise ValueError('rank 1 fails on purpose')
    dist.barrier()                      # would wait forever for rank 1 without the abort
    time.sleep(60)


def never_join(rank):
    if rank == 1:
        time.sleep(60)
    dist.all_reduce(mt.ones(3))


def caught(fn):
    try:
        fn()
    except (dist.DistError, ValueError) as error:
        return str(error)
    raise AssertionError('expected an error')


def mismatches(rank):
    shape = caught(lambda: dist.all_reduce(mt.ones(3 + rank)))
    dtype = caught(lambda: dist.broadcast(mt.ones(2, dtype=[mt.float32, mt.int64][rank % 2]), src=0))
    ops = caught(lambda: dist.all_reduce(mt.ones(2), op=[dist.ReduceOp.SUM, dist.ReduceOp.MAX][rank % 2]))
    if rank == 0:
        dist.send(mt.ones(2, 2), dst=1)
    elif rank == 1:
        p2p = caught(lambda: dist.recv(mt.zeros(4), src=0))
    dist.barrier()
    if rank == 1:
        print('\n'.join([shape, dtype, ops, p2p]))


def main():
    mode = sys.argv[1]
    timeout = datetime.timedelta(seconds=1) if mode == 'timeout' else None
    dist.init_process_group('mpi', timeout=timeout)
    {'raise': fail_on_rank_one, 'timeout': never_join, 'mismatch': mismatches}[mode](dist.get_rank())
    dist.destroy_process_group()


if __name__ == '__main__':
    main()
