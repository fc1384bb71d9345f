"""Bad input and memory: errors that teach, graphs that are freed, user tensors left intact."""
import gc
import weakref

import numpy as np
import pytest

import minitorch as mt
from helpers import host


def test_broadcast_error_names_the_op_and_both_shapes(device):
    a, b = mt.ones(2, 3, device=device), mt.ones(4, 3, 2, device=device)
    for op, call in [('add', lambda: a + b), ('mul', lambda: a * b), ('sub', lambda: mt.sub(a, b)),
                     ('maximum', lambda: mt.maximum(a, b)), ('div', lambda: a / b)]:
        with pytest.raises(RuntimeError) as info:
            call()
        message = str(info.value)
        assert message.startswith(op) and '[2, 3]' in message and '[4, 3, 2]' in message, message


def test_broadcast_error_with_ints_and_where(device):
    with pytest.raises(RuntimeError, match=r'add.*\[3\].*\[4\]'):
        mt.arange(3, device=device) + mt.arange(4, device=device)
    cond = mt.ones(5, dtype=mt.bool, device=device)
    with pytest.raises(RuntimeError, match=r'where.*\[5\].*\[3\]'):
        mt.where(cond, mt.ones(3, device=device), 0.0)


def test_matmul_shape_error(device):
    with pytest.raises(RuntimeError, match=r'matmul.*\[2, 3\].*\[4, 5\].*3 != 4'):
        mt.ones(2, 3, device=device) @ mt.ones(4, 5, device=device)
    with pytest.raises(RuntimeError, match=r'matmul.*\[2, 3\].*\[2\]'):
        mt.ones(2, 3, device=device) @ mt.ones(2, device=device)
    with pytest.raises(RuntimeError, match='matmul.*at least 1 dim'):
        mt.ones(2, device=device) @ mt.tensor(2.0, device=device)
    with pytest.raises(RuntimeError, match=r'matmul.*\[2\].*\[3\].*broadcast'):
        mt.ones(2, 1, 3, device=device) @ mt.ones(3, 3, 1, device=device)


def test_device_mismatch_names_both_devices():
    a = mt.ones(2)
    b = mt.ones(2, device='fakegpu')
    for call in [lambda: a + b, lambda: b * a, lambda: mt.cat([a, b]), lambda: mt.where(a > 0, a, b)]:
        with pytest.raises(RuntimeError) as info:
            call()
        message = str(info.value)
        assert 'cpu' in message and 'fakegpu' in message and 'same device' in message, message
    with pytest.raises(RuntimeError, match='fakegpu.*cpu|cpu.*fakegpu'):
        a[mt.tensor([0], device='fakegpu')]
    with pytest.raises(RuntimeError, match='fakegpu.*cpu|cpu.*fakegpu'):
        a[0] = mt.tensor(1.0, device='fakegpu')


def test_the_fake_gpu_refuses_numpy_arrays_as_cupy_does():
    x = mt.ones(3, device='fakegpu')
    with pytest.raises(TypeError, match="Unsupported type <class 'numpy.ndarray'>"):
        x._data + np.ones(3)
    with pytest.raises(TypeError, match="Unsupported type"):
        np.concatenate([x._data, np.ones(3)])
    with pytest.raises(TypeError, match="Unsupported type"):
        x._device.xp.exp(np.ones(3))
    with pytest.raises(TypeError, match="Unsupported type"):
        x._data[...] = [1.0, 2.0, 3.0]
    with pytest.raises(TypeError, match='numpy'):
        x.numpy()
    with pytest.raises(TypeError, match='numpy'):
        np.asarray(x)


@pytest.mark.skipif(mt.cuda.is_available(), reason='a CUDA GPU is present')
def test_cuda_without_gpu_says_what_is_missing():
    reason = mt.cuda.why_unavailable()
    assert reason and ('CuPy' in reason)
    for call in [lambda: mt.ones(2, device='cuda'), lambda: mt.ones(2).cuda(),
                 lambda: mt.ones(2).to('cuda:0'), lambda: mt.tensor([1.0], device='cuda')]:
        with pytest.raises(RuntimeError) as info:
            call()
        message = str(info.value)
        assert "'cuda' is not available" in message and reason in message, message
    assert mt.cuda.device_count() == 0


