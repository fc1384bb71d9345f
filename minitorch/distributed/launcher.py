"""Starting many processes: MPI's own launcher, `mpiexec`, does it.

    mpiexec -n 4 python train.py                 # 4 processes on this machine
    mpiexec -n 8 -hosts node1,node2 python train.py      # 4 + 4 on two machines (mpich's hydra)
    mpiexec -n 8 -f hostfile python train.py     # a hostfile: one `name:slots` line per machine

Every process runs the same script; `init_process_group()` connects them and `get_rank()` tells each
which one it is.  `mpiexec` comes with the `mpich` wheel (pip install -e '.[distributed]') and lies next
to the Python executable of the environment.  `launch()` runs a script that way from Python (the course
notebook and the tests use it).
"""
import os
import shutil
import subprocess
import sys

# Variables a launcher sets in each process it starts: mpich/hydra and Intel MPI (PMI_*), PMIx-based
# launchers (Open MPI's prterun, Slurm's srun --mpi=pmix), Open MPI's mpirun.
LAUNCHER_VARIABLES = ('PMI_RANK', 'PMI_SIZE', 'PMIX_RANK', 'OMPI_COMM_WORLD_SIZE')


def launched_by_mpi():
    """Was this process started by an MPI launcher (mpiexec, mpirun, srun)?"""
    return any(name in os.environ for name in LAUNCHER_VARIABLES)


def mpiexec_path():
    """The `mpiexec` of this Python environment (the mpich wheel puts it beside `python`), else the one
    on PATH; None when there is none."""
    beside = os.path.join(os.path.dirname(sys.executable), 'mpiexec')
    if os.access(beside, os.X_OK):
        return beside
    return shutil.which('mpiexec')


def how_to_launch(script='train.py', nprocs=2):
    """The words that tell a user how to start `script` on `nprocs` processes."""
    mpiexec = mpiexec_path()
    where = mpiexec or 'mpiexec'
    install = '' if mpiexec else (" (there is no mpiexec yet: pip install -e '.[distributed]' "
                                  "installs mpi4py and mpich, which brings one)")
    return (f'start every process with MPI\'s launcher, e.g.\n    {where} -n {nprocs} {sys.executable} '
            f'{script}\n{install}and call init_process_group() in the script; across machines add '
            f'-hosts node1,node2 or -f hostfile')


def launch(script, nprocs=2, args=(), timeout=120, env=None):
    """Run `python script args...` on `nprocs` MPI processes and wait for them.  Returns the
    subprocess.CompletedProcess (returncode, stdout, stderr as text).  A run longer than `timeout`
    seconds is killed, and subprocess.TimeoutExpired raised."""
    mpiexec = mpiexec_path()
    if mpiexec is None:
        raise RuntimeError("launch: no mpiexec found: pip install -e '.[distributed]' (mpi4py and mpich)")
    command = [mpiexec, '-n', str(int(nprocs)), sys.executable, str(script), *map(str, args)]
    # a process launched from inside an MPI process must not inherit its launcher's connection
    full_env = {name: value for name, value in os.environ.items()
                if not name.startswith(('PMI_', 'PMIX_', 'OMPI_', 'MPI_LOCAL', 'HYDRA_'))}
    full_env.update(env or {})
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=full_env)
