"""Send and Recv: the two ops a partitioned graph adds on every edge that crosses from one rank to another.

    _ = send t16 dst=1 tag=0                                 # in rank 0's part
    t3:f32[64,100] = recv src=0 tag=0 shape=(64, 100) dtype=float32     # in rank 1's part

They are primitives like any other, so the compiled code calls their forward like any op's.  Recv's
forward allocates an array of the edge's shape and dtype and fills it with `minitorch.distributed`'s
receive, blocking until the data is there.  Send's forward copies its array and starts
`minitorch.distributed.isend` with it: the rank goes on computing while the message travels (a send
that waited for the receiver to take it would hold a pipeline stage until the next stage had caught
up), and every send still in flight is waited for at the end of the run (`flush`).  Each edge has its
own tag, so a receive can only match the send of its own edge.  Both are marked `has_effects`: no
graph pass removes, merges, folds or reorders them.

Where the messages go is a *transport*, per thread: MPI by default (one process per rank, started by
mpiexec); `threads_transport` runs every rank as a thread of one process, for tests and for reading a
partition without MPI.  Both time how long a rank waits in them (`wait_seconds`), which is how the
pipeline measures its bubble.
"""
import queue
import threading
import time

import numpy as np

from ..autograd.function import Primitive


class Send(Primitive):
    """Send the input array to rank `dst` (buffered: the rank goes on at once; matched by the Recv
    with the same tag)."""
    op_name = 'send'
    viz_role = 'static_send'        # drawn as an arrow leaving the part
    differentiable = False
    has_effects = True

    @staticmethod
    def forward(ctx, x, dst, tag):
        transport().send(x, dst, tag)


class Recv(Primitive):
    """Receive an array of `shape` and `dtype` from rank `src` (blocking), sent with `tag`."""
    op_name = 'recv'
    viz_role = 'static_recv'        # drawn as an arrow entering the part
    differentiable = False
    has_effects = True

    @staticmethod
    def forward(ctx, src, tag, shape, dtype):
        return transport().recv(src, tag, shape, dtype)


# --- transports --------------------------------------------------------------------------------------
class Transport:
    """Where Send and Recv deliver: `rank`, `size`, send(array, dst, tag), recv(src, tag, shape, dtype),
    barrier(); `wait_seconds` adds up the time spent in send and recv (waiting for a peer, or
    copying); while `intervals` is a list, each wait's (begin, end) perf_counter times go into it."""
    rank = 0
    size = 1

    def __init__(self):
        self.wait_seconds = 0.0
        self.intervals = None

    def flush(self):
        """Wait until every send this rank started has completed."""

    def waited(self, start):
        stop = time.perf_counter()
        self.wait_seconds += stop - start
        if self.intervals is not None:
            self.intervals.append((start, stop))


class MPITransport(Transport):
    """minitorch.distributed's send and recv in the default process group (processes from mpiexec)."""

    def __init__(self):
        super().__init__()
        import minitorch.distributed as dist
        self.dist = dist
        self.rank, self.size = dist.get_rank(), dist.get_world_size()
        self.in_flight = []             # the Works of sends not yet seen complete

    def send(self, array, dst, tag):
        start = time.perf_counter()
        self.in_flight = [w for w in self.in_flight if not w.is_completed()]
        copy = np.array(array, order='C', copy=True)    # the program may reuse the array's memory
        self.in_flight.append(self.dist.isend(_tensor(copy), dst, tag=tag))
        self.waited(start)

    def flush(self):
        start = time.perf_counter()
        for work in self.in_flight:
            _finish(work)
        self.in_flight = []
        self.waited(start)

    def recv(self, src, tag, shape, dtype):
        start = time.perf_counter()
        buffer = _tensor(np.empty(shape, dtype))
        _finish(self.dist.irecv(buffer, src, tag=tag))
        self.waited(start)
        return buffer._data

    def barrier(self):
        self.dist.barrier()


class PeerFailed(RuntimeError):
    """Another rank of a threads_transport job raised: this one stops waiting for it."""


