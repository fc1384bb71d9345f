"""The spec registry: one Spec per op of minitorch.ops.table.OPS, keyed by the op's name (REGISTRY),
and one per public function outside the table (OUTSIDE_TABLE: nn.functional, mt.linalg, the factories
and the in-place methods fill_, zero_, copy_).

A spec says how to draw a case (`draw(d)` -> Case), what PyTorch answers (`reference`, with numpy on
the same arguments; it raises reference.Refused for inputs PyTorch refuses), how to call the op
(`call(lib, *args)`, the same code for minitorch and torch), and what its gradient is (`derivative`,
the closed form where one exists).  In a Case, every numpy array stands for a tensor argument.
"""
import numpy as np

REGISTRY = {}
OUTSIDE_TABLE = {}


class Case:
    """The arguments of one call: numpy arrays are tensor arguments, the rest is passed as is."""

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs

    def __repr__(self):
        def show(a):
            if isinstance(a, np.ndarray):
                return f'array({a.tolist()!r}, {a.dtype})'
            if isinstance(a, (list, tuple)):
                inner = ', '.join(show(x) for x in a)
                return f'[{inner}]' if isinstance(a, list) else f'({inner}{"," if len(a) == 1 else ""})'
            return repr(a)
        parts = [show(a) for a in self.args] + [f'{k}={show(v)}' for k, v in self.kwargs.items()]
        return f'Case({", ".join(parts)})'


class Spec:
    """How the differential suite tests one op.

    name        the op's name in the table
    draw        draw(d) -> Case (d: strategies.Draw)
    reference   reference(*args, **kwargs) -> numpy result, tuple of them, Python scalar, or a
                RandomCheck; raises reference.Refused where PyTorch refuses
    call        call(lib, *args, **kwargs): the op on minitorch or torch (default lib.<name>, or
                the method for method-only ops)
    grad        positions of the arguments differentiated (None: every float array argument,
                lists of arrays included; () for ops without a gradient)
    derivative  derivative(upstream, *args, **kwargs) -> one numpy gradient per differentiated
                argument: the closed form, checked besides finite differences
    scale       scale(*args, **kwargs) -> magnitude of a result that cancels (sums, products)
    names       what an error message may call the op (the name and its aliases by default)
    rtol        tolerance override for values
    grad_rtol   tolerance of the analytic gradient check
    factory     the op makes tensors from sizes alone: it is given device= to run on a device
    """

    def __init__(self, name, draw, reference, call=None, grad=None, derivative=None, scale=None,
                 names=(), rtol=None, grad_rtol=1e-8, second_order=False, factory=False):
        self.name, self.draw, self.reference = name, draw, reference
        self.call = call
        self.grad, self.derivative, self.scale = grad, derivative, scale
        self.names = (name,) + tuple(names)
        self.rtol, self.grad_rtol = rtol, grad_rtol
        self.second_order, self.factory = second_order, factory

    def __repr__(self):
        return f'<Spec {self.name}>'


def spec(name, draw, reference, table=True, **options):
    """Register the spec of op `name` (one per op); table=False: a public function that is not a row
    of the op table (it then needs `call`)."""
    registry = REGISTRY if table else OUTSIDE_TABLE
    assert name not in REGISTRY and name not in OUTSIDE_TABLE, f'two specs for {name}'
    assert table or options.get('call') is not None, f'{name} is outside the table: give call='
    registry[name] = Spec(name, draw, reference, **options)
    return registry[name]


class RandomCheck:
    """What a random draw must satisfy (its values cannot be predicted): shape, dtype and a check
    on the values (a function of a numpy array returning an error string or None)."""

    def __init__(self, shape, dtype, check=None):
        self.shape, self.dtype, self.check = tuple(shape), np.dtype(dtype), check
