"""Running a partitioned graph: each rank runs its own part; the parts' sends and receives meet.

    dist.init_process_group('mpi')                  # in a script started by `mpiexec -n 2 python ...`
    parts = mt.static.partition(graph, {'0': 0, '2': 1})
    sess = mt.static.PartitionedSession(parts)      # this process's part, compiled (rank from MPI)
    loss, = sess.run({'x': x, 'y': y})              # outputs held by other ranks come back as None

A part is an ordinary graph with `send` and `recv` ops in it, so it compiles and runs like any other
(optimized first: each part gets the graph passes on its own).  Feeds are given by the names of the
whole graph's inputs (or in their order); each rank reads only the inputs that live on it.
`run_in_threads` runs every part at once, one thread per rank, in this process: the same sends and
receives through in-memory queues instead of MPI.
"""
import threading

import numpy as np

from ..backend import CPU
from ..tensor import Tensor
from . import comm_ops
from .errors import StaticError
from .executable import Executable
from .partition import clone


class PartitionedSession:
    """Runs rank `rank`'s part of a Partition (default: this process's rank in the MPI job)."""

    def __init__(self, partition, optimize=True, transport=None):
        self.partition = partition
        self.transport = transport or comm_ops.transport()
        check_world(partition, self.transport.size, 'PartitionedSession')
        self.rank = self.transport.rank
        part = clone(partition.parts[self.rank])        # optimized apart from the partition's
        if optimize:
            from .passes import optimize as run_passes
            part = run_passes(part)
        self.graph = part
        self.executable = Executable(part, CPU, name=f'rank{self.rank}')

    @property
    def code(self):
        """The generated Python source of this rank's part."""
        return self.executable.code

    def run(self, feed=None):
        """Run this rank's part once.  feed: {input name or value: array or tensor} (or a list in
        the whole graph's input order).  Returns the whole graph's outputs: those this rank holds
        as tensors, the others as None."""
        arrays = feed_arrays(self.partition, self.rank, feed)
        with comm_ops.using(self.transport):
            outputs = self.executable.run(arrays)
            self.transport.flush()              # this rank's sends still in flight
        return whole_outputs(self.partition, self.rank, outputs)


def whole_outputs(partition, rank, arrays):
    """The whole graph's outputs: rank's arrays as tensors where it holds them, None elsewhere."""
    result = [None] * len(partition.graph.outputs)
    for position, array in zip(partition.parts[rank].output_positions, arrays):
        result[position] = None if array is None else Tensor._make(array, CPU)
    return result


def check_world(partition, size, who):
    if size != partition.world_size:
        raise StaticError(f'{who}: the partition of graph {partition.graph.name!r} has '
                          f'{partition.world_size} ranks but this job has {size} processes; start it '
                          f'with mpiexec -n {partition.world_size} (one process per rank)')


def feed_arrays(partition, rank, feed, inputs=None):
    """The arrays of rank's part inputs, looked up in feed by name, by value or by position."""
    whole = partition.graph.inputs
    if isinstance(feed, (list, tuple)):
        if len(feed) != len(whole):
            raise StaticError(f'feed: graph {partition.graph.name!r} has {len(whole)} inputs '
                              f'({", ".join(v.name or "?" for v in whole)}), got {len(feed)} values')
        feed = dict(zip(whole, feed))
    feed = dict(feed or {})
    by_name = {k: v for k, v in feed.items() if isinstance(k, str)}
    mine = partition.values[rank]
    arrays = []
    for v in whole:
        if v not in mine or mine[v] not in (inputs if inputs is not None else
                                            partition.parts[rank].inputs):
            continue
        value = feed.get(v, by_name.get(v.name))
        if value is None:
            raise StaticError(f'feed: rank {rank} needs input {v.name!r} ({v.type_text()}); pass '
                              f'feed={{{v.name!r}: ...}}')
        arrays.append(checked_array(value, v))
    return arrays


def checked_array(value, v, shape=None):
    array = value.detach().numpy() if isinstance(value, Tensor) else np.asarray(value)
    want = v.shape if shape is None else shape
    if array.shape != tuple(want) or array.dtype != v.dtype:
        raise StaticError(f'feed for input {v.name!r}: expected {v.dtype.name}{list(want)}, got '
                          f'{array.dtype.name}{list(array.shape)}')
    return array


def run_in_threads(partition, feed=None, optimize=True, timeout=30.0):
    """Run every rank's part at once, each in a thread of this process, sends and receives going
    through queues.  Returns the whole graph's outputs (each from the rank that holds it)."""
    transports = comm_ops.threads_transport(partition.world_size, timeout)
    sessions = [PartitionedSession(partition, optimize, t) for t in transports]
    return held_by_any(run_ranks([lambda s=s: s.run(feed) for s in sessions], transports))


def held_by_any(per_rank):
    """The whole graph's outputs from every rank's (None where a rank does not hold one): each from
    the rank that holds it."""
    return [next((o for o in outputs if o is not None), None) for outputs in zip(*per_rank)]


def run_ranks(jobs, transports):
    """Call each job in its own thread (job r as rank r); returns their results in order.  A rank
    that raises makes the others stop waiting for it, and its error is raised here."""
    results, errors = [None] * len(jobs), [None] * len(jobs)

    def work(i):
        try:
            results[i] = jobs[i]()
        except BaseException as error:          # re-raised in the caller's thread below
            errors[i] = error
            transports[i].abort()
    threads = [threading.Thread(target=work, args=(i,), name=f'rank {i}') for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first = [e for e in errors if e is not None and not isinstance(e, comm_ops.PeerFailed)]
    if first or any(errors):
        raise (first or [e for e in errors if e is not None])[0]
    return results
