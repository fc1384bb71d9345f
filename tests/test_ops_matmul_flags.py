"""MatMul's transpose flags: the gradients of a product are products with flags, so each flag
combination must be right to first and second order, batched included."""
import pytest

import minitorch as mt
from minitorch.autograd import gradcheck, gradgradcheck
from minitorch.ops.linalg import MatMul


@pytest.mark.parametrize('transpose_a', [False, True])
@pytest.mark.parametrize('transpose_b', [False, True])
def test_flags_match_explicit_transposes_and_gradcheck(transpose_a, transpose_b):
    mt.manual_seed(0)
    a = mt.randn(*((2, 4, 3) if transpose_a else (2, 3, 4)), dtype=mt.float64, requires_grad=True)
    b = mt.randn(*((5, 4) if transpose_b else (4, 5)), dtype=mt.float64, requires_grad=True)
    flagged = MatMul.apply(a, b, transpose_a, transpose_b)
    explicit = (a.mT if transpose_a else a) @ (b.mT if transpose_b else b)
    assert mt.allclose(flagged, explicit)

    def product(x, y):
        return MatMul.apply(x, y, transpose_a, transpose_b)
    assert gradcheck(product, (a, b))
    assert gradgradcheck(product, (a, b))


def test_backward_of_a_product_records_no_transpose_ops():
    a = mt.randn(3, 4, requires_grad=True)
    b = mt.randn(4, 2, requires_grad=True)
    (a @ b).sum().backward(create_graph=True)
    names = set()
    stack = [a.grad.grad_fn, b.grad.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or not hasattr(node, '_fn'):
            continue
        names.add(node._fn.__name__)
        stack.extend(edge[0] for edge in node.next_functions if edge[0] is not None)
    assert 'MatMul' in names and 'Permute' not in names
