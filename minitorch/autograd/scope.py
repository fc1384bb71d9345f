"""Which modules are running: Module.__call__ enters `module_scope(self)`, and every Node recorded
inside remembers the stack (outermost first) as `node.scope`, so drawings can group ops by module."""


class _ScopeState:
    stack = ()


STATE = _ScopeState


class module_scope:
    def __init__(self, module):
        self.module = module

    def __enter__(self):
        self._previous = STATE.stack
        STATE.stack = self._previous + (self.module,)
        return self

    def __exit__(self, *exc):
        STATE.stack = self._previous
        return False


def current():
    return STATE.stack
