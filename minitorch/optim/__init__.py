"""minitorch.optim: optimizers (SGD, Adam, AdamW, RMSprop, Adagrad) and learning-rate schedules."""
from .optimizer import Optimizer
from .sgd import SGD
from .adaptive import Adam, AdamW, RMSprop, Adagrad
from . import lr_scheduler

__all__ = ['Optimizer', 'SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad', 'lr_scheduler']
