"""Names and modules: what `params` tells a drawing, and which module call each op ran in.

`params` may be a dict {name: tensor} or a module (anything with named_parameters() and
named_modules()).  Each recorded op carries `node.scope`, the modules running when it was recorded
(outermost first); one stack object per call, linked to the enclosing call by `.parent`, so two calls
of one module are told apart.
"""


class Names:
    """Tensor names, parameter ownership and module names known from `params`."""

    def __init__(self, params, ops=()):
        self.tensor = {}        # id(tensor) -> name
        self.owner = {}         # id(tensor) -> the module whose attribute it is
        self.module = {}        # id(module) -> dotted name ('' for the root)
        self._alive = []        # keep what the ids refer to alive while drawing
        if params is None:
            params = _roots_of(ops)
        if isinstance(params, dict):
            for name, t in params.items():
                self._param(name, t, None)
        elif isinstance(params, (list, tuple)):
            for root in params:
                self._from_module(root, type(root).__name__ + '.' if len(params) > 1 else '')
        elif params is not None:
            if not (hasattr(params, 'named_parameters')):
                raise TypeError(f'params must be a dict of name -> tensor or a module (with '
                                f'named_parameters()), not {type(params).__name__}')
            self._from_module(params, '')

    def _param(self, name, t, owner):
        self._alive.append(t)
        self.tensor.setdefault(id(t), name)
        if owner is not None:
            self.owner.setdefault(id(t), owner)

    def _from_module(self, root, prefix):
        modules = dict(root.named_modules()) if hasattr(root, 'named_modules') else {'': root}
        for name, m in modules.items():
            self._alive.append(m)
            self.module.setdefault(id(m), prefix + name if name else prefix.rstrip('.'))
        for name, t in root.named_parameters():
            owner_name = name.rpartition('.')[0]
            self._param(prefix + name, t, modules.get(owner_name, root))

    def module_label(self, module):
        cls = type(module).__name__
        name = self.module.get(id(module))
        return f'{name}: {cls}' if name else cls

    def is_param(self, t):
        return id(t) in self.tensor

    def owned_by(self, t, module):
        """Whether parameter t belongs to `module` or one of its submodules."""
        owner = self.owner.get(id(t))
        if owner is None:
            return False
        if owner is module:
            return True
        if hasattr(module, 'named_modules'):
            return any(m is owner for _, m in module.named_modules())
        return False


def _roots_of(ops):
    """Without params: the outermost modules seen in the ops' scopes (their parameters get names)."""
    roots = {}
    for op in ops:
        scope = getattr(op, 'scope', ())
        if scope and hasattr(scope[0], 'named_parameters'):
            roots.setdefault(id(scope[0]), scope[0])
    return list(roots.values()) or None


class Call:
    __slots__ = ('key', 'module', 'depth', 'parent', 'number', 'ops')

    def __init__(self, key, module, depth, parent):
        self.key = key
        self.module = module
        self.depth = depth
        self.parent = parent        # the enclosing Call or None
        self.number = 0             # 1, 2, ... among calls of the same module (0: the only one)
        self.ops = []


def call_chain_keys(scope):
    """(key, module) per depth, outermost first, for one op's scope."""
    if not scope:
        return []
    if hasattr(scope, 'parent'):
        stacks = []
        s = scope
        while s:
            stacks.append(s)
            s = getattr(s, 'parent', None) or ()
        stacks.reverse()
        if len(stacks) == len(scope):
            return [(('call', id(s)), s[-1]) for s in stacks]
    # a plain tuple (no call identity): group by module instance
    return [(('module',) + tuple(id(m) for m in scope[:k + 1]), scope[k]) for k in range(len(scope))]


class Calls:
    """Every module call seen among `ops` (in order of first appearance) and each op's chain."""

    def __init__(self, ops):
        self.calls = {}             # key -> Call
        self.chain = {}             # op -> [Call, ...] outermost first
        for op in ops:
            chain, parent = [], None
            for depth, (key, module) in enumerate(call_chain_keys(getattr(op, 'scope', ()))):
                call = self.calls.get(key)
                if call is None:
                    call = self.calls[key] = Call(key, module, depth, parent)
                call.ops.append(op)
                chain.append(call)
                parent = call
            self.chain[op] = chain
        per_module = {}
        for call in self.calls.values():
            per_module.setdefault(id(call.module), []).append(call)
        for group in per_module.values():
            if len(group) > 1:
                for number, call in enumerate(group, 1):
                    call.number = number

    def label(self, call, names):
        text = names.module_label(call.module)
        return f'{text} (call {call.number})' if call.number else text


def matcher(collapse):
    """A predicate module -> bool from collapse=: a module, a module class, or a list of them."""
    if collapse is None:
        return lambda module: False
    specs = list(collapse) if isinstance(collapse, (list, tuple, set, frozenset)) else [collapse]

    def match(module):
        for spec in specs:
            if isinstance(spec, type):
                if isinstance(module, spec):
                    return True
            elif spec is module:
                return True
        return False
    return match
