"""Solutions to notebook 04's exercises (custom Functions and decorators).

enable_grad works on section 5's grad-mode flag; the flag, is_grad_enabled, set_grad_enabled and no_grad
are repeated here as the notebook defines them, so that this file runs on its own.
"""
import functools

import minitorch as mt

# --- section 5 of the notebook ---------------------------------------------------------------------
GRAD_ENABLED = True


def is_grad_enabled():
    return GRAD_ENABLED


def set_grad_enabled(mode):
    global GRAD_ENABLED
    GRAD_ENABLED = mode


class no_grad:
    def __enter__(self):
        self.previous = is_grad_enabled()
        set_grad_enabled(False)
        return self

    def __exit__(self, exc_type, exc, tb):
        set_grad_enabled(self.previous)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with no_grad():
                return func(*args, **kwargs)
        return wrapper


# --- exercise 1 --------------------------------------------------------------------------------------
def count_calls(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        wrapper.calls += 1
        return func(*args, **kwargs)
    wrapper.calls = 0                    # exists before the first call; one counter per wrapper
    return wrapper


# --- exercise 2 --------------------------------------------------------------------------------------
class enable_grad:
    def __enter__(self):
        self.previous = is_grad_enabled()     # on the instance: each with-block keeps its own
        set_grad_enabled(True)
        return self

    def __exit__(self, exc_type, exc, tb):
        set_grad_enabled(self.previous)       # the mode found on entry, not False
        return False                          # an exception in the body goes on

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with enable_grad():               # a fresh instance per call
                return func(*args, **kwargs)
        return wrapper


# --- exercise 3 --------------------------------------------------------------------------------------
class SiLU(mt.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        s = x.sigmoid()
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad_output):
        x, s = ctx.saved_tensors
        return grad_output * (s + x * s * (1 - s))     # product rule: σ + x σ'


# --- exercise 4 --------------------------------------------------------------------------------------
class Checkpoint(mt.autograd.Function):
    @staticmethod
    def forward(ctx, run, x):
        ctx.run = run
        ctx.save_for_backward(x)                       # only the input
        return run(x)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        with mt.enable_grad():                         # backward runs with recording off
            leaf = x.detach().requires_grad_()         # a fresh leaf: the recomputation ends here
            out = ctx.run(leaf)
        grad_x, = mt.autograd.grad(out, leaf, grad_output)
        return None, grad_x
