"""nn layers: forward against numpy references, gradients by gradcheck (float64, small sizes),
PyTorch's default initialisation, device placement and clear errors."""
import math

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn
from minitorch.nn import functional as F
from helpers import check_on_device, host


def arr(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def t64(a, device='cpu', requires_grad=True):
    return mt.tensor(a, dtype=mt.float64, device=device, requires_grad=requires_grad)


def gradcheck_module(module, *inputs, pick=lambda out: out):
    """gradcheck of pick(module(*inputs)) with respect to the inputs and every parameter."""
    params = list(module.parameters())
    n = len(inputs)
    return mt.autograd.gradcheck(lambda *args: pick(module(*args[:n])), list(inputs) + params)


# --- numpy references ---------------------------------------------------------------------------
def conv2d_ref(x, w, b, stride, padding, dilation):
    x = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    (sh, sw), (dh, dw), (kh, kw) = stride, dilation, w.shape[2:]
    oh = (x.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (x.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((x.shape[0], w.shape[0], oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * sh:i * sh + dh * (kh - 1) + 1:dh, j * sw:j * sw + dw * (kw - 1) + 1:dw]
            out[:, :, i, j] = np.einsum('nckl,ockl->no', patch, w)
    return out + (b.reshape(1, -1, 1, 1) if b is not None else 0)


def max_pool_ref(x, k, s, p):
    x = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=-np.inf)
    oh, ow = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    out = np.empty(x.shape[:2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = x[:, :, i * s:i * s + k, j * s:j * s + k].max(axis=(2, 3))
    return out


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# --- linear family ------------------------------------------------------------------------------
def test_linear_forward_init_and_grad():
    mt.manual_seed(0)
    lin = nn.Linear(5, 3)
    bound = 1 / math.sqrt(5)
    assert np.abs(host(lin.weight)).max() <= bound and np.abs(host(lin.bias)).max() <= bound
    x = arr(4, 5)
    np.testing.assert_allclose(host(lin(mt.tensor(x, dtype=mt.float32))),
                               x @ host(lin.weight).T + host(lin.bias), rtol=1e-5, atol=1e-6)
    lin.double()
    assert gradcheck_module(lin, t64(arr(2, 5)))
    assert nn.Linear(5, 3, bias=False).bias is None


def test_linear_with_a_1d_weight_and_weights_of_other_dims():
    x, w = t64(arr(2, 3)), t64(arr(3, seed=1))
    out = F.linear(x, w, t64(0.5))
    np.testing.assert_allclose(host(out), arr(2, 3) @ arr(3, seed=1) + 0.5, rtol=1e-12)
    assert F.linear(t64(arr(3)), w).shape == ()           # as in PyTorch
    assert mt.autograd.gradcheck(lambda x, w: F.linear(x, w), [x, w])
    with pytest.raises(RuntimeError, match='bias must be 0-d'):
        F.linear(x, w, t64(arr(2)))
    for shape in ((), (1, 2, 3)):
        with pytest.raises(RuntimeError, match=r'weight must be \(out_features, in_features\)'):
            F.linear(x, mt.zeros(shape, dtype=mt.float64))


_IMAGE = np.ones((1, 1, 4, 4), dtype=np.float32)
_ROWS = np.ones((2, 3), dtype=np.float32)
NOT_TENSORS = [
    ('linear', lambda: F.linear(_ROWS, mt.ones(1, 3)), 'input'),
    ('linear', lambda: F.linear(mt.ones(2, 3), _ROWS), 'weight'),
    ('linear', lambda: nn.Linear(3, 1)(_ROWS), 'input'),
    ('logsigmoid', lambda: F.logsigmoid(_ROWS), 'input'),
    ('leaky_relu', lambda: F.leaky_relu(_ROWS), 'input'),
    ('gelu', lambda: F.gelu([1.0, 2.0]), 'input'),
    ('dropout', lambda: F.dropout(_ROWS, training=False), 'input'),
    ('embedding', lambda: F.embedding(np.zeros(2, dtype=np.int64), mt.ones(3, 2)), 'input'),
    ('one_hot', lambda: F.one_hot(np.zeros(2, dtype=np.int64), 3), 'tensor'),
    ('layer_norm', lambda: F.layer_norm(_ROWS, 3), 'input'),
    ('batch_norm', lambda: F.batch_norm(_ROWS, None, None, training=True), 'input'),
    ('conv2d', lambda: F.conv2d(_IMAGE, mt.ones(1, 1, 2, 2)), 'input'),
    ('conv2d', lambda: F.conv2d(mt.ones(1, 1, 4, 4), np.ones((1, 1, 2, 2), np.float32)), 'weight'),
    ('max_pool2d', lambda: F.max_pool2d(_IMAGE, 2), 'input'),
    ('unfold', lambda: F.unfold(_IMAGE, 2), 'input'),
    ('fold', lambda: F.fold(np.ones((1, 4, 1), np.float32), 2, 2), 'input'),
    ('flatten', lambda: F.flatten(_ROWS), 'input'),
    ('mse_loss', lambda: F.mse_loss(_ROWS, mt.ones(2, 3)), 'input'),
    ('l1_loss', lambda: F.l1_loss(mt.ones(2, 3), _ROWS), 'target'),
    ('nll_loss', lambda: F.nll_loss(_ROWS, mt.zeros(2, dtype=mt.int64)), 'input'),
    ('cross_entropy', lambda: F.cross_entropy(mt.ones(2, 3), np.zeros(2, dtype=np.int64)), 'target'),
    ('binary_cross_entropy', lambda: F.binary_cross_entropy(_ROWS * 0.5, mt.ones(2, 3)), 'input'),
    ('binary_cross_entropy_with_logits',
     lambda: F.binary_cross_entropy_with_logits(_ROWS, mt.ones(2, 3)), 'input'),
]


@pytest.mark.parametrize('op, call, name', NOT_TENSORS)
def test_a_numpy_array_or_list_for_a_tensor_is_a_type_error_naming_the_fix(op, call, name):
    """As PyTorch's "linear(): argument 'input' (position 1) must be Tensor, not numpy.ndarray",
    with how to make one (numpy arrays once failed on '_data' or named a dtype mismatch)."""
    with pytest.raises(TypeError, match=rf"^{op}\(\): argument '{name}' \(position \d\) must be a "
                                        rf"Tensor, not (numpy.ndarray|list); make one with mt\."):
        call()


def test_init_scales_match_pytorch_formulas():
    mt.manual_seed(0)
    w = mt.empty(400, 300)
    nn.init.kaiming_uniform_(w, a=math.sqrt(5))
    assert abs(host(w).max() - 1 / math.sqrt(300)) < 1e-3
    nn.init.kaiming_normal_(w, nonlinearity='relu')
    assert abs(host(w).std() - math.sqrt(2 / 300)) < 2e-3
    nn.init.xavier_uniform_(w)
    assert abs(host(w).max() - math.sqrt(6 / 700)) < 1e-3
    nn.init.xavier_normal_(w, gain=2.0)
    assert abs(host(w).std() - 2 * math.sqrt(2 / 700)) < 3e-3
    nn.init.constant_(w, 0.5)
    assert (host(w) == 0.5).all()
    assert nn.init.calculate_gain('tanh') == pytest.approx(5 / 3)
    assert nn.init.calculate_gain('leaky_relu', 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    with pytest.raises(ValueError, match='unsupported nonlinearity'):
        nn.init.calculate_gain('swish')
    conv = nn.Conv2d(3, 8, 3)
    assert np.abs(host(conv.weight)).max() <= 1 / math.sqrt(27)


def test_flatten_and_identity():
    x = mt.zeros(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Identity(7, k=1)(x) is x


def test_embedding_forward_grad_and_padding():
    mt.manual_seed(0)
    emb = nn.Embedding(6, 3, padding_idx=0).double()
    assert not host(emb.weight)[0].any()
    idx = mt.tensor([[1, 0, 1], [5, 2, 0]])
    out = emb(idx)
    np.testing.assert_array_equal(host(out), host(emb.weight)[host(idx)])
    out.sum().backward()
    g = host(emb.weight.grad)
    assert (g[0] == 0).all() and (g[1] == 2).all() and (g[5] == 1).all() and (g[3] == 0).all()
    with pytest.raises(TypeError, match='integer'):
        emb(mt.tensor([0.5]))


def test_dropout_statistics_and_eval_mode():
    mt.manual_seed(0)
    drop = nn.Dropout(0.25)
    y = host(drop(mt.ones(200, 100)))
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.01
    drop.eval()
    x = mt.randn(3, 3)
    assert drop(x) is x
    with pytest.raises(ValueError, match='between 0 and 1'):
        nn.Dropout(1.5)


# --- activations --------------------------------------------------------------------------------
@pytest.mark.parametrize('module, ref', [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.Tanh(), np.tanh),
    (nn.Sigmoid(), sigmoid),
    (nn.LeakyReLU(0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
    (nn.GELU(), lambda x: x * 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))),
    (nn.GELU('tanh'), lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) *
                                                       (x + 0.044715 * x ** 3)))),
    (nn.Softmax(dim=1), lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True)),
    (nn.LogSoftmax(dim=1), lambda x: x - np.log(np.exp(x).sum(1, keepdims=True))),
])
def test_activations_forward_and_grad(module, ref):
    x = arr(3, 4) * 2
    np.testing.assert_allclose(host(module(t64(x))), ref(x), rtol=1e-6, atol=1e-7)
    assert gradcheck_module(module, t64(arr(2, 3, seed=1)))


def test_dropout_of_a_0d_tensor_and_of_integers():
    mt.manual_seed(0)
    assert {F.dropout(mt.tensor(2.0), 0.5).item() for _ in range(40)} == {0.0, 4.0}
    assert F.dropout(mt.tensor([1, 2]), 0.5, training=False).tolist() == [1, 2]
    with pytest.raises(RuntimeError, match=r'dropout: a minitorch.int64 input.*x.float\(\)'):
        F.dropout(mt.tensor([1, 2]), 0.5)


@pytest.mark.parametrize('name', ['logsigmoid', 'leaky_relu', 'gelu'])
def test_float_only_activations_refuse_integers_and_bool(name):
    for x in (mt.tensor([0, 1]), mt.tensor([True, False])):      # PyTorch has no kernel for them
        with pytest.raises(NotImplementedError, match=f'{name}: not implemented for {x.dtype}'):
            getattr(F, name)(x)
    assert F.relu(mt.tensor([-1, 2])).tolist() == [0, 2]         # relu takes integers, as in PyTorch


def test_logsigmoid_is_stable_for_large_inputs():
    x = t64([-800.0, -20.0, 0.0, 20.0, 800.0])
    y = host(F.logsigmoid(x))
    np.testing.assert_allclose(y, [-800.0, -20.0, math.log(0.5), -2.061e-9, 0.0], rtol=1e-3)
    assert mt.autograd.gradcheck(F.logsigmoid, [t64(arr(5))])


# --- normalization ------------------------------------------------------------------------------
def test_layer_norm_forward_and_grad():
    ln = nn.LayerNorm(4).double()
    with mt.no_grad():
        ln.weight.copy_(mt.tensor([1.0, 2.0, 0.5, -1.0]))
        ln.bias.copy_(mt.tensor([0.0, 1.0, 0.0, 2.0]))
    x = arr(3, 4)
    ref = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(host(ln(t64(x))), ref * [1, 2, 0.5, -1] + [0, 1, 0, 2], rtol=1e-6)
    assert gradcheck_module(ln, t64(arr(2, 4, seed=2)))
    with pytest.raises(RuntimeError, match='normalized_shape'):
        ln(mt.zeros(2, 5, dtype=mt.float64))


def test_batch_norm_train_updates_running_stats_and_eval_uses_them():
    bn = nn.BatchNorm1d(3, momentum=0.1).double()
    x = arr(8, 3) * 2 + 1
    y = host(bn(t64(x)))
    np.testing.assert_allclose(y, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), rtol=1e-6)
    np.testing.assert_allclose(host(bn.running_mean), 0.1 * x.mean(0), rtol=1e-6)
    np.testing.assert_allclose(host(bn.running_var), 0.9 + 0.1 * x.var(0, ddof=1), rtol=1e-6)
    assert bn.num_batches_tracked.item() == 1
    bn.eval()
    z = arr(2, 3, seed=3)
    ref = (z - host(bn.running_mean)) / np.sqrt(host(bn.running_var) + 1e-5)
    np.testing.assert_allclose(host(bn(t64(z))), ref, rtol=1e-6)
    bn.train()
    assert gradcheck_module(bn, t64(arr(4, 3, 2, seed=4)))      # (N, C, L) input too


# --- convolution and pooling --------------------------------------------------------------------
@pytest.mark.parametrize('stride, padding, dilation', [(1, 0, 1), (2, 1, 1), (1, 2, 2), ((2, 1), (0, 1), 1)])
def test_conv2d_matches_direct_loops(stride, padding, dilation):
    mt.manual_seed(0)
    conv = nn.Conv2d(3, 4, (3, 2), stride=stride, padding=padding, dilation=dilation).double()
    x = arr(2, 3, 7, 6)
    pair = (lambda v: (v, v) if isinstance(v, int) else v)
    ref = conv2d_ref(x, host(conv.weight), host(conv.bias), pair(stride), pair(padding),
                     pair(dilation))
    np.testing.assert_allclose(host(conv(t64(x))), ref, rtol=1e-10, atol=1e-12)


def test_conv2d_gradients_first_and_second_order():
    mt.manual_seed(0)
    conv = nn.Conv2d(2, 2, 2, stride=1, padding=1).double()
    x = t64(arr(1, 2, 3, 3))
    assert gradcheck_module(conv, x)
    w, b = conv.weight, conv.bias
    assert mt.autograd.gradgradcheck(lambda x, w, b: F.conv2d(x, w, b, padding=1), [x, w, b])


def test_conv2d_of_an_empty_batch_and_of_no_output_channels():
    x = mt.zeros(0, 2, 5, 4, dtype=mt.float64, requires_grad=True)
    w, b = t64(arr(3, 2, 2, 2)), t64(arr(3))
    out = F.conv2d(x, w, b, stride=(1, 2), padding=1)
    assert out.shape == (0, 3, 6, 3) and out.dtype is mt.float64      # as in PyTorch
    out.sum().backward()
    assert x.grad.shape == (0, 2, 5, 4)
    assert host(w.grad).tolist() == np.zeros((3, 2, 2, 2)).tolist()
    assert host(b.grad).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(RuntimeError, match=r'\[0, 2, 2, 2\] has 0 output channels'):
        F.conv2d(mt.zeros(1, 2, 4, 4), mt.zeros(0, 2, 2, 2))


def test_unfold_and_fold_are_adjoint():
    x, cols = t64(arr(2, 3, 5, 4)), t64(arr(2, 3 * 2 * 2, 3 * 3, seed=1))
    kw = dict(kernel_size=2, stride=2, padding=1)
    lhs = (F.unfold(x, **kw) * cols).sum().item()
    rhs = (x * F.fold(cols, (5, 4), **kw)).sum().item()
    assert lhs == pytest.approx(rhs, rel=1e-12)
    assert mt.autograd.gradcheck(lambda c: F.fold(c, (5, 4), **kw), [cols])


@pytest.mark.parametrize('kernel, stride, padding', [(2, 2, 0), (3, 1, 1), (3, 2, 1)])
def test_max_pool2d_forward_and_grad(kernel, stride, padding):
    x = arr(2, 2, 6, 5)
    pool = nn.MaxPool2d(kernel, stride, padding)
    np.testing.assert_array_equal(host(pool(t64(x))), max_pool_ref(x, kernel, stride, padding))
    assert gradcheck_module(pool, t64(arr(1, 2, 5, 4, seed=5)))


def test_conv_and_pool_on_every_device(device):
    mt.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
    x = arr(2, 1, 6, 6).astype(np.float32)
    expected = host(model(mt.tensor(x)))
    model.to(device)
    xd = mt.tensor(x, device=device, requires_grad=True)
    out = model(xd)
    check_on_device(out, device)
    np.testing.assert_allclose(host(out), expected, rtol=1e-5, atol=1e-6)
    out.sum().backward()
    check_on_device(xd.grad, device)
    check_on_device(model[0].weight.grad, device)


def test_conv_and_pool_errors_name_the_shapes():
    conv = nn.Conv2d(3, 4, 3)
    with pytest.raises(RuntimeError, match=r'input of shape \[2, 1, 8, 8\] has 1 channels.*\[4, 3, 3, 3\]'):
        conv(mt.zeros(2, 1, 8, 8))
    with pytest.raises(RuntimeError, match='too small for a 3x3 kernel'):
        conv(mt.zeros(1, 3, 2, 2))
    with pytest.raises(RuntimeError, match='expected a 4D input'):
        conv(mt.zeros(3, 8))
    with pytest.raises(RuntimeError, match=r'linear: input of shape \[2, 5\].*in_features = 4'):
        nn.Linear(4, 2)(mt.zeros(2, 5))
    with pytest.raises(ValueError, match='at most half'):
        F.max_pool2d(mt.zeros(1, 1, 4, 4), 2, padding=2)
    assert conv(mt.zeros(3, 5, 5)).shape == (4, 3, 3)          # unbatched (C, H, W) input


# --- recurrent ----------------------------------------------------------------------------------
def test_rnn_cell_and_lstm_cell_match_numpy():
    mt.manual_seed(0)
    cell = nn.RNNCell(3, 4).double()
    x, h = arr(2, 3), arr(2, 4, seed=1)
    w = {n: host(p) for n, p in cell.named_parameters()}
    ref = np.tanh(x @ w['weight_ih'].T + w['bias_ih'] + h @ w['weight_hh'].T + w['bias_hh'])
    np.testing.assert_allclose(host(cell(t64(x), t64(h))), ref, rtol=1e-10)
    assert all(np.abs(v).max() <= 0.5 for v in w.values())       # U(-1/sqrt(4), 1/sqrt(4))

    lstm = nn.LSTMCell(3, 4).double()
    c = arr(2, 4, seed=2)
    w = {n: host(p) for n, p in lstm.named_parameters()}
    gates = x @ w['weight_ih'].T + w['bias_ih'] + h @ w['weight_hh'].T + w['bias_hh']
    i, f, g, o = np.split(gates, 4, axis=1)
    c_ref = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h_new, c_new = lstm(t64(x), (t64(h), t64(c)))
    np.testing.assert_allclose(host(c_new), c_ref, rtol=1e-10)
    np.testing.assert_allclose(host(h_new), sigmoid(o) * np.tanh(c_ref), rtol=1e-10)
    assert gradcheck_module(lstm, t64(arr(1, 3, seed=3)))


def test_rnn_runs_its_cell_over_time_and_layers():
    mt.manual_seed(0)
    rnn = nn.RNN(3, 4, num_layers=2, batch_first=True).double()
    x = t64(arr(2, 5, 3))
    out, h_n = rnn(x)
    assert out.shape == (2, 5, 4) and h_n.shape == (2, 2, 4)
    cells = [nn.RNNCell(3, 4).double(), nn.RNNCell(4, 4).double()]
    for layer, cell in enumerate(cells):
        for name in ('weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'):
            getattr(cell, name).data = getattr(rnn, f'{name}_l{layer}').detach()
    h = [None, None]
    for t in range(5):
        h[0] = cells[0](x[:, t], h[0])
        h[1] = cells[1](h[0], h[1])
        np.testing.assert_allclose(host(out[:, t]), host(h[1]), rtol=1e-10)
    np.testing.assert_allclose(host(h_n[0]), host(h[0]), rtol=1e-10)


def test_lstm_shapes_and_gradients():
    mt.manual_seed(0)
    lstm = nn.LSTM(2, 3).double()
    x = t64(arr(4, 1, 2))
    out, (h_n, c_n) = lstm(x)
    assert out.shape == (4, 1, 3) and h_n.shape == (1, 1, 3) and c_n.shape == (1, 1, 3)
    np.testing.assert_allclose(host(out[-1]), host(h_n[0]))
    out2, _ = lstm(x[:, 0])                    # unbatched (L, H_in)
    assert out2.shape == (4, 3)
    assert gradcheck_module(lstm, t64(arr(3, 1, 2, seed=1)), pick=lambda o: (o[0], o[1][1]))
    with pytest.raises(ValueError, match='feature = 2'):
        lstm(mt.zeros(4, 1, 5, dtype=mt.float64))


def test_layer_norm_over_no_dims_is_built_but_refused_when_called():
    norm = nn.LayerNorm(())                             # as PyTorch: the module exists ...
    assert norm.weight.shape == () and norm.bias.shape == ()
    with pytest.raises(RuntimeError, match=r'layer_norm: normalized_shape must name at least one dim'):
        norm(mt.ones(2))                                # ... and its forward refuses
