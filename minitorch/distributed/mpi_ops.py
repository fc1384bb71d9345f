"""The operations on MPI: each starts a non-blocking MPI call on the tensors' buffers and returns a
Work whose wait() finishes it (copies staged values back, divides for AVG, bumps versions).

MPI makes progress on a non-blocking collective only while some MPI call runs in this process; the
polling of Work.is_completed() is such a call, which is what lets DistributedDataParallel move its
buckets forward between backward steps.
"""
import numpy as np

from .buffers import (HostBuffer, contiguous_rows, divide_in_place, mpi_reduction, typed,
                      write_values)
from .errors import DistBackendError, load_mpi
from .reduce_op import ReduceOp
from .work import Work


def _requests_done(requests, name):
    MPI = load_mpi()

    def poll():
        try:
            return MPI.Request.Testall(requests)
        except MPI.Exception as error:
            raise DistBackendError(f'{name}: MPI reported an error: {error}') from None
    return poll


def _work(group, name, requests, on_complete=(), result=()):
    return Work(name, group, _requests_done(requests, name), on_complete, result)


def all_reduce(group, tensor, op):
    MPI = load_mpi()
    mpi_op = mpi_reduction(MPI, op, tensor.dtype, 'all_reduce')
    buffer = HostBuffer(tensor)
    request = group.comm.Iallreduce(MPI.IN_PLACE, buffer.spec(MPI), mpi_op)
    return _work(group, 'all_reduce', [request], _finish_reduction(buffer, op, group.size), [tensor])


def reduce(group, tensor, dst, op):
    MPI = load_mpi()
    mpi_op = mpi_reduction(MPI, op, tensor.dtype, 'reduce')
    buffer = HostBuffer(tensor)
    if group.rank == dst:
        request = group.comm.Ireduce(MPI.IN_PLACE, buffer.spec(MPI), mpi_op, root=dst)
        steps = _finish_reduction(buffer, op, group.size)
    else:
        request = group.comm.Ireduce(buffer.spec(MPI), None, mpi_op, root=dst)
        steps = ()
    return _work(group, 'reduce', [request], steps, [tensor])


def broadcast(group, tensor, src):
    MPI = load_mpi()
    buffer = HostBuffer(tensor, writable=group.rank != src)
    request = group.comm.Ibcast(buffer.spec(MPI), root=src)
    steps = [buffer.store] if group.rank != src else []
    return _work(group, 'broadcast', [request], steps, [tensor])


def all_gather_into_tensor(group, output, input):
    MPI = load_mpi()
    source = HostBuffer(input, writable=False)
    target = HostBuffer(output)
    request = group.comm.Iallgather(source.spec(MPI), target.spec(MPI))
    return _work(group, 'all_gather_into_tensor', [request], [target.store], [output])


def all_gather(group, outputs, input):
    MPI = load_mpi()
    source = HostBuffer(input, writable=False)
    rows = np.empty((group.size, source.array.size), dtype=source.array.dtype)
    request = group.comm.Iallgather(source.spec(MPI), typed(MPI, rows))

    def store():
        for tensor, row in zip(outputs, rows):
            write_values(tensor, row)
    return _work(group, 'all_gather', [request], [store], outputs)


def reduce_scatter_tensor(group, output, input, op):
    MPI = load_mpi()
    mpi_op = mpi_reduction(MPI, op, output.dtype, 'reduce_scatter_tensor')
    source = HostBuffer(input, writable=False)
    target = HostBuffer(output)
    request = group.comm.Ireduce_scatter_block(source.spec(MPI), target.spec(MPI), mpi_op)
    return _work(group, 'reduce_scatter_tensor', [request],
                 _finish_reduction(target, op, group.size), [output])


def reduce_scatter(group, output, inputs, op):
    MPI = load_mpi()
    mpi_op = mpi_reduction(MPI, op, output.dtype, 'reduce_scatter')
    rows = contiguous_rows(inputs)
    target = HostBuffer(output)
    request = group.comm.Ireduce_scatter_block(typed(MPI, rows), target.spec(MPI), mpi_op)
    return _work(group, 'reduce_scatter', [request],
                 _finish_reduction(target, op, group.size), [output])


def barrier(group):
    return _work(group, 'barrier', [group.comm.Ibarrier()])


def _finish_reduction(buffer, op, size):
    if op is ReduceOp.AVG:
        return [lambda: divide_in_place(buffer.array, size), buffer.store]
    return [buffer.store]
