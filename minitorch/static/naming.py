"""Names for the state a graph reads: 'fc1.weight' for a parameter of a module that ran while
tracing, 'fc1.weight.exp_avg' for an optimizer's buffer of it, else the tensor's own .name."""
from ..autograd.thread_state import STATE


class StateNamer:
    """Names the tensors a trace captures (see the module doc)."""

    def __init__(self):
        self.modules = []
        self.parts = {}             # id(tensor) -> (owner tensor, key): an optimizer's buffers

    def __call__(self, tensor):
        if tensor.name:
            return tensor.name
        part = self.parts.get(id(tensor))
        if part is not None:
            base = self(part[0])
            return f'{base}.{part[1]}' if base else None
        top = STATE.scope[0] if STATE.scope else None
        if top is not None and all(m is not top for m in self.modules):
            self.modules.append(top)
        for module in self.modules:
            for name, t in list(module.named_parameters()) + list(module.named_buffers()):
                if t is tensor:
                    return name
        return None
