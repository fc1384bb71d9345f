"""Loss modules: each calls the function of the same name in nn.functional with its settings."""
from . import functional as F
from .module import Module


class _Loss(Module):
    def __init__(self, reduction='mean'):
        super().__init__()
        if reduction not in ('mean', 'sum', 'none'):
            raise ValueError(f"{type(self).__name__}: reduction must be 'mean', 'sum' or 'none', "
                             f'got {reduction!r}')
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, reduction='mean'):
        super().__init__(reduction)
        self.register_buffer('weight', weight)


class MSELoss(_Loss):
    """Mean squared error (input - target)^2, reduced by reduction='mean' | 'sum' | 'none'
    (F.mse_loss)."""

    def forward(self, input, target):
        """The loss of input against target (0-d unless reduction='none'); see the class."""
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error |input - target|, reduced by reduction='mean' | 'sum' | 'none'
    (F.l1_loss)."""

    def forward(self, input, target):
        """The loss of input against target (0-d unless reduction='none'); see the class."""
        return F.l1_loss(input, target, reduction=self.reduction)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood -input[n, target[n]] for input holding log-probabilities
    (F.nll_loss). weight (C,) weighs each class; targets equal to ignore_index count for nothing;
    'mean' divides by the sum of the weights used."""

    def __init__(self, weight=None, ignore_index=-100, reduction='mean'):
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        """The loss of input against target (0-d unless reduction='none'); see the class."""
        return F.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """log_softmax over the class dim followed by NLLLoss (F.cross_entropy): input holds raw scores
    (N, C) or (C,) or (N, C, d1, ...); target class indices, or class probabilities of input's
    shape.  label_smoothing=eps mixes eps/C of every class into the target."""

    def __init__(self, weight=None, ignore_index=-100, reduction='mean', label_smoothing=0.0):
        super().__init__(weight, reduction)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input, target):
        """The loss of input against target (0-d unless reduction='none'); see the class."""
        return F.cross_entropy(input, target, self.weight, self.ignore_index, self.reduction,
                               self.label_smoothing)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy -(t log p + (1 - t) log(1 - p)) for probabilities p
    (F.binary_cross_entropy); each log is clamped at -100."""

    def forward(self, input, target):
        """The loss of input against target (0-d unless reduction='none'); see the class."""
        return F.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """BCELoss on sigmoid(input), computed stably from the logits
    (F.binary_cross_entropy_with_logits); pos_weight scales the loss of positive targets."""

    def __init__(self, weight=None, reduction='mean', pos_weight=None):
        super().__init__(weight, reduction)
        self.register_buffer('pos_weight', pos_weight)

    def forward(self, input, target):
        """The loss of input against target (0-d unless reduction='none'); see the class."""
        return F.binary_cross_entropy_with_logits(input, target, self.weight, self.reduction,
                                                  self.pos_weight)
