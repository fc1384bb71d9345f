"""Recurrent layers: a cell updates a hidden state from one input step; RNN / LSTM run a cell over a
sequence (a plain Python loop: the graph is unrolled once per time step, as dynamic graphs allow).

    RNN cell:   h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)
    LSTM cell:  i, f, g, o = split(x W_ih^T + b_ih + h W_hh^T + b_hh, 4)
                c' = sigmoid(f) * c + sigmoid(i) * tanh(g);   h' = sigmoid(o) * tanh(c')
Every weight and bias starts ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as in PyTorch.
"""
import math

from ..creation import empty, zeros
from ..ops.shape import stack
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


def _reset(module, hidden_size):
    bound = 1 / math.sqrt(hidden_size) if hidden_size > 0 else 0
    for param in module.parameters():
        init.uniform_(param, -bound, bound)


def _nonlinearity(name):
    if name == 'tanh':
        return F.tanh
    if name == 'relu':
        return F.relu
    raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {name!r}")


def _make_weights(module, suffix, gates, input_size, hidden_size, bias, device, dtype):
    setattr(module, f'weight_ih{suffix}', Parameter(empty(gates * hidden_size, input_size,
                                                          device=device, dtype=dtype)))
    setattr(module, f'weight_hh{suffix}', Parameter(empty(gates * hidden_size, hidden_size,
                                                          device=device, dtype=dtype)))
    for name in (f'bias_ih{suffix}', f'bias_hh{suffix}'):
        module.register_parameter(name, Parameter(empty(gates * hidden_size, device=device,
                                                        dtype=dtype)) if bias else None)


