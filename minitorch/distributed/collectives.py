"""The collectives and point-to-point operations, with torch.distributed's names and arguments.

Each checks its arguments here, checks (cheaply, see checks.py) that every rank makes the same call,
starts the operation on NCCL (CUDA tensors, backend 'nccl') or MPI, and either waits for it or, with
async_op=True, returns the Work handle whose wait() the caller must call before using the tensors.
Results are written into the tensors given, in place (their version counters record the change).
"""
import pickle

import numpy as np

from ..tensor import Tensor
from . import mpi_ops
from .checks import check_same_call
from .errors import load_mpi
from .group import default_group
from .nccl import nccl_for
from .p2p import Receive
from .p2p import send as _send
from .reduce_op import ReduceOp, as_reduce_op
from .work import wait_until


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Every rank's `tensor` becomes the reduction (SUM, AVG, PRODUCT, MIN, MAX) of all ranks'."""
    return all_reduce_unchecked(tensor, op, group, async_op, check=True)


def all_reduce_unchecked(tensor, op=ReduceOp.SUM, group=None, async_op=False, check=False):
    """all_reduce without the cross-rank call check, for callers that verified once that every rank
    passes the same layout (DistributedDataParallel's buckets)."""
    pg = default_group(group, 'all_reduce')
    op = as_reduce_op(op, 'all_reduce')
    _expect_tensor(tensor, 'all_reduce')
    if check:
        check_same_call(pg, 'all_reduce', tensor, op)
    return _run(_ops(pg, tensor).all_reduce(pg, tensor, op), async_op)


def broadcast(tensor, src, group=None, async_op=False):
    """Every rank's `tensor` becomes rank `src`'s."""
    pg = default_group(group, 'broadcast')
    _expect_tensor(tensor, 'broadcast')
    _expect_rank(pg, src, 'broadcast', 'src')
    check_same_call(pg, 'broadcast', tensor, root=src)
    return _run(_ops(pg, tensor).broadcast(pg, tensor, src), async_op)


def reduce(tensor, dst, op=ReduceOp.SUM, group=None, async_op=False):
    """Rank `dst`'s `tensor` becomes the reduction of all ranks'; the others' are left as they were."""
    pg = default_group(group, 'reduce')
    op = as_reduce_op(op, 'reduce')
    _expect_tensor(tensor, 'reduce')
    _expect_rank(pg, dst, 'reduce', 'dst')
    check_same_call(pg, 'reduce', tensor, op, root=dst)
    return _run(_ops(pg, tensor).reduce(pg, tensor, dst, op), async_op)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """tensor_list[r] becomes rank r's `tensor`, on every rank (world_size tensors shaped like it)."""
    pg = default_group(group, 'all_gather')
    _expect_tensor(tensor, 'all_gather')
    _expect_list(pg, tensor_list, tensor, 'all_gather', 'tensor_list')
    check_same_call(pg, 'all_gather', tensor, count=len(tensor_list))
    return _run(mpi_ops.all_gather(pg, list(tensor_list), tensor), async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """output_tensor (world_size times input_tensor's elements) becomes the ranks' inputs, rank
    after rank (stacked along dim 0, or concatenated along it)."""
    pg = default_group(group, 'all_gather_into_tensor')
    _expect_tensor(input_tensor, 'all_gather_into_tensor')
    _expect_scaled(pg, output_tensor, input_tensor, 'all_gather_into_tensor', 'output_tensor')
    check_same_call(pg, 'all_gather_into_tensor', input_tensor)
    ops = _ops(pg, output_tensor)
    return _run(ops.all_gather_into_tensor(pg, output_tensor, input_tensor), async_op)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Rank r's `output` becomes the reduction over all ranks of their input_list[r]."""
    pg = default_group(group, 'reduce_scatter')
    op = as_reduce_op(op, 'reduce_scatter')
    _expect_tensor(output, 'reduce_scatter')
    _expect_list(pg, input_list, output, 'reduce_scatter', 'input_list')
    check_same_call(pg, 'reduce_scatter', output, op, count=len(input_list))
    return _run(mpi_ops.reduce_scatter(pg, output, list(input_list), op), async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """As reduce_scatter, with the inputs as world_size consecutive blocks of one tensor."""
    pg = default_group(group, 'reduce_scatter_tensor')
    op = as_reduce_op(op, 'reduce_scatter_tensor')
    _expect_tensor(output, 'reduce_scatter_tensor')
    _expect_scaled(pg, input, output, 'reduce_scatter_tensor', 'input')
    check_same_call(pg, 'reduce_scatter_tensor', output, op)
    return _run(_ops(pg, output).reduce_scatter_tensor(pg, output, input, op), async_op)


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every rank has called barrier()."""
    pg = default_group(group, 'barrier')
    return _run(mpi_ops.barrier(pg), async_op)


def isend(tensor, dst, group=None, tag=0):
    """Start sending `tensor` to rank `dst`; returns a Work."""
    pg = default_group(group, 'isend')
    _expect_tensor(tensor, 'isend')
    _expect_rank(pg, dst, 'isend', 'dst')
    return _run(_send(pg, tensor, dst, tag), async_op=True)


def irecv(tensor, src=None, group=None, tag=0):
    """Start receiving into `tensor` from rank `src` (None: any rank); returns a Work."""
    pg = default_group(group, 'irecv')
    _expect_tensor(tensor, 'irecv')
    if src is not None:
        _expect_rank(pg, src, 'irecv', 'src')
    return _run(Receive(pg, tensor, src, tag), async_op=True)


def send(tensor, dst, group=None, tag=0):
    """Send `tensor` to rank `dst` and wait until it has left (the receiver calls recv)."""
    isend(tensor, dst, group, tag).wait()


def recv(tensor, src=None, group=None, tag=0):
    """Receive into `tensor`; returns the rank it came from."""
    return irecv(tensor, src, group, tag).source_rank()


def all_gather_object(object_list, obj, group=None):
    """object_list[r] becomes rank r's `obj` (any picklable Python object)."""
    pg = default_group(group, 'all_gather_object')
    if len(object_list) != pg.size:
        raise ValueError(f'all_gather_object: object_list has {len(object_list)} entries; it needs '
                         f'one per rank ({pg.size})')
    for rank, payload in enumerate(_gather_bytes(pg, pickle.dumps(obj))):
        object_list[rank] = pickle.loads(payload)


def broadcast_object_list(object_list, src=0, group=None):
    """object_list's entries become rank `src`'s (a list of the same length on every rank)."""
    pg = default_group(group, 'broadcast_object_list')
    _expect_rank(pg, src, 'broadcast_object_list', 'src')
    gathered = _gather_bytes(pg, pickle.dumps(list(object_list)) if pg.rank == src else b'')
    object_list[:] = pickle.loads(gathered[src])


# --- helpers ---------------------------------------------------------------------------------------
def _ops(group, tensor):
    return nccl_for(group, tensor) or mpi_ops


def _run(work, async_op):
    if async_op:
        if work._group.progress is not None and work.needs_progress:
            work._group.progress.watch(work)
        return work
    work.wait()
    return None


def _gather_bytes(group, payload):
    """Every rank's bytes, in rank order (two all-gathers: the lengths, then the padded bytes)."""
    MPI = load_mpi()
    lengths = np.zeros(group.size, dtype=np.int64)
    _wait(group, group.comm.Iallgather(np.array([len(payload)], dtype=np.int64), lengths), 'objects')
    rows = np.zeros((group.size, int(lengths.max())), dtype=np.uint8)
    mine = np.zeros(rows.shape[1], dtype=np.uint8)
    mine[:len(payload)] = np.frombuffer(payload, dtype=np.uint8)
    _wait(group, group.comm.Iallgather([mine, MPI.BYTE], [rows, MPI.BYTE]), 'objects')
    return [rows[r, :lengths[r]].tobytes() for r in range(group.size)]


def _wait(group, request, what):
    wait_until(request.Test, group.timeout,
               lambda: f'gathering {what} on rank {group.rank} of {group.size}', group.spin)


def _expect_tensor(tensor, where):
    if not isinstance(tensor, Tensor):
        raise TypeError(f'{where}: expected a minitorch Tensor, got {type(tensor).__name__}'
                        + ('; wrap a numpy array with mt.from_numpy(a)'
                           if isinstance(tensor, np.ndarray) else ''))


def _expect_rank(group, rank, where, name):
    if not isinstance(rank, int) or not 0 <= rank < group.size:
        raise ValueError(f'{where}: {name}={rank!r} is not a rank of this group (0 to {group.size - 1})')


def _expect_list(group, tensors, like, where, name):
    if len(tensors) != group.size:
        raise ValueError(f'{where}: {name} has {len(tensors)} tensors; it needs one per rank '
                         f'({group.size})')
    for i, t in enumerate(tensors):
        _expect_tensor(t, where)
        if t.shape != like.shape or t.dtype != like.dtype:
            raise ValueError(f'{where}: {name}[{i}] is {t.dtype} {list(t.shape)}, but every entry must '
                             f'be like the single tensor: {like.dtype} {list(like.shape)}')


def _expect_scaled(group, big, small, where, name):
    _expect_tensor(big, where)
    if big.numel() != group.size * small.numel() or big.dtype != small.dtype:
        raise ValueError(f'{where}: {name} is {big.dtype} {list(big.shape)}; it must hold world_size '
                         f'({group.size}) times the {small.numel()} elements of the other tensor, '
                         f'of dtype {small.dtype}')
