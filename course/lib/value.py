"""The course's scalar autograd engine, built cell by cell in notebook 03.

    from lib.value import Value
    a, b = Value(2.0), Value(-3.0)
    e = (a * b + a).tanh()
    e.backward()                  # a.grad, b.grad now hold de/da, de/db

A Value holds a number (`data`) and, after backward, the gradient of the output with respect to it
(`grad`).  Each operation makes a new Value that remembers its `_parents` (in order), the `op` that
made it (for printing and drawing) and a `_backward` closure that adds each parent's share of
`self.grad` into that parent's `grad` (the chain rule, with `+=` so that a value used twice gets both
shares).  `backward()` runs the closures in reverse topological order, found without recursion, so a
graph of any depth works.  Like minitorch, backward *adds* into the leaves' `grad`: two backward calls
give twice the gradient; the intermediate values' `grad` is scratch, reset at the start of each pass.
"""
import math


class Value:
    def __init__(self, data, parents=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self._parents = tuple(parents)   # the Values this one was computed from
        self._backward = lambda: None    # pushes self.grad to the parents; set by the op that made self
        self.op = op                     # for printing and drawing only

    def __repr__(self):
        return f"Value({self.data:.4g}, grad={self.grad:.4g})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")
        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    __radd__ = __add__                   # 2 + v and 2 * v as well as v + 2, v * 2
    __rmul__ = __mul__

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")
        def _backward():
            self.grad += (1 - t * t) * out.grad
        out._backward = _backward
        return out

    # --- a few more operations, written the same way ----------------------------------------------
    def __pow__(self, exponent):         # a number exponent only
        out = Value(self.data ** exponent, (self,), f"**{exponent:g}")
        def _backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")
        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(max(self.data, 0.0), (self,), "relu")
        def _backward():
            self.grad += (self.data > 0) * out.grad
        out._backward = _backward
        return out

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __truediv__(self, other):
        return self * (other if isinstance(other, Value) else Value(other)) ** -1

    def __rtruediv__(self, other):
        return Value(other) * self ** -1

    def backward(self, gradient=1.0):
        """Add d(self)/d(leaf) * gradient into every leaf's grad, as minitorch's backward does."""
        order = topological_order(self)
        for node in order:
            if node._parents:            # an intermediate value: its grad is this pass's scratch
                node.grad = 0.0
        self.grad += gradient
        for node in reversed(order):
            node._backward()


def topological_order(root):
    """Every Value that root depends on, each after all of its parents (an explicit stack, no
    recursion, so a chain of 100,000 operations does not hit Python's recursion limit)."""
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif id(node) not in visited:
            visited.add(id(node))
            stack.append((node, True))                       # come back once the parents are in
            stack.extend((p, False) for p in node._parents)
    return order
