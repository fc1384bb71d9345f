"""Loops and branches as graph operators: scan, cond, while_loop.

A static graph cannot run Python's `for` and `if` on values it has not computed yet, so a loop or a
branch becomes one node that holds sub-graphs: `scan(fn, init, xs)` traces fn(carry, x) once into a
body graph and runs it once per element of xs, whatever the length; `cond(pred, true_fn, false_fn)`
traces both branches and runs the one pred picks; `while_loop(cond_fn, body_fn, init)` runs body_fn
while cond_fn holds.  Tensors a sub-graph reads from outside (weights, say) become explicit inputs of
the node, so gradients flow to them.  The ops work in eager code too: they are primitives like any.

    ys = mt.static.scan(lambda h, x: (h @ W + x).tanh(), h0, xs)     # ys[t]: the carry after step t
"""
import numpy as np

from ..autograd.function import Primitive
from ..ops.elementwise import module_of
from ..tensor import Tensor
from .body import Body
from .errors import StaticError


class Scan(Primitive):
    """forward(ctx, body, n_carry, n_xs, *init, *xs, *captured) -> the carries stacked over time."""
    op_name = 'scan'

    @staticmethod
    def forward(ctx, body, n_carry, n_xs, *arrays):
        init = arrays[:n_carry]
        xs = arrays[n_carry:n_carry + n_xs]
        captured = arrays[n_carry + n_xs:]
        xp = module_of(arrays)
        run = body.compiled(xp)
        length = xs[0].shape[0]
        carry, steps = list(init), []
        for t in range(length):
            carry = list(run(*carry, *[x[t] for x in xs], *captured)[0])
            steps.append(carry)
        stacked = tuple(xp.stack([s[i] for s in steps]) if length else
                        xp.zeros((0,) + init[i].shape, init[i].dtype) for i in range(n_carry))
        ctx.meta = (body, n_carry, n_xs)
        ctx.save_for_backward(*arrays, *stacked)
        return stacked

    @staticmethod
    def backward(ctx, *grads):
        body, n_carry, n_xs = ctx.meta
        saved = ctx.saved_tensors
        n_in = len(saved) - n_carry
        inputs, stacked = saved[:n_in], saved[n_in:]
        grads = [g if g is not None else s.new_zeros(s.shape) for g, s in zip(grads, stacked)]
        found = ScanGrad.apply(body, n_carry, n_xs, *inputs, *stacked, *grads)
        return (None, None, None) + tuple(found if type(found) is tuple else (found,))


class ScanGrad(Primitive):
    """The gradients of a scan, by a reverse loop over the body's vector-Jacobian product."""
    op_name = 'scan_grad'
    differentiable = False

    @staticmethod
    def forward(ctx, body, n_carry, n_xs, *arrays):
        xp = module_of(arrays)
        n_in = len(arrays) - 2 * n_carry
        inputs, stacked, grads = arrays[:n_in], arrays[n_in:n_in + n_carry], arrays[n_in + n_carry:]
        init, xs, captured = inputs[:n_carry], inputs[n_carry:n_carry + n_xs], \
            inputs[n_carry + n_xs:]
        vjp = body.vjp_compiled(xp)
        length = xs[0].shape[0]
        g_carry = [xp.zeros_like(c) for c in init]
        g_xs = [xp.zeros_like(x) for x in xs]
        g_captured = [xp.zeros_like(c) for c in captured]
        for t in reversed(range(length)):
            g_carry = [gc + g[t] for gc, g in zip(g_carry, grads)]
            previous = init if t == 0 else [s[t - 1] for s in stacked]
            out = vjp(*previous, *[x[t] for x in xs], *captured, *g_carry)[0]
            g_carry = list(out[:n_carry])
            for gx, g in zip(g_xs, out[n_carry:n_carry + n_xs]):
                gx[t] = g
            for gc, g in zip(g_captured, out[n_carry + n_xs:]):
                gc += g
        return tuple(g_carry) + tuple(g_xs) + tuple(g_captured)


def scan(fn, init, xs):
    """Run fn(carry, x) over the first dim of xs, from carry = init; return the carries, stacked
    along a new first dim (tf.scan's result; JAX's argument order).  init and each carry: a tensor or
    a tuple of tensors of the same shapes and dtypes; xs: a tensor or a tuple of tensors."""
    init_t, carry_is_tuple = _as_tuple(init, 'scan: init')
    xs_t, _ = _as_tuple(xs, 'scan: xs')
    lengths = {x.shape[0] if x.ndim else None for x in xs_t}
    if None in lengths or len(lengths) != 1:
        raise StaticError(f'scan: every xs needs the same leading (time) dim, got shapes '
                          f'{[list(x.shape) for x in xs_t]}')
    step_inputs = [_like(c) for c in init_t] + [_like(x, drop_first=True) for x in xs_t]

    def body_fn(*args):
        carry = tuple(args[:len(init_t)]) if carry_is_tuple else args[0]
        x = tuple(args[len(init_t):]) if isinstance(xs, tuple) else args[len(init_t)]
        out = fn(carry, x)
        out_t, _ = _as_tuple(out, 'scan: fn(carry, x)')
        _check_same(out_t, init_t, 'scan: fn(carry, x) must return a carry like init')
        return out_t
    body = Body('scan body', body_fn, step_inputs, differentiable=True)
    out = Scan.apply(body, len(init_t), len(xs_t), *init_t, *xs_t, *body.captured)
    return out if carry_is_tuple else out[0]


