"""Checks of values: an op that raises when its condition does not hold, and computes nothing.

Eagerly it raises at once, as a plain `if` would.  In a static graph it is recorded as a node that
runs on every run (dead-code elimination keeps it), so a check that needs values the graph has not
computed yet (a class index out of range, a gather index too large) still guards each run.
"""
from ..autograd.function import Primitive
from ..autograd.thread_state import STATE
from ..backend import array_module


class Check(Primitive):
    """forward(ctx, ok, error_type, message, *arrays): raise error_type(message(*arrays on the host))
    unless every element of ok is True.  Returns nothing."""
    op_name = 'check'
    differentiable = False
    has_effects = True

    @staticmethod
    def forward(ctx, ok, error_type, message, *arrays):
        if STATE.tracing:           # building a static graph: the check runs on each run instead
            return None
        xp = array_module(ok)
        if not bool(xp.all(ok)):
            host = [a if not hasattr(a, 'get') else a.get() for a in arrays]
            raise error_type(message(*host))
        return None


def check(ok, error_type, message, *tensors):
    """Raise error_type(message(*arrays of tensors)) unless every element of the bool tensor ok is
    True (message gets the tensors' values as numpy arrays, to name the bad one)."""
    Check.apply(ok, error_type, message, *tensors)
