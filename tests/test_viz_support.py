"""Helpers for the viz tests: read DOT text back into nodes, edges and clusters, and a stand-in for
minitorch.nn.Module (enters module_scope like the real one) so module grouping is tested on its own."""
import re

import minitorch as mt
from minitorch.autograd.scope import module_scope

TOKEN = re.compile(r'\s*(<<table.*?</table>>|"(?:[^"\\]|\\.)*"|->|[\[\]{}=;,]|[^\s\[\]{}=;,"]+)',
                   re.S)

COLOURS = {'leaf': '#a8d5ff', 'param': '#ffd27f', 'intermediate': '#eeeeee', 'output': '#9fdf9f',
           'custom': '#f7b6c8', 'module': '#d9c8f5', 'saved': '#ffe0b3', 'cut': '#eeeeee'}


def _tokens(text):
    pos, out = 0, []
    while True:
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        tok = m.group(1)
        out.append(tok[1:-1].replace('\\"', '"') if tok.startswith('"') else tok)
        pos = m.end()
    return out


def _attrs(tokens, i):
    """tokens[i] == '[': parse key=value pairs up to ']'; returns (dict, index after ']')."""
    attrs, i = {}, i + 1
    while tokens[i] != ']':
        key, value = tokens[i], tokens[i + 2]
        attrs[key] = value
        i += 3
        if tokens[i] in (',', ';'):
            i += 1
    return attrs, i + 1


def parse_dot(text):
    """{'nodes': {id: attrs + 'cluster'}, 'edges': [(tail, head, attrs)], 'clusters': {name:
    {'label', 'parent'}}} from graphviz DOT text."""
    tokens = _tokens(text)
    nodes, edges, clusters, stack = {}, [], {}, []
    i = 0
    while tokens[i] != '{':
        i += 1
    i += 1
    while i < len(tokens):
        tok = tokens[i]
        if tok == '}':
            if stack:
                stack.pop()
            i += 1
        elif tok == 'subgraph':
            name = tokens[i + 1]
            clusters[name] = {'label': None, 'parent': stack[-1] if stack else None}
            stack.append(name)
            i += 3
        elif tok in ('graph', 'node', 'edge') and tokens[i + 1] == '[':
            _, i = _attrs(tokens, i + 1)
        elif i + 1 < len(tokens) and tokens[i + 1] == '=':
            if stack and tok == 'label':
                clusters[stack[-1]]['label'] = tokens[i + 2]
            i += 3
        elif i + 1 < len(tokens) and tokens[i + 1] == '->':
            tail, head, i = tok, tokens[i + 2], i + 3
            attrs = {}
            if i < len(tokens) and tokens[i] == '[':
                attrs, i = _attrs(tokens, i)
            edges.append((tail, head, attrs))
        else:
            attrs = {}
            i += 1
            if i < len(tokens) and tokens[i] == '[':
                attrs, i = _attrs(tokens, i)
            attrs['cluster'] = stack[-1] if stack else None
            nodes[tok] = attrs
    return {'nodes': nodes, 'edges': edges, 'clusters': clusters}


def labels(graph, startswith=''):
    return {nid: a.get('label', '') for nid, a in graph['nodes'].items()
            if nid.startswith(startswith)}


def by_label(graph, text):
    """Ids of nodes whose label's first line is `text`."""
    return [nid for nid, a in graph['nodes'].items() if a.get('label', '').split('\n')[0] == text]


class Module:
    """Just enough of a module for drawings: named_parameters, named_modules, scoped calls."""

    def __init__(self):
        object.__setattr__(self, '_params', {})
        object.__setattr__(self, '_mods', {})

    def __setattr__(self, key, value):
        if isinstance(value, mt.Tensor):
            self._params[key] = value
        elif isinstance(value, Module):
            self._mods[key] = value
        object.__setattr__(self, key, value)

    def named_parameters(self, prefix=''):
        for key, value in self._params.items():
            yield prefix + key, value
        for key, module in self._mods.items():
            yield from module.named_parameters(prefix + key + '.')

    def named_modules(self, prefix=''):
        yield prefix.rstrip('.'), self
        for key, module in self._mods.items():
            yield from module.named_modules(prefix + key + '.')

    def __call__(self, *args):
        with module_scope(self):
            return self.forward(*args)


class Linear(Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = mt.randn(n_in, n_out, requires_grad=True)
        self.bias = mt.zeros(n_out, requires_grad=True)

    def forward(self, x):
        return x @ self.weight + self.bias


class MLP(Module):
    def __init__(self):
        super().__init__()
        self.fc1 = Linear(4, 8)
        self.fc2 = Linear(8, 2)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu())


class Cell(Module):
    def __init__(self, n_in, n_hidden):
        super().__init__()
        self.ih = Linear(n_in, n_hidden)
        self.hh = Linear(n_hidden, n_hidden)

    def forward(self, x, h):
        return (self.ih(x) + self.hh(h)).tanh()


def run_rnn(cell, steps, seed=0):
    mt.manual_seed(seed)
    h = mt.zeros(2, cell.hh.weight.shape[0])
    for _ in range(steps):
        h = cell(mt.randn(2, cell.ih.weight.shape[0]), h)
    return (h * h).sum()
