"""What goes wrong between processes, and how one failure ends them all.

A rank that raises and simply exits would leave the others waiting forever in their next collective.
`install_abort_on_error` makes an uncaught exception print its traceback (headed by the rank) and then
call MPI's Abort, which makes the launcher end every rank of the job within a second or so.
"""
import array
import functools
import os
import stat
import sys
import time


class DistError(RuntimeError):
    """An error of minitorch.distributed (as torch.distributed.DistError)."""


class DistBackendError(DistError):
    """The communication backend failed: a peer timed out, crashed, or NCCL/MPI reported an error."""


class DistTimeoutError(DistBackendError):
    """A collective or point-to-point operation did not complete within the group's timeout."""


@functools.cache       # every operation asks for it: an import statement per call costs a microsecond
def load_mpi():
    """mpi4py's MPI module, imported on first use (importing it starts MPI in this process)."""
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise DistError("minitorch.distributed needs mpi4py and an MPI library: pip install -e "
                        "'.[distributed]' (installs mpi4py and the mpich wheel, with mpiexec)") from error
    return MPI


def install_abort_on_error(comm, rank, size):
    """Make an uncaught exception in this process end all processes of `comm` (MPI Abort)."""
    previous = sys.excepthook

    def abort_all_ranks(kind, value, traceback):
        sys.stderr.write(f'[rank {rank} of {size}] uncaught {kind.__name__}; ending all {size} '
                         f'processes (MPI Abort):\n')
        previous(kind, value, traceback)
        sys.stderr.flush()
        sys.stdout.flush()
        wait_until_read((sys.stdout, sys.stderr))
        comm.Abort(1)

    abort_all_ranks.previous = previous
    sys.excepthook = abort_all_ranks


def unread_bytes(fd):
    """Bytes written to the pipe `fd` that its reader has not read yet (0 when fd is not a pipe)."""
    try:
        import fcntl
        import termios
    except ImportError:          # not a POSIX system: no way to ask, so nothing to wait for
        return 0
    if not stat.S_ISFIFO(os.fstat(fd).st_mode):
        return 0
    count = array.array('i', [0])
    fcntl.ioctl(fd, termios.FIONREAD, count)
    return count[0]


def wait_until_read(streams, limit=2.0):
    """Wait (at most `limit` seconds) until the launcher has read what this process wrote to `streams`.

    The launcher forwards a rank's output from a pipe; on Abort it ends the job, and text still in
    the pipe is lost: the very error message the user needs.  Returns whether everything was read."""
    fds = []
    for stream in streams:
        try:
            fds.append(stream.fileno())
        except (AttributeError, OSError, ValueError):     # replaced by an object without a descriptor
            pass
    deadline = time.monotonic() + limit
    while any(unread_bytes(fd) for fd in fds):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


def remove_abort_on_error():
    hook = sys.excepthook
    if hasattr(hook, 'previous'):
        sys.excepthook = hook.previous
