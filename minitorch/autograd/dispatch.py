"""The one interception point of every op: a dispatch mode sees each primitive's `apply` call.

    class Count(DispatchMode):
        def dispatch(self, fn, args, kwargs, run):
            self.calls[fn.__name__] += 1
            return run(fn, args, kwargs)        # do the op as usual

    with Count() as counter:
        model(x).sum().backward()

The static-graph tracer (record each op as a graph node) and the profiler (time each op) are dispatch
modes.  Modes see primitives, the built-in ops whose forward works on arrays; a user's Function is seen
as the primitives its forward and backward run.  A mode is per thread and modes nest: inside
`dispatch`, `run` goes on to the enclosing mode, if any, then to the op itself.  State changes that are not ops (a tensor's .grad set or cleared) are
reported to `on_set_grad`.  With no mode installed anywhere, an op pays one global read for all this.
"""
from .thread_state import STATE

INSTALLED = [0]         # modes entered in any thread; 0 lets Function.apply skip the thread-local read


class DispatchMode:
    """Base class: override `dispatch` (and `on_set_grad`); use an instance as a context manager.

    records_writes: the mode must see every state change as an op (a tracer does: x += y must be an
    add and an Assign it can record); a mode that only watches (a profiler) sets it False, and the
    eager fast paths (x += y as one array op) stay as they are."""
    records_writes = True
    isolated = False        # True: the modes outside this one do not see the state changes it sees

    def dispatch(self, fn, args, kwargs, run):
        """Called for every op (fn a Function class) in this thread; must return run(fn, args, kwargs)'s
        result or something that stands for it."""
        return run(fn, args, kwargs)

    def on_set_grad(self, tensor, grad):
        """Called when backward(), an optimizer or the user replaces tensor.grad by grad (or None)."""

    def on_new_tensor(self, tensor):
        """Called when a tensor is made from data rather than by an op (mt.tensor, zeros, ...)."""

    def on_new_state(self, tensor):
        """Called when a tensor becomes lasting state (a Parameter, a module's buffer)."""

    def on_state_name(self, tensor, owner, key):
        """Called to say tensor is the state `key` of owner (an optimizer's buffer of a parameter)."""

    def on_python_value(self, owner, description, read):
        """Called when the ops being run depend on a Python value, read(owner) (an optimizer's
        learning rate, a module's training flag, whether a .grad is None): a static graph built
        now checks on each run that the value is still the same."""

    def __enter__(self):
        self._outer = STATE.mode
        STATE.mode = self
        INSTALLED[0] += 1
        return self

    def __exit__(self, *exc):
        STATE.mode = self._outer
        INSTALLED[0] -= 1
        return False


def dispatched(fn, args, kwargs, run):
    """Hand an op to this thread's innermost mode; `run` is the op itself."""
    mode = STATE.mode
    if mode is None:
        return run(fn, args, kwargs)
    outer = mode._outer
    STATE.mode = outer              # the mode's own ops (and run) go to the enclosing modes

    def run_outer(fn_, args_, kwargs_):
        STATE.mode = outer
        try:
            return dispatched(fn_, args_, kwargs_, run)
        finally:
            STATE.mode = outer

    try:
        return mode.dispatch(fn, args, kwargs, run_outer)
    finally:
        STATE.mode = mode


def modes(past_isolated=False):
    """This thread's modes, innermost first.  An isolated mode (the tracer of a loop's body, whose ops
    belong to the body's graph alone) hides the modes outside it, unless past_isolated."""
    mode = STATE.mode
    while mode is not None:
        yield mode
        mode = None if mode.isolated and not past_isolated else mode._outer


def report_set_grad(tensor, grad):
    """Tell this thread's modes that tensor.grad becomes grad."""
    for mode in modes():
        mode.on_set_grad(tensor, grad)


def report_new_tensor(tensor):
    """Tell this thread's modes that tensor was made from data (a constant, to a tracer)."""
    for mode in modes():
        mode.on_new_tensor(tensor)
    return tensor


def report_new_state(tensor):
    """Tell this thread's modes that tensor holds lasting state (a static graph reads it each run)."""
    for mode in modes():
        mode.on_new_state(tensor)
    return tensor


def report_state_name(tensor, owner, key):
    """Tell this thread's modes that tensor is the state `key` of owner (for names in graphs)."""
    for mode in modes(past_isolated=True):
        mode.on_state_name(tensor, owner, key)


class suspended:
    """Run the block without this thread's dispatch modes: ops run eagerly on real values and tensors
    made here are ordinary ones.  For work that belongs outside a traced graph, such as creating an
    optimizer's state or a module's initial parameters."""

    def __enter__(self):
        self.mode, self.tracing = STATE.mode, STATE.tracing
        STATE.mode, STATE.tracing = None, ()
        return self

    def __exit__(self, *exc):
        STATE.mode, STATE.tracing = self.mode, self.tracing
        return False


def report_python_value(owner, description, read):
    """Tell this thread's modes that the ops being run depend on read(owner), a Python value: every
    graph being built, the enclosing ones too, depends on it."""
    for mode in modes(past_isolated=True):
        mode.on_python_value(owner, description, read)


def writes_recorded():
    """Whether a mode in this thread needs every state change as an op (see DispatchMode)."""
    return any(mode.records_writes for mode in modes(past_isolated=True))
