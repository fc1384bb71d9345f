"""NCCL for CUDA tensors (backend='nccl'), through CuPy's binding (cupy.cuda.nccl).

NCCL wants one GPU per rank: the communicator is opened, collectively, on the first collective on a
CUDA tensor; when some rank lacks NCCL, or two ranks share a GPU (a one-GPU machine running two
ranks), every rank warns once and CUDA tensors go through MPI with host staging instead.  Point-to-point
messages, the list forms of all_gather / reduce_scatter, barrier, and dtypes NCCL lacks (int16) always
use MPI.  Operations are queued on the current CUDA stream; wait() polls an event recorded after them.
Written against CuPy 13/14 and NCCL 2.x; not exercised by the CPU-only test suite.
"""
import socket
import warnings

from ..creation import from_dlpack
from ..autograd import no_grad
from .buffers import mark_written_in_place
from .errors import DistBackendError
from .reduce_op import ReduceOp
from .work import Work

NCCL_DTYPES = {'float64': 'NCCL_FLOAT64', 'float32': 'NCCL_FLOAT32', 'float16': 'NCCL_FLOAT16',
               'int64': 'NCCL_INT64', 'int32': 'NCCL_INT32', 'int8': 'NCCL_INT8',
               'uint8': 'NCCL_UINT8', 'bool': 'NCCL_UINT8'}


def nccl_for(group, tensor):
    """The group's NCCL communicator when it should carry this tensor, else None (use MPI)."""
    if group.backend != 'nccl' or tensor.device.type != 'cuda' or tensor.dtype.name not in NCCL_DTYPES:
        return None
    if group.nccl is None:
        group.nccl = open_nccl(group, tensor.device.index or 0) or False
    if group.nccl and group.nccl.device_index != (tensor.device.index or 0):
        raise DistBackendError(f'backend nccl: this rank communicates on cuda:{group.nccl.device_index}'
                               f' but the tensor is on {tensor.device}; keep one GPU per rank')
    return group.nccl or None


def open_nccl(group, device_index):
    """Every rank together: an NcclComm for this rank's GPU, or None (with a warning)."""
    problem = _why_no_nccl()
    place = None if problem else (socket.gethostname(), _bus_id(device_index))
    everyone = group.comm.allgather((place, problem))
    problems = [f'rank {rank}: {why}' for rank, (_, why) in enumerate(everyone) if why]
    places = [where for where, _ in everyone]
    if not problems and len(set(places)) < len(places):
        problems = [f'NCCL needs one GPU per rank, and {len(places)} ranks share '
                    f'{len(set(places))} GPU(s)']
    if problems:
        warnings.warn("backend 'nccl': CUDA tensors go through MPI with host staging instead ("
                      + '; '.join(problems) + ')', stacklevel=4)
        return None
    import cupy
    from cupy.cuda import nccl
    unique_id = group.comm.bcast(nccl.get_unique_id() if group.rank == 0 else None, root=0)
    with cupy.cuda.Device(device_index):
        communicator = nccl.NcclCommunicator(group.size, unique_id, group.rank)
    return NcclComm(communicator, device_index, group.size)


def _why_no_nccl():
    try:
        from cupy.cuda import nccl      # noqa: F401
    except Exception as error:
        return f'cupy.cuda.nccl cannot be imported ({error})'
    return None


def _bus_id(device_index):
    import cupy
    try:
        return cupy.cuda.Device(device_index).pci_bus_id
    except Exception:
        return str(device_index)


