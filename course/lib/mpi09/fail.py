"""Notebook 09: one rank fails.  Rank 1 raises while rank 0 waits for it in a barrier; the error handler
installed by init_process_group prints rank 1's error and calls MPI's Abort, which ends every rank."""
import time

import minitorch.distributed as dist

dist.init_process_group('mpi')
if dist.get_rank() == 1:
    raise ValueError('rank 1 cannot read its part of the data')
dist.barrier()          # without the abort, rank 0 would wait here forever
time.sleep(60)
