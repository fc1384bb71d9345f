"""How long an op took: the CPU's wall clock, and on a GPU the device's own time.

A GPU runs its kernels asynchronously: an op returns as soon as its kernels are queued, so the CPU's
clock measures the launch, not the work.  Two ways to see the work:
  - 'sync'   synchronise the device before and after each op; the CPU time then includes the kernels
             (simple, and exact per op, but it serialises CPU and GPU);
  - 'events' record a CUDA event before and after each op on the current stream and read the time
             between them when profiling ends (the device's own clock; the CPU time stays the launch).
On the CPU both are the wall clock, time.perf_counter.
"""
import time

_now = time.perf_counter


class CpuClock:
    """perf_counter around the op.  A clock's start() returns a token; stop(token) returns the CPU
    seconds since; attach(event, token) adds what only the device knows (later, for events)."""
    kind = 'cpu'

    def start(self):
        return _now()

    def stop(self, started):
        return _now() - started

    def attach(self, event, started):
        pass


class CudaSyncClock(CpuClock):
    """The device is synchronised before and after the op: CPU time includes its kernels."""
    kind = 'cuda-sync'

    def __init__(self, cupy):
        self.cupy = cupy

    def start(self):
        self.cupy.cuda.Device().synchronize()
        return _now()

    def stop(self, started):
        self.cupy.cuda.Device().synchronize()
        return _now() - started


class CudaEventClock:
    """CUDA events on the current stream before and after the op; read when profiling ends."""
    kind = 'cuda-events'

    def __init__(self, cupy):
        self.cupy = cupy
        self.pending = []           # (event, start cuda event, stop cuda event)
        self.reference = None       # recorded when profiling starts: the origin of device times

    def begin(self):
        self.reference = self._record()
        self.reference_cpu = _now()         # device times are placed on the CPU's clock from here

    def _record(self):
        marker = self.cupy.cuda.Event()
        marker.record(self.cupy.cuda.get_current_stream())
        return marker

    def start(self):
        return (_now(), self._record())

    def stop(self, started):
        self.end = self._record()
        return _now() - started[0]

    def attach(self, event, started):
        self.pending.append((event, started[1], self.end))

    def resolve(self):
        """Wait for the device, then fill in each event's device_time and device_start (on the
        perf_counter clock: the reference event's CPU time plus the device time since it)."""
        if not self.pending:
            return
        self.pending[-1][2].synchronize()
        elapsed = self.cupy.cuda.get_elapsed_time      # milliseconds between two events
        for event, begin, end in self.pending:
            event.device_time = elapsed(begin, end) / 1e3
            event.device_start = self.reference_cpu + elapsed(self.reference, begin) / 1e3
        self.pending.clear()


def started_at(token):
    """The perf_counter time a clock's start() token holds."""
    return token if type(token) is float else token[0]


def clock_for(device, cuda_timing, cache):
    """The clock of ops on `device` (cached per device in `cache`)."""
    found = cache.get(device)
    if found is None:
        if getattr(device, 'type', 'cpu') != 'cuda':
            found = CpuClock()
        elif cuda_timing == 'events':
            found = CudaEventClock(device.xp)
            found.begin()
        else:
            found = CudaSyncClock(device.xp)
        cache[device] = found
    return found


def describe(kinds):
    """One line for the table: what the times are."""
    parts = ['CPU times: wall clock (time.perf_counter) around each op']
    if 'cuda-sync' in kinds:
        parts.append('CUDA ops: the device is synchronised before and after each op, so their CPU '
                     'times include the kernels')
    if 'cuda-events' in kinds:
        parts.append('CUDA ops: device times from CUDA events on the current stream')
    return '; '.join(parts)
