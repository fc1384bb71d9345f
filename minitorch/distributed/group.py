"""The process group: which processes talk, through what, and how long a peer may keep them waiting.

init_process_group() is called once by every process of a job started by mpiexec.  It duplicates MPI's
COMM_WORLD (so minitorch's messages never meet any the user's own mpi4py code sends), remembers the
backend and timeout, and makes an uncaught exception on any rank end all ranks.
"""
import atexit
import datetime
import os
import sys
import warnings

from .errors import DistError, install_abort_on_error, load_mpi, remove_abort_on_error
from .launcher import how_to_launch, launched_by_mpi
from .progress import ProgressThread
from .work import SPIN_SECONDS, as_seconds

DEFAULT_TIMEOUT = datetime.timedelta(minutes=30)    # PyTorch's default for CPU backends
BACKENDS = ('mpi', 'nccl')


class ProcessGroup:
    """The ranks of one job and their communicator: `rank`, `size`, `backend`, `timeout` (seconds),
    `checks` (the cross-rank call check of checks.py); `comm` is the mpi4py communicator;
    `progress` the thread that advances operations in flight (progress.py), or None; `spin` how long
    a wait tests in a tight loop before it yields the core (work.py)."""

    def __init__(self, comm, backend, timeout, checks, progress):
        self.comm = comm
        self.backend = backend
        self.timeout = timeout
        self.checks = checks
        self.progress = progress
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        self.spin = 0.0 if _oversubscribed(comm) else SPIN_SECONDS
        self.nccl = None            # opened on the first collective on CUDA tensors (backend 'nccl')

    def __repr__(self):
        return f'<ProcessGroup {self.backend}: rank {self.rank} of {self.size}>'


_WORLD = None


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name='', pg_options=None, device_id=None):
    """Join the default process group.  backend: 'mpi' (also for CUDA tensors, staged through host
    memory), 'nccl' (CUDA tensors through NCCL where each rank has its own GPU, MPI otherwise), or
    'gloo' (accepted as 'mpi').  timeout: a timedelta or seconds (default 30 minutes) after which a
    peer that does not join an operation turns into a DistTimeoutError.  The processes come from
    `mpiexec -n N python script.py`; world_size=1 without a launcher makes a group of this process."""
    global _WORLD
    if _WORLD is not None:
        raise DistError('init_process_group: the default process group is already initialized; call '
                        'destroy_process_group() first')
    backend = _backend_name(backend)
    if init_method not in (None, 'env://') or store is not None:
        raise ValueError('init_process_group: minitorch finds its peers through MPI, so init_method '
                         f'and store are not used (got {init_method!r}); {how_to_launch(_script())}')
    if not launched_by_mpi() and world_size != 1:
        raise DistError('init_process_group: this process was not started by an MPI launcher, so it '
                        f'has no peers to join; {how_to_launch(_script())}\n(or pass world_size=1 '
                        'for a group of this process alone)')
    MPI = load_mpi()
    comm = MPI.COMM_WORLD.Dup()
    _check_expected(comm, world_size, rank)
    checks = _flag('MINITORCH_DISTRIBUTED_CHECKS')
    progress = ProgressThread() if _flag('MINITORCH_DISTRIBUTED_PROGRESS') and \
        MPI.Query_thread() == MPI.THREAD_MULTIPLE else None
    _WORLD = ProcessGroup(comm, backend, as_seconds(timeout or DEFAULT_TIMEOUT), checks, progress)
    install_abort_on_error(MPI.COMM_WORLD, _WORLD.rank, _WORLD.size)
    atexit.register(destroy_process_group)      # runs before mpi4py finalizes MPI (registered earlier)


def destroy_process_group(group=None):
    """Leave the default group (MPI itself is finalized when the process exits)."""
    global _WORLD
    if _WORLD is None:
        return
    world, _WORLD = _WORLD, None
    if world.progress:
        world.progress.close()
    if world.nccl:
        world.nccl.destroy()
    world.comm.Free()
    remove_abort_on_error()


def is_initialized():
    """Has this process joined the default process group (init_process_group)?"""
    return _WORLD is not None


def is_available():
    """Can minitorch.distributed be used here (is mpi4py installed)?  Nothing is started."""
    import importlib.util
    return importlib.util.find_spec('mpi4py') is not None


is_mpi_available = is_available


def is_nccl_available():
    """Can CuPy's NCCL binding be imported here (needed by backend='nccl' for CUDA tensors)?"""
    try:
        from cupy.cuda import nccl      # noqa: F401
    except Exception:
        return False
    return True


def default_group(group=None, where='this function'):
    """The group to use (only the default one exists); raises when none was initialized."""
    if _WORLD is None:
        raise DistError(f'{where}: the default process group has not been initialized; call '
                        f'dist.init_process_group() first (in a process started by mpiexec)')
    if group is not None and group is not _WORLD:
        raise ValueError(f'{where}: unknown process group {group!r}; only the default group exists')
    return _WORLD


def get_rank(group=None):
    """This process's number in the group: 0 to get_world_size() - 1."""
    return default_group(group, 'get_rank').rank


def get_world_size(group=None):
    """How many processes the group has (mpiexec -n N)."""
    return default_group(group, 'get_world_size').size


def get_backend(group=None):
    """The group's backend name: 'mpi' or 'nccl'."""
    return default_group(group, 'get_backend').backend


def _backend_name(backend):
    name = 'mpi' if backend is None else str(backend).lower()
    if name == 'gloo':
        warnings.warn("init_process_group: minitorch has no gloo backend; using 'mpi' (the same "
                      'collectives, on CPU tensors)', stacklevel=3)
        name = 'mpi'
    if name not in BACKENDS:
        raise ValueError(f"init_process_group: unknown backend {backend!r}; use 'mpi' (CPU, and CUDA "
                         f"tensors through host memory) or 'nccl' (CUDA tensors, one GPU per rank)")
    return name


def _check_expected(comm, world_size, rank):
    if world_size not in (-1, None) and world_size != comm.Get_size():
        raise DistError(f'init_process_group: world_size={world_size}, but mpiexec started '
                        f'{comm.Get_size()} processes (mpiexec -n {world_size} ...)')
    if rank not in (-1, None) and rank != comm.Get_rank():
        raise DistError(f'init_process_group: rank={rank}, but MPI made this process rank '
                        f'{comm.Get_rank()}; leave rank out: MPI numbers the processes')


def _oversubscribed(comm):
    """More ranks on this machine than cores this process may use?"""
    MPI = load_mpi()
    local = comm.Split_type(MPI.COMM_TYPE_SHARED)
    ranks_here = local.Get_size()
    local.Free()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    return ranks_here > (cores or 1)


def _flag(name):
    return os.environ.get(name, '1') not in ('0', 'false', 'False', 'off', '')


def _script():
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ''
    return name if name.endswith('.py') else 'train.py'
