"""Work: the handle of a communication in flight, and the one loop that waits for any of them.

Every operation is started non-blocking; a blocking call is the same operation followed by wait().
Waiting is a polling loop rather than MPI's own Wait so that a deadline can end it: a peer that never
joins becomes a DistTimeoutError instead of a hang.  The loop first spins (the common case is done
within microseconds; not at all when there are more ranks than cores), then offers the core to any
other runnable process between tests, and only after seconds of waiting (a peer busy in a long computation, or stuck) sleeps a
millisecond at a time — sleeping earlier would make this rank notice a peer's arrival late.
"""
import os
import threading
import time

from .errors import DistTimeoutError

SPIN_SECONDS = 1e-3         # test in a tight loop this long (lowest latency)
YIELD_SECONDS = 2.0         # then yield the core between tests (sched_yield) until this long
SLEEP_SECONDS = 1e-3        # then sleep this long between tests


def wait_until(done, timeout, describe, spin=SPIN_SECONDS):
    """Call done() until it returns True; raise DistTimeoutError after `timeout` seconds (None: never).
    `describe()` gives the words for the error; `spin`: how long to test in a tight loop before
    yielding (0 when there are more ranks than cores: a spinning rank would hold up the one it waits
    for)."""
    if done():
        return
    start = time.monotonic()
    while not done():
        elapsed = time.monotonic() - start
        if timeout is not None and elapsed > timeout:
            raise DistTimeoutError(f'{describe()} timed out after {timeout:g} s: a peer has not joined '
                                   f'it (it may be stuck, have crashed, or be waiting in a different '
                                   f'operation). The group cannot be used after this; end the processes.')
        if elapsed > YIELD_SECONDS:
            time.sleep(SLEEP_SECONDS)
        elif elapsed >= spin:
            _yield()


_yield = getattr(os, 'sched_yield', lambda: time.sleep(0))


class Work:
    """What an operation called with async_op=True returns (as torch.distributed's Work).

    wait() blocks until the operation has completed on this rank and its result is in the tensors;
    until then, the tensors it writes must not be read or changed.  is_completed() asks without
    blocking.  completed_at is the time.perf_counter() at which the transfer was first seen complete
    (by this thread or by the group's progress thread), None before."""

    def __init__(self, name, group, poll, on_complete=(), result=()):
        self._name = name
        self._group = group
        self._poll = poll                   # () -> True once the transfer is over
        self._on_complete = list(on_complete)   # run once by wait(): copy back, divide for AVG...
        self._lock = threading.Lock()       # the progress thread polls too
        self._transferred = False
        self._error = None
        self._finished = False
        self._result = list(result)
        self.completed_at = None
        self.needs_progress = True          # NCCL's work advances on the GPU by itself

    def is_completed(self):
        """Has the operation finished on this rank? Never blocks; wait() still finishes it."""
        done = self._test()
        if self._error is not None:
            raise self._error
        return done

    def _test(self):
        """Poll once, from any thread; an error is kept for the caller of is_completed() or wait()."""
        with self._lock:
            if self._transferred:
                return True
            try:
                done = bool(self._poll())
            except Exception as error:      # raised in the thread that waits, not the progress thread
                self._error, done = error, True
            if done:
                self._transferred = True
                self.completed_at = time.perf_counter()
            return done

    def wait(self, timeout=None):
        """Block until done; `timeout` (seconds or timedelta) overrides the group's for this wait."""
        if self._finished:
            return True
        limit = self._group.timeout if timeout is None else as_seconds(timeout)
        wait_until(self.is_completed, limit, self._describe, self._group.spin)
        self._finished = True
        for step in self._on_complete:
            step()
        return True

    def result(self):
        """The output tensors of the operation."""
        return list(self._result)

    def _describe(self):
        return f'{self._name} on rank {self._group.rank} of {self._group.size}'

    def __repr__(self):
        state = 'completed' if self._finished or self._transferred else 'in flight'
        return f'<Work {self._name}: {state}>'


def as_seconds(timeout):
    """A timeout given as a timedelta (PyTorch's way) or a number of seconds; None stays None."""
    if timeout is None:
        return None
    seconds = timeout.total_seconds() if hasattr(timeout, 'total_seconds') else float(timeout)
    if seconds <= 0:
        raise ValueError(f'timeout must be positive, got {timeout!r}')
    return seconds