def test_unknown_device_names_the_choices():
    with pytest.raises(RuntimeError, match="unknown device type 'tpu'.*'cpu'"):
        mt.device('tpu')


def test_backward_twice_says_graph_was_freed_and_suggests_retain_graph(device):
    x = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError) as info:
        y.backward()
    assert 'second time' in str(info.value) and 'retain_graph=True' in str(info.value)


def test_saved_tensors_freed_after_backward_and_kept_with_retain_graph(device):
    x = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = x * x
    node = y.grad_fn
    assert node._saved is not None
    y.sum().backward(retain_graph=True)
    assert node._saved is not None
    y.sum().backward()
    assert node._saved is None
    np.testing.assert_allclose(host(x.grad), [4.0, 8.0])


def test_inplace_change_of_a_saved_tensor_is_caught_at_backward(device):
    x = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = x * 2
    z = y * y               # saves y
    y.add_(1)
    with pytest.raises(RuntimeError) as info:
        z.sum().backward()
    message = str(info.value)
    assert 'modified by an in-place operation' in message and 'MulBackward' in message, message
    assert 'version 1' in message and 'version 0' in message


def test_inplace_change_through_a_view_shares_the_counter(device):
    x = mt.tensor([[1.0, 2.0], [3.0, 4.0]], device=device, requires_grad=True)
    y = x.exp()             # ExpBackward saves its output y
    view = y.detach()[0]    # a view of y's memory sharing y's version counter
    assert view._version == y._version
    with mt.no_grad():
        view.mul_(2)
    assert y._version == 1
    with pytest.raises(RuntimeError, match='ExpBackward'):
        y.sum().backward()
    base = mt.tensor([1.0, 2.0, 3.0], device=device)
    v = base.reshape(3, 1)[1:]
    v += 1
    assert base._version == v._version == 1
    assert base.tolist() == [1.0, 3.0, 4.0]


def test_inplace_on_a_leaf_requiring_grad(device):
    w = mt.tensor([1.0, 2.0], device=device, requires_grad=True)
    for call in [lambda: w.add_(1), lambda: w.mul_(2), lambda: w.zero_(), lambda: w.fill_(3.0),
                 lambda: w.__setitem__(0, 5.0), lambda: w.clamp_(0, 1)]:
        with pytest.raises(RuntimeError, match='leaf tensor that requires grad.*no_grad'):
            call()
    assert w.tolist() == [1.0, 2.0] and w._version == 0
    with mt.no_grad():
        w -= 0.5 * mt.ones(2, device=device)
        w[1] = 7.0
    assert w.tolist() == [0.5, 7.0] and w.is_leaf and w.requires_grad


def test_non_scalar_backward_needs_a_gradient(device):
    x = mt.ones(3, device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match=r'only for scalar outputs.*\[3\].*gradient='):
        (x * 2).backward()


def test_requires_grad_on_integer_tensors_raises(device):
    with pytest.raises(RuntimeError, match='floating point.*int64'):
        mt.tensor([1, 2], device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match='floating point'):
        mt.arange(3, device=device).requires_grad_()
    with pytest.raises(RuntimeError, match='floating point.*bool'):
        mt.ones(2, dtype=mt.bool, device=device).requires_grad = True


@pytest.mark.parametrize('call,op', [
    (lambda x: x.sum(3), 'sum'), (lambda x: x.mean(-4), 'mean'), (lambda x: x.softmax(2), 'softmax'),
    (lambda x: x.max(5), 'max'), (lambda x: x.transpose(0, 2), 'transpose'),
    (lambda x: x.unsqueeze(4), 'unsqueeze'), (lambda x: x.squeeze(-3), 'squeeze'),
    (lambda x: mt.cat([x, x], 2), 'cat'), (lambda x: x.size(2), 'size'),
    (lambda x: x.gather(2, mt.zeros(2, 3, dtype=mt.int64, device=x.device)), 'gather'),
    (lambda x: x.narrow(-3, 0, 1), 'narrow'), (lambda x: x.var(2), 'var')])
def test_dim_out_of_range_is_an_index_error_naming_the_op(device, call, op):
    x = mt.ones(2, 3, device=device)
    with pytest.raises(IndexError) as info:
        call(x)
    assert str(info.value).startswith(op) and 'out of range' in str(info.value), str(info.value)