SPIN_SECONDS = 50e-6        # test a message in flight in a tight loop this long,
NAP_SECONDS = 50e-6         # then sleep this long between tests,
PATIENCE_SECONDS = 1.0      # and after this long hand over to Work.wait (the group's timeout)


def _finish(work):
    """Wait for a send or receive to complete, leaving the core to others while the peer computes:
    a pipeline stage often waits milliseconds for its input, and on a machine with as many ranks as
    cores (or other work), spinning through the wait would slow down the very rank it waits for."""
    start = time.perf_counter()
    while not work.is_completed():
        waited = time.perf_counter() - start
        if waited > PATIENCE_SECONDS:
            break
        if waited > SPIN_SECONDS:
            time.sleep(NAP_SECONDS)
    work.wait()


class _Mailboxes:
    """The messages in flight between the threads of threads_transport: one queue per (src, dst, tag)."""

    def __init__(self, size, timeout):
        self.size, self.timeout = size, timeout
        self.queues = {}
        self.lock = threading.Lock()
        self.barrier = threading.Barrier(size, timeout=timeout)
        self.failed = None              # the rank that raised, once one has

    def box(self, src, dst, tag):
        with self.lock:
            return self.queues.setdefault((src, dst, tag), queue.Queue())

    def abort(self, rank):
        """Rank `rank` failed: every rank waiting in recv or barrier raises PeerFailed."""
        self.failed = rank
        self.barrier.abort()


class ThreadTransport(Transport):
    """One rank of a job whose ranks are threads of this process (see threads_transport)."""

    def __init__(self, mailboxes, rank):
        super().__init__()
        self.mailboxes, self.rank, self.size = mailboxes, rank, mailboxes.size

    def send(self, array, dst, tag):
        self.mailboxes.box(self.rank, dst, tag).put(np.array(array, copy=True))

    def recv(self, src, tag, shape, dtype):
        start = time.perf_counter()
        box = self.mailboxes.box(src, self.rank, tag)
        while True:
            try:
                array = box.get(timeout=0.01)
                break
            except queue.Empty:
                self._check(src, tag, start)
        self.waited(start)
        if array.shape != tuple(shape) or array.dtype != np.dtype(dtype):
            raise ValueError(f'rank {self.rank}: recv with tag {tag} expected {np.dtype(dtype)}'
                             f'{list(shape)}, rank {src} sent {array.dtype}{list(array.shape)}')
        return array

    def _check(self, src, tag, start):
        if self.mailboxes.failed is not None:
            raise PeerFailed(f'rank {self.rank}: rank {self.mailboxes.failed} failed while this '
                             f'rank waited for tag {tag} from rank {src}')
        if time.perf_counter() - start > self.mailboxes.timeout:
            raise TimeoutError(f'rank {self.rank}: recv from rank {src} with tag {tag} waited '
                               f'{self.mailboxes.timeout:g} s and nothing came')

    def barrier(self):
        try:
            self.mailboxes.barrier.wait()
        except threading.BrokenBarrierError:
            raise PeerFailed(f'rank {self.rank}: rank {self.mailboxes.failed} failed before the '
                             f'barrier') from None

    def abort(self):
        self.mailboxes.abort(self.rank)


def threads_transport(size, timeout=30.0):
    """Transports for `size` ranks that are threads of this process: [ThreadTransport, ...]."""
    mailboxes = _Mailboxes(size, timeout)
    return [ThreadTransport(mailboxes, rank) for rank in range(size)]


_LOCAL = threading.local()


def transport():
    """This thread's transport: the one installed with `using(...)`, else MPI's (made on first use)."""
    found = getattr(_LOCAL, 'transport', None)
    if found is None:
        found = _LOCAL.transport = MPITransport()
    return found


class using:
    """`with using(t):` Send and Recv in this thread go through transport t."""

    def __init__(self, t):
        self.t = t

    def __enter__(self):
        self.previous = getattr(_LOCAL, 'transport', None)
        _LOCAL.transport = self.t
        return self.t

    def __exit__(self, *exc):
        _LOCAL.transport = self.previous
        return False


def _tensor(array):
    from ..backend import CPU
    from ..tensor import Tensor
    return Tensor._make(array, CPU)
