"""Behaviours fixed to match PyTorch: a user's ctx.fn, grad() leaving the rest of the graph usable,
Sequential renumbering, state_dict checks, contiguous(), signatures of generated methods."""
import inspect

import pytest

import minitorch as mt


def test_a_custom_function_may_keep_a_function_on_ctx():
    class Apply(mt.autograd.Function):
        @staticmethod
        def forward(ctx, fn, x):
            ctx.fn = fn
            return fn(x)

        @staticmethod
        def backward(ctx, grad):
            return None, grad * 2

    x = mt.ones(3, requires_grad=True)
    Apply.apply(lambda t: t * 2, x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_grad_with_respect_to_a_non_leaf_leaves_the_graph_below_it_alone():
    p = mt.randn(3, requires_grad=True)
    x = p * 2
    g, = mt.autograd.grad(x.exp().sum(), x)
    assert mt.allclose(g, x.exp().detach())
    x.sum().backward()                      # MulBackward did not run, so it was not freed
    assert p.grad.tolist() == [2.0, 2.0, 2.0]


def test_grad_of_two_inputs_one_below_the_other():
    a = mt.randn(3, requires_grad=True)
    b = a * 3
    ga, gb = mt.autograd.grad(b.exp().sum(), [a, b])
    assert mt.allclose(gb, b.exp().detach()) and mt.allclose(ga, 3 * b.exp().detach())


def test_sequential_renumbers_after_del_so_append_overwrites_nothing():
    a, b, c, d = (mt.nn.Linear(1, 1) for _ in range(4))
    s = mt.nn.Sequential(a, b, c)
    del s[0]
    s.append(d)
    assert list(s) == [b, c, d] and [name for name, _ in s.named_children()] == ['0', '1', '2']


def test_load_state_dict_refuses_what_is_not_a_mapping():
    with pytest.raises(TypeError, match='Expected state_dict to be dict-like, got list'):
        mt.nn.Linear(2, 2).load_state_dict([1, 2])


def test_contiguous_copies_a_transposed_tensor():
    a = mt.arange(6.0).reshape(2, 3)
    assert a.contiguous() is a
    b = a.t().contiguous()
    b[0, 1] = 9.0
    assert a.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    x = mt.ones(2, 3, requires_grad=True)
    x.t().contiguous().sum().backward()
    assert x.grad.tolist() == [[1.0] * 3] * 2


def test_generated_methods_read_like_methods():
    assert str(inspect.signature(mt.Tensor.add_)) == '(self, other, *, alpha=1)'
    assert mt.Tensor.__iadd__.__name__ == '__iadd__'
    assert str(inspect.signature(mt.Tensor.__radd__)) == '(self, other)'
    assert mt.Tensor.__matmul__.__wrapped__ is mt.matmul
    assert 'minitorch.ops.linalg' in mt.Tensor.__matmul__.__doc__