class Cond(Primitive):
    """forward(ctx, branches, pred, *captured): the outputs of the branch pred picks."""
    op_name = 'cond'

    @staticmethod
    def forward(ctx, branches, pred, *captured):
        xp = module_of(captured + (pred,))
        take = bool(np.asarray(_host(xp, pred)))
        body, inputs = branches[0 if take else 1]
        out = body.compiled(xp)(*[captured[i] for i in inputs])[0]
        ctx.meta = (branches, take)
        ctx.save_for_backward(*captured)
        return tuple(out)

    @staticmethod
    def backward(ctx, *grads):
        branches, take = ctx.meta
        captured = ctx.saved_tensors
        body, inputs = branches[0 if take else 1]
        grads = [g if g is not None else _zeros_for(v) for g, v in zip(grads, body.outputs)]
        found = CondGrad.apply(body, tuple(inputs), len(captured), *captured, *grads)
        found = found if type(found) is tuple else (found,)
        return (None, None) + found


class CondGrad(Primitive):
    """The gradients of the branch a cond took, for every captured input (zeros for the others)."""
    op_name = 'cond_grad'
    differentiable = False

    @staticmethod
    def forward(ctx, body, inputs, n_captured, *arrays):
        xp = module_of(arrays)
        captured, grads = arrays[:n_captured], arrays[n_captured:]
        out = body.vjp_compiled(xp)(*[captured[i] for i in inputs], *grads)[0]
        result = [xp.zeros_like(c) for c in captured]
        for i, g in zip(inputs, out):
            result[i] = result[i] + g
        return tuple(result)


def cond(pred, true_fn, false_fn):
    """true_fn() if pred else false_fn(), as one graph node (tf.cond): pred is a one-element bool
    tensor; both branches are traced and must return tensors of the same shapes and dtypes."""
    if not isinstance(pred, Tensor) or pred.numel() != 1:
        raise StaticError(f'cond: pred must be a one-element tensor, got '
                          f'{getattr(pred, "shape", type(pred).__name__)}')
    bodies = [Body('cond branch', fn, [], differentiable=True) for fn in (true_fn, false_fn)]
    types = [[(v.shape, v.dtype) for v in b.outputs] for b in bodies]
    if types[1] != types[0]:
        raise StaticError(f'cond: the branches return different shapes or dtypes: '
                          f'{_pairs(types[0])} and {_pairs(types[1])}')
    captured, branches = [], []
    for b in bodies:
        positions = []
        for t in b.captured:
            found = next((i for i, c in enumerate(captured) if c is t), None)
            if found is None:
                found = len(captured)
                captured.append(t)
            positions.append(found)
        branches.append((b, tuple(positions)))
    out = Cond.apply(tuple(branches), pred.reshape(()).bool(), *captured)
    return out[0] if len(out) == 1 and not bodies[0].returned_tuple else out


class WhileLoop(Primitive):
    """forward(ctx, test, body, n_carry, *init, *captured): run body while test holds."""
    op_name = 'while_loop'
    differentiable = False

    @staticmethod
    def forward(ctx, test, body, n_carry, *arrays):
        xp = module_of(arrays)
        carry, captured = list(arrays[:n_carry]), arrays[n_carry:]
        test_fn, body_fn = test.compiled(xp), body.compiled(xp)
        n_test, n_body = len(test.captured), len(body.captured)
        while bool(np.asarray(_host(xp, test_fn(*carry, *captured[:n_test])[0][0]))):
            carry = list(body_fn(*carry, *captured[n_test:n_test + n_body])[0])
        return tuple(carry)


def while_loop(cond_fn, body_fn, init):
    """Run carry = body_fn(carry) while cond_fn(carry) is True, from carry = init; return the last
    carry (tf.while_loop).  The carry keeps its shapes and dtypes; not differentiable."""
    init_t, is_tuple = _as_tuple(init, 'while_loop: init')
    inputs = [_like(c) for c in init_t]

    def unpack(args):
        return tuple(args) if is_tuple else args[0]

    def test_fn(*args):
        out = cond_fn(unpack(args))
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise StaticError('while_loop: cond_fn must return a one-element bool tensor')
        return (out.reshape(()).bool(),)

    def step_fn(*args):
        out_t, _ = _as_tuple(body_fn(unpack(args)), 'while_loop: body_fn(carry)')
        _check_same(out_t, init_t, 'while_loop: body_fn must return a carry like init')
        return out_t
    test = Body('while test', test_fn, inputs)
    body = Body('while body', step_fn, inputs)
    out = WhileLoop.apply(test, body, len(init_t), *init_t, *test.captured, *body.captured)
    out = out if type(out) is tuple else (out,)
    return out if is_tuple else out[0]


# --- helpers ---------------------------------------------------------------------------------
def _as_tuple(obj, what):
    if isinstance(obj, Tensor):
        return (obj,), False
    if isinstance(obj, (tuple, list)) and obj and all(isinstance(t, Tensor) for t in obj):
        return tuple(obj), True
    raise StaticError(f'{what} must be a tensor or a tuple of tensors, got {type(obj).__name__}')


def _like(t, drop_first=False):
    shape = tuple(t.shape[1:]) if drop_first else tuple(t.shape)
    return (shape, t._data.dtype, t._device, t.requires_grad and t.is_floating_point())


def _check_same(out, init, message):
    got = [(tuple(t.shape), t.dtype) for t in out]
    want = [(tuple(t.shape), t.dtype) for t in init]
    if got != want:
        raise StaticError(f'{message}: got {_pairs(got)}, init is {_pairs(want)}')


def _pairs(pairs):
    return ', '.join(f'{list(s)} {d}' for s, d in pairs)


def _zeros_for(value):
    from ..creation import zeros
    from ..dtypes import FROM_NUMPY
    return zeros(value.shape, dtype=FROM_NUMPY[value.dtype], device=value.device)


def _host(xp, a):
    return a if xp is np else xp.asnumpy(a)
