"""Chrome trace export: the events as JSON that https://ui.perfetto.dev and chrome://tracing open.

Each event is a complete event ("ph": "X") with its start and duration in microseconds from the start
of the profiled block; its category is its phase; args hold shapes and bytes.  Ops timed with CUDA
events appear a second time on a row of their own, at the device's times.
"""
import json
import os

DEVICE_ROW = 'cuda stream'


def trace_events(profiler):
    pid = os.getpid()
    origin = profiler.started
    out, threads, device = [], {}, False
    for e in profiler.events():
        tid = threads.setdefault(e.thread, len(threads))
        args = {'allocated bytes': e.allocated, 'saved bytes': e.saved}
        if e.shapes is not None:
            args['input shapes'] = [list(s) for s in e.shapes]
        out.append({'name': e.name, 'cat': e.phase, 'ph': 'X', 'pid': pid, 'tid': tid,
                    'ts': (e.start - origin) * 1e6, 'dur': e.duration * 1e6, 'args': args})
        if e.device_start is not None:
            device = True
            out.append({'name': e.name, 'cat': 'cuda', 'ph': 'X', 'pid': pid, 'tid': DEVICE_ROW,
                        'ts': (e.device_start - origin) * 1e6, 'dur': e.device_time * 1e6,
                        'args': {}})
    names = [(tid, f'CPU thread {tid}') for tid in threads.values()]
    names += [(DEVICE_ROW, 'CUDA (device times from events)')] if device else []
    meta = [{'name': 'thread_name', 'ph': 'M', 'pid': pid, 'tid': tid, 'args': {'name': name}}
            for tid, name in names]
    return meta + out


def write(profiler, path):
    with open(path, 'w') as f:
        json.dump({'traceEvents': trace_events(profiler), 'displayTimeUnit': 'ms'}, f)
