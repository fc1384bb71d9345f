"""Learning-rate schedules: scheduler.step() (once per epoch, after optimizer.step()) sets each
group's 'lr' from its initial value and the epoch count, by PyTorch's closed forms."""
import math


class LRScheduler:
    """Base class of the learning-rate schedules (torch.optim.lr_scheduler.LRScheduler): each
    step() sets every group's 'lr' to lr_at(initial lr, epoch).  Making a scheduler already takes
    the first step (epoch 0); call step() once per epoch, after optimizer.step().

    last_epoch: the epoch to resume from (-1 starts afresh; resuming needs 'initial_lr' in every
    group)."""

    def __init__(self, optimizer, last_epoch=-1):
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            if last_epoch == -1:
                group.setdefault('initial_lr', group['lr'])
            elif 'initial_lr' not in group:
                raise KeyError("param 'initial_lr' is not specified in param_groups when resuming "
                               'a scheduler (last_epoch != -1)')
        self.base_lrs = [group['initial_lr'] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

    def lr_at(self, base_lr, epoch):
        """The learning rate at epoch for a group that started at base_lr; each schedule defines it
        (a closed form: PyTorch's get_lr and _get_closed_form_lr in one)."""
        raise NotImplementedError

    def get_last_lr(self):
        """The learning rate of each parameter group set by the last step(), as a list."""
        return list(self._last_lr)

    def step(self):
        """Advance one epoch and set each group's 'lr' for it."""
        self.last_epoch += 1
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            group['lr'] = self.lr_at(base, self.last_epoch)
        self._last_lr = [group['lr'] for group in self.optimizer.param_groups]

    def state_dict(self):
        """The scheduler's state (epoch count, base rates, settings) as a dict, without the
        optimizer (and without LambdaLR's function)."""
        return {k: v for k, v in self.__dict__.items() if k not in ('optimizer', 'lr_lambda')}

    def load_state_dict(self, state_dict):
        """Restore a state saved by state_dict()."""
        self.__dict__.update(state_dict)


class StepLR(LRScheduler):
    """lr = initial_lr * gamma ** (epoch // step_size)"""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, epoch):
        return base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """lr = initial_lr * gamma ** epoch"""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, epoch):
        return base_lr * self.gamma ** epoch


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2"""

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, epoch):
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch /
                                                                       self.T_max)) / 2


class LambdaLR(LRScheduler):
    """lr = initial_lr * lr_lambda(epoch)"""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self.lr_lambda = lr_lambda
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, epoch):
        return base_lr * self.lr_lambda(epoch)
