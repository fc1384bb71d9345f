"""One timed thing: an op (forward, backward, or a node of a compiled static graph) or a range the user
named with record_function."""
import threading


class Event:
    """A finished (or running) op: name, phase ('forward', 'backward', 'static', 'trace', 'user'),
    start (perf_counter seconds), duration (CPU seconds, the op and everything inside it), children
    (CPU seconds of the events nested inside), device_time (seconds on the GPU, from CUDA events;
    None otherwise), shapes (input shapes when recorded), allocated and saved (bytes)."""
    __slots__ = ('name', 'phase', 'start', 'duration', 'children', 'device_time', 'device_start',
                 'shapes', 'allocated', 'saved', 'thread', 'depth')

    def __init__(self, name, phase, shapes=None, depth=0, thread=None):
        self.name, self.phase, self.shapes, self.depth = name, phase, shapes, depth
        self.start = self.duration = self.children = 0.0
        self.device_time = self.device_start = None
        self.allocated = self.saved = 0
        self.thread = threading.get_ident() if thread is None else thread

    @property
    def self_time(self):
        """CPU seconds in this event itself, not in the events nested inside it."""
        return self.duration - self.children

    def __repr__(self):
        return (f'<Event {self.name} ({self.phase}) {self.duration * 1e6:.1f} us, '
                f'{self.allocated} B allocated, {self.saved} B saved>')


def shapes_of(args):
    """The shape of each tensor argument, [] for anything else (as PyTorch's Input Shapes)."""
    return tuple([tuple(a._data.shape) if hasattr(a, '_data') else () for a in args])
