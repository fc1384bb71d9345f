"""minitorch.distributed on real processes: each test runs a script of tests/distributed/ with
`mpiexec -n N` and checks what it printed and how it ended."""
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


pytestmark = [
    pytest.mark.skipif(not mpi4py_importable(),
                       reason="mpi4py is not installed: pip install -e '.[distributed]' (mpi4py, mpich)"),
    pytest.mark.skipif(dist.mpiexec_path() is None,
                       reason="no mpiexec: pip install -e '.[distributed]' brings mpich's"),
]


def run(script, nprocs, *args, timeout=120):
    start = time.perf_counter()
    result = dist.launch(os.path.join(HERE, script), nprocs, args, timeout=timeout,
                         env={'OMP_NUM_THREADS': '1', 'OPENBLAS_NUM_THREADS': '1'})
    return result, time.perf_counter() - start


@pytest.mark.parametrize('nprocs', [2, 3])
def test_collectives_match_numpy(nprocs):
    result, _ = run('collectives.py', nprocs)
    assert result.returncode == 0, result.stderr
    assert f'collectives ok on {nprocs} ranks' in result.stdout


@pytest.mark.parametrize('nprocs', [2, 3])
def test_ddp_equals_one_process_and_overlaps_backward(nprocs):
    result, _ = run('ddp.py', nprocs)
    assert result.returncode == 0, result.stderr
    assert f'ddp ok on {nprocs} ranks' in result.stdout


def test_a_failing_rank_ends_every_rank():
    result, seconds = run('faults.py', 2, 'raise')
    assert result.returncode != 0
    assert seconds < 20, f'the job took {seconds:.0f} s to end'    # rank 0 would otherwise sleep 60 s
    assert 'ValueError: rank 1 fails on purpose' in result.stderr
    assert '[rank 1 of 2] uncaught ValueError' in result.stderr


def test_a_stuck_peer_becomes_a_timeout_error():
    result, seconds = run('faults.py', 2, 'timeout')
    assert result.returncode != 0 and seconds < 20
    assert 'DistTimeoutError' in result.stderr and 'timed out after 1 s' in result.stderr


def test_mismatched_calls_name_both_sides():
    result, _ = run('faults.py', 2, 'mismatch')
    assert result.returncode == 0, result.stderr
    shape, dtype, op, p2p = result.stdout.strip().splitlines()
    assert 'rank 0: all_reduce(op=SUM) with a float32 tensor of shape [3]' in shape
    assert 'rank 1: all_reduce(op=SUM) with a float32 tensor of shape [4]' in shape
    assert 'float32 tensor of shape [2]' in dtype and 'int64 tensor of shape [2]' in dtype
    assert 'op=SUM' in op and 'op=MAX' in op
    assert 'rank 0 sent a float32 tensor of shape [2, 2]' in p2p and 'shape [4]' in p2p
