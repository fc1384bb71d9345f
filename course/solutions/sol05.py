"""Solutions to notebook 05's exercises (dynamic graphs)."""
from lib.value import Value


# --- exercise 1: max for the course's Value ----------------------------------------------------------
def value_max(a, b):
    """max(a, b) as a new operation: the gradient goes to the input that won, added with +=."""
    winner = a if a.data >= b.data else b
    out = Value(winner.data, (a, b), "max")
    def _backward():
        winner.grad += out.grad
    out._backward = _backward
    return out


def value_max_by_branch(a, b):
    """The define-by-run answer: no new node at all.  The `if` runs in Python, the graph records
    only the branch taken, and backward follows it to the winner."""
    return a if a.data >= b.data else b


# --- exercise 2: a key for "the same graph" ---------------------------------------------------------
def graph_key(out):
    """A hashable description of the graph that recorded `out`: for each node, in the order met
    walking back from out.grad_fn, its name, its outputs' shapes and dtypes, and the numbers of the
    nodes that feed it.  Equal for two passes that ran the same ops on same-shaped inputs, whatever
    the values; different when an op, a shape or a connection differs."""
    order, number, stack = [], {}, [out.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in number:
            continue
        number[node] = len(order)
        order.append(node)
        stack.extend(fn for fn, _ in reversed(node.next_functions))
    return tuple((node.name(),
                  tuple((tuple(shape), str(dtype)) for shape, dtype, _ in node.out_meta),
                  tuple(None if fn is None else (number[fn], nr) for fn, nr in node.next_functions))
                 for node in order)