class NcclComm:
    def __init__(self, communicator, device_index, size):
        self.comm = communicator
        self.device_index = device_index
        self.size = size

    def destroy(self):
        self.comm.destroy()

    def _on_device(self):
        """NCCL calls and their stream belong to this rank's GPU, whatever the current device is."""
        import cupy
        return cupy.cuda.Device(self.device_index)

    # --- the operations: (group, tensors...) -> Work, as in mpi_ops ------------------------------
    def all_reduce(self, group, tensor, op):
        with self._on_device():
            array, direct = _device_array(tensor)
            stream = _stream()
            self.comm.allReduce(array.data.ptr, array.data.ptr, array.size, _dtype(tensor),
                                _op(op, tensor), stream.ptr)
            return self._finish('all_reduce', group, stream, tensor, array, direct, op)

    def reduce(self, group, tensor, dst, op):
        with self._on_device():
            array, direct = _device_array(tensor)
            stream = _stream()
            self.comm.reduce(array.data.ptr, array.data.ptr, array.size, _dtype(tensor), _op(op, tensor),
                             dst, stream.ptr)
            return self._finish('reduce', group, stream, tensor, array, direct,
                                op if group.rank == dst else None)

    def broadcast(self, group, tensor, src):
        with self._on_device():
            array, direct = _device_array(tensor)
            stream = _stream()
            self.comm.bcast(array.data.ptr, array.size, _dtype(tensor), src, stream.ptr)
            return self._finish('broadcast', group, stream, tensor, array, direct)

    def all_gather_into_tensor(self, group, output, input):
        with self._on_device():
            source, _ = _device_array(input)
            target, direct = _device_array(output)
            stream = _stream()
            self.comm.allGather(source.data.ptr, target.data.ptr, source.size, _dtype(input), stream.ptr)
            return self._finish('all_gather_into_tensor', group, stream, output, target, direct,
                                keep=source)

    def reduce_scatter_tensor(self, group, output, input, op):
        with self._on_device():
            source, _ = _device_array(input)
            target, direct = _device_array(output)
            stream = _stream()
            self.comm.reduceScatter(source.data.ptr, target.data.ptr, target.size, _dtype(output),
                                    _op(op, output), stream.ptr)
            return self._finish('reduce_scatter_tensor', group, stream, output, target, direct, op,
                                keep=source)

    def _finish(self, name, group, stream, tensor, array, direct, op=None, keep=None):
        import cupy
        if op is ReduceOp.AVG:
            array /= self.size                  # queued on the same stream, after the sum
        event = cupy.cuda.Event()
        event.record(stream)

        def poll():
            self.comm.check_async_error()
            return event.done

        def store():
            if direct:
                mark_written_in_place(tensor)
            else:
                with no_grad():
                    tensor.copy_(from_dlpack(array.reshape(tuple(tensor.shape))))
        work = Work(name, group, poll, [store], [tensor])
        work.needs_progress = False
        work._buffers = (array, keep)
        return work


def _stream():
    import cupy
    return cupy.cuda.get_current_stream()


def _device_array(tensor):
    """The tensor's CuPy array as a flat contiguous buffer; direct when it is the tensor's memory."""
    import cupy
    array = cupy.from_dlpack(tensor.detach())
    direct = array.flags.c_contiguous
    if not direct:
        array = cupy.ascontiguousarray(array)
    if array.dtype == cupy.bool_:
        array = array.view(cupy.uint8)
    return array.reshape(-1), direct


def _dtype(tensor):
    from cupy.cuda import nccl
    return getattr(nccl, NCCL_DTYPES[tensor.dtype.name])


def _op(op, tensor):
    from cupy.cuda import nccl
    if tensor.dtype.is_bool:
        if op is ReduceOp.AVG:
            raise TypeError('ReduceOp.AVG is not defined for bool tensors; use SUM, MAX or MIN')
        return nccl.NCCL_MAX if op in (ReduceOp.SUM, ReduceOp.MAX) else nccl.NCCL_MIN
    if op is ReduceOp.AVG and not tensor.dtype.is_floating_point:
        raise TypeError(f'ReduceOp.AVG needs a floating dtype, the tensor is {tensor.dtype}')
    return {ReduceOp.SUM: nccl.NCCL_SUM, ReduceOp.AVG: nccl.NCCL_SUM, ReduceOp.PRODUCT: nccl.NCCL_PROD,
            ReduceOp.MIN: nccl.NCCL_MIN, ReduceOp.MAX: nccl.NCCL_MAX}[op]
