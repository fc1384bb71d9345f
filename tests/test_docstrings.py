"""Every public name of minitorch has a docstring that says something, so help(mt.optim.Adam), an
IDE's tooltip and JupyterLab's Shift-Tab show something useful, and names added later stay
documented.

What is checked (the rule):
- Namespaces: `minitorch`; every module named in a namespace's __all__ (nn.functional, cuda,
  optim.lr_scheduler, linalg, viz, ...); every subpackage found on disk under a namespace package
  (distributed, nn.parallel, and static, profiler, ... as soon as they exist); every top-level
  module of minitorch but the implementation modules in IMPLEMENTATION, whose public names are
  re-exported by `minitorch`.
- A namespace's names: its __all__, or else its attributes not starting with '_' that minitorch
  defines.  Modules, classes and functions are checked; plain values (mt.float32, a constant) are
  not.  The classes users meet as values rather than by name are checked too (a grad_fn, which is
  also a Function's ctx; a hook's handle; the named tuple x.max(dim) returns): see met_as_values().
- In a class: every attribute not starting with '_' that is a function, method or property, and the
  operators of OPERATORS (x + y, x[i], len(x), model(x), ...).  Other dunders (__init__, __repr__,
  __enter__, ...) mean what Python says they mean; the class docstring documents the constructor.
- A method is documented when it or the same name in a minitorch base class has a docstring (an
  override inherits its base's, so extra_repr and lr_at overrides need none), except `forward` of
  an nn.Module subclass: it says what that module computes, so it needs its own (or one from a
  minitorch base class other than Module).
  A generated Tensor method (it has __wrapped__) is documented when the function it wraps is.
- A docstring says something: at least MIN_WORDS words.
"""
import importlib
import inspect
import os
import pkgutil
import types

import minitorch as mt

MIN_WORDS = 3

# top-level modules whose public names reach users through `minitorch` itself (Tensor, mt.device,
# mt.zeros ...), not as a namespace of their own; ops/ holds the primitives behind the op table
IMPLEMENTATION = {'ops', 'backend', 'tensor', 'tensor_conversions', 'creation', 'dtypes',
                  'printing', 'serialization'}

OPERATORS = {f'__{name}__' for name in (
    'add radd iadd sub rsub isub mul rmul imul truediv rtruediv itruediv floordiv rfloordiv '
    'ifloordiv mod rmod imod pow rpow ipow matmul rmatmul imatmul and rand iand or ror ior xor '
    'rxor ixor lshift rlshift ilshift rshift rrshift irshift neg pos abs invert '
    'eq ne lt le gt ge getitem setitem delitem len iter contains bool float int index call '
    'array').split()}


# --- what is public ---------------------------------------------------------------------------
def namespaces():
    """{dotted name: module} of every public namespace (see the rule above)."""
    skipped = {f'minitorch.{name}' for name in IMPLEMENTATION}
    found = {}
    todo = [mt] + [f'minitorch.{info.name}' for info in pkgutil.iter_modules(mt.__path__)]
    while todo:
        module = todo.pop()
        if isinstance(module, str):
            if module in skipped or module.rpartition('.')[2].startswith('_'):
                continue
            module = importlib.import_module(module)
        if module.__name__ in found:
            continue
        found[module.__name__] = module
        exported = [getattr(module, name) for name in getattr(module, '__all__', ())]
        todo += [value for value in exported if isinstance(value, types.ModuleType)]
        todo += [f'{module.__name__}.{info.name}'
                 for info in pkgutil.iter_modules(getattr(module, '__path__', [])) if info.ispkg]
    return found


def ours(obj):
    return (getattr(obj, '__module__', None) or '').startswith('minitorch')


def public_names(module):
    if hasattr(module, '__all__'):
        return list(module.__all__)
    return [name for name, value in vars(module).items()
            if not name.startswith('_') and (ours(value) or (
                isinstance(value, types.ModuleType) and value.__name__.startswith('minitorch')))]


def checked_members(cls):
    """(name, attribute, where) for each member of cls the rule checks, where being the minitorch
    classes of its MRO that define the name, nearest first."""
    for name in dir(cls):
        if name.startswith('_') and name not in OPERATORS:
            continue
        where = [base for base in cls.__mro__
                 if name in vars(base) and (ours(base) or base is cls)]
        if not where:
            continue                    # only builtins define it (tuple.count, Exception.args)
        attr = inspect.getattr_static(cls, name)
        if isinstance(attr, (staticmethod, classmethod)):
            attr = attr.__func__
        if callable(attr) or isinstance(attr, property):
            yield name, attr, where


def met_as_values():
    """The classes of objects that public calls return without the class having a public name."""
    x = mt.ones(2, requires_grad=True)
    y = (x * 2).sum()
    handle = x.register_hook(lambda grad: None)
    handle.remove()
    mul = y.grad_fn.next_functions[0][0]
    return [type(y.grad_fn), type(mul.next_functions[0][0]), type(handle),
            type(mt.ones(2, 2).max(dim=1))]


