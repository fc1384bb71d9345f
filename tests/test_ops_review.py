"""Ops that must not do their work twice: each operand is cast once, and an op on an unrecorded
call keeps nothing for a backward that will never run."""
import minitorch as mt
from minitorch.autograd.dispatch import DispatchMode


class OpNames(DispatchMode):
    """Records the name of every op run while it is installed."""
    records_writes = False

    def __init__(self):
        self.names = []

    def dispatch(self, fn, args, kwargs, run):
        self.names.append(fn.__name__)
        return run(fn, args, kwargs)


def ops_of(function, *args):
    with OpNames() as mode:
        result = function(*args)
    return result, mode.names


def test_pow_of_mixed_dtypes_casts_each_operand_once():
    base = mt.tensor([1, 2, 3], dtype=mt.int32)
    exponent = mt.tensor([0.5, 2.0, 1.0], dtype=mt.float64)
    result, names = ops_of(lambda a, b: a ** b, base, exponent)
    assert names == ['Cast', 'Pow']
    assert result.dtype is mt.float64
    assert result.tolist() == [1.0, 4.0, 3.0]


def test_where_of_two_tensors_casts_once():
    condition = mt.tensor([True, False])
    result, names = ops_of(mt.where, condition, mt.tensor([1, 2]), mt.tensor([0.5, 1.5]))
    assert names == ['Cast', 'Where']
    assert result.tolist() == [1.0, 1.5]


def test_unrecorded_elementwise_calls_keep_no_shapes():
    from minitorch.autograd.function import _EagerContext
    from minitorch.ops.arithmetic import Add
    from minitorch.ops.selection import Where
    ctx = _EagerContext()
    a, b = mt.ones(2, 3)._data, mt.ones(3)._data
    Add.forward(ctx, a, b)
    Where.forward(ctx, a > 0, a, b)
    assert not hasattr(ctx, 'shapes')


def test_recorded_calls_still_sum_gradients_to_each_shape():
    a = mt.ones(2, 3, requires_grad=True)
    b = mt.ones(3, requires_grad=True)
    (mt.where(a > 0, a, b) + b).sum().backward()
    assert a.grad.tolist() == [[1.0] * 3] * 2
    assert b.grad.tolist() == [2.0] * 3
