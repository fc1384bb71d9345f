"""backward() and grad(): the user-facing entry points to the engine."""
from .engine import run_backward
from ..tensor import Tensor, set_grad
from .dispatch import INSTALLED, report_new_tensor


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _root(tensor, index):
    if not tensor._requires_grad:
        raise RuntimeError(f'element {index} of tensors does not require grad and does not have a '
                           'grad_fn: nothing on its path needs a gradient. Set requires_grad=True on '
                           'the inputs (e.g. w = mt.randn(3, requires_grad=True)) before computing it, '
                           'and do not compute it inside mt.no_grad().')
    node = tensor.grad_fn
    return (node, tensor._output_nr) if node is not None else (tensor._accumulator(), 0)


def _root_grads(tensors, grad_tensors):
    grads = []
    for t, g in zip(tensors, grad_tensors):
        if g is None:
            data = t._data
            if data.size != 1:
                raise RuntimeError(f'grad can be implicitly created only for scalar outputs: this '
                                   f'output has shape {list(t.shape)}. Reduce it first (y.sum()'
                                   f'.backward()) or pass the gradient: y.backward(gradient=...)')
            ones = Tensor._make(t._device.xp.ones(data.shape, dtype=data.dtype), t._device)
            grads.append(report_new_tensor(ones))
            continue
        if not isinstance(g, Tensor):
            from ..creation import tensor
            g = tensor(g, dtype=t.dtype, device=t.device)
        if g.shape != t.shape:
            raise RuntimeError(f'backward: the gradient has shape {list(g.shape)} but the output '
                               f'has shape {list(t.shape)}; they must match')
        if g._device != t._device:
            raise RuntimeError(f'backward: the gradient is on {g.device} but the output is on '
                               f'{t.device}')
        grads.append(g.detach() if g.grad_fn is None else g)
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Compute the gradients of `tensors` and add them into the .grad of the leaves."""
    tensors = _as_list(tensors)
    grad_tensors = _as_list(grad_tensors) if grad_tensors is not None else [None] * len(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    roots = [_root(t, i) for i, t in enumerate(tensors)]
    grads = _root_grads(tensors, grad_tensors)
    if inputs is not None:
        results = grad(tensors, _as_list(inputs), grads, retain_graph, create_graph,
                       allow_unused=True)
        for leaf, g in zip(_as_list(inputs), results):
            if g is not None:
                g = g if create_graph else g.detach()
                set_grad(leaf, g if leaf._grad is None else leaf._grad + g)
        return
    run_backward(roots, grads, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, returned (no .grad is changed)."""
    outputs, inputs = _as_list(outputs), _as_list(inputs)
    grad_outputs = _as_list(grad_outputs) if grad_outputs is not None else [None] * len(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    roots = [_root(t, i) for i, t in enumerate(outputs)]
    capture = {}
    for i, t in enumerate(inputs):
        if not t._requires_grad:
            raise RuntimeError(f'grad: input {i} does not require grad, so no gradient can be '
                               f'computed for it')
        capture.setdefault(_root(t, i), []).append(i)
    found = run_backward(roots, _root_grads(outputs, grad_outputs), retain_graph, create_graph,
                         capture=capture)
    results = [None] * len(inputs)
    for key, positions in capture.items():
        for i in positions:
            results[i] = found.get(key)
    for i, g in enumerate(results):
        if g is None:
            if materialize_grads:
                from ..creation import zeros_like
                results[i] = zeros_like(inputs[i])
            elif not allow_unused:
                raise RuntimeError(f'grad: input {i} (shape {list(inputs[i].shape)}) was not used to '
                                   'compute the outputs; pass allow_unused=True to get None for it')
    return tuple(results)


def zero_grad(tensors, set_to_none=True):
    """Clear the .grad of each tensor: set it to None (the default, as PyTorch), or fill it with zeros
    in place (set_to_none=False; a gradient that is part of a graph is detached first).  What
    Module.zero_grad and Optimizer.zero_grad do."""
    for t in tensors:
        grad = t._grad
        if grad is None:
            if set_to_none and INSTALLED[0]:
                set_grad(t, None)       # a traced graph then knows .grad is None here, whatever it was
            continue
        if set_to_none:
            set_grad(t, None)
        else:
            if grad.grad_fn is not None:
                grad = grad.detach()
                set_grad(t, grad)
            grad.zero_()
