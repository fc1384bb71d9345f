"""minitorch.distributed: many processes training together (torch.distributed's names).

Start the processes with MPI's launcher; each runs the same script:

    mpiexec -n 2 python train.py

    import minitorch as mt
    import minitorch.distributed as dist
    dist.init_process_group('mpi')                      # 'nccl' for CUDA tensors, one GPU per rank
    rank, world = dist.get_rank(), dist.get_world_size()
    t = mt.tensor([float(rank)])
    dist.all_reduce(t, op=dist.ReduceOp.SUM)            # every rank now holds 0 + 1 + ... + (world-1)
    dist.destroy_process_group()

Collectives work in place on the tensors given; async_op=True returns a Work to wait() on.  CPU tensors
are MPI's buffers directly (no copies).  A rank that raises ends all ranks; a peer that does not join an
operation within init_process_group's timeout= raises DistTimeoutError; ranks that pass tensors of
different shapes or dtypes get an error naming both.  Importing this module does not import mpi4py:
that happens in init_process_group (needs pip install -e '.[distributed]').
"""
from .reduce_op import ReduceOp
from .errors import DistError, DistBackendError, DistTimeoutError
from .work import Work
from .group import (init_process_group, destroy_process_group, is_initialized, is_available,
                    is_mpi_available, is_nccl_available, get_rank, get_world_size, get_backend,
                    ProcessGroup)
from .collectives import (all_reduce, broadcast, reduce, all_gather, all_gather_into_tensor,
                          reduce_scatter, reduce_scatter_tensor, barrier, send, recv, isend, irecv,
                          all_gather_object, broadcast_object_list)
from .launcher import launch, launched_by_mpi, mpiexec_path, how_to_launch

__all__ = ['ReduceOp', 'DistError', 'DistBackendError', 'DistTimeoutError', 'Work',
           'init_process_group', 'destroy_process_group', 'is_initialized', 'is_available',
           'is_mpi_available', 'is_nccl_available', 'get_rank', 'get_world_size', 'get_backend',
           'ProcessGroup', 'all_reduce', 'broadcast', 'reduce', 'all_gather',
           'all_gather_into_tensor', 'reduce_scatter', 'reduce_scatter_tensor', 'barrier', 'send',
           'recv', 'isend', 'irecv', 'all_gather_object', 'broadcast_object_list', 'launch',
           'launched_by_mpi', 'mpiexec_path', 'how_to_launch']
