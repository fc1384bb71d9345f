"""Solutions to notebook 08's exercises (what it costs)."""
import minitorch as mt
from minitorch.autograd.dispatch import DispatchMode


class OpStats(DispatchMode):
    """Build it: per op name, how many calls and how many bytes its output tensors hold."""

    def __init__(self):
        self.calls = {}         # op name (fn.__name__) -> number of calls
        self.bytes = {}         # op name -> bytes of the tensors it returned, summed over calls

    def dispatch(self, fn, args, kwargs, run):
        out = run(fn, args, kwargs)                     # run the op once, as it would run anyway
        name = fn.__name__
        outputs = out if isinstance(out, tuple) else (out,)      # max(dim) returns two tensors
        size = sum(t.numel() * t.element_size() for t in outputs if t is not None)
        self.calls[name] = self.calls.get(name, 0) + 1
        self.bytes[name] = self.bytes.get(name, 0) + size
        return out                                      # the code that called the op gets it


def saved_bytes(tensor):
    """Bytes of the tensors the graph behind `tensor` keeps for backward: every node once, every
    saved tensor once (x * x saves x twice but holds it once); a saved Python number (x * 2 keeps
    the 2) holds no array."""
    seen_nodes, seen_tensors, total = set(), set(), 0
    stack = [tensor.grad_fn] if tensor.grad_fn is not None else []
    while stack:
        node = stack.pop()
        if node in seen_nodes:
            continue
        seen_nodes.add(node)
        for saved in getattr(node, 'saved_tensors', ()):
            if isinstance(saved, mt.Tensor) and id(saved) not in seen_tensors:
                seen_tensors.add(id(saved))
                total += saved.numel() * saved.element_size()
        stack += [child for child, _ in node.next_functions if child is not None]
    return total


def crossover(sizes, fast, slow):
    """The first size from which `fast` stays faster than `slow` at every larger size (None if it
    is not faster at the largest).  sizes ascending; fast and slow: {size: seconds}."""
    found = None
    for n in reversed(sizes):
        if fast[n] >= slow[n]:
            break
        found = n
    return found
