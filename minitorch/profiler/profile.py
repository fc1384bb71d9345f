"""The profiler: a dispatch mode that times every op run in its `with` block.

    with mt.profiler.profile(record_shapes=True) as prof:
        loss = model(x).pow(2).sum()
        loss.backward()
    print(prof.table(sort_by='self_cpu_time_total', row_limit=10))
    prof.export_chrome_trace('trace.json')      # open in https://ui.perfetto.dev or chrome://tracing

Each primitive call passes the dispatch hook (autograd/dispatch.py); the profiler runs it between two
clock readings and keeps an Event: the op's name, its phase — 'forward', 'backward' (run by
backward(): the backward engine is running), 'static' (a node of a compiled static graph) or
'trace' (run on stand-ins while a static graph is being traced) —, its time, the bytes its outputs
allocated and the bytes its graph node keeps for backward.  A compiled static graph runs its
instrumented code instead (static_runs.py), one Event per node.
"""
import threading
import time

from ..autograd.dispatch import DispatchMode, modes
from ..autograd.thread_state import STATE
from ..static.ir import op_name
from ..tensor import Tensor
from . import chrome, table
from .clocks import clock_for, started_at
from .events import Event, shapes_of
from .memory import allocated_bytes, saved_bytes
from .static_runs import NodeTimer

CUDA_TIMINGS = ('events', 'sync')
_now = time.perf_counter


class profile(DispatchMode):
    """Record every op run in this thread inside the `with` block (see the module doc).
    record_shapes: keep each op's input shapes (the table can then group rows by them).
    cuda_timing: for ops on a CUDA device, 'events' (CUDA events: device times, read at the end)
    or 'sync' (synchronise before and after each op: CPU times include the kernels)."""
    records_writes = False          # it watches: in-place updates keep their eager fast path

    def __init__(self, record_shapes=False, cuda_timing='events'):
        if cuda_timing not in CUDA_TIMINGS:
            raise ValueError(f"profile: cuda_timing must be one of {CUDA_TIMINGS}, got "
                             f"{cuda_timing!r}")
        self.record_shapes, self.cuda_timing = record_shapes, cuda_timing
        self._reset()
        self.started = self.wall_time = None

    def _reset(self):
        self._events, self.stack, self.clocks, self.timers = [], [], {}, {}
        self.between_ops = {}       # phase -> [seconds, gaps]: Python between top-level events
        self.overhead = 0.0         # seconds the profiler spent on its own bookkeeping
        self.last_end = None        # when the last top-level event ended

    # --- the block ------------------------------------------------------------------------------
    def __enter__(self):
        self._reset()
        self.thread = threading.get_ident()
        self.started = self.last_end = _now()
        return super().__enter__()

    def __exit__(self, *exc):
        super().__exit__(*exc)
        end = _now()
        self.wall_time = end - self.started
        self._gap(end, 'forward')
        for clock in self.clocks.values():
            resolve = getattr(clock, 'resolve', None)
            if resolve is not None:
                resolve()
        return False

    # --- ops ------------------------------------------------------------------------------------
    def dispatch(self, fn, args, kwargs, run):
        device = _device_of(fn, args)
        clock = self.clocks.get(device) or self._clock(device)
        started = clock.start()
        out = run(fn, args, kwargs)
        duration = clock.stop(started)
        begin = started_at(started)
        phase = 'trace' if STATE.tracing else 'backward' if STATE.backward_depth else 'forward'
        name = _NAMES.get(fn) or _name(fn)
        event = Event(name, phase, shapes_of(args) if self.record_shapes else None,
                      len(self.stack), self.thread)
        event.start, event.duration = begin, duration
        clock.attach(event, started)
        if phase != 'trace':            # stand-in arrays of a trace hold no memory
            event.allocated = allocated_bytes(out, args)
            event.saved = saved_bytes(out)
        self.finished(event)
        self.bookkeeping(begin + duration)
        return out

    def run_compiled(self, executable, arrays):
        """Run a compiled static graph's instrumented code: one event per node, inside one event
        for the whole run (what Executable.run calls while this profiler records)."""
        prepared = _now()
        timer = self.timers.get(executable)
        if timer is None:
            timer = self.timers[executable] = NodeTimer(self, executable,
                                                        self._clock(executable.device))
        code = executable.compiled.instrumented()       # generated on the first profiled run
        self.bookkeeping(prepared, keep_gap=True)
        with self.range(f'{executable.graph.name} (graph)', 'static'):
            return code(*arrays, timer)

    def range(self, name, phase='user'):
        """A named span holding the ops run inside it (what record_function opens)."""
        return _Range(self, name, phase)

    def finished(self, event):
        """Keep event; its time counts as a child's in the span around it, if any; the time since
        the last top-level event ended is Python between ops."""
        if self.stack:
            self.stack[-1].children += event.duration
        else:
            self._gap(event.start, event.phase)
        self._events.append(event)

    def bookkeeping(self, since, keep_gap=False):
        """The profiler's own time since `since` (the end of the op it recorded): counted apart,
        neither as the op's nor as a gap between ops (nor in the self time of a span).  keep_gap:
        the time before `since` still counts as a gap (work done before an event starts)."""
        now = _now()
        self.overhead += now - since
        if self.stack:
            self.stack[-1].children += now - since
        elif keep_gap and self.last_end is not None:
            self.last_end += now - since
        else:
            self.last_end = now

    def _gap(self, until, phase):
        if self.last_end is not None and not self.stack:
            found = self.between_ops.get(phase)
            if found is None:
                found = self.between_ops[phase] = [0.0, 0]
            found[0] += until - self.last_end
            found[1] += 1

    def _clock(self, device):
        return clock_for(device, self.cuda_timing, self.clocks)

    # --- what was recorded ----------------------------------------------------------------------
    def events(self):
        """Every event recorded, in the order they finished."""
        return list(self._events)

    @property
    def self_cpu_time_total(self):
        """CPU seconds of all events, each counted once (the sum of their self times)."""
        return sum(e.self_time for e in self._events)

    @property
    def between_ops_total(self):
        """CPU seconds of Python between top-level events (tensor methods' glue, the backward
        engine's walk, your loop), the profiler's bookkeeping left out."""
        return sum(seconds for seconds, _ in self.between_ops.values())

    def key_averages(self, group_by_input_shape=False):
        """One row per (name, phase) — and input shapes, when grouped by them — summing the calls;
        `.table(...)` formats them."""
        return table.averages(self._events, group_by_input_shape and self.record_shapes, self)

    def table(self, sort_by='self_cpu_time_total', row_limit=100, group_by_input_shape=None):
        """The rows as text, like PyTorch's prof.key_averages().table(...): sort_by one of
        table.SORT_KEYS, the first row_limit rows (-1 for all); grouped by input shapes when
        shapes were recorded, unless group_by_input_shape=False."""
        if group_by_input_shape is None:
            group_by_input_shape = self.record_shapes
        return self.key_averages(group_by_input_shape).table(sort_by=sort_by, row_limit=row_limit)

    def export_chrome_trace(self, path):
        """Write the events as a Chrome trace (JSON): open it in https://ui.perfetto.dev or
        chrome://tracing."""
        chrome.write(self, path)

    def __repr__(self):
        return f'<profile: {len(self._events)} events>'


