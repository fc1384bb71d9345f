"""Walking the recorded graph: which nodes, in which order, which tensors flow where.

The order is deterministic (it depends only on the graph, never on id()): a depth-first post-order
from the outputs that follows the deepest input first.  For a chain of repeated steps (an unrolled
RNN) this lists the ops step after step, in the order the program ran them, which is also what the
repeated-structure summary looks for.
"""
from ..autograd.node import AccumulateGrad


def children(node):
    return [edge[0] for edge in node.next_functions if edge[0] is not None]


def postorder(starts, kids):
    """Iterative depth-first post-order (children before parents) over `kids(node)`."""
    seen, out = set(), []
    for start in starts:
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(kids(start)))]
        while stack:
            node, it = stack[-1]
            for child in it:
                if child not in seen:
                    seen.add(child)
                    stack.append((child, iter(kids(child))))
                    break
            else:
                stack.pop()
                out.append(node)
    return out


def forward_order(roots):
    """All nodes reachable from `roots` (autograd nodes), inputs before the ops that use them."""
    first = postorder(roots, children)
    height = {}
    for node in first:
        height[node] = 1 + max((height[c] for c in children(node)), default=-1)

    def deepest_first(node):
        kids = list(dict.fromkeys(children(node)))
        return sorted(kids, key=lambda c: -height[c])      # stable: ties keep input order
    return postorder(sorted(roots, key=lambda n: -height[n]), deepest_first)


class Flow:
    """The forward graph of some outputs: ops in order and the tensors between them.

    A tensor is keyed by ('leaf', tensor-or-AccumulateGrad) or ('out', node, output_nr).
    inputs[op] lists the tensor keys op consumed (None for an input that needs no grad)."""

    def __init__(self, outputs):
        self.output_keys = []
        roots = []
        for t in outputs:
            if t.grad_fn is not None:
                key = ('out', t.grad_fn, t._output_nr)
                roots.append(t.grad_fn)
            elif t._requires_grad:
                acc = t._accumulator()
                key = ('leaf', acc)
                roots.append(acc)
            else:
                key = ('leaf', t)
            self.output_keys.append(key)
        self._keep = roots          # AccumulateGrad nodes are weakly held by their leaf
        nodes = forward_order(list(dict.fromkeys(roots)))
        self.ops = [n for n in nodes if not isinstance(n, AccumulateGrad)]
        self.inputs = {}
        self.consumers = {}         # tensor key -> [op, ...] in order
        for op in self.ops:
            keys = []
            for edge in op.next_functions:
                if edge[0] is None:
                    keys.append(None)
                    continue
                child, nr = edge
                key = ('leaf', child) if isinstance(child, AccumulateGrad) else ('out', child, nr)
                keys.append(key)
                self.consumers.setdefault(key, []).append(op)
            self.inputs[op] = keys
        self.tensor_keys = self._tensor_order()

    def _tensor_order(self):
        keys = []
        for op in self.ops:
            keys.extend(k for k in self.inputs[op] if k is not None)
            keys.extend(('out', op, nr) for nr in range(len(op.out_meta)))
        keys.extend(self.output_keys)
        used = set(self.consumers) | set(self.output_keys)
        return [k for k in dict.fromkeys(keys) if k in used]


def leaf_tensor(key):
    """The tensor of a ('leaf', ...) key."""
    obj = key[1]
    return obj.variable if isinstance(obj, AccumulateGrad) else obj


def live_tensor(key):
    """The tensor object of a key if it is still alive, else None."""
    if key[0] == 'leaf':
        return leaf_tensor(key)
    node, nr = key[1], key[2]
    outs = node.outputs() if hasattr(node, '_outputs') else ()
    return outs[nr] if nr < len(outs) else None


def meta(key):
    """(shape, numpy dtype, device) of a tensor key."""
    if key[0] == 'leaf':
        t = leaf_tensor(key)
        return t._data.shape, t._data.dtype, t._device
    return key[1].out_meta[key[2]]
