"""Algebraic simplification: rewrite patterns that compute nothing new.

    x * 1, 1 * x, x / 1, x + 0, 0 + x, x - 0  ->  x        (when x already has the result's type)
    -(-x) -> x;   cast(x, its own dtype) -> x;   reshape/expand to x's own shape -> x
    reshape(reshape(x)) -> reshape(x);   permute(permute(x)) -> one permute (or x)
    clone(x), when nothing else reads x  ->  x             (the copy protects nothing)
    where(~c, a, b) -> where(c, b, a)
"""
from ..ir import In, Node, Value, protected
from .rewrite import substitute, with_inputs


def simplify(graph):
    """A new Graph with the patterns above rewritten; report {rule: count}."""
    users = graph.consumers()
    kept_values = protected(graph)
    mapping, nodes, counts = {}, [], {}

    def resolve(v):
        while v in mapping:
            v = mapping[v]
        return v

    for node in graph.nodes:
        inputs = [resolve(v) for v in node.inputs]
        node = with_inputs(node, inputs)
        rule, result = _rewrite(node, users, kept_values)
        if rule is None:
            nodes.append(node)
            continue
        counts[rule] = counts.get(rule, 0) + 1
        if isinstance(result, Node):             # a simpler node with the same output value
            for v in result.outputs:
                v.node = result
            nodes.append(result)
        else:
            mapping[node.outputs[0]] = result
    return substitute(graph, mapping, nodes), counts


def _operands(node):
    return [node.inputs[a.i] if type(a) is In else a for a in node.args]


def _same_type(v, out):
    return isinstance(v, Value) and v.shape == out.shape and v.dtype == out.dtype


def _rewrite(node, users, kept):
    """(rule name, replacement value or node) or (None, None)."""
    name = node.name
    if len(node.outputs) != 1:
        return None, None
    out = node.outputs[0]
    ops = _operands(node)
    if name in ('mul', 'div', 'add', 'sub') and len(ops) == 2:
        a, b = ops
        unit = 1 if name in ('mul', 'div') else 0
        if _is_number(b, unit) and _same_type(a, out):
            return f'x {_SYMBOL[name]} {unit}', a
        if name in ('mul', 'add') and _is_number(a, unit) and _same_type(b, out):
            return f'{unit} {_SYMBOL[name]} x', b
    if name == 'neg' and _made_by(ops[0], 'neg'):
        return '-(-x)', ops[0].node.inputs[0]
    if name == 'cast' and _same_type(ops[0], out):
        return 'cast to own dtype', ops[0]
    if name in ('reshape', 'expand') and _same_type(ops[0], out):
        return f'{name} to own shape', ops[0]
    if name == 'reshape' and _made_by(ops[0], 'reshape'):
        inner = ops[0].node
        return 'reshape of reshape', Node(node.op, (In(0), ops[1]), {}, [inner.inputs[0]],
                                          [out], node.scope)
    if name == 'permute' and _made_by(ops[0], 'permute'):
        inner = ops[0].node
        first, second = _operands(inner)[1], ops[1]
        composed = tuple(first[d] for d in second)
        if composed == tuple(range(len(composed))):
            return 'permute of permute', inner.inputs[0]
        return 'permute of permute', Node(node.op, (In(0), composed), {}, [inner.inputs[0]],
                                          [out], node.scope)
    if name == 'clone' and ops[0].kind == 'node' and ops[0] not in kept and \
            len(users.get(ops[0], ())) == 1 and not getattr(ops[0].node.op, 'returns_view', False):
        return 'clone of a value nothing else reads', ops[0]
    if name == 'where' and _made_by(ops[0], 'bitwise_not', 'logical_not') and \
            ops[0].node.inputs[0].dtype.kind == 'b':
        c = ops[0].node.inputs[0]
        a, b = ops[1], ops[2]
        inputs, args = [c], [In(0)]
        for x in (b, a):
            if isinstance(x, Value):
                args.append(In(len(inputs)))
                inputs.append(x)
            else:
                args.append(x)
        return 'where(~c, a, b)', Node(node.op, args, {}, inputs, [out], node.scope)
    return None, None


_SYMBOL = {'mul': '*', 'div': '/', 'add': '+', 'sub': '-'}


def _is_number(x, unit):
    return type(x) in (int, float) and x == unit


def _made_by(v, *names):
    return isinstance(v, Value) and v.kind == 'node' and v.node is not None and \
        v.node.name in names and len(v.node.outputs) == 1
