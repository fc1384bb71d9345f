"""round, floor, ceil and sign are differentiable with a zero gradient, as in PyTorch."""
import minitorch as mt


def test_piecewise_constant_ops_pass_a_zero_gradient():
    x = mt.tensor([0.4, 1.6, -2.5], requires_grad=True)
    for op in (mt.round, mt.floor, mt.ceil, mt.sign):
        y = op(x)
        assert y.requires_grad
        x.grad = None
        (y * 3).sum().backward()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]
    assert mt.floor(x).tolist() == [0.0, 1.0, -3.0]
    assert mt.sign(mt.tensor([3, -2, 0])).tolist() == [1, -1, 0]
