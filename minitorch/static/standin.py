"""Stand-in arrays: what a symbolic tensor holds while a graph is being built.

A symbolic value is an ordinary Tensor whose array is a StandIn: a numpy array of the declared shape
and dtype, so every op's own forward runs on it and gives the result's shape and dtype with no per-op
code.  Its values mean nothing, so a StandIn refuses to become a Python value (bool, item, tolist,
float): a graph cannot branch on what it has not computed yet.  Outside its tracer it refuses to
compute at all, so a symbolic tensor that leaks into eager code says so instead of giving garbage.
"""
import numpy as np

from ..autograd.thread_state import STATE
from .errors import StaticError, at_user_line


class StandIn(np.ndarray):
    """A numpy array standing in for a graph value (the values are placeholders)."""

    def __array_finalize__(self, obj):
        self.graph_tag = getattr(obj, 'graph_tag', None)

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        _check_active(self)
        inputs = tuple(i.view(np.ndarray) if isinstance(i, StandIn) else i for i in inputs)
        if out is not None:
            out = tuple(o.view(np.ndarray) if isinstance(o, StandIn) else o for o in out)
            kwargs['out'] = out
        result = getattr(ufunc, method)(*inputs, **kwargs)
        return _tagged(result, self.graph_tag)

    def __array_function__(self, func, types, args, kwargs):
        _check_active(self)
        result = func(*_plain(args), **_plain(kwargs))
        return _tagged(result, self.graph_tag)

    def __bool__(self):
        refuse_value('bool()/if', 'branch on it with mt.static.cond(pred, true_fn, false_fn) or '
                      'loop with mt.static.while_loop(cond_fn, body_fn, init)')

    def item(self, *args):
        refuse_value('.item()', 'keep it a tensor, or return it from the graph and read it after '
                      'the run')

    def tolist(self):
        refuse_value('.tolist()', 'return it from the graph and read it after the run')

    def __float__(self):
        refuse_value('float()', 'keep it a tensor')

    def __int__(self):
        refuse_value('int()', 'keep it a tensor')

    def __index__(self):
        refuse_value('an index', 'index with the tensor itself (x[idx]) or use gather')


def _plain(obj):
    if isinstance(obj, StandIn):
        return obj.view(np.ndarray)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_plain(o) for o in obj)
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


def _tagged(result, tag):
    if isinstance(result, np.ndarray) and not isinstance(result, StandIn):
        result = result.view(StandIn)
        result.graph_tag = tag
    elif isinstance(result, tuple):
        return tuple(_tagged(r, tag) for r in result)
    return result


def _check_active(array):
    if array.graph_tag in STATE.tracing:
        return
    raise StaticError(f'a symbolic tensor (a value of static graph {array.graph_tag!r}, with no value '
                      f'yet) is used in eager code{at_user_line()}. Use it only while that graph is '
                      f'being built, and run the graph (Session.run, or call the @mt.static.function) '
                      f'to get real tensors.')


def refuse_value(what, instead):
    """Raise the error of `what` (e.g. '.numpy()') needing a symbolic tensor's value; `instead` says
    what to do."""
    raise StaticError(f'{what} needs the value of a symbolic tensor{at_user_line()}, but a static '
                      f'graph has no values while it is being built: Python cannot branch or loop '
                      f'on it. Instead, {instead}.')


def stand_in(shape, dtype, tag):
    """A StandIn of shape and dtype: ones for floats (log, sqrt and division stay finite), zeros for
    integers and bools (a valid index into any non-empty dim)."""
    dtype = np.dtype(dtype)
    array = np.ones(shape, dtype) if dtype.kind in 'fc' else np.zeros(shape, dtype)
    array = array.view(StandIn)
    array.graph_tag = tag
    return array


def as_stand_in(array, tag):
    """array (a plain array or a numpy scalar) marked as a stand-in of graph `tag`."""
    array = np.asarray(array).view(StandIn)
    array.graph_tag = tag
    return array
