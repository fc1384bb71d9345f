"""Automatic differentiation: Function, backward(), grad(), no_grad and gradcheck."""
from .function import Function, once_differentiable
from .grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled
from .gradcheck import gradcheck, gradgradcheck, GradcheckError
from .api import backward, grad
from .engine import queue_callback

__all__ = ['Function', 'once_differentiable', 'no_grad', 'enable_grad', 'set_grad_enabled',
           'is_grad_enabled', 'gradcheck', 'gradgradcheck', 'GradcheckError', 'backward', 'grad',
           'queue_callback']
