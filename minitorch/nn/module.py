"""Module: the base class of every layer and model.

A Module keeps three ordered registries, filled simply by assigning attributes:
  self.w = nn.Parameter(...)      -> _parameters   (learned; what optimizers update)
  self.register_buffer('m', t)    -> _buffers      (state that is saved but not learned, e.g. BatchNorm's
                                                    running mean)
  self.fc = nn.Linear(...)        -> _modules      (sub-modules, whose parameters are ours too)
Everything else (parameters(), state_dict(), to(), train()/eval(), the printed tree) walks them.
Calling a module runs its forward inside `module_scope(self)`, so each recorded op knows which
modules it ran in (drawings group ops by module).
"""
from collections import namedtuple
from collections.abc import Mapping

from ..autograd import grad_mode
from ..autograd.dispatch import INSTALLED, report_new_state, report_python_value
from ..autograd.api import zero_grad
from ..autograd.scope import module_scope
from ..tensor import Tensor, set_grad
from .parameter import Parameter



class IncompatibleKeys(namedtuple('IncompatibleKeys', ['missing_keys', 'unexpected_keys'])):
    """What load_state_dict returns: the keys it did not find, and those it did not expect."""

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return '<All keys matched successfully>'
        return super().__repr__()


class Module:
    """Base class of every layer and model (torch.nn.Module).

    Subclass it: call super().__init__() first, assign Parameters and sub-modules as attributes in
    __init__ (assignment registers them; buffers go through register_buffer), define forward(), and
    call the module itself, model(x), to run forward."""
    training = True

    def __init__(self):
        object.__setattr__(self, '_parameters', {})
        object.__setattr__(self, '_buffers', {})
        object.__setattr__(self, '_non_persistent', set())
        object.__setattr__(self, '_modules', {})
        object.__setattr__(self, 'training', True)

    def forward(self, *args, **kwargs):
        """What the module computes; every subclass defines it.  Call the module (model(x)) rather
        than forward directly, so the ops are recorded as running inside this module."""
        raise NotImplementedError(f'{type(self).__name__} must define forward(self, ...) to be called')

    def __call__(self, *args, **kwargs):
        """model(x): run forward(x) with the ops recorded as running in this module (drawings group
        them by module).  minitorch has no forward hooks."""
        if INSTALLED[0]:                # a static graph bakes in train/eval mode: it checks it
            report_python_value(self, '.training', _training)
        with module_scope(self):
            return self.forward(*args, **kwargs)

    # --- registration by attribute ------------------------------------------------------------
    def __setattr__(self, name, value):
        params = self.__dict__.get('_parameters')
        if isinstance(value, (Parameter, Module)) and params is None:
            raise AttributeError(f'cannot assign {type(value).__name__} {name!r} before '
                                 f'Module.__init__() call: call super().__init__() first')
        if isinstance(value, Parameter):
            self._forget(name)
            params[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                f'(nn.Parameter or None expected)')
            params[name] = None
        elif isinstance(value, Module):
            self._forget(name)
            self._modules[name] = value
        elif params is not None and name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                f'(nn.Module or None expected)')
            self._modules[name] = None
        elif params is not None and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                f'(Tensor or None expected)')
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name):
        for registry in (self.__dict__, self._parameters, self._buffers, self._modules):
            registry.pop(name, None)
        self._non_persistent.discard(name)

    def __getattr__(self, name):
        d = self.__dict__
        for registry in ('_parameters', '_buffers', '_modules'):
            if registry in d and name in d[registry]:
                return d[registry][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                self._non_persistent.discard(name)
                return
        object.__delattr__(self, name)

    def register_parameter(self, name, param):
        """Register param (an nn.Parameter, or None for an absent one) under name, as assigning
        `self.name = param` does."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' as parameter '{name}' "
                            f'(nn.Parameter or None expected)')
        self._check_name(name, 'parameter')
        self._forget(name)
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Register a tensor that is state but not learned (BatchNorm's running mean) under name:
        it moves with .to() and, if persistent, is saved in state_dict(); optimizers do not see it.
        """
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' as buffer '{name}' "
                            f'(Tensor or None expected)')
        self._check_name(name, 'buffer')
        self._forget(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)
        if tensor is not None and INSTALLED[0]:
            report_new_state(tensor)

    def add_module(self, name, module):
        """Register a sub-module (or None) under name, as `self.name = module` does; also named
        register_module."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f'{type(module).__name__} is not a Module subclass')
        self._check_name(name, 'module')
        self._forget(name)
        self._modules[name] = module

    register_module = add_module

    def _check_name(self, name, kind):
        if '_parameters' not in self.__dict__:
            raise AttributeError(f'cannot register a {kind} before Module.__init__() call')
        if not isinstance(name, str) or not name or '.' in name:
            raise KeyError(f'{kind} name must be a non-empty string without ".", got {name!r}')

    # --- walking the tree ---------------------------------------------------------------------
    def named_modules(self, memo=None, prefix='', remove_duplicate=True):
        """Yield (dotted name, module) for this module ('' or prefix) and every sub-module below
        it, depth first; a module reached twice is yielded once unless remove_duplicate=False."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, f'{prefix}.{name}' if prefix else name,
                                                remove_duplicate)

    def modules(self):
        """Yield this module and every sub-module below it, each once."""
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        """Yield (name, module) for the direct sub-modules, each once."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        """Yield the direct sub-modules, each once."""
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry, prefix, recurse, remove_duplicate=True):
        seen = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f'{module_prefix}.{name}' if module_prefix else name), value

    def named_parameters(self, prefix='', recurse=True, remove_duplicate=True):
        """Yield ('fc.weight', parameter) for the parameters of this module and, with recurse=True,
        of all its sub-modules; a shared parameter is yielded once unless remove_duplicate=False.
        """
        yield from self._named_members('_parameters', prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        """Yield every parameter (of sub-modules too with recurse=True), each once: what an
        optimizer takes, optim.SGD(model.parameters(), lr=0.1)."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix='', recurse=True, remove_duplicate=True):
        """Yield ('bn.running_mean', tensor) for the buffers of this module and, with recurse=True,
        of all its sub-modules."""
        yield from self._named_members('_buffers', prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        """Yield every buffer (of sub-modules too with recurse=True), each once."""
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def get_submodule(self, target):
        """The sub-module at a dotted path such as 'encoder.layers.0' ('' is this module); raises
        AttributeError naming the missing part."""
        module = self
        for part in target.split('.') if target else []:
            if part not in module._modules:
                raise AttributeError(f'{type(module).__name__} has no submodule {part!r} '
                                     f'(looking for {target!r})')
            module = module._modules[part]
        return module

    def apply(self, fn):
        """fn(module) for every sub-module (children first), then for this one; returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # --- modes and gradients ------------------------------------------------------------------
    def train(self, mode=True):
        """Set training mode (mode=True) or evaluation mode on this module and all sub-modules;
        Dropout and BatchNorm behave differently in each.  Returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f'train(mode): mode must be a bool, got {mode!r}')
        object.__setattr__(self, 'training', mode)
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        """Set evaluation mode (train(False)): Dropout passes values through, BatchNorm uses its
        running statistics.  Returns self."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Set requires_grad of every parameter (False freezes the module); returns self."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Clear the .grad of every parameter: None by default, zeros with set_to_none=False."""
        zero_grad(self.parameters(), set_to_none)

    # --- devices and dtypes -------------------------------------------------------------------
    def _apply(self, convert):
        """Replace each parameter's and buffer's array by convert(tensor)'s, keeping the objects."""
        with grad_mode.no_grad():
            for module in self.modules():
                for registry in (module._parameters, module._buffers):
                    for tensor in registry.values():
                        if tensor is None:
                            continue
                        new = convert(tensor)
                        if new is not tensor:
                            tensor.data = new
                        if tensor.grad is not None:
                            set_grad(tensor, convert(tensor.grad))
        return self

    def to(self, *args, **kwargs):
        """to(device), to(dtype), to(device, dtype): moves/casts parameters and buffers in place.
        A dtype applies to floating point tensors only (integer buffers keep theirs)."""
        def convert(t):
            if t.is_floating_point():
                return t.to(*args, **kwargs)
            kept = {k: v for k, v in kwargs.items() if k != 'dtype'}
            devices = [a for a in args if _is_device(a)]
            return t.to(*devices, **kept) if devices or kept else t
        return self._apply(convert)

    def cpu(self):
        """Move parameters and buffers to the CPU in place; returns self."""
        return self.to('cpu')

    def cuda(self, device=None):
        """Move parameters and buffers to a CUDA GPU in place (device: an index, a device or None
        for the current one); returns self."""
        return self.to('cuda' if device is None else
                       (f'cuda:{device}' if isinstance(device, int) else device))

    def double(self):
        """Cast floating point parameters and buffers to float64 in place; returns self."""
        from .. import dtypes
        return self.to(dtypes.float64)

    def float(self):
        """Cast floating point parameters and buffers to float32 in place; returns self."""
        from .. import dtypes
        return self.to(dtypes.float32)

    def half(self):
        """Cast floating point parameters and buffers to float16 in place; returns self."""
        from .. import dtypes
        return self.to(dtypes.float16)

    # --- saving and loading -------------------------------------------------------------------
    def state_dict(self, destination=None, prefix='', keep_vars=False):
        """{'fc.weight': tensor, ...}: parameters and persistent buffers, detached (sharing memory)."""
        out = {} if destination is None else destination
        for module_prefix, module in self.named_modules(prefix=prefix.rstrip('.'),
                                                        remove_duplicate=False):
            for name, value in module._parameters.items():
                if value is not None:
                    out[_join(module_prefix, name)] = value if keep_vars else value.detach()
            for name, value in module._buffers.items():
                if value is not None and name not in module._non_persistent:
                    out[_join(module_prefix, name)] = value if keep_vars else value.detach()
        return out

    def load_state_dict(self, state_dict, strict=True):
        """Copy values into this module's parameters and buffers.  Every key and shape is checked
        before anything is copied, so a failed load leaves the module as it was."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f'Expected state_dict to be dict-like, got {type(state_dict).__name__}.')
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                errors.append(f'value for {key!r} is a {type(value).__name__}, not a Tensor')
            elif tuple(value.shape) != tuple(target.shape):
                errors.append(f'size mismatch for {key}: copying a param with shape '
                              f'{list(value.shape)} from checkpoint, the shape in current model is '
                              f'{list(target.shape)}.')
        if strict:
            if unexpected:
                errors.insert(0, 'Unexpected key(s) in state_dict: ' +
                              ', '.join(f'"{k}"' for k in unexpected) + '.')
            if missing:
                errors.insert(0, 'Missing key(s) in state_dict: ' +
                              ', '.join(f'"{k}"' for k in missing) + '.')
        if errors:
            raise RuntimeError(f'Error(s) in loading state_dict for {type(self).__name__}:\n\t' +
                               '\n\t'.join(errors))
        with grad_mode.no_grad():
            for key, target in own.items():
                if key in state_dict:
                    target.copy_(state_dict[key])
        return IncompatibleKeys(missing, unexpected)

    # --- printing -----------------------------------------------------------------------------
    def extra_repr(self):
        """The text printed inside this module's parentheses by repr(), e.g. 'in_features=2,
        out_features=3'; subclasses override it ('' here)."""
        return ''

    def __repr__(self):
        lines = [f'({name}): ' + _indent(repr(module)) for name, module in self._modules.items()]
        extra = self.extra_repr()
        if not lines:
            return f'{type(self).__name__}({extra})'
        body = ([extra] if extra else []) + lines
        return f'{type(self).__name__}(\n  ' + '\n  '.join(body) + '\n)'

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) |
                      set(self._modules))


def _training(module):
    return module.training


def _join(prefix, name):
    return f'{prefix}.{name}' if prefix else name


def _indent(text):
    return text.replace('\n', '\n  ')


def _is_device(arg):
    from ..backend import device
    from .. import dtypes
    return isinstance(arg, device) or (isinstance(arg, str) and arg not in dtypes.BY_NAME)
