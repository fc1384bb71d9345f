"""Which modules are running: Module.__call__ enters `module_scope(self)`, and every Node recorded
inside remembers the stack (outermost first) as `node.scope`, so drawings can group ops by module.

Each call makes a new stack object whose `parent` is the stack it was entered from, so two calls of
one module (weight sharing, an RNN cell run once per step) stay apart: ops of one call share the
very same stack object, and `scope.parent` leads to the enclosing call.  The stack is per thread."""
from .thread_state import STATE


class _Stack(tuple):
    """The running modules, outermost first, for one module call; `parent`: the enclosing call's."""
    parent = None


class module_scope:
    """Context in which `module` is running (entered by Module.__call__); per thread."""

    def __init__(self, module):
        self.module = module

    def __enter__(self):
        self._previous = STATE.scope
        stack = _Stack(self._previous + (self.module,))
        stack.parent = self._previous
        STATE.scope = stack
        return self

    def __exit__(self, *exc):
        STATE.scope = self._previous
        return False


def current():
    """The modules running in this thread, outermost first."""
    return STATE.scope
