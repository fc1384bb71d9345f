"""minitorch.distributed on real processes: each test runs a script of tests/distributed/ with
`mpiexec -n N` and checks what it printed and how it ended."""
import pytest

from test_distributed_support import needs_mpi, run

pytestmark = needs_mpi


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