class _Range:
    def __init__(self, profiler, name, phase):
        self.profiler, self.name, self.phase = profiler, name, phase

    def __enter__(self):
        profiler = self.profiler
        self.event = Event(self.name, self.phase, None, len(profiler.stack), profiler.thread)
        self.event.start = _now()
        if not profiler.stack:
            profiler._gap(self.event.start, self.phase)
            profiler.last_end = None            # the span's own end closes the next gap
        profiler.stack.append(self.event)
        return self

    def __exit__(self, *exc):
        event = self.event
        end = _now()
        event.duration = end - event.start
        profiler = self.profiler
        profiler.stack.pop()
        profiler.finished(event)
        profiler.bookkeeping(end)
        return False


class record_function:
    """A named span in the innermost running profiler of this thread (PyTorch's
    torch.profiler.record_function): `with record_function('step'): ...`.  Does nothing when no
    profiler records."""

    def __init__(self, name):
        self.name = name
        self.inner = None

    def __enter__(self):
        mode = next((m for m in modes(past_isolated=True) if isinstance(m, profile)), None)
        if mode is not None:
            self.inner = mode.range(self.name)
            self.inner.__enter__()
        return self

    def __exit__(self, *exc):
        if self.inner is not None:
            self.inner.__exit__(*exc)
            self.inner = None
        return False


_NAMES = {}        # op class -> its printed name (as static graphs print it: matmul, add, ...)


def _name(fn):
    found = _NAMES[fn] = op_name(fn)
    return found


def _device_of(fn, args):
    """The device an op runs on: its first tensor's (or, for a copy to a device, that device's)."""
    if getattr(fn, 'moves_device', False) and getattr(args[-1], 'type', None) == 'cuda':
        return args[-1]
    for a in args:
        if isinstance(a, Tensor):
            return a._device
    return None
