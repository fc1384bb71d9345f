"""The backward engine: walk the recorded graph in reverse topological order.

Iterative (Kahn's algorithm over dependency counts), so a chain of 100,000 ops needs no recursion.  Each
node runs once, when every gradient flowing into it has arrived and been summed.  `backward` adds the
results into leaves' .grad; `grad` returns them instead and runs only the nodes on a path to its inputs.
"""
from .thread_state import STATE
from ..dtypes import FROM_NUMPY
from ..tensor import Tensor, set_grad
from .dispatch import INSTALLED, report_new_tensor, report_python_value
from .node import AccumulateGrad


def queue_callback(callback):
    """Run callback() once when the backward pass that is running now finishes (PyTorch's
    Variable._execution_engine.queue_callback); data-parallel training waits for its all-reduces so."""
    if not STATE.backward_depth:
        raise RuntimeError('queue_callback: no backward pass is running in this thread; call it from '
                           'a hook that runs during backward()')
    STATE.callbacks.append(callback)


def run_backward(roots, root_grads, retain_graph, create_graph, capture=None):
    """roots: (node, output_nr) pairs.  With capture (a collection of (node, output_nr) pairs, for
    autograd.grad) the gradients arriving there are returned in a dict instead of accumulated."""
    dependencies = _count_dependencies(node for node, _ in roots)
    needed, targets = None, ()
    if capture is not None:
        targets = {node for node, _ in capture}
        needed = _nodes_reaching(targets, [node for node, _ in roots] + list(dependencies))
    buffers = {}
    handed_out = {id(g._data) for g in root_grads}     # arrays a leaf's .grad must not alias
    for (node, nr), grad in zip(roots, root_grads):
        _add_to_buffer(buffers, node, nr, grad, 'the gradient passed to backward()')
    ready = [node for node in dict.fromkeys(node for node, _ in roots) if dependencies.get(node, 0) == 0]
    captured = {} if capture is not None else None
    previous = STATE.enabled
    STATE.enabled = create_graph
    if not STATE.backward_depth:
        STATE.callbacks = []
    STATE.backward_depth += 1
    callbacks = STATE.callbacks
    queued = len(callbacks)
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None)
            input_grads = None
            if grads is not None and (needed is None or node in needed or node in targets):
                if node._pre_hooks:
                    grads = _run_pre_hooks(node, grads)
                if captured is not None:
                    _capture(node, grads, capture, captured)
                if needed is None or node in needed:
                    input_grads = _run_node(node, grads, create_graph, captured is None, handed_out)
            if not retain_graph and node._saved is not None and input_grads is not None:
                node._release()         # only what ran: grad() leaves the rest of the graph usable
            index = -1
            for edge in node.next_functions:
                index += 1
                child = edge[0]
                if child is None:
                    continue
                if input_grads is not None:
                    grad = input_grads[index]
                    if grad is not None:
                        nr = edge[1]
                        shape, dtype, _ = child.out_meta[nr]
                        data = grad._data
                        if data.shape != shape or data.dtype != dtype:
                            grad = _checked(grad, child, nr, node)
                        slots = buffers.get(child)
                        if slots is None:
                            slots = buffers[child] = [None] * len(child.out_meta)
                        slots[nr] = grad if slots[nr] is None else slots[nr] + grad
                left = dependencies[child] - 1
                dependencies[child] = left
                if left == 0:
                    ready.append(child)
    finally:
        STATE.enabled = previous
        STATE.backward_depth -= 1
    while len(callbacks) > queued:          # this pass's callbacks, in the order they were queued
        callbacks.pop(queued)()
    return captured


def _count_dependencies(start):
    """How many edges lead into each node reachable from the roots (roots not reached count 0)."""
    roots = list(dict.fromkeys(start))
    root_set = set(roots)
    dependencies = {}
    stack = roots
    while stack:
        node = stack.pop()
        for edge in node.next_functions:
            child = edge[0]
            if child is None:
                continue
            if child in dependencies:
                dependencies[child] += 1
            else:
                dependencies[child] = 1
                if child not in root_set:       # a root is expanded once, from the start
                    stack.append(child)
    return dependencies


def _nodes_reaching(targets, graph_nodes):
    """The nodes from which a captured node (one of targets) can be reached through at least one
    edge: only these run for grad() (a captured node itself runs only when another captured node
    lies below it)."""
    parents = {}
    for node in dict.fromkeys(graph_nodes):     # edges point child-ward: build the reverse map
        for edge in node.next_functions:
            if edge[0] is not None:
                parents.setdefault(edge[0], []).append(node)
    needed, stack = set(), list(targets)
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in needed:
                needed.add(parent)
                stack.append(parent)
    return needed


