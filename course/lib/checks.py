"""Small checkers for the course's exercises.

Each checker prints one line, "✓ …" when your answer is right and "✗ …" saying
what is wrong when it is not, and returns True or False. They never raise, so a
wrong answer gives you a message rather than a traceback.

    from lib.checks import check_close, check_shape
    check_close("dL/dw1", grad_w1, expected)

Below them is the plumbing every notebook's own checkers (lib/checkNN.py) share: calling your code so
that an untouched stub reads as "not done yet" and an exception as a one-line message.
"""

import numpy as np


def as_numpy(value):
    """Turn an answer into a numpy array: numpy arrays, lists, numbers, and
    objects with a .numpy() (tensors) or .get() (CuPy arrays) method."""
    if hasattr(value, "detach") and not isinstance(value, np.ndarray):
        value = value.detach()          # a tensor that requires grad refuses .numpy()
    if hasattr(value, "cpu") and not isinstance(value, np.ndarray):
        value = value.cpu()
    for method in ("numpy", "get"):
        if hasattr(value, method) and not isinstance(value, np.ndarray):
            try:
                return np.asarray(getattr(value, method)())
            except Exception:
                pass
    return np.asarray(value)


def check_shape(name, got, shape):
    """Is `got` an array-like of exactly this shape?"""
    shape = tuple(shape)
    if got is None or got is Ellipsis:
        print(f"✗ {name}: got {got!r} (a missing return?); expected an array of shape {shape}")
        return False
    try:
        got_shape = as_numpy(got).shape
    except Exception as err:
        print(f"✗ {name}: could not read it as an array ({type(err).__name__}: {err})")
        return False
    if got_shape != shape:
        print(f"✗ {name}: expected shape {shape}, got {got_shape}")
        return False
    print(f"✓ {name} has shape {shape}")
    return True


def check_close(name, got, expected, rtol=1e-6, atol=1e-9):
    """Does `got` match `expected` in shape and, within tolerance, in value?"""
    expected = as_numpy(expected)
    if got is None or got is Ellipsis:
        print(f"✗ {name}: got {got!r} (a missing return?); expected an array of shape {expected.shape}")
        return False
    try:
        got = as_numpy(got).astype(np.float64)
    except Exception as err:
        print(f"✗ {name}: could not read it as numbers ({type(err).__name__}: {err})")
        return False
    if got.shape != expected.shape:
        print(f"✗ {name}: expected shape {expected.shape}, got {got.shape}")
        return False
    if not np.all(np.isfinite(got)):
        print(f"✗ {name}: contains {np.sum(~np.isfinite(got))} nan/inf value(s)")
        return False
    close = np.isclose(got, expected, rtol=rtol, atol=atol)
    if not np.all(close):
        where = np.unravel_index(np.argmin(close), close.shape)
        at = f" at index {tuple(int(i) for i in where)}" if got.ndim else ""
        print(f"✗ {name}: {np.sum(~close)} of {close.size} value(s) differ; "
              f"first{at}: expected {expected[where]:.6g}, got {got[where]:.6g}")
        return False
    print(f"✓ {name} matches")
    return True


# --- calling your code: the plumbing every notebook's checkers (lib/checkNN.py) share ----------------
def raised(label, err):
    """How a checker reports an exception from your code: "label raised TypeError: …"."""
    return f'{label} raised {type(err).__name__}: {err}'


def call(label, fn, *args, none_is_stub=True, **kwargs):
    """fn(*args, **kwargs) as (result, status).  status is 'stub' while fn is still the exercise's stub
    (it raised NotImplementedError, or returned `...` or None: a checker that names a returned None as
    a mistake passes none_is_stub=False), 'ok', or the line naming the exception fn raised."""
    try:
        result = fn(*args, **kwargs)
    except NotImplementedError:
        return None, 'stub'
    except Exception as err:                    # your code may raise anything
        return None, raised(label, err)
    stub = result is Ellipsis or (none_is_stub and result is None)
    return result, 'stub' if stub else 'ok'


def no_answer(status, hint, error_hint=''):
    """The verdict on a call() whose status is not 'ok', printed and returned: for a stub
    "not done yet — <hint>" and None, for an exception "✗ <status><error_hint>" and False."""
    if status == 'stub':
        print(f'not done yet — {hint}')
        return None
    print(f'✗ {status}{error_hint}')
    return False


class Stub(Exception):
    """Your code is still the stub: raised deep inside a checker, caught at its top to print "not done
    yet"."""


class Wrong(Exception):
    """A mistake found deep inside a checker: its message is printed after "✗ "."""


def call_raising_stub(label, fn, *args):
    """call() for a checker that judges inside helpers: (result, None) when fn ran, (None, "✗ …")
    when it raised; a stub raises Stub."""
    result, status = call(label, fn, *args)
    if status == 'stub':
        raise Stub
    return (result, None) if status == 'ok' else (None, f'✗ {status}')
