"""minitorch.nn: Module and Parameter, layers, losses, nn.functional and nn.init (PyTorch's names)."""
from .parameter import Parameter
from .module import Module
from .containers import Sequential, ModuleList, ModuleDict
from .linear import Identity, Linear, Flatten, Embedding, Dropout
from .activation import ReLU, Tanh, Sigmoid, LeakyReLU, GELU, Softmax, LogSoftmax
from .normalization import LayerNorm, BatchNorm1d
from .conv import Conv2d, MaxPool2d
from .rnn import RNNCell, RNN, LSTMCell, LSTM
from .loss import MSELoss, L1Loss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss
from . import functional, init
from . import parallel

__all__ = ['Parameter', 'Module', 'Sequential', 'ModuleList', 'ModuleDict', 'Identity', 'Linear',
           'Flatten', 'Embedding', 'Dropout', 'ReLU', 'Tanh', 'Sigmoid', 'LeakyReLU', 'GELU',
           'Softmax', 'LogSoftmax', 'LayerNorm', 'BatchNorm1d', 'Conv2d', 'MaxPool2d', 'RNNCell',
           'RNN', 'LSTMCell', 'LSTM', 'MSELoss', 'L1Loss', 'CrossEntropyLoss', 'NLLLoss', 'BCELoss',
           'BCEWithLogitsLoss', 'functional', 'init']