def _checked(grad, node, nr, source):
    """A gradient of the right shape and dtype for output nr of node, or a clear error."""
    shape, dtype, _ = node.out_meta[nr]
    if grad._data.shape != shape:
        where = source if isinstance(source, str) else f'{source.name()} returned'
        raise RuntimeError(f'{where} a gradient of shape {tuple(grad.shape)} for a tensor of shape '
                           f'{tuple(shape)} (input of {node.name()}); gradients must match the shape '
                           f'of the tensor they are for')
    if grad._data.dtype != dtype:
        grad = grad.to(FROM_NUMPY[dtype])
    return grad


def _add_to_buffer(buffers, node, nr, grad, source):
    grad = _checked(grad, node, nr, source)
    slots = buffers.get(node)
    if slots is None:
        slots = buffers[node] = [None] * len(node.out_meta)
    slots[nr] = grad if slots[nr] is None else slots[nr] + grad


def _run_pre_hooks(node, grads):
    hooks = node._pre_hooks
    if hooks:
        for nr, fns in hooks.items():
            for fn in list(fns):
                if grads[nr] is not None:
                    result = fn(grads[nr])
                    if result is not None:
                        grads[nr] = _hook_result(fn, result, grads[nr], node)
    return grads


def _hook_result(hook, result, grad, node):
    """A hook's replacement gradient, checked: a tensor of the gradient's shape."""
    name = getattr(hook, '__qualname__', None) or repr(hook)
    if not isinstance(result, Tensor):
        raise TypeError(f'the gradient hook {name} (on an output of {node.name()}) returned '
                        f'{type(result).__name__}; a hook returns None or a gradient tensor')
    if result._data.shape != grad._data.shape:
        raise RuntimeError(f'the gradient hook {name} (on an output of {node.name()}) returned a '
                           f'gradient of shape {list(result.shape)} for a tensor of shape '
                           f'{list(grad.shape)}; a hook must return a gradient of the same shape')
    return result


def _capture(node, grads, capture, captured):
    for nr, grad in enumerate(grads):
        if (node, nr) in capture and grad is not None:
            captured[(node, nr)] = grad


def _run_node(node, grads, create_graph, accumulate, handed_out):
    if type(node) is AccumulateGrad:
        if accumulate:
            _accumulate(node.variable, grads[0], create_graph, handed_out)
        return None
    if INSTALLED[0] or create_graph:
        result = _backward_in_scope(node, grads)
    elif len(grads) == 1:
        grad = grads[0]
        if grad is None and node.materialize_grads:
            grad = _zeros(node, 0)
        result = node._fn.backward(node, grad)
    else:
        result = node._fn.backward(node, *_materialized(node, grads))
    if type(result) is not tuple:
        result = (result,)
    wanted = len(node.next_functions)
    if len(result) != wanted and (len(result) < wanted or
                                  any(r is not None for r in result[wanted:])):
        raise RuntimeError(f'{node._fn.__name__}.backward returned {len(result)} gradient(s) but '
                           f'forward had {wanted} input(s): return one gradient (or None) per input')
    return result


def _materialized(node, grads):
    if not node.materialize_grads:
        return grads
    return [g if g is not None else _zeros(node, nr) for nr, g in enumerate(grads)]


def _backward_in_scope(node, grads):
    """Run node's backward rule in the modules its forward op ran in, so a recorded gradient graph
    (or a static graph) groups its ops with their forward ops."""
    outer, STATE.scope = STATE.scope, node.scope
    try:
        return node._fn.backward(node, *_materialized(node, grads))
    finally:
        STATE.scope = outer


def _zeros(node, nr):
    shape, dtype, device = node.out_meta[nr]
    return report_new_tensor(Tensor._make(device.xp.zeros(shape, dtype=dtype), device))


def _accumulate(variable, grad, create_graph, handed_out):
    """Add grad into variable.grad: set it the first time, add in place after (a new sum when the
    graph of the gradient is being recorded).  Every change goes through set_grad or an op."""
    if not create_graph:
        grad = grad.detach()
    if INSTALLED[0]:
        report_python_value(variable, '.grad is None', _grad_is_none)
    if variable._grad is None:
        # one array can reach several leaves (Add's backward passes it through, views share memory):
        # a .grad takes an array only if nothing else holds it, otherwise a copy
        data = grad._data
        if create_graph or (getattr(data, 'base', None) is None and id(data) not in handed_out):
            handed_out.add(id(data))
            set_grad(variable, grad)
        else:
            set_grad(variable, grad.clone())
    elif create_graph:
        set_grad(variable, variable._grad + grad)
    else:
        variable._grad.add_(grad)
    hooks = variable._post_accumulate_hooks
    if hooks:
        for hook in list(hooks):
            hook(variable)


def _grad_is_none(tensor):
    return tensor._grad is None
