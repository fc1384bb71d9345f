"""minitorch.distributed in one process: what works without MPI running (errors, the sampler, the
call fingerprints, timeouts).  The multi-process tests are in test_distributed_mpi.py."""
import datetime
import subprocess
import sys
import time

import pytest

import minitorch as mt
import minitorch.distributed as dist
from minitorch.data import DataLoader, DistributedSampler, TensorDataset
from minitorch.distributed import checks, launcher
from minitorch.distributed.progress import ProgressThread
from minitorch.distributed.work import Work, as_seconds


def test_importing_does_not_start_mpi():
    code = 'import sys, minitorch.distributed, minitorch.nn.parallel; print("mpi4py" in sys.modules)'
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == 'False'


@pytest.fixture
def no_launcher(monkeypatch):
    for name in launcher.LAUNCHER_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_init_without_a_launcher_says_how_to_launch(no_launcher):
    with pytest.raises(dist.DistError, match=r'not started by an MPI launcher') as info:
        dist.init_process_group('mpi')
    assert 'mpiexec -n 2' in str(info.value) and 'world_size=1' in str(info.value)
    assert not dist.is_initialized()


def test_bad_arguments_to_init_are_named(no_launcher):
    with pytest.raises(ValueError, match="unknown backend 'smoke'"):
        dist.init_process_group('smoke')
    with pytest.raises(ValueError, match='init_method'):
        dist.init_process_group('mpi', init_method='tcp://10.0.0.1:23456')


def test_using_the_group_before_init_is_a_clear_error():
    with pytest.raises(dist.DistError, match='init_process_group'):
        dist.get_rank()
    with pytest.raises(dist.DistError, match='all_reduce.*init_process_group'):
        dist.all_reduce(mt.ones(2))
    with pytest.raises(RuntimeError, match='init_process_group'):
        mt.nn.parallel.DistributedDataParallel(mt.nn.Linear(2, 2))


def test_reduce_ops_have_pytorchs_names():
    assert [op.name for op in dist.ReduceOp] == ['SUM', 'AVG', 'PRODUCT', 'MIN', 'MAX']


def test_a_call_fingerprint_reads_back_as_words():
    code = checks.fingerprint('all_reduce', mt.zeros(3, 4, dtype=mt.int64), dist.ReduceOp.MAX)
    assert checks.describe(code) == ('all_reduce(op=MAX) with an int64 tensor of shape [3, 4] on cpu')
    code = checks.fingerprint('broadcast', mt.tensor(1.5), root=2)
    assert checks.describe(code) == 'broadcast(src=2) with a float32 tensor of shape [] on cpu'


class _Group:
    rank, size, timeout, spin = 0, 2, 0.05, 1e-3


def test_a_peer_that_never_joins_times_out():
    work = Work('all_reduce', _Group(), poll=lambda: False)
    with pytest.raises(dist.DistTimeoutError, match='all_reduce on rank 0 of 2 timed out after 0.05 s'):
        work.wait()
    assert not work.is_completed()


def test_the_progress_thread_completes_work_while_this_thread_does_not_poll():
    polls = []
    work = Work('all_reduce', _Group(), poll=lambda: polls.append(1) or len(polls) >= 3)
    progress = ProgressThread(interval=1e-4)
    try:
        progress.watch(work)
        deadline = time.monotonic() + 5
        while work.completed_at is None and time.monotonic() < deadline:
            time.sleep(1e-3)
    finally:
        progress.close()
    assert work.completed_at is not None and len(polls) == 3      # not polled again once done
    assert work.wait() is True


def test_an_error_met_by_the_progress_thread_is_raised_by_wait():
    def poll():
        raise dist.DistError('recv: rank 0 sent a float32 tensor of shape [2]')
    work = Work('recv', _Group(), poll=poll)
    progress = ProgressThread(interval=1e-4)
    try:
        progress.watch(work)
        with pytest.raises(dist.DistError, match='rank 0 sent'):
            work.wait()
    finally:
        progress.close()


def test_timeouts_may_be_timedeltas():
    assert as_seconds(datetime.timedelta(minutes=2)) == 120.0
    with pytest.raises(ValueError):
        as_seconds(0)


@pytest.mark.parametrize('n, replicas', [(12, 3), (10, 3), (5, 4), (7, 1)])
def test_sampler_shares_cover_the_dataset(n, replicas):
    shares = [list(DistributedSampler(range(n), replicas, r, seed=7)) for r in range(replicas)]
    assert all(len(share) == -(-n // replicas) for share in shares)
    everything = sorted(i for share in shares for i in share)
    assert set(everything) == set(range(n))
    assert len(everything) - n == (-n) % replicas        # padded by repeats to divide evenly


def test_sampler_without_padding_drops_the_rest():
    shares = [list(DistributedSampler(range(10), 3, r, drop_last=True)) for r in range(3)]
    flat = [i for share in shares for i in share]
    assert [len(s) for s in shares] == [3, 3, 3] and len(set(flat)) == 9


def test_sampler_order_is_shared_and_changes_with_the_epoch():
    sampler = DistributedSampler(range(20), 2, 0, seed=1)
    twin = DistributedSampler(range(20), 2, 1, seed=1)
    first = list(sampler)
    assert not set(first) & set(twin)
    sampler.set_epoch(1)
    assert list(sampler) != first and sorted(sampler) != sorted(range(0, 20, 2))
    assert list(DistributedSampler(range(6), 2, 1, shuffle=False)) == [1, 3, 5]


def test_dataloader_takes_the_sampler():
    data = TensorDataset(mt.arange(10), mt.arange(10) * 2)
    sampler = DistributedSampler(data, num_replicas=2, rank=1, shuffle=False)
    batches = [xb.tolist() for xb, _ in DataLoader(data, batch_size=2, sampler=sampler)]
    assert batches == [[1, 3], [5, 7], [9]]


def test_sampler_needs_a_group_or_explicit_ranks():
    with pytest.raises(RuntimeError, match='num_replicas= and rank='):
        DistributedSampler(range(4))
    with pytest.raises(ValueError, match='rank 2'):
        DistributedSampler(range(4), num_replicas=2, rank=2)


def test_a_failing_rank_waits_until_its_error_text_is_read_before_aborting():
    import os
    import threading

    from minitorch.distributed.errors import wait_until_read
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, 'w') as writer, os.fdopen(read_end, 'r') as reader:
        writer.write('ValueError: rank 1 fails\n')
        writer.flush()
        assert not wait_until_read([writer], limit=0.05)          # nobody has read it: gives up in time
        threading.Timer(0.1, reader.readline).start()             # the launcher reads it a bit later
        start = time.monotonic()
        assert wait_until_read([writer], limit=5)
        assert 0.05 < time.monotonic() - start < 4
        assert wait_until_read([object()])                         # no descriptor: nothing to wait for