def _lstm_step(gates, c):
    i, f, g, o = gates.chunk(4, -1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c.tanh(), c


def _check_step(name, input, input_size):
    if input.ndim not in (1, 2) or input.shape[-1] != input_size:
        raise ValueError(f'{name}: expected input of shape (batch, {input_size}) or ({input_size},), '
                         f'got {list(input.shape)}')


class RNNCell(Module):
    """One step of an Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (nonlinearity='relu'
    uses relu)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity='tanh', device=None,
                 dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.nonlinearity = nonlinearity
        _nonlinearity(nonlinearity)
        _make_weights(self, '', 1, input_size, hidden_size, bias, device, dtype)
        _reset(self, hidden_size)

    def forward(self, input, hx=None):
        """input (N, input_size) or (input_size,), hx the hidden state of the matching shape with
        hidden_size (zeros if None) -> the next hidden state h'."""
        _check_step('RNNCell', input, self.input_size)
        if hx is None:
            hx = zeros(*input.shape[:-1], self.hidden_size, dtype=input.dtype, device=input.device)
        pre = F.linear(input, self.weight_ih, self.bias_ih) + F.linear(hx, self.weight_hh,
                                                                       self.bias_hh)
        return _nonlinearity(self.nonlinearity)(pre)

    def extra_repr(self):
        extra = '' if self.nonlinearity == 'tanh' else f', nonlinearity={self.nonlinearity!r}'
        return f'{self.input_size}, {self.hidden_size}{extra}'


class LSTMCell(Module):
    """One step of an LSTM: gates i, f, g, o = split(x W_ih^T + b_ih + h W_hh^T + b_hh, 4); c' =
    sigmoid(f) * c + sigmoid(i) * tanh(g) and h' = sigmoid(o) * tanh(c')."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        _make_weights(self, '', 4, input_size, hidden_size, bias, device, dtype)
        _reset(self, hidden_size)

    def forward(self, input, hx=None):
        """input (N, input_size) or (input_size,), hx = (h, c) of the matching shape with
        hidden_size (zeros if None) -> the next (h', c')."""
        _check_step('LSTMCell', input, self.input_size)
        if hx is None:
            h = zeros(*input.shape[:-1], self.hidden_size, dtype=input.dtype, device=input.device)
            hx = (h, h)
        h, c = hx
        gates = F.linear(input, self.weight_ih, self.bias_ih) + F.linear(h, self.weight_hh,
                                                                         self.bias_hh)
        return _lstm_step(gates, c)

    def extra_repr(self):
        return f'{self.input_size}, {self.hidden_size}'


class _RNNBase(Module):
    gates = 1

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__()
        if bidirectional:
            raise NotImplementedError(f'{type(self).__name__}: bidirectional is not supported')
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, dropout
        for layer in range(num_layers):
            _make_weights(self, f'_l{layer}', self.gates, input_size if layer == 0 else hidden_size,
                          hidden_size, bias, device, dtype)
        _reset(self, hidden_size)

    def _layer_weights(self, layer):
        return [getattr(self, f'{kind}_l{layer}')
                for kind in ('weight_ih', 'weight_hh', 'bias_ih', 'bias_hh')]

    def _sequence(self, input):
        """(L, N, I) time-major input, and whether the input had no batch dim."""
        if input.ndim not in (2, 3) or input.shape[-1] != self.input_size:
            layout = '(batch, seq, feature)' if self.batch_first else '(seq, batch, feature)'
            raise ValueError(f'{type(self).__name__}: expected input {layout} with feature = '
                             f'{self.input_size}, or (seq, feature); got {list(input.shape)}')
        if input.ndim == 2:
            return input.unsqueeze(1), True
        return (input.transpose(0, 1) if self.batch_first else input), False

    def _initial(self, x, hx):
        if hx is None:
            return zeros(self.num_layers, x.shape[1], self.hidden_size, dtype=x.dtype,
                         device=x.device)
        return hx.unsqueeze(1) if hx.ndim == 2 else hx

    def _run(self, x, states, step):
        """Each layer over the whole sequence; `step(pre, state) -> (output, state)`."""
        finals = []
        for layer in range(self.num_layers):
            w_ih, w_hh, b_ih, b_hh = self._layer_weights(layer)
            projected = F.linear(x, w_ih, b_ih)         # all time steps in one matrix product
            state, outputs = states[layer], []
            for t in range(x.shape[0]):
                out, state = step(projected[t] + F.linear(_hidden(state), w_hh, b_hh), state)
                outputs.append(out)
            x = stack(outputs)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
            finals.append(state)
        return x, finals

    def _output(self, x, unbatched):
        if unbatched:
            return x.squeeze(1)
        return x.transpose(0, 1) if self.batch_first else x

    def extra_repr(self):
        text = f'{self.input_size}, {self.hidden_size}'
        if self.num_layers != 1:
            text += f', num_layers={self.num_layers}'
        if self.batch_first:
            text += ', batch_first=True'
        return text


def _hidden(state):
    return state[0] if isinstance(state, tuple) else state


class RNN(_RNNBase):
    """An Elman RNN of num_layers layers run over a sequence, the RNNCell formula at each step
    (torch.nn.RNN; bidirectional is not supported): forward(input, h_0=None) -> (output, h_n).
    dropout applies between layers in training."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        self.__dict__['nonlinearity'] = nonlinearity
        _nonlinearity(nonlinearity)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device, dtype)

    def forward(self, input, hx=None):
        """input (L, N, input_size) ((N, L, input_size) with batch_first, or unbatched (L,
        input_size)), hx = h_0 (num_layers, N, hidden_size) or None for zeros -> (output, h_n):
        output holds the last layer's hidden state at every step, (L, N, hidden_size) laid out as
        the input; h_n the final state of each layer."""
        x, unbatched = self._sequence(input)
        h0 = self._initial(x, hx)
        act = _nonlinearity(self.nonlinearity)

        def step(pre, state):
            h = act(pre)
            return h, h
        out, finals = self._run(x, list(h0.unbind(0)), step)
        h_n = stack(finals)
        return self._output(out, unbatched), (h_n.squeeze(1) if unbatched else h_n)


class LSTM(_RNNBase):
    """An LSTM of num_layers layers run over a sequence, the LSTMCell formula at each step
    (torch.nn.LSTM; bidirectional is not supported): forward(input, (h_0, c_0)=None) ->
    (output, (h_n, c_n)).  dropout applies between layers in training."""
    gates = 4

    def forward(self, input, hx=None):
        """input (L, N, input_size) ((N, L, input_size) with batch_first, or unbatched (L,
        input_size)), hx = (h_0, c_0), each (num_layers, N, hidden_size), or None for zeros ->
        (output, (h_n, c_n)): output holds the last layer's h at every step, laid out as the input;
        h_n and c_n the final states of each layer."""
        x, unbatched = self._sequence(input)
        h0, c0 = (None, None) if hx is None else hx
        h0, c0 = self._initial(x, h0), self._initial(x, c0)

        def step(pre, state):
            h, c = _lstm_step(pre, state[1])
            return h, (h, c)
        out, finals = self._run(x, list(zip(h0.unbind(0), c0.unbind(0))), step)
        h_n, c_n = stack([s[0] for s in finals]), stack([s[1] for s in finals])
        if unbatched:
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return self._output(out, unbatched), (h_n, c_n)
