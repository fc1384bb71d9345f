"""Which modules are running: Module.__call__ enters `module_scope(self)`, and every Node recorded
inside remembers the stack (outermost first) as `node.scope`, so drawings can group ops by module.

Each call makes a new stack object whose `parent` is the stack it was entered from, so two calls of
one module (weight sharing, an RNN cell run once per step) stay apart: ops of one call share the
very same stack object, and `scope.parent` leads to the enclosing call."""


class _Stack(tuple):
    """The running modules, outermost first, for one module call; `parent`: the enclosing call's."""
    parent = None


class _ScopeState:
    stack = ()


STATE = _ScopeState


class module_scope:
    def __init__(self, module):
        self.module = module

    def __enter__(self):
        self._previous = STATE.stack
        stack = _Stack(self._previous + (self.module,))
        stack.parent = self._previous
        STATE.stack = stack
        return self

    def __exit__(self, *exc):
        STATE.stack = self._previous
        return False


def current():
    return STATE.stack
