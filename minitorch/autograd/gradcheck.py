"""gradcheck: compare autograd's gradients with central finite differences (in float64).

For a function f of tensors, the analytical Jacobian comes from one backward pass per output element;
the numerical one from (f(x + eps) - f(x - eps)) / 2 eps, one input element at a time.  On failure the
message names the input, the output, the worst element and both values.
"""
import numpy as np


class GradcheckError(RuntimeError):
    """What gradcheck and gradgradcheck raise when autograd's gradients differ from finite
    differences (with raise_exception=True; the message names the input, the output and the worst
    element), or when the inputs cannot be checked (not float64, or none requiring grad)."""
    pass


def _outputs(fn, inputs):
    out = fn(*inputs)
    return out if isinstance(out, (tuple, list)) else (out,)


def _differentiable(inputs):
    from ..tensor import Tensor
    return [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]


def _check_inputs(inputs):
    from ..tensor import Tensor
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad and x.dtype.name != 'float64':
            raise GradcheckError(f'gradcheck: input {i} is {x.dtype}; finite differences need float64 '
                                 'inputs (x.double()) to be accurate')
    if not _differentiable(inputs):
        raise GradcheckError('gradcheck: no input requires grad; set requires_grad=True on the '
                             'tensors to check')


def _numerical(fn, inputs, i, out_index, eps):
    x = inputs[i]
    flat = x._data.reshape(-1)      # a view: perturbing it perturbs x
    host_len = flat.shape[0]
    n_out = _outputs(fn, inputs)[out_index].numel()
    jac = np.zeros((host_len, n_out))
    for k in range(host_len):       # written into the array directly: autograd sees nothing
        old = flat[k].item()
        flat[k] = old + eps
        plus = _outputs(fn, inputs)[out_index]._host().reshape(-1).astype(np.float64)
        flat[k] = old - eps
        minus = _outputs(fn, inputs)[out_index]._host().reshape(-1).astype(np.float64)
        flat[k] = old
        jac[k] = (plus - minus) / (2 * eps)
    return jac


def _analytical(fn, inputs, i, out_index):
    from .api import grad
    from ..creation import zeros_like
    out = _outputs(fn, inputs)[out_index]
    x = inputs[i]
    jac = np.zeros((x.numel(), out.numel()))
    for j in range(out.numel()):
        seed = zeros_like(out)
        seed._data.reshape(-1)[j] = 1
        g, = grad(out, x, seed, retain_graph=True, allow_unused=True)
        if g is not None:
            jac[:, j] = g._host().reshape(-1)
    return jac


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """True when autograd agrees with finite differences for every input and output element
    (torch.autograd.gradcheck).

    fn: a function of the tensors in inputs (a tensor or a tuple) returning a tensor or a tuple;
    inputs that require grad must be float64.  eps: the finite-difference step; an element fails
    when |numerical - analytical| > atol + rtol * |numerical|.  raise_exception: raise
    GradcheckError naming the worst element instead of returning False."""
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    _check_inputs(inputs)
    outputs = _outputs(fn, inputs)
    for out_index, out in enumerate(outputs):
        if not out.is_floating_point() or not out.requires_grad:
            continue
        for i in _differentiable(inputs):
            numerical = _numerical(fn, inputs, i, out_index, eps)
            analytical = _analytical(fn, inputs, i, out_index)
            error = np.abs(numerical - analytical) - (atol + rtol * np.abs(numerical))
            if error.size and error.max() > 0:
                k, j = np.unravel_index(np.argmax(error), error.shape)
                message = (f'gradcheck: Jacobian mismatch for output {out_index} with respect to '
                           f'input {i}: worst at input element {k}, output element {j}: numerical '
                           f'{numerical[k, j]:.6g}, analytical {analytical[k, j]:.6g} (atol={atol}, '
                           f'rtol={rtol})')
                if raise_exception:
                    raise GradcheckError(message)
                return False
    return True


def gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """gradcheck of the gradient itself (second derivatives, through create_graph=True)."""
    from .api import grad
    from ..creation import ones_like
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)

    def first_derivatives(*xs):
        outs = _outputs(fn, xs)
        seeds = [ones_like(o) for o in outs]
        used = [xs[i] for i in _differentiable(xs)]
        grads = grad(outs, used, seeds, create_graph=True, allow_unused=True,
                     materialize_grads=True)
        return tuple(grads)

    return gradcheck(first_derivatives, inputs, eps, atol, rtol, raise_exception)
