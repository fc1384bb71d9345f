"""Text on a static graph's drawing: an op's name (a fused chain's lists its ops) and brief attributes,
what its note says (an in-place result), the sources (inputs, state, constants) and sinks (outputs,
state writes).

Attributes are named after the op's forward signature and shown only where they differ from its
default (`matmul / transpose_b=True`); an attribute that is a number in an operand's place (as in
an elementwise op) is shown where it sits, with dots for the inputs (`mul / (•, -0.1)`,
`where / (•, 0, •)`).
"""
import inspect
import textwrap

import numpy as np

from ..backend import device
from ..static.ir import Graph, In, attr_text

WIDTH = 32          # characters per label line
MAX_LINES = 3       # lines per attribute or note text before it is cut with '…'
MAX_VALUES = 4      # a constant with at most this many elements shows them


def wrapped(text, width=WIDTH, max_lines=MAX_LINES):
    """text broken into lines of at most `width` characters, at most `max_lines` of them."""
    lines = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or ['']
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:width - 1] + '…'
    return lines


def brief(a):
    """One attribute as a short text (a sub-graph by its name and size)."""
    if isinstance(a, Graph):
        return f'{a.name}: {len(a.nodes)} ops'
    if isinstance(a, device):
        return str(a)                   # cpu, cuda:0
    return attr_text(a).replace('Ellipsis', '...')


def op_lines(node):
    """The lines of an op's label: its name, then its attributes, then its note."""
    lines = wrapped(node.name)         # a fused chain's name lists its ops: fused[mul add tanh]
    attrs = attribute_text(node)
    if attrs:
        lines += wrapped(attrs)
    return lines + note_lines(node.note)


def attribute_text(node):
    """The node's non-value arguments in brief, '' when it has none worth showing."""
    if not node.attrs() and not node.kwargs:
        return ''
    names, defaults = _parameters(node.op)
    if getattr(node.op, 'ufunc', None) is not None or \
            all(_operand(a, names[i] if i < len(names) else None, defaults)
                for i, a in node.attrs()) and not node.kwargs:
        parts = ['•' if type(a) is In else brief(a) for a in node.args]
        return '(' + ', '.join(parts) + ')'
    parts = []
    for position, a in node.attrs():
        name = names[position] if position < len(names) else None
        if (name in defaults and _same(defaults[name], a)) or a is None or \
                (isinstance(a, tuple) and not a):
            continue                # what is left out or empty says nothing in a picture
        parts.append(f'{name}={brief(a)}' if name else brief(a))
    parts += [f'{k}={brief(v)}' for k, v in node.kwargs.items()]
    return ', '.join(parts)


def _operand(a, name, defaults):
    """Whether an attribute is a number standing where a tensor could (where(c, 0, x)): no default."""
    return isinstance(a, (int, float, complex)) and not isinstance(a, bool) and \
        name is not None and name not in defaults


_SIGNATURES = {}


def _parameters(op):
    """(names of forward's arguments after ctx, {name: default}) of a primitive, cached per op."""
    if op not in _SIGNATURES:
        try:
            params = list(inspect.signature(op.forward).parameters.values())[1:]
        except (TypeError, ValueError, AttributeError):
            params = []
        plain = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        _SIGNATURES[op] = ([p.name for p in plain],
                           {p.name: p.default for p in plain if p.default is not p.empty})
    return _SIGNATURES[op]


def _same(default, a):
    try:
        return type(default) is type(a) and bool(default == a)
    except (TypeError, ValueError):
        return False


def note_lines(note):
    """What a node's note says to a reader: where an in-place result goes, a label.  Other keys are
    bookkeeping for running the graph (such as whether grad mode was on) and are not drawn."""
    if note is None:
        return []
    if not isinstance(note, dict):
        return wrapped(str(note))
    lines = []
    if 'label' in note:
        lines += wrapped(str(note['label']))
    if 'out' in note:
        lines.append(f"reuses input {note['out']}'s buffer")
    return lines


def is_fused(node):
    """Whether a node stands for a fused chain of elementwise ops (drawn in its own colour)."""
    op = node.op
    return bool(getattr(op, 'fused', False)) or node.name.lower().startswith('fused') or \
        getattr(op, '__name__', '').startswith('Fused')


def is_check(node):
    """Whether a node is a run-time check (an assertion: it has effects and usually no outputs)."""
    return bool(getattr(node.op, 'has_effects', False))


def edge_text(value, index=None):
    """An edge's label: the tensor's type as the printed graph writes it, f32[64,100]."""
    text = value.type_text()
    return text if index is None else f'[{index}] {text}'


def input_lines(value, node_id):
    return [value.name or f'input {node_id[2:]}']


def state_lines(value, node_id):
    return [value.name or (str(value.slot) if value.slot is not None else f'state {node_id[1:]}')]


def const_lines(value):
    """'const' and, for a small constant, its values (16, or [1, 0.5])."""
    data = value.const
    if data is not None and type(data) is not np.ndarray and hasattr(data, 'get'):
        data = data.get()               # a CuPy array: its values on the host
    lines = [value.name or ('const' if value.kind == 'const' else f'{value.kind} value')]
    if data is None or np.size(data) > MAX_VALUES:
        return lines
    array = np.asarray(data)
    fmt = (lambda x: f'{x:.4g}') if array.dtype.kind in 'fc' else str
    items = [fmt(x) for x in array.reshape(-1).tolist()]
    return lines + [items[0] if array.ndim == 0 else '[' + ', '.join(items) + ']']


def output_lines(position, count):
    return ['output' if count == 1 else f'output {position}']


def write_lines(write):
    slot = write.slot
    return [f'set {slot}' + (' := None' if write.value is None else '')]


def plural(n, word, words=None):
    return f'{n} {word if n == 1 else (words or word + "s")}'
