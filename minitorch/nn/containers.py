"""Containers: Sequential (a pipeline), ModuleList and ModuleDict (registered lists and dicts)."""
from collections import OrderedDict

from .module import Module


def _index(i, n, kind):
    if not -n <= i < n:
        raise IndexError(f'{kind}: index {i} is out of range for {n} modules')
    return i % n


class Sequential(Module):
    """Sequential(m1, m2, ...) or Sequential(OrderedDict(name=module)): calls them in order."""

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], (dict, OrderedDict)):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def forward(self, input):
        """Pass input through each module in turn and return the last one's output."""
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, idx):
        """seq[i]: the i-th module (negative i counts from the end); seq[a:b]: a new Sequential of
        those modules, keeping their names."""
        modules = list(self._modules.items())
        if isinstance(idx, slice):
            return Sequential(OrderedDict(modules[idx]))
        return modules[_index(idx, len(modules), 'Sequential')][1]

    def __setitem__(self, idx, module):
        """seq[i] = module: replace the i-th module, keeping its name."""
        key = list(self._modules)[_index(idx, len(self._modules), 'Sequential')]
        self.add_module(key, module)

    def __delitem__(self, idx):
        """del seq[i] or del seq[a:b]: remove modules; the rest are renumbered 0, 1, ... (as
        PyTorch does, so a later append does not overwrite one)."""
        keys = list(self._modules)
        for key in (keys[idx] if isinstance(idx, slice) else [keys[_index(idx, len(keys),
                                                                           'Sequential')]]):
            del self._modules[key]
        modules = list(self._modules.values())
        self._modules.clear()
        for i, module in enumerate(modules):
            self._modules[str(i)] = module

    def __len__(self):
        """The number of modules."""
        return len(self._modules)

    def __iter__(self):
        """Iterate over the modules in order."""
        return iter(self._modules.values())

    def append(self, module):
        """Add module at the end (named by its position); returns self."""
        self.add_module(str(len(self)), module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters the parent module sees (a plain list would hide them)."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx):
        """mods[i]: the i-th module (negative i counts from the end); mods[a:b]: a new ModuleList.
        """
        modules = list(self._modules.values())
        if isinstance(idx, slice):
            return ModuleList(modules[idx])
        return modules[_index(idx, len(modules), 'ModuleList')]

    def __setitem__(self, idx, module):
        """mods[i] = module: replace the i-th module."""
        self.add_module(str(_index(idx, len(self), 'ModuleList')), module)

    def __delitem__(self, idx):
        """del mods[i] or del mods[a:b]: remove modules; the rest are renumbered."""
        modules = list(self._modules.values())
        del modules[idx if isinstance(idx, slice) else _index(idx, len(modules), 'ModuleList')]
        self._modules.clear()
        self.extend(modules)

    def __len__(self):
        """The number of modules."""
        return len(self._modules)

    def __iter__(self):
        """Iterate over the modules in order."""
        return iter(self._modules.values())

    def __iadd__(self, modules):
        """mods += [m1, m2]: append each module (extend)."""
        return self.extend(modules)

    def append(self, module):
        """Add module at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        """Append each module of an iterable; returns self."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        """Insert module before position index (as list.insert)."""
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._modules.clear()
        self.extend(modules)

    def forward(self, *args):
        """Not callable (raises NotImplementedError), as in PyTorch: iterate over the list in the
        parent's forward."""
        raise NotImplementedError('ModuleList is not callable: iterate over it in your forward')


class ModuleDict(Module):
    """A dict of modules whose parameters the parent module sees."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        """mods[key]: the module stored under key."""
        return self._modules[key]

    def __setitem__(self, key, module):
        """mods[key] = module: add or replace the module under key."""
        self.add_module(key, module)

    def __delitem__(self, key):
        """del mods[key]: remove the module under key."""
        del self._modules[key]

    def __len__(self):
        """The number of modules."""
        return len(self._modules)

    def __iter__(self):
        """Iterate over the keys, in insertion order."""
        return iter(self._modules)

    def __contains__(self, key):
        """key in mods: whether a module is stored under key."""
        return key in self._modules

    def keys(self):
        """The keys, in insertion order."""
        return self._modules.keys()

    def values(self):
        """The modules, in insertion order."""
        return self._modules.values()

    def items(self):
        """(key, module) pairs, in insertion order."""
        return self._modules.items()

    def pop(self, key):
        """Remove the module under key and return it."""
        return self._modules.pop(key)

    def update(self, modules):
        """Add or replace modules from a dict or an iterable of (key, module) pairs."""
        items = modules.items() if hasattr(modules, 'items') else modules
        for key, module in items:
            self[key] = module

    def forward(self, *args):
        """Not callable (raises NotImplementedError), as in PyTorch: index the dict in the parent's
        forward."""
        raise NotImplementedError('ModuleDict is not callable: index it in your forward')
