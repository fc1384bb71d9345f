"""Solutions to notebook 07's exercises (static graphs)."""

UNITS = {'*': 1.0, '+': 0.0}        # x * 1 and x + 0 are x


def remove_identities(graph):
    """A new Graph without x * 1, 1 * x, x + 0, 0 + x: later uses (and the output) read x instead.
    type(graph) is the notebook's Graph class."""
    renamed, nodes = {}, []
    for name, op, args in graph.nodes:
        args = [renamed.get(a, a) for a in args]        # renamed as we go: chains resolve themselves
        if op in UNITS and len(args) == 2:
            unit = [i for i, a in enumerate(args) if graph.consts.get(a) == UNITS[op]]
            if unit:
                renamed[name] = args[1 - unit[0]]       # the other arg
                continue
        nodes.append((name, op, args))
    return type(graph)(graph.inputs, graph.consts, nodes, renamed.get(graph.output, graph.output))


def eliminate_dead_code(graph):
    """A copy of minitorch's graph keeping only the nodes whose results are returned, written back to
    state, or read by a node kept; in their order."""
    needed = {v for v in graph.outputs if v is not None}
    needed |= {w.value for w in graph.writes if w.value is not None}
    live = []
    for node in reversed(graph.nodes):                  # a value's readers come before its maker
        if any(v in needed for v in node.outputs):
            live.append(node)
            needed.update(node.inputs)
    out = graph.copy()
    out.nodes = live[::-1]
    return out


EXPRESSIONS = {'+': '{} + {}', '*': '{} * {}', '**': '{} ** {}', 'tanh': 'math.tanh({})',
               'exp': 'math.exp({})', 'relu': 'max({}, 0.0)'}


def to_source(graph):
    """A straight-line Python function computing the graph: its constants assigned first (so a
    negative one needs no parentheses), then one line per node."""
    lines = [f'def compiled({", ".join(graph.inputs)}):']
    lines += [f'    {name} = {value!r}' for name, value in graph.consts.items()]
    lines += [f'    {name} = {EXPRESSIONS[op].format(*args)}' for name, op, args in graph.nodes]
    lines.append(f'    return {graph.output}')
    return '\n'.join(lines)