# --- what a docstring is ----------------------------------------------------------------------
def doc_of(obj):
    if isinstance(obj, property):
        return obj.__doc__ or (obj.fget.__doc__ if obj.fget else None)
    wrapped = getattr(obj, '__wrapped__', None)
    if wrapped is not None and not isinstance(obj, type):
        return doc_of(wrapped)          # a generated method says what the op's function says
    return obj.__doc__


def says_something(doc):
    return doc is not None and len(inspect.cleandoc(doc).split()) >= MIN_WORDS


def needs_own_doc(cls, name):
    return name == 'forward' and issubclass(cls, mt.nn.Module) and cls is not mt.nn.Module


def member_documented(cls, name, where):
    if needs_own_doc(cls, name):
        where = [base for base in where if base is not mt.nn.Module]
    return any(says_something(doc_of(vars(base)[name])) for base in where)


def location(obj):
    obj = obj.fget if isinstance(obj, property) else obj
    obj = inspect.unwrap(obj) if callable(obj) and not isinstance(obj, type) else obj
    try:
        path = os.path.relpath(inspect.getsourcefile(obj))
        return f'{path}:{inspect.getsourcelines(obj)[1]}'
    except (TypeError, OSError):
        return '?'


# --- the walk ---------------------------------------------------------------------------------
def public_objects():
    """(qualified name, object) of every namespace, of every public name in one, and of
    met_as_values()."""
    found = []
    for module_name, module in sorted(namespaces().items()):
        found.append((module_name, module))
        found += [(f'{module_name}.{name}', getattr(module, name)) for name in public_names(module)
                  if not isinstance(getattr(module, name), types.ModuleType)]
    return found + [(f'{cls.__module__}.{cls.__qualname__}', cls) for cls in met_as_values()]


def walk():
    """(number of names checked, [(qualified name, file:line)] of those without a docstring).
    An object reached under several names (mt.relu and F.relu, an inherited method) counts once."""
    missing, seen = [], set()

    def check(qualname, obj, documented, key):
        if key not in seen:
            seen.add(key)
            if not documented:
                missing.append((qualname, location(obj)))

    for name, value in public_objects():
        if isinstance(value, type):
            qualname = f'{value.__module__}.{value.__qualname__}'
            check(qualname, value, says_something(value.__doc__), id(value))
            for member, attr, where in checked_members(value):
                check(f'{qualname}.{member}', attr, member_documented(value, member, where),
                      (id(attr), needs_own_doc(value, member) and value))
        elif isinstance(value, types.ModuleType) or callable(value):
            check(name, value, says_something(doc_of(value)), id(value))
    return len(seen), missing


def test_every_public_name_has_a_docstring():
    count, missing = walk()
    assert count > 500, f'only {count} names found: the walk over minitorch broke'
    lines = '\n'.join(f'  {name}  ({where})' for name, where in missing)
    assert not missing, (f'{len(missing)} of {count} public names have no docstring of at least '
                         f'{MIN_WORDS} words:\n{lines}')


def test_the_walk_reaches_every_documented_corner():
    spaces = namespaces()
    for name in ('minitorch', 'minitorch.nn', 'minitorch.nn.functional', 'minitorch.nn.init',
                 'minitorch.optim', 'minitorch.optim.lr_scheduler', 'minitorch.data',
                 'minitorch.autograd', 'minitorch.cuda', 'minitorch.linalg', 'minitorch.viz'):
        assert name in spaces, name
    members = {name for name, _, _ in checked_members(mt.Tensor)}
    assert {'backward', 'grad', 'shape', '__add__', '__radd__', '__iadd__', '__getitem__',
            '__setitem__', '__eq__', '__matmul__', '__len__'} <= members


def test_the_rule_catches_a_missing_docstring():
    class Layer(mt.nn.Module):
        """A layer."""
        def forward(self, x):
            return x

        def helper(self):
            return 1

    where = list(checked_members(Layer))
    documented = {name: member_documented(Layer, name, bases) for name, _, bases in where}
    assert documented['forward'] is False      # Module.forward's says nothing about Layer
    assert documented['helper'] is False
    assert documented['parameters'] is True    # inherited from Module
    assert not says_something('TODO') and not says_something('')
    assert says_something('The number of dims.')


def test_generated_tensor_methods_carry_their_own_names_and_signatures():
    """Methods and operators made from the op table (they have __wrapped__) look hand-written to
    help() and Shift-Tab: their own __name__ and __qualname__, a signature starting with self (a
    reflected operator, y.__radd__(x) for x + y: exactly (self, other)), and their op's
    docstring."""
    wrong = []
    for name, attr, _ in checked_members(mt.Tensor):
        if not hasattr(attr, '__wrapped__'):
            continue
        if attr.__name__ != name or attr.__qualname__ != f'Tensor.{name}':
            wrong.append(f'{name}: __name__ {attr.__name__!r}, __qualname__ {attr.__qualname__!r}')
        params = list(inspect.signature(attr).parameters)
        reflected = name in OPERATORS and name.startswith('__r') and name != '__repr__'
        if params != ['self', 'other'] if reflected else params[:1] != ['self']:
            wrong.append(f'{name}: signature {inspect.signature(attr)}')
        if not says_something(doc_of(attr)):
            wrong.append(f'{name}: no docstring')
    assert not wrong, f'{len(wrong)} generated Tensor methods:\n' + '\n'.join(wrong)
