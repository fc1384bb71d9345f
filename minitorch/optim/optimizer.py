"""Optimizer: the base of SGD, Adam, ...: parameter groups, per-parameter state, zero_grad, and
state_dict / load_state_dict.

An optimizer holds `param_groups` (a list of dicts: 'params' plus hyper-parameters such as 'lr', so
different groups can learn at different rates) and `state` (per parameter: momentum buffers, running
averages, step counts).  `step()` updates every parameter that has a .grad, under no_grad, with
in-place ops (p.add_(...)) so the Parameter objects the model holds are the ones that change.
"""
from ..autograd import grad_mode
from ..autograd.dispatch import INSTALLED, report_python_value, report_state_name, suspended
from ..autograd.api import zero_grad
from ..creation import tensor
from ..tensor import Tensor


class _RequiredParameter:
    def __repr__(self):
        return '<required parameter>'


required = _RequiredParameter()


class Optimizer:
    """Base class of the optimizers (torch.optim.Optimizer): holds param_groups (dicts of 'params'
    and hyper-parameters such as 'lr') and state (per parameter: momentum buffers, running
    averages).

    params: an iterable of tensors, or of dicts {'params': [...], 'lr': ...} to give groups their
    own hyper-parameters; defaults: the hyper-parameters a group does not set.  A subclass defines
    _update(p, grad, group, state) for one parameter."""

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = {}
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError('params argument given to the optimizer should be an iterable of Tensors '
                            'or dicts, but got a Tensor: pass model.parameters() or [tensor]')
        groups = list(params)
        if not groups:
            raise ValueError('optimizer got an empty parameter list')
        if not isinstance(groups[0], dict):
            groups = [{'params': groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a dict {'params': tensors, hyper-parameter: value, ...} as a new group (fine-tuning
        a layer at its own lr); unset hyper-parameters take the defaults.  A parameter may be in
        one group only."""
        group = dict(param_group)
        params = group['params']
        group['params'] = [params] if isinstance(params, Tensor) else list(params)
        for p in group['params']:
            if not isinstance(p, Tensor):
                raise TypeError(f'optimizer can only optimize Tensors, but one of the params is '
                                f'{type(p).__name__}')
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor (one made by an operation); "
                                 'optimize the leaf it came from, or .detach().requires_grad_()')
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization "
                                 f'parameter {name}')
            group.setdefault(name, default)
        seen = {id(p) for g in self.param_groups for p in g['params']}
        if any(id(p) in seen for p in group['params']):
            raise ValueError('some parameters appear in more than one parameter group')
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Clear the .grad of every parameter: None by default, zeros with set_to_none=False."""
        zero_grad([p for group in self.param_groups for p in group['params']], set_to_none)

    def step(self, closure=None):
        """Update every parameter that has a .grad (under no_grad, in place); returns the loss the
        closure returned (None without one).

        closure: an optional function that recomputes and returns the loss (with grad enabled),
        called once before the update."""
        loss = None
        if closure is not None:
            with grad_mode.enable_grad():
                loss = closure()
        with grad_mode.no_grad():
            for group in self.param_groups:
                if INSTALLED[0]:
                    _report_hyperparameters(group)
                for p in group['params']:
                    if p.grad is not None:
                        state = self.state.setdefault(p, {})
                        if not state:
                            with suspended():       # state lives outside any traced graph
                                self._init_state(p, group, state)
                        if INSTALLED[0]:
                            _report_state_names(p, state)
                        self._update(p, p.grad.detach(), group, state)
        return loss

    def _init_state(self, p, group, state):
        """Create p's state (moment buffers, step count) the first time p is updated."""

    def _update(self, p, grad, group, state):
        """Update p in place from its gradient (the rule of each optimizer)."""
        raise NotImplementedError

    # --- saving and restoring -----------------------------------------------------------------
    def state_dict(self):
        """{'state': {index: {...}}, 'param_groups': [{..., 'params': [index, ...]}]}, parameters
        named by their position across groups (as in PyTorch), so it can be saved and reloaded."""
        index, groups = {}, []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != 'params'}
            packed['params'] = []
            for p in group['params']:
                index.setdefault(id(p), len(index))
                packed['params'].append(index[id(p)])
            groups.append(packed)
        state = {index[id(p)]: dict(s) for p, s in self.state.items() if id(p) in index}
        return {'state': state, 'param_groups': groups}

    def load_state_dict(self, state_dict):
        """Restore what state_dict() saved.  Everything is checked, and every tensor copied, before
        anything is assigned: a checkpoint that does not fit this optimizer (or a damaged one)
        raises ValueError and leaves the optimizer as it was."""
        def refuse(problem):
            raise ValueError(f'{type(self).__name__}.load_state_dict: {problem}')

        def kind(value):            # a hyper-parameter keeps its kind: a number stays a number
            if isinstance(value, (tuple, list)):
                return tuple(kind(v) for v in value)
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            return 'number' if number else type(value)

        if not (isinstance(state_dict, dict) and isinstance(state_dict.get('state'), dict)
                and isinstance(state_dict.get('param_groups'), (list, tuple))):
            refuse("expected a dict with 'state' (a dict) and 'param_groups' (a list), as "
                   'state_dict() returns')
        groups = state_dict['param_groups']
        if len(groups) != len(self.param_groups):
            refuse(f'loaded state dict has {len(groups)} parameter groups but the optimizer has '
                   f'{len(self.param_groups)}')
        by_index = {}
        for i, (saved, own) in enumerate(zip(groups, self.param_groups)):
            if not (isinstance(saved, dict) and isinstance(saved.get('params'), (list, tuple))):
                refuse(f"parameter group {i} is not a dict with a 'params' list")
            if len(saved['params']) != len(own['params']):
                refuse(f'loaded state dict group {i} has {len(saved["params"])} parameters but the '
                       f'optimizer group has {len(own["params"])}')
            for index, p in zip(saved['params'], own['params']):
                if type(index) is not int or index in by_index:
                    refuse(f'group {i} names parameter {index!r}: expected distinct int positions')
                by_index[index] = p
            for key, value in saved.items():
                if not isinstance(key, str):
                    refuse(f'group {i} has key {key!r}: hyper-parameter names are str')
                if key != 'params' and key in own and kind(value) != kind(own[key]):
                    refuse(f'group {i}: hyper-parameter {key!r} is {value!r}; this optimizer '
                           f'expects a value like {own[key]!r}')
        state = {}
        for key, values in state_dict['state'].items():
            if type(key) is not int or key not in by_index or not isinstance(values, dict):
                refuse(f'state entry {key!r} does not name a parameter of this optimizer with a '
                       f'dict of its buffers (keys are the ints 0 to {len(by_index) - 1})')
            p = by_index[key]
            for name, value in values.items():
                if isinstance(value, Tensor) and value.numel() != 1 and \
                        tuple(value.shape) != tuple(p.shape):
                    refuse(f"state {name!r} of parameter {key} has shape {list(value.shape)}; the "
                           f"parameter's shape is {list(p.shape)}")
            state[p] = {k: _copied_state(v, p) for k, v in values.items()}
        for saved, own in zip(groups, self.param_groups):
            own.update({k: v for k, v in saved.items() if k != 'params'})
        self.state = state

    def __repr__(self):
        lines = [f'{type(self).__name__} (']
        for i, group in enumerate(self.param_groups):
            lines.append(f'Parameter Group {i}')
            lines += [f'    {k}: {group[k]}' for k in sorted(group) if k != 'params']
        return '\n'.join(lines) + '\n)'


def step_counter(p):
    """A new step count for parameter p: a 0-d tensor on p's device (as in PyTorch), so a traced
    training step counts on each run of its graph."""
    return tensor(0.0, device=p.device)


def _copied_state(value, param):
    """A saved state entry as this optimizer's own copy (never shared with the saved dict), floating
    tensors on the parameter's device and dtype."""
    if not isinstance(value, Tensor):
        return value
    value = value.detach().to(param.device)
    return value.to(param.dtype, copy=True) if value.is_floating_point() else value.clone()


def _report_hyperparameters(group):
    """A traced step bakes the group's numbers in: tell the tracer, which re-traces when one changes
    (a learning-rate schedule, say)."""
    for key, value in group.items():
        if key != 'params' and isinstance(value, (int, float, bool, tuple, type(None))):
            report_python_value(group, f"['{key}']", _reader(key))


def _reader(key):
    return lambda group: group[key]


def _report_state_names(p, state):
    """Name p's buffers for a graph being traced: 'fc.weight.exp_avg'."""
    for key, value in state.items():
        if isinstance(value, Tensor):
            report_state_name(value, p, key)
