"""Tensors as MPI buffers: the tensor's own memory when it can be, a staged host copy when not.

A CPU tensor whose array is contiguous and writable *is* the buffer: MPI reads from and writes into
the numpy array the tensor holds, with no copy.  The values are staged in a contiguous host array, and
copied back when the operation completes, only for strided views, for float16 (MPI has no standard
half type: it travels as float32) and for GPU tensors when NCCL is not used (host staging).
"""
import numpy as np

from ..autograd import no_grad
from ..creation import from_numpy
from .reduce_op import ReduceOp

MPI_TYPE_NAMES = {np.dtype(np.float64): 'DOUBLE', np.dtype(np.float32): 'FLOAT',
                  np.dtype(np.int64): 'INT64_T', np.dtype(np.int32): 'INT32_T',
                  np.dtype(np.int16): 'INT16_T', np.dtype(np.int8): 'INT8_T',
                  np.dtype(np.uint8): 'UINT8_T', np.dtype(np.bool_): 'C_BOOL'}
WIRE = {np.dtype(np.float16): np.dtype(np.float32)}     # dtypes MPI lacks, and what carries them


def mark_written_in_place(tensor):
    """MPI has written new values straight into `tensor`'s array: record the change in its version
    counter, as an in-place op would (autograd then refuses a graph that saved the old values).
    This is the one place where minitorch.distributed changes a tensor without going through an op."""
    tensor._bump_version()


class HostBuffer:
    """The values of `tensor` as a contiguous 1-d host array for MPI (`.array`, `.spec(MPI)`);
    `store()` makes what MPI wrote into the array the tensor's values."""

    def __init__(self, tensor, writable=True):
        self.tensor = tensor
        self.array, self.direct = host_array(tensor, writable)

    def spec(self, MPI):
        return typed(MPI, self.array)

    def store(self):
        if self.direct:
            mark_written_in_place(self.tensor)
        else:
            write_values(self.tensor, self.array)


def typed(MPI, array):
    """A numpy array with its MPI datatype, as mpi4py takes a buffer."""
    return [array, getattr(MPI, MPI_TYPE_NAMES[array.dtype])]


def host_array(tensor, writable):
    """(array, direct): direct when `array` is the tensor's own memory."""
    wire = WIRE.get(tensor.dtype.np, tensor.dtype.np)
    array = tensor.numpy(force=True)        # a CPU tensor's own array; a GPU tensor's copied to host
    if tensor.device.type == 'cpu' and array.dtype == wire and array.flags.c_contiguous and \
            (array.flags.writeable or not writable):
        return array.reshape(-1), True
    return np.array(array, dtype=wire, order='C', copy=True).reshape(-1), False


def write_values(tensor, flat):
    """Copy the values of a flat host array into `tensor` (any device, dtype or layout), in place."""
    values = flat.reshape(tuple(tensor.shape)).astype(tensor.dtype.np, copy=False)
    with no_grad():
        tensor.copy_(from_numpy(values))


def contiguous_rows(tensors):
    """Several tensors' values as the rows of one new contiguous host array (what a gather sends or a
    scatter receives)."""
    return np.stack([host_array(t, writable=False)[0] for t in tensors])


def mpi_reduction(MPI, op, dtype, where):
    """The MPI.Op for ReduceOp `op` on minitorch dtype `dtype`."""
    if dtype.is_bool:
        if op is ReduceOp.AVG:
            raise TypeError(f'{where}: ReduceOp.AVG is not defined for bool tensors; use SUM or MAX '
                            f'(a logical or) or MIN (a logical and)')
        return MPI.LOR if op in (ReduceOp.SUM, ReduceOp.MAX) else MPI.LAND
    if op is ReduceOp.AVG and not dtype.is_floating_point:
        raise TypeError(f'{where}: ReduceOp.AVG needs a floating dtype, the tensor is {dtype}; use '
                        f'ReduceOp.SUM and divide, or convert first (t.double())')
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
            ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX}[op]


def divide_in_place(array, size):
    """AVG is SUM then this, on the host array that received the sum."""
    np.divide(array, size, out=array, casting='unsafe')
