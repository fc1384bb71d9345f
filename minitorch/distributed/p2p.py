"""Point-to-point: send a tensor to one rank, receive one from another (always through MPI).

Each message travels with a small header (the sender's dtype and shape), so that a receiver whose
tensor does not fit says so, naming both sides, instead of failing on truncated bytes; the header
also tells a receive from any source (src=None) where to take the data from.  MPI tags: the user's
tag t becomes 2t for the data and 2t + 1 for the header.
"""
import numpy as np

from .buffers import HostBuffer
from .checks import LENGTH, describe_tensor, fingerprint
from .errors import DistError, load_mpi
from .work import Work

SHAPE_AND_DTYPE = np.r_[4, 6:LENGTH]     # the header's fields a receiver must match (not the device)


def send(group, tensor, dst, tag):
    MPI = load_mpi()
    header = fingerprint('send', tensor)
    buffer = HostBuffer(tensor, writable=False)
    requests = [group.comm.Isend(header, dest=dst, tag=2 * tag + 1),
                group.comm.Isend(buffer.spec(MPI), dest=dst, tag=2 * tag)]
    work = Work(f'send to rank {dst}', group, lambda: MPI.Request.Testall(requests), result=[tensor])
    work._buffers = (header, buffer)        # kept alive until the send is over
    return work


class Receive(Work):
    """A receive: first the header (checked against the tensor), then the data from that sender.
    source_rank() says who sent it."""

    def __init__(self, group, tensor, src, tag):
        MPI = load_mpi()
        self._MPI, self._tensor, self._tag = MPI, tensor, tag
        self._header = np.empty(LENGTH, dtype=np.int64)
        self._status = MPI.Status()
        any_source = MPI.ANY_SOURCE if src is None else src
        self._header_request = group.comm.Irecv(self._header, source=any_source, tag=2 * tag + 1)
        self._buffer = HostBuffer(tensor)
        self._data_request = None
        self._source = None
        who = 'any rank' if src is None else f'rank {src}'
        super().__init__(f'recv from {who}', group, self._poll, [self._buffer.store], [tensor])

    def _poll(self):
        if self._data_request is None:
            if not self._header_request.Test(self._status):
                return False
            self._source = self._status.Get_source()
            self._check_fits()
            self._data_request = self._group.comm.Irecv(self._buffer.spec(self._MPI),
                                                        source=self._source, tag=2 * self._tag)
        return self._data_request.Test()

    def _check_fits(self):
        mine = fingerprint('send', self._tensor)
        if not np.array_equal(mine[SHAPE_AND_DTYPE], self._header[SHAPE_AND_DTYPE]):
            raise DistError(f'recv: rank {self._source} sent {describe_tensor(self._header)}, but '
                            f'rank {self._group.rank} receives into {describe_tensor(mine)}; the '
                            f'receiving tensor must have the sent shape and dtype')

    def source_rank(self):
        self.wait()
        return self._source