def test_item_of_many_elements_raises(device):
    with pytest.raises(RuntimeError, match=r'item\(\).*3 elements'):
        mt.ones(3, device=device).item()
    assert mt.ones(1, 1, device=device).item() == 1.0
    with pytest.raises(RuntimeError, match='ambiguous'):
        bool(mt.ones(2, device=device))


def test_other_bad_input_messages(device):
    x = mt.ones(2, 3, device=device)
    with pytest.raises(RuntimeError, match=r'reshape.*\[4, 2\].*\[2, 3\]'):
        x.reshape(4, 2)
    with pytest.raises(RuntimeError, match='cat: sizes'):
        mt.cat([x, mt.ones(2, 2, device=device)], 0)
    with pytest.raises(RuntimeError, match='stack'):
        mt.stack([x, mt.ones(3, 2, device=device)])
    with pytest.raises(RuntimeError, match='mean.*dtype'):
        mt.arange(3, device=device).mean()
    with pytest.raises(TypeError, match='unsupported operand'):
        x + 'a'
    with pytest.raises(IndexError, match=r'index.*\[2, 3\]'):
        x[5]
    with pytest.raises(RuntimeError, match='expand'):
        x.expand(4, 3)
    with pytest.raises(RuntimeError, match=r'add_.*shape'):
        x.add_(mt.ones(4, 2, 3, device=device))
    with pytest.raises(RuntimeError, match="can't be cast"):
        mt.ones(2, dtype=mt.int64, device=device).add_(1.5)


def test_a_100000_op_chain_backpropagates_without_recursion(device):
    x = mt.tensor(1.0, dtype=mt.float64, device=device, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y = y + x
    y.backward()
    assert x.grad.item() == 2.0
    ref = weakref.ref(y.grad_fn)
    del y                   # dropping a long chain must not recurse either
    gc.collect()
    assert ref() is None


def test_errors_leave_user_tensors_intact(device):
    x = mt.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    (x * 2).sum().backward()
    h = x * 1.0             # a non-leaf with a grad_fn
    node, grad = h.grad_fn, x.grad
    bad = mt.ones(2, device=device)
    for call in [lambda: x + bad, lambda: h.add_(bad), lambda: h.mul_(mt.ones(4, 3, device=device)),
                 lambda: h.__setitem__(slice(None), bad), lambda: x @ bad, lambda: x.add_(1),
                 lambda: h.sum(4), lambda: mt.ones(3, dtype=mt.int64, device=device).add_(0.5)]:
        with pytest.raises((RuntimeError, IndexError, ValueError)):
            call()
        assert x.tolist() == [1.0, 2.0, 3.0] and h.tolist() == [1.0, 2.0, 3.0]
        assert x.grad is grad and host(x.grad).tolist() == [2.0, 2.0, 2.0]
        assert h.grad_fn is node and x.grad_fn is None and x._version == 0
    assert h._version == 0
    h.sum().backward()      # the graph is still usable
    assert host(x.grad).tolist() == [3.0, 3.0, 3.0]


@pytest.mark.parametrize('name', ['exp', 'tanh', 'sigmoid', 'sqrt', 'relu', 'abs', 'floor', 'sum',
                                  'prod', 'mean', 'cumsum', 'softmax', 'log_softmax'])
@pytest.mark.parametrize('given, named', [(np.ones(3), 'numpy.ndarray'), ([1.0, 2.0], 'list')])
def test_an_op_given_no_tensor_names_itself_what_it_got_and_how_to_make_one(name, given, named):
    args = (0,) if name in ('cumsum', 'softmax', 'log_softmax') else ()
    with pytest.raises(TypeError, match=rf"^{name}\(\): argument 'input' \(position 1\) must be a "
                                        rf"Tensor, not {named}; make one with .*mt\.tensor\(x\)"):
        getattr(mt, name)(given, *args)
    if named == 'numpy.ndarray':
        with pytest.raises(TypeError, match='mt.from_numpy'):
            getattr(mt, name)(given, *args)


def test_modules_given_a_numpy_array_say_so():
    with pytest.raises(TypeError, match=r"^relu\(\): .*must be a Tensor, not numpy.ndarray"):
        mt.nn.ReLU()(np.ones(3))
