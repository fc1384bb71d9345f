"""Whether operations record a graph: no_grad, enable_grad, set_grad_enabled.

Each is a context manager that is also a decorator, as in PyTorch:

    with mt.no_grad():            @mt.no_grad()          @mt.no_grad
        w -= lr * w.grad          def evaluate(...):     def evaluate(...):
"""
import functools
import inspect

from .thread_state import STATE     # per thread, as in PyTorch: STATE.enabled


def is_grad_enabled():
    """Whether ops in this thread record a graph now (False inside no_grad)."""
    return STATE.enabled


class _GradModeContext:
    """Base: subclasses say which mode `_mode()` sets; entering saves the old one, exiting restores it."""

    def __new__(cls, func=None, *args, **kwargs):
        self = super().__new__(cls)
        if callable(func) and cls is not set_grad_enabled:   # used bare: @no_grad
            self.__init__()
            return self(func)
        return self

    def _mode(self):
        raise NotImplementedError

    def __enter__(self):
        self._previous = STATE.enabled
        STATE.enabled = self._mode()
        return self

    def __exit__(self, *exc):
        STATE.enabled = self._previous
        return False

    def __call__(self, func):
        """Use as a decorator: @mt.no_grad() (or bare @mt.no_grad) makes every call of func (a
        generator function too) run in this mode."""
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def generator(*args, **kwargs):
                with self._clone():
                    yield from func(*args, **kwargs)
            return generator

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self._clone():
                return func(*args, **kwargs)
        return wrapper

    def _clone(self):
        return self.__class__()


class no_grad(_GradModeContext):
    """Operations inside record no graph; results have requires_grad=False."""

    def _mode(self):
        return False


class enable_grad(_GradModeContext):
    """Turn recording back on inside a no_grad region."""

    def _mode(self):
        return True


class set_grad_enabled(_GradModeContext):
    """set_grad_enabled(False) acts as no_grad(); called alone it switches the mode, as in PyTorch."""

    def __init__(self, mode=True):
        self.mode = bool(mode)
        self._previous_at_call = STATE.enabled
        STATE.enabled = self.mode

    def _mode(self):
        return self.mode

    def __enter__(self):
        self._previous = self.__dict__.pop('_previous_at_call', STATE.enabled)
        STATE.enabled = self.mode
        return self

    def __call__(self, func):
        STATE.enabled = self.__dict__.pop('_previous_at_call', STATE.enabled)   # decorating switches nothing
        return super().__call__(func)

    def _clone(self):
        clone = object.__new__(set_grad_enabled)
        clone.mode = self.mode
        return clone
