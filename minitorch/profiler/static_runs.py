"""Profiling a compiled static graph node by node.

While a profiler is recording, a static graph's run (Executable.run) hands its arrays to the profiler's
`run_compiled`, which runs the graph's instrumented code (Compiled.instrumented(): the same lines, each
node between `_p.start(i)` and `_p.stop(i, _t, outputs)`).  A NodeTimer is that `_p`: it turns each
node into an Event named as the printed graph names it (matmul, fused[mul add tanh ...]).
"""
from .clocks import started_at
from .events import Event
from .memory import allocated_bytes


class NodeTimer:
    """The `_p` of one graph's instrumented code: one Event per node run."""

    def __init__(self, profiler, executable, clock):
        self.profiler, self.clock = profiler, clock
        nodes = executable.graph.nodes
        self.names = [node.name for node in nodes]
        self.shapes = [tuple(tuple(v.shape) for v in node.inputs) for node in nodes]
        # an output written into an input's memory (memory planning's out=) allocates nothing
        self.writes_in_place = [(node.note or {}).get('out') is not None or
                                getattr(node.op, 'returns_view', False) for node in nodes]

    def start(self, index):
        return self.clock.start()

    def stop(self, index, started, outputs):
        duration = self.clock.stop(started)
        profiler = self.profiler
        event = Event(self.names[index], 'static',
                      self.shapes[index] if profiler.record_shapes else None, len(profiler.stack),
                      profiler.thread)
        event.start, event.duration = started_at(started), duration
        self.clock.attach(event, started)
        if not self.writes_in_place[index]:
            event.allocated = allocated_bytes(outputs, ())
        profiler.finished(event)
