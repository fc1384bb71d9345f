"""An executable: a compiled graph plus what runs around it — read the state, call the code, write
the state back, wrap the outputs in tensors — and the guards that say whether it still applies."""
from ..autograd.dispatch import INSTALLED, modes
from ..autograd.thread_state import STATE
from ..tensor import Tensor
from .codegen import Compiled


class Executable:
    """Runs one compiled graph on one device."""

    def __init__(self, graph, device, guards=(), name='run'):
        self.graph, self.device = graph, device
        self.guards = list(guards)
        self.compiled = Compiled(graph, device.xp, name)
        self._reads = [v.slot.read for v in graph.state]       # the compiled code's state, in order
        self._slots = [w.slot for w in graph.writes]            # where its writes go, in order

    @property
    def code(self):
        """The generated Python source."""
        return self.compiled.source

    def guards_hold(self):
        for owner, _, read, value in self.guards:
            if read(owner) != value:
                return False
        return True

    def stale_guard(self):
        """'why' when a Python value the graph baked in has changed since the trace, else None."""
        for owner, description, read, value in self.guards:
            now = read(owner)
            if now != value:
                return f'{_describe(owner)}{description}: {value!r} → {now!r}'
        return None

    def run(self, input_arrays, input_grad_owners=()):
        """Run on the input arrays: returns the output arrays; state is written back."""
        state_arrays = [read() for read in self._reads]
        if INSTALLED[0] and STATE.mode is not None:        # a dispatch mode may watch runs
            outputs, writes = run_watched(self, [*input_arrays, *state_arrays])
        else:
            outputs, writes = self.compiled.fn(*input_arrays, *state_arrays)
        for slot, array in zip(self._slots, writes):
            if slot.input_index is not None:
                slot = slot.bound_to(input_grad_owners[slot.input_index])
            slot.write(array)
        return outputs

    def wrap(self, array):
        return None if array is None else Tensor._make(array, self.device)


def run_watched(executable, arrays):
    """Run the compiled code under this thread's dispatch modes: the innermost one that has a
    `run_compiled(executable, arrays)` method (the profiler, which runs the instrumented code)
    runs it; otherwise the plain code runs."""
    for mode in modes():
        watch = getattr(mode, 'run_compiled', None)
        if watch is not None:
            return watch(executable, arrays)
    return executable.compiled.fn(*arrays)


def _describe(owner):
    if isinstance(owner, dict):
        return 'param group '
    name = getattr(owner, 'name', None)
    return f'{type(owner).__name__}{" " + name if name else ""} '
