"""Helpers for the tests that run scripts of tests/distributed/ on real processes (mpiexec -n N):
the marks that skip them without mpi4py or mpiexec, and the launch itself."""
import os
import time

import pytest

import minitorch.distributed as dist

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'distributed')


def mpi4py_importable():
    try:
        import mpi4py  # noqa: F401  (the package only: mpi4py.MPI would start MPI in this process)
    except ImportError:
        return False
    return True


needs_mpi = [pytest.mark.skipif(not mpi4py_importable(), reason="mpi4py is not installed: pip "
                                "install -e '.[distributed]' (mpi4py, mpich)"),
             pytest.mark.skipif(dist.mpiexec_path() is None, reason='no mpiexec: pip install -e '
                                "'.[distributed]' brings mpich's")]


def run(script, nprocs, *args, timeout=120):
    """(the CompletedProcess, seconds) of tests/distributed/<script> on nprocs processes, one BLAS
    thread each."""
    start = time.perf_counter()
    result = dist.launch(os.path.join(HERE, script), nprocs, args, timeout=timeout,
                         env={'OMP_NUM_THREADS': '1', 'OPENBLAS_NUM_THREADS': '1'})
    return result, time.perf_counter() - start
